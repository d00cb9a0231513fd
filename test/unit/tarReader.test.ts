/**
 * The tar reader on archives as npm writes them and on hostile ones: every entry that could
 * write outside the target, or be anything but a file or a folder, is refused by name.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTar, safePath, TarFormatError, type TarEntry } from '../../src/engine/cuda/tarReader';
import { unpackTarball } from '../../src/engine/cuda/unpackTarball';
import { tar, tgz, type TarItem } from '../helpers/tarball';

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

async function read(data: Buffer, chunkSize = 4096): Promise<Array<TarEntry & { text: string }>> {
  const entries: Array<TarEntry & { text: string }> = [];
  for await (const { entry, content } of readTar(chunksOf(data, chunkSize))) {
    const parts: Buffer[] = [];
    for await (const chunk of content) parts.push(chunk);
    entries.push({ ...entry, text: Buffer.concat(parts).toString() });
  }
  return entries;
}

const PACKAGE: TarItem[] = [
  { path: 'package/package.json', content: '{"name":"x"}' },
  { path: 'package/bins/', type: '5' },
  { path: 'package/bins/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
  { path: `package/${'deep/'.repeat(30)}file.txt`, content: 'long path', pax: true },
  { path: `package/${'gnu/'.repeat(40)}long.txt`, content: 'gnu long name', gnuLongName: true },
  { path: 'package/big.bin', content: Buffer.alloc(5000, 7) },
];

describe('tar reader', () => {
  it('reads files, folders, pax and GNU long names, in any chunk size', async () => {
    for (const size of [1, 7, 511, 512, 513, 65536]) {
      const entries = await read(tar(PACKAGE), size);
      assert.deepEqual(
        entries.map((entry) => [entry.path, entry.type, entry.size]),
        [
          ['package/package.json', 'file', 12],
          ['package/bins', 'directory', 0],
          ['package/bins/run.sh', 'file', 10],
          [`package/${'deep/'.repeat(30)}file.txt`, 'file', 9],
          [`package/${'gnu/'.repeat(40)}long.txt`, 'file', 13],
          ['package/big.bin', 'file', 5000],
        ],
        `chunks of ${size}`,
      );
      assert.equal(entries[2]!.mode, 0o755);
      assert.equal(entries[3]!.text, 'long path');
      assert.equal(entries[5]!.text, '\x07'.repeat(5000));
    }
  });

  it('skips what a consumer leaves unread', async () => {
    const seen: string[] = [];
    for await (const { entry, content } of readTar(chunksOf(tar(PACKAGE), 100))) {
      seen.push(entry.path);
      for await (const chunk of content) {
        void chunk;
        break; // read one piece only
      }
    }
    assert.equal(seen.length, PACKAGE.length);
    assert.equal(seen.at(-1), 'package/big.bin');
  });

  const refused: Array<[string, TarItem, RegExp]> = [
    ['a path with ..', { path: 'package/../../etc/passwd', content: 'x' }, /"package\/\.\.\/\.\.\/etc\/passwd" points outside the package/],
    ['an absolute path', { path: '/etc/cron.d/x', content: 'x' }, /"\/etc\/cron\.d\/x" points outside/],
    ['a .. hidden in a pax path', { path: 'package/a/../../../x', content: 'x', pax: true }, /points outside/],
    ['a backslash path', { path: 'package\\..\\..\\x', content: 'x' }, /points outside/],
    ['a drive letter', { path: 'C:/Windows/x.dll', content: 'x' }, /points outside/],
    ['a symbolic link', { path: 'package/link', type: '2', linkTarget: '/etc' }, /"package\/link" is a symbolic link; only files and folders are unpacked/],
    ['a hard link', { path: 'package/hard', type: '1', linkTarget: 'package/package.json' }, /is a hard link/],
    ['a device', { path: 'package/dev', type: '3' }, /is a character device/],
    ['a named pipe', { path: 'package/fifo', type: '6' }, /is a named pipe/],
  ];
  for (const [what, item, message] of refused) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(read(tar([{ path: 'package/package.json', content: '{}' }, item])), (error: Error) => error instanceof TarFormatError && message.test(error.message));
    });
  }

  it('refuses a damaged header, and an archive cut short', async () => {
    const damaged = tar(PACKAGE);
    damaged[1024 + 10]! ^= 0xff; // inside the second header (the first entry takes two blocks)
    await assert.rejects(read(damaged), /checksum does not match/);
    const archive = tar(PACKAGE);
    await assert.rejects(read(archive.subarray(0, 1024 + 512 + 1024 + 100)), /ends in the middle of an entry/);
    await assert.rejects(read(archive.subarray(0, archive.length - 1024)), /ends without its end-of-archive blocks/);
  });

  it('safe paths: relative, no ., .. or empty segments', () => {
    assert.equal(safePath('package/./a//'), 'package/a');
    assert.throws(() => safePath('package//a'), TarFormatError);
    assert.throws(() => safePath(''), TarFormatError);
    assert.throws(() => safePath('..'), TarFormatError);
  });

  it('unpacks a .tgz without its package/ folder, keeping executable bits', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-untar-'));
    const tarball = path.join(dir, 'p.tgz');
    writeFileSync(tarball, tgz(PACKAGE));
    const target = path.join(dir, 'out', 'pkg');
    const result = await unpackTarball(tarball, target);
    assert.deepEqual(result, { files: 5, bytes: 12 + 10 + 9 + 13 + 5000 });
    assert.deepEqual(readdirSync(target).sort(), ['big.bin', 'bins', 'deep', 'gnu', 'package.json']);
    assert.equal(readFileSync(path.join(target, 'package.json'), 'utf8'), '{"name":"x"}');
    assert.equal(statSync(path.join(target, 'bins', 'run.sh')).mode & 0o111, 0o111);
    assert.equal(statSync(path.join(target, 'package.json')).mode & 0o111, 0);
    // The target must be new: an existing folder (or a link planted there) is never written into.
    await assert.rejects(unpackTarball(tarball, target), /EEXIST/);
  });
});
