/**
 * A run journal kept in a folder as `journal.jsonl`. Entries are appended in order, one write per
 * entry, so a process that dies leaves at most its last line cut short, which opening the journal
 * drops (jsonLines.ts). No fsync: a crash of the engine or of VS Code does not lose what the OS
 * already holds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineAppender, openJsonLines } from '../jsonLinesFile';
import { JOURNAL_LINE, parseJournal, type JournalEntry, type RunJournal } from './journal';

export const JOURNAL_FILE = 'journal.jsonl';

export class FileJournal implements RunJournal {
  private readonly appender: LineAppender;

  private constructor(readonly file: string, private readonly written: JournalEntry[]) {
    this.appender = new LineAppender(file);
  }

  /** The journal in `folder`, with the entries it already holds (none if it is new). */
  static async open(folder: string): Promise<FileJournal> {
    const file = join(folder, JOURNAL_FILE);
    return new FileJournal(file, await openJsonLines(file, JOURNAL_LINE, (text) => parseJournal(text, file)));
  }

  get entries(): readonly JournalEntry[] {
    return this.written;
  }

  append(entry: JournalEntry): Promise<void> {
    this.written.push(entry);
    return this.appender.append(entry);
  }
}

/**
 * The entries of the journal in `folder`, read without touching the file: a torn last line is
 * left out, not cut off, because the process holding the run's lock may be writing that line now.
 * Only that process opens the journal (FileJournal.open), which repairs it for appending.
 */
export async function readJournal(folder: string): Promise<JournalEntry[]> {
  const file = join(folder, JOURNAL_FILE);
  return parseJournal(await readFile(file, 'utf8'), file);
}
