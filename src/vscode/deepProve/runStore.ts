/**
 * Where Deep Prove runs are kept: one folder per run under the extension's global storage
 * (`deep-prove/<runId>/`), holding the run's journal (core's FileJournal: everything the run did)
 * and `host.json`, what only this window's host needs (where to insert the proof, the document's
 * macros). No `vscode` here: the folder layout is plain files, tested without VS Code.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JOURNAL_VERSION, type RunEntry } from '../../core/deepProve/journal';
import { FileJournal, JOURNAL_FILE } from '../../core/deepProve/journalFile';
import { foldJournal, type RunView } from '../../core/deepProve/runView';

export const RUNS_FOLDER = 'deep-prove';
const HOST_FILE = 'host.json';
/** Run ids are made here: a sortable time and a few random characters, nothing a path could abuse. */
const RUN_ID = /^[0-9a-z]+-[0-9a-f]+$/;

export type NewRun = Omit<RunEntry, 'type' | 'version' | 'runId' | 'createdAt' | 'seed'>;

/** A saved run as the list of runs shows it. */
export interface SavedRun {
  runId: string;
  view: RunView;
}

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

  /** The journal of a saved run, as it is on disk. */
  async open(runId: string): Promise<FileJournal> {
    const folder = this.folderOf(runId);
    if (!(await exists(join(folder, JOURNAL_FILE)))) throw new RunStoreError(`The Deep Prove run ${runId} is no longer saved (it was deleted).`);
    const journal = await FileJournal.open(folder);
    if (journal.entries.length === 0) throw new RunStoreError(`The Deep Prove run ${runId} has an empty journal: nothing of it was saved.`);
    return journal;
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
    await Promise.all(
      names.map(async (runId) => {
        try {
          const journal = await this.open(runId);
          runs.push({ runId, view: foldJournal(journal.entries) });
        } catch (error) {
          damaged.push({ runId, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    runs.sort((a, b) => b.view.run.createdAt - a.view.run.createdAt);
    return { runs, damaged };
  }

  async remove(runId: string): Promise<void> {
    await rm(this.folderOf(runId), { recursive: true, force: true });
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
