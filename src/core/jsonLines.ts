/**
 * Append-only files of one JSON object per line (a Deep Prove journal, an eval's results). A
 * process that dies mid-write leaves at most its last line cut short: reading drops that line,
 * and opening the file for appending removes it, so the next line starts where it should. A
 * last line that is whole and lacks only its newline (an editor removed it) is kept. Anything
 * else that cannot be read is an error that names the line, since going on would repeat or
 * lose finished work. Reading and writing the files is jsonLinesFile.ts: this part has no Node
 * imports, so the Deep Prove panel's page can read a journal's types.
 */
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
