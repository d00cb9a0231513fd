/**
 * One process at a time on a run's journal: two sessions appending to the same file would make
 * the same calls twice and interleave their entries. The lock is a file holding the owner's pid;
 * a lock whose process is gone (killed, crashed) is taken over. The CLI and the extension host (one
 * process per VS Code window; two windows share the global storage) both take it.
 */
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** The journal is being written by another process: a run going in another terminal or window. */
export class JournalInUseError extends Error {
  constructor(
    message: string,
    readonly owner: number,
  ) {
    super(message);
  }
}

export const LOCK_FILE = 'journal.lock';

/** Takes the lock of the journal in `folder`; the returned function gives it back (also done at exit). */
export function lockJournal(folder: string): () => void {
  return lockWith(join(folder, LOCK_FILE), `The journal in ${folder}`, 'stop it first (Ctrl-C there, or Stop in its window), then resume');
}

/** The same lock for another file written by one process at a time (an eval's results: `FILE.lock`). */
export function lockFileOf(file: string, hint: string): () => void {
  return lockWith(`${file}.lock`, file, hint);
}

/** The live process other than this one that holds the lock of the journal in `folder`, if any. */
export function journalOwner(folder: string): number | undefined {
  let owner: number;
  try {
    owner = Number.parseInt(readFileSync(join(folder, LOCK_FILE), 'utf8'), 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(owner) && owner !== process.pid && isAlive(owner) ? owner : undefined;
}

function lockWith(file: string, what: string, hint: string): () => void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new JournalInUseError(`${what} is in use by process ${owner} (a run still going): ${hint}; if no run is going, delete ${file}.`, owner);
      }
      unlinkSync(file);
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    // A window takes many locks in its life: each gives back its exit listener too.
    process.off('exit', release);
    try {
      unlinkSync(file);
    } catch {
      // Removed already: nothing to give back.
    }
  };
  process.once('exit', release);
  return release;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
