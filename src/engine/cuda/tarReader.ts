/**
 * Reads a tar stream (ustar with pax extended headers, and GNU long names, as `npm pack` and the
 * registry's tarballs are written) entry by entry, without holding more than one block or one
 * chunk in memory. Only what an npm package needs is accepted: regular files and directories at
 * relative paths inside the package. Links, devices, absolute paths and `..` are refused with an
 * error naming the entry, so nothing can be written outside the target folder.
 */

const BLOCK = 512;
/** Pax and GNU long-name records are small; a larger one is not a package's. */
const MAX_META_BYTES = 1 << 20;

export interface TarEntry {
  /** The entry's path, `/`-separated, relative, without `.` or `..` segments. */
  path: string;
  type: 'file' | 'directory';
  /** Permission bits from the header (files only; 0o644 when absent). */
  mode: number;
  size: number;
}

export class TarFormatError extends Error {}

/** Each entry with its content; the content must be consumed (or abandoned) before the next entry. */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<{ entry: TarEntry; content: AsyncGenerator<Buffer> }> {
  const reader = new ChunkReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    const header = await reader.exactly(BLOCK);
    if (!header) throw new TarFormatError('the archive ends without its end-of-archive blocks');
    if (header.every((byte) => byte === 0)) return; // end of archive (a second zero block may follow)
    checkChecksum(header);
    const type = String.fromCharCode(header[156]!);
    const size = pax.size !== undefined ? decimal(pax.size, 'pax size') : numeric(header.subarray(124, 136), 'size');
    const padded = Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_META_BYTES) throw new TarFormatError(`an extended header of ${size} bytes is too large`);
      const data = (await reader.exactly(padded)) ?? truncated();
      const body = data.subarray(0, size);
      if (type === 'x') pax = { ...pax, ...parsePax(body) };
      else if (type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
      // 'g' (global pax) carries nothing a package needs; 'K' (a long link target) comes with a link, refused below.
      continue;
    }

    const rawPath = pax.path ?? longName ?? headerPath(header);
    longName = undefined;
    pax = {};
    const kind = type === '0' || type === '\0' || type === '7' ? 'file' : type === '5' ? 'directory' : undefined;
    if (!kind) throw new TarFormatError(`${JSON.stringify(rawPath)} is ${ENTRY_KINDS[type] ?? `an entry of type ${JSON.stringify(type)}`}; only files and folders are unpacked`);
    const entry: TarEntry = { path: safePath(rawPath), type: kind, mode: numeric(header.subarray(100, 108), 'mode') & 0o7777 || 0o644, size: kind === 'file' ? size : 0 };

    let consumed = 0;
    const content = (async function* () {
      for await (const chunk of reader.take(entry.size)) {
        consumed += chunk.length;
        yield chunk;
      }
    })();
    yield { entry, content };
    // Whatever the consumer left unread of this entry, then the padding to the next block.
    await reader.skip(entry.size - consumed + (padded - entry.size));
  }
}

const ENTRY_KINDS: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a named pipe',
};

/**
 * The path as it will be written: relative, `/`-separated, with no empty, `.` or `..` segment
 * (which also rules out absolute paths), no backslash and no drive letter or colon (Windows would
 * read `C:x` or `a\..\..\x` differently than the check did).
 */
export function safePath(raw: string): string {
  const trimmed = raw.replace(/\/+$/, '');
  const segments = trimmed.split('/').filter((segment) => segment !== '.');
  const bad =
    trimmed === '' ||
    raw.startsWith('/') ||
    /[\\:\0]/.test(raw) ||
    segments.some((segment) => segment === '' || segment === '..');
  if (bad) throw new TarFormatError(`the entry ${JSON.stringify(raw)} points outside the package; nothing was unpacked from it`);
  return segments.join('/');
}

function headerPath(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  // ustar splits long paths into prefix and name; GNU tar uses those bytes for other fields.
  const ustar = header.subarray(257, 263).toString('latin1') === 'ustar\0';
  const prefix = ustar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

/** Octal (space or NUL terminated), or GNU's base-256 for large values. */
function numeric(field: Buffer, what: string): number {
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new TarFormatError(`the ${what} field is out of range`);
    return value;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`the ${what} field ${JSON.stringify(text)} is not a number`);
  return parseInt(text, 8);
}

function decimal(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new TarFormatError(`the ${what} ${JSON.stringify(text)} is not a number`);
  return Number(text);
}

function checkChecksum(header: Buffer): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (numeric(header.subarray(148, 156), 'checksum') !== sum) throw new TarFormatError('a header block is damaged (its checksum does not match)');
}

/** Pax records: `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = space < 0 ? NaN : Number(data.subarray(offset, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= space - offset || offset + length > data.length) throw new TarFormatError('a pax extended header is malformed');
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

function truncated(): never {
  throw new TarFormatError('the archive ends in the middle of an entry');
}

/** Exact reads over a stream of chunks of any size. */
class ChunkReader {
  private buffered: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  /** `n` bytes, or undefined when the stream ended before any of them. */
  async exactly(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let have = 0;
    for await (const part of this.take(n, true)) {
      parts.push(part);
      have += part.length;
    }
    if (have === 0 && n > 0) return undefined;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
  }

  async skip(n: number): Promise<void> {
    for await (const part of this.take(n)) void part;
  }

  /** The next `n` bytes in pieces; a stream that ends first is an error (unless nothing came and `allowNone`). */
  async *take(n: number, allowNone = false): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered.length === 0) {
        const next = this.done ? undefined : await this.chunks.next();
        if (!next || next.done) {
          this.done = true;
          if (allowNone && left === n) return;
          truncated();
        }
        this.buffered = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        continue;
      }
      const piece = this.buffered.subarray(0, left);
      this.buffered = this.buffered.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }
}
