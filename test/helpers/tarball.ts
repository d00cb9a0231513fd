/**
 * Writes tar archives as `npm pack` does (ustar, `package/` prefix, pax headers for long paths),
 * and hostile ones a registry could serve (links, `..`, absolute paths, damaged headers), for the
 * tar reader and the CUDA install tests. Also makes fake node-llama-cpp binaries packages.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface TarItem {
  path: string;
  /** '0' file (default), '5' directory, '2' symlink, '1' hard link, '3' device… */
  type?: string;
  content?: Buffer | string;
  mode?: number;
  linkTarget?: string;
  /** Put the path in a pax header (as npm does for paths over 100 bytes) instead of the name field. */
  pax?: boolean;
  /** Put the path in a GNU long-name entry. */
  gnuLongName?: boolean;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, mode: number, linkTarget = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write(octal(mode, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(0, 12), 136);
  block.write(type, 156);
  block.write(linkTarget, 157);
  block.write('ustar\0', 257);
  block.write('00', 263);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % 512;
  return rest ? [data, Buffer.alloc(512 - rest)] : [data];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

export function tar(items: readonly TarItem[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) {
    const type = item.type ?? '0';
    const content = Buffer.from(item.content ?? '');
    let name = item.path;
    if (item.pax) {
      parts.push(header('PaxHeader', 'x', Buffer.byteLength(paxRecord('path', item.path)), 0o644), ...padded(Buffer.from(paxRecord('path', item.path))));
      name = item.path.slice(-99);
    } else if (item.gnuLongName) {
      const longName = Buffer.from(`${item.path}\0`);
      parts.push(header('././@LongLink', 'L', longName.length, 0o644), ...padded(longName));
      name = item.path.slice(0, 99);
    }
    const size = type === '0' ? content.length : 0;
    parts.push(header(name, type, size, item.mode ?? (type === '5' ? 0o755 : 0o644), item.linkTarget));
    if (size) parts.push(...padded(content));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function tgz(items: readonly TarItem[]): Buffer {
  return gzipSync(tar(items));
}

export function integrityOf(data: Buffer): string {
  return `sha512-${createHash('sha512').update(data).digest('base64')}`;
}

/**
 * A package laid out as node-llama-cpp's binaries packages are: package.json, dist/index.js with
 * getBinsDir(), and bins/<folder>/ with the files given (the binary and its build metadata).
 */
export function fakeBinariesPackage(options: { name: string; version: string; binsFolder: string; bins: Record<string, Buffer | string> }): Buffer {
  const manifest = { name: options.name, version: options.version, type: 'module', main: 'dist/index.js', exports: { '.': { import: './dist/index.js', node: './dist/index.js', default: './dist/index.js' } } };
  const index = [
    'import path from "path";',
    'import { fileURLToPath } from "url";',
    'import fs from "node:fs/promises";',
    'const __dirname = path.dirname(fileURLToPath(import.meta.url));',
    'const binsDir = path.join(__dirname, "..", "bins");',
    'const packageVersion = JSON.parse(await fs.readFile(path.join(__dirname, "..", "package.json"), "utf8")).version;',
    'export const fake = true;',
    'export function getBinsDir() { return { binsDir, packageVersion }; }',
    '',
  ].join('\n');
  return tgz([
    { path: 'package/package.json', content: JSON.stringify(manifest, null, 2) },
    { path: 'package/dist/index.js', content: index },
    ...Object.entries(options.bins).map(([file, content]) => ({ path: `package/bins/${options.binsFolder}/${file}`, content: Buffer.from(content) })),
  ]);
}
