/**
 * A run journal kept in a folder as `journal.jsonl`. Entries are appended in order, one write per
 * entry, so a process that dies leaves at most its last line cut short, which `parseJournal`
 * drops. No fsync: a crash of the engine or of VS Code does not lose what the OS already holds.
 */
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { formatEntry, parseJournal, wholeEntry, type JournalEntry, type RunJournal } from './journal';

export const JOURNAL_FILE = 'journal.jsonl';

export class FileJournal implements RunJournal {
  private readonly written: JournalEntry[];
  private queue: Promise<void> = Promise.resolve();

  private constructor(readonly file: string, entries: JournalEntry[]) {
    this.written = entries;
  }

  /** The journal in `folder`, with the entries it already holds (none if it is new). */
  static async open(folder: string): Promise<FileJournal> {
    await mkdir(folder, { recursive: true });
    const file = join(folder, JOURNAL_FILE);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entries = parseJournal(text, file);
    // The next entry must start a line: a whole last entry gets its newline back; a torn last
    // line, which parseJournal dropped, goes from the file.
    if (!text.endsWith('\n') && text !== '') {
      const tail = text.slice(text.lastIndexOf('\n') + 1);
      if (wholeEntry(tail)) await appendFile(file, '\n');
      else await truncate(file, Buffer.byteLength(text.slice(0, text.length - tail.length)));
    }
    return new FileJournal(file, entries);
  }

  get entries(): readonly JournalEntry[] {
    return this.written;
  }

  append(entry: JournalEntry): Promise<void> {
    this.written.push(entry);
    const line = formatEntry(entry);
    // Appends go out one after another, in the order they were made.
    const write = this.queue.then(() => appendFile(this.file, line));
    this.queue = write.catch(() => undefined);
    return write;
  }
}
