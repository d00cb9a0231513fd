/**
 * Checks a downloaded .tgz against its subresource integrity and unpacks it, through tarReader's
 * checks, into a folder of its own. Both stream: memory stays flat for a 350 MB package.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { readTar } from './tarReader';

/** `sha512-<base64>` of the file. */
export async function sha512Integrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/**
 * Whether the file matches `expected` (an SRI string: one or more `algo-base64` separated by
 * spaces; its sha512 entries are the ones checked, and there must be one).
 */
export async function matchesIntegrity(file: string, expected: string): Promise<{ ok: boolean; actual: string }> {
  const wanted = expected.split(/\s+/).filter((item) => item.startsWith('sha512-'));
  if (wanted.length === 0) throw new Error(`no sha512 integrity to check against (${expected || 'none'})`);
  const actual = await sha512Integrity(file);
  return { ok: wanted.includes(actual), actual };
}

/**
 * Unpacks a gzipped tarball into `target` (which must not exist yet, so nothing already there can
 * redirect a write), leaving out the first `strip` path segments as npm does with `package/`.
 */
export async function unpackTarball(tarball: string, target: string, strip = 1): Promise<{ files: number; bytes: number }> {
  await mkdir(path.dirname(target), { recursive: true });
  await mkdir(target);
  let files = 0;
  let bytes = 0;
  const made = new Set<string>([target]);
  for await (const { entry, content } of readTar(createReadStream(tarball).pipe(createGunzip()))) {
    const segments = entry.path.split('/').slice(strip);
    if (segments.length === 0) continue;
    const destination = path.join(target, segments.join('/'));
    if (entry.type === 'directory') {
      await mkdir(destination, { recursive: true });
      made.add(destination);
      continue;
    }
    const folder = path.dirname(destination);
    if (!made.has(folder)) {
      await mkdir(folder, { recursive: true });
      made.add(folder);
    }
    await pipeline(
      content,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(destination, { mode: entry.mode & 0o111 ? 0o755 : 0o644 }),
    );
    files++;
  }
  return { files, bytes };
}
