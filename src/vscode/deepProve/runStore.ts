/**
 * Where Deep Prove runs are kept: one folder per run under the extension's global storage
 * (`deep-prove/<runId>/`), holding the run's journal (core's FileJournal: everything the run did),
 * `host.json`, what only this window's host needs (where to insert the proof, the document's
 * macros), and `summary.json`, the list of runs' line for the journal as it last read it. No
 * `vscode` here: the folder layout is plain files, tested without VS Code.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOURNAL_VERSION, type JournalEntry, type RunEntry } from '../../core/deepProve/journal';
import { FileJournal, JOURNAL_FILE, readJournal } from '../../core/deepProve/journalFile';
import { runSummary, summarizeRun, type RunSummary } from '../../core/deepProve/runSummary';
import { foldJournal } from '../../core/deepProve/runView';
import { number, object, type Infer } from '../../core/webview/schema';

export const RUNS_FOLDER = 'deep-prove';
const HOST_FILE = 'host.json';
const SUMMARY_FILE = 'summary.json';
/** Run ids are made here: a sortable time and a few random characters, nothing a path could abuse. */
const RUN_ID = /^[0-9a-z]+-[0-9a-f]+$/;

export type NewRun = Omit<RunEntry, 'type' | 'version' | 'runId' | 'createdAt' | 'seed'>;

/** A saved run as the list of runs shows it. */
export interface SavedRun {
  runId: string;
  summary: RunSummary;
}

/** What `summary.json` holds: the summary, and the journal's size and time it was made from. */
const summaryFile = object({ journal: object({ size: number, mtimeMs: number }), summary: runSummary });
type SummaryFile = Infer<typeof summaryFile>;

export interface DamagedRun {
  runId: string;
  error: string;
}

export class RunStoreError extends Error {}

export class RunStore {
  constructor(
    /** The folder that holds one folder per run. */
    readonly root: string,
    private readonly now: () => number = Date.now,
  ) {}

  folderOf(runId: string): string {
    if (!RUN_ID.test(runId)) throw new RunStoreError(`“${runId}” is not a Deep Prove run id.`);
    return join(this.root, runId);
  }

  /** A new run: its folder, and a journal that holds only the run's definition. */
  async create(run: NewRun, host: unknown): Promise<FileJournal> {
    const createdAt = this.now();
    const runId = `${createdAt.toString(36)}-${randomBytes(4).toString('hex')}`;
    const journal = await FileJournal.open(this.folderOf(runId));
    // The host file first: a journal without it still opens (the proof just cannot go back by itself).
    await writeFile(join(this.folderOf(runId), HOST_FILE), JSON.stringify(host ?? {}));
    await journal.append({ type: 'run', version: JOURNAL_VERSION, runId, createdAt, ...run, seed: randomInt(0, 2 ** 31) });
    return journal;
  }

  /**
   * The journal of a saved run, ready for appending (a torn last line is cut off). Only with the
   * run's journal lock held: another window may be writing it.
   */
  async open(runId: string): Promise<FileJournal> {
    await this.checkSaved(runId);
    const journal = await FileJournal.open(this.folderOf(runId));
    if (journal.entries.length === 0) throw this.emptyError(runId);
    return journal;
  }

  /** The entries of a saved run's journal, read without changing the file (to show the run). */
  async read(runId: string): Promise<JournalEntry[]> {
    let entries: JournalEntry[];
    try {
      entries = await readJournal(this.folderOf(runId));
    } catch (error) {
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? this.deletedError(runId) : error;
    }
    if (entries.length === 0) throw this.emptyError(runId);
    return entries;
  }

  /** What the host saved beside the journal; undefined if nothing readable. */
  async host(runId: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.folderOf(runId), HOST_FILE), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Every saved run, newest first; runs whose journal cannot be read are listed apart, with why. */
  async list(): Promise<{ runs: SavedRun[]; damaged: DamagedRun[] }> {
    let names: string[] = [];
    try {
      names = (await readdir(this.root)).filter((name) => RUN_ID.test(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const runs: SavedRun[] = [];
    const damaged: DamagedRun[] = [];
    // One at a time: a journal that changed is read whole, and a few of those at once is a lot of memory.
    for (const runId of names) {
      try {
        runs.push({ runId, summary: await this.summary(runId) });
      } catch (error) {
        damaged.push({ runId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    runs.sort((a, b) => b.summary.createdAt - a.summary.createdAt);
    return { runs, damaged };
  }

  /** The run's summary: the saved one if the journal has not changed since, else made and saved again. */
  private async summary(runId: string): Promise<RunSummary> {
    const folder = this.folderOf(runId);
    let journal;
    try {
      journal = await stat(join(folder, JOURNAL_FILE));
    } catch {
      throw this.deletedError(runId);
    }
    const saved = await readSummaryFile(join(folder, SUMMARY_FILE));
    if (saved && saved.journal.size === journal.size && saved.journal.mtimeMs === journal.mtimeMs) return saved.summary;
    const summary = summarizeRun(foldJournal(await this.read(runId)));
    const file: SummaryFile = { journal: { size: journal.size, mtimeMs: journal.mtimeMs }, summary };
    // Renamed into place, so that a list in another window never reads half a file. Not saved, it is made again next time.
    const temporary = join(folder, `${SUMMARY_FILE}.${randomBytes(4).toString('hex')}`);
    await writeFile(temporary, JSON.stringify(file))
      .then(() => rename(temporary, join(folder, SUMMARY_FILE)))
      .catch(() => rm(temporary, { force: true }));
    return summary;
  }

  private async checkSaved(runId: string): Promise<void> {
    if (!(await exists(join(this.folderOf(runId), JOURNAL_FILE)))) throw this.deletedError(runId);
  }

  private deletedError(runId: string): RunStoreError {
    return new RunStoreError(`The Deep Prove run ${runId} is no longer saved (it was deleted).`);
  }

  private emptyError(runId: string): RunStoreError {
    return new RunStoreError(`The Deep Prove run ${runId} has an empty journal: nothing of it was saved.`);
  }

  async remove(runId: string): Promise<void> {
    await rm(this.folderOf(runId), { recursive: true, force: true });
  }
}

async function readSummaryFile(file: string): Promise<SummaryFile | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return summaryFile.is(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
