/**
 * Reads the files a document names (`\input{…}`, `\usepackage{…}`, `% !TEX root`, root
 * candidates) without trusting them: only regular files, at most `maxBytes`, within a time
 * budget. Anything else is skipped with a reason, never read: `\input{/dev/zero}` would grow
 * memory without end, and a named pipe blocks whoever reads it (with fs.readFile, one of libuv's
 * four thread-pool threads for good, so four of them stop every file read in the process).
 *
 * `stat` first, so only a regular file is ever opened; it is opened non-blocking (a pipe swapped in
 * after the `stat` cannot block the open) and checked again on the open handle. A read that
 * outlasts the budget is abandoned (a system call cannot be cancelled): the caller moves on, the
 * same file is not read again while that read is pending, and with a few abandoned reads pending
 * nothing more is read, so a disk that stopped answering cannot take the whole thread pool.
 * Plain Node: the CLI and the extension host read through the same reader.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** The default of `qed.files.maxSizeMB` and `--max-file-mb`. */
export const DEFAULT_MAX_FILE_MB = 4;
export const DEFAULT_READ_TIMEOUT_MS = 5000;
/** Abandoned reads still pending beyond which nothing more is read (libuv has 4 threads by default). */
const MAX_ABANDONED_READS = 2;

export interface ReadLimits {
  maxBytes: number;
  /** How the user raises the limit, for the message: `qed.files.maxSizeMB`, `--max-file-mb`. */
  maxBytesSetting: string;
  timeoutMs?: number;
}

export type FileRead =
  | { status: 'read'; text: string; version: string }
  | { status: 'missing' }
  /** It exists but was not read: `reason` says why, e.g. "not a regular file (a named pipe)". */
  | { status: 'skipped'; reason: string };

/** A read that ended early, with its reason. */
class Skip {
  constructor(readonly reason: string) {}
}

export class BoundedFileReader {
  /** Files whose read outlasted the budget and has not ended yet. */
  private readonly abandoned = new Set<string>();

  constructor(private readonly limits: () => ReadLimits) {}

  async read(file: string): Promise<FileRead> {
    const limits = this.limits();
    const timeoutMs = limits.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    if (this.abandoned.has(file)) return skipped(`an earlier read has not ended after ${seconds(timeoutMs)}`);
    if (this.abandoned.size >= MAX_ABANDONED_READS) return skipped(`the disk has not answered ${this.abandoned.size} earlier reads for over ${seconds(timeoutMs)}`);
    const abort = new AbortController();
    const reading = readRegularFile(file, limits, abort.signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const result = await Promise.race([reading, timedOut]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    abort.abort();
    this.abandoned.add(file);
    const ended = () => this.abandoned.delete(file);
    reading.then(ended, ended);
    return skipped(`not read within ${seconds(timeoutMs)}`);
  }
}

async function readRegularFile(file: string, limits: ReadLimits, signal: AbortSignal): Promise<FileRead> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    return missingOrUnreadable(error);
  }
  const refused = refusal(info, limits);
  if (refused) return skipped(refused);
  let handle;
  try {
    // O_NONBLOCK: should a pipe replace the file after the stat, opening it returns at once.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    return missingOrUnreadable(error);
  }
  try {
    const opened = await handle.stat();
    const refusedNow = refusal(opened, limits);
    if (refusedNow) return skipped(refusedNow);
    const bytes = await readAtMost(handle, opened.size, limits, signal);
    if (bytes instanceof Skip) return skipped(bytes.reason);
    // Non-UTF-8 bytes become U+FFFD rather than failing the whole project.
    return { status: 'read', text: new TextDecoder('utf-8').decode(bytes), version: `${opened.mtimeMs}:${opened.size}` };
  } catch (error) {
    return missingOrUnreadable(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The file's bytes, at most `limits.maxBytes` of them even if it grows while being read. */
async function readAtMost(
  handle: Awaited<ReturnType<typeof open>>,
  size: number,
  limits: ReadLimits,
  signal: AbortSignal,
): Promise<Uint8Array | Skip> {
  let buffer = Buffer.allocUnsafe(Math.min(size, limits.maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (signal.aborted) return new Skip('abandoned');
    if (length === buffer.length) {
      if (length > limits.maxBytes) return new Skip(`it grew past the ${megabytes(limits.maxBytes)} limit while being read (${limits.maxBytesSetting})`);
      const larger = Buffer.allocUnsafe(Math.min(length * 2, limits.maxBytes + 1));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}

/** Why `info` is not read, or undefined if it is. */
function refusal(info: Stats, limits: ReadLimits): string | undefined {
  if (!info.isFile()) return `not a regular file (${kindOf(info)})`;
  if (info.size > limits.maxBytes) return `${megabytes(info.size)}, over the ${megabytes(limits.maxBytes)} limit (${limits.maxBytesSetting})`;
  return undefined;
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

function missingOrUnreadable(error: unknown): FileRead {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
  return skipped(`unreadable (${code ?? String(error)})`);
}

function skipped(reason: string): FileRead {
  return { status: 'skipped', reason };
}

/** Rounded up, so a file just over the limit does not read as equal to it. */
function megabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return `${value < 10 ? Math.ceil(value * 10) / 10 : Math.ceil(value)} MB`;
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
