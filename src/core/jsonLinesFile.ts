/** JSON-lines files on disk: opened for appending after a crash, and appended to in order (see jsonLines.ts). */
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatLine, isWholeLine, parseJsonLines, type LineKind } from './jsonLines';

/**
 * Reads the file (none yet: no values) and makes it ready for appending: a whole last line gets
 * its newline back, a torn one goes. `parse` checks the values as a whole (e.g. a journal's order).
 */
export async function openJsonLines<T>(file: string, kind: LineKind<T>, parse: (text: string) => T[] = (text) => parseJsonLines(text, kind, file)): Promise<T[]> {
  await mkdir(dirname(file), { recursive: true });
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const values = parse(text);
  if (!text.endsWith('\n') && text !== '') {
    const tail = text.slice(text.lastIndexOf('\n') + 1);
    if (isWholeLine(tail, kind)) await appendFile(file, '\n');
    else await truncate(file, Buffer.byteLength(text.slice(0, text.length - tail.length)));
  }
  return values;
}

/** Appends lines one after another, in the order they were asked for, one write per line. */
export class LineAppender {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  append(value: unknown): Promise<void> {
    const line = formatLine(value);
    const write = this.queue.then(() => appendFile(this.file, line));
    this.queue = write.catch(() => undefined);
    return write;
  }
}
