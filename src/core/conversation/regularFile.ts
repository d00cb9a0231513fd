/**
 * Reads a file only when it is a regular file of a bounded size. Anything else sitting under the
 * name is reported instead of read: a directory (EISDIR), a named pipe (whose open and read wait
 * for a writer forever, each holding one of libuv's four threads), a device such as /dev/zero
 * behind a symbolic link (endless), or a file too large to hold in memory.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Stats } from 'node:fs';

export type FileRead =
  | { kind: 'text'; text: string }
  | { kind: 'missing' }
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'error'; error: Error };

/**
 * Without O_NONBLOCK, opening a named pipe waits for a writer. Regular files ignore the flag;
 * Windows has none (and no named pipes in a folder).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * The file's text, or what keeps it from being read. `headBytes` reads only that many bytes from
 * the start. The type and size are those of the opened handle, so the name cannot be replaced by
 * something else between the check and the read.
 */
export async function readRegularFile(file: string, limits: { maxBytes: number; headBytes?: number }): Promise<FileRead> {
  let handle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'not-regular', what: 'a directory' };
    return { kind: 'error', error: error as Error };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'not-regular', what: kindOf(info) };
    if (info.size > limits.maxBytes) return { kind: 'too-large', bytes: info.size };
    const buffer = Buffer.alloc(Math.min(info.size, limits.headBytes ?? Infinity));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { kind: 'text', text: buffer.subarray(0, filled).toString('utf8') };
  } catch (error) {
    return { kind: 'error', error: error as Error };
  } finally {
    await handle.close();
  }
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}
