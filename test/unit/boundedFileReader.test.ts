import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, open, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BoundedFileReader, type FileRead, type ReadLimits } from '../../src/core/theorems/boundedFileReader';

const MB = 1024 * 1024;

function reader(limits: Partial<ReadLimits> = {}): BoundedFileReader {
  return new BoundedFileReader(() => ({ maxBytes: 4 * MB, maxBytesSetting: 'qed.files.maxSizeMB', ...limits }));
}

async function timed(read: Promise<FileRead>): Promise<{ read: FileRead; ms: number }> {
  const started = performance.now();
  return { read: await read, ms: performance.now() - started };
}

describe('BoundedFileReader', () => {
  let dir: string;

  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'qed-bounded-read-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file as UTF-8 (bad bytes become U+FFFD), with its modification time and size as version', async () => {
    const file = path.join(dir, 'a.tex');
    writeFileSync(file, Buffer.concat([Buffer.from('Caf\u00e9 '), Buffer.from([0xff]), Buffer.from('.')]));
    const info = statSync(file);
    assert.deepEqual(await reader().read(file), { status: 'read', text: 'Caf\u00e9 \ufffd.', version: `${info.mtimeMs}:${info.size}` });
  });

  it('tells a missing file from one it does not read', async () => {
    writeFileSync(path.join(dir, 'file'), '');
    assert.deepEqual(await reader().read(path.join(dir, 'missing.tex')), { status: 'missing' });
    assert.deepEqual(await reader().read(path.join(dir, 'file', 'below.tex')), { status: 'missing' });
    mkdirSync(path.join(dir, 'folder.tex'));
    assert.deepEqual(await reader().read(path.join(dir, 'folder.tex')), { status: 'skipped', reason: 'not a regular file (a folder)' });
  });

  it('skips /dev/zero and a named pipe at once, without opening them', async function () {
    if (process.platform === 'win32') this.skip();
    const zero = await timed(reader().read('/dev/zero'));
    assert.deepEqual(zero.read, { status: 'skipped', reason: 'not a regular file (a character device)' });
    const fifo = path.join(dir, 'pipe.tex');
    execFileSync('mkfifo', [fifo]);
    const pipe = await timed(reader().read(fifo));
    assert.deepEqual(pipe.read, { status: 'skipped', reason: 'not a regular file (a named pipe)' });
    assert.ok(zero.ms < 500 && pipe.ms < 500, `${zero.ms} ms, ${pipe.ms} ms`);
  });

  it('reads a file of exactly the limit and skips one a byte over it, naming the setting', async () => {
    const exact = path.join(dir, 'exact.tex');
    const over = path.join(dir, 'over.tex');
    writeFileSync(exact, 'x'.repeat(MB));
    writeFileSync(over, 'x'.repeat(MB + 1));
    const limited = reader({ maxBytes: MB });
    const read = await limited.read(exact);
    assert.equal(read.status === 'read' && read.text.length, MB);
    assert.deepEqual(await limited.read(over), { status: 'skipped', reason: '1.1 MB, over the 1 MB limit (qed.files.maxSizeMB)' });
  });

  it('gives up on a read that outlasts its time budget, and keeps threads for the rest of the process', async function () {
    if (process.platform === 'win32') this.skip();
    // Four blocking opens of a pipe with no writer hold all of libuv's threads, as a hung disk
    // would: the reader's stat waits in line until they are released.
    const fifo = path.join(dir, 'hold.fifo');
    execFileSync('mkfifo', [fifo]);
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const held = Array.from({ length: threads }, () => new Promise<void>((resolve) => open(fifo, 'r', (_error, fd) => (fd !== undefined && closeSync(fd), resolve()))));
    const [a, b, c] = ['a.tex', 'b.tex', 'c.tex'].map((name) => {
      writeFileSync(path.join(dir, name), name);
      return path.join(dir, name);
    });
    const slow = reader({ timeoutMs: 200 });
    try {
      const first = await timed(slow.read(a!));
      assert.deepEqual(first.read, { status: 'skipped', reason: 'not read within 0.2 s' });
      assert.ok(first.ms >= 190 && first.ms < 1000, `${first.ms} ms`);
      // Not read again while the abandoned read is pending; other files still get their chance.
      const again = await timed(slow.read(a!));
      assert.deepEqual(again.read, { status: 'skipped', reason: 'an earlier read has not ended after 0.2 s' });
      assert.ok(again.ms < 50, `${again.ms} ms`);
      assert.deepEqual(await slow.read(b!), { status: 'skipped', reason: 'not read within 0.2 s' });
      // Two abandoned reads pending: nothing more is started, so they cannot pile up.
      const third = await timed(slow.read(c!));
      assert.deepEqual(third.read, { status: 'skipped', reason: 'the disk has not answered 2 earlier reads for over 0.2 s' });
      assert.ok(third.ms < 50, `${third.ms} ms`);
    } finally {
      // A writer that comes and goes gives each blocked open its end of file.
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      await Promise.all(held);
    }
    // Once the abandoned reads have ended, the files are read again.
    for (let tries = 0; tries < 50; tries++) {
      const read = await slow.read(c!);
      if (read.status === 'read') return assert.equal(read.text, 'c.tex');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail('c.tex was never read after the threads were released');
  });
});
