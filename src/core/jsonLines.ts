/**
 * Append-only files of one JSON object per line (a Deep Prove journal, an eval's results). A
 * process that dies mid-write leaves at most its last line cut short: reading drops that line,
 * and opening the file for appending removes it, so the next line starts where it should. A
 * last line that is whole and lacks only its newline (an editor removed it) is kept. Anything
 * else that cannot be read is an error that names the line, since going on would repeat or
 * lose finished work.
 */
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Schema } from './webview/schema';

export class JsonLinesError extends Error {}

export interface LineKind<T> {
  schema: Schema<T>;
  /** What one line is, e.g. "a Deep Prove journal entry". */
  what: string;
}

export function parseJsonLines<T>(text: string, kind: LineKind<T>, where: string): T[] {
  const complete = text.split('\n');
  // What follows the last newline: '', the torn line, or a whole entry without its newline.
  const tail = complete.pop()!;
  if (isWholeLine(tail, kind)) complete.push(tail);
  const values: T[] = [];
  complete.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new JsonLinesError(`Line ${index + 1} of ${where} is not JSON: the file was changed or damaged.`);
    }
    if (!kind.schema.is(value)) throw new JsonLinesError(`Line ${index + 1} of ${where} is not ${kind.what} (written by a newer QED, or damaged).`);
    values.push(value);
  });
  return values;
}

/** Whether a line is one whole, valid value (so not a line cut short). */
export function isWholeLine<T>(line: string, kind: LineKind<T>): boolean {
  if (line.trim() === '') return false;
  try {
    return kind.schema.is(JSON.parse(line));
  } catch {
    return false;
  }
}

export function formatLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

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
