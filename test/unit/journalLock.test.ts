/**
 * The journal lock both the CLI and the extension host take: a live other process holding it is
 * refused with its pid, a dead one's lock is taken over, and giving it back leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalOwner, JournalInUseError, LOCK_FILE, lockJournal } from '../../src/core/deepProve/journalLock';

describe('journal lock', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'qed-lock-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('is refused while another live process holds it, naming that process', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(folder, LOCK_FILE), `${other.pid}\n`);
      assert.throws(() => lockJournal(folder), (error: unknown) => error instanceof JournalInUseError && error.owner === other.pid && /in use by process \d+/.test(error.message));
      assert.equal(readFileSync(join(folder, LOCK_FILE), 'utf8'), `${other.pid}\n`, 'the holder’s lock is left as it was');
      assert.equal(journalOwner(folder), other.pid);
    } finally {
      other.kill();
    }
  });

  it('takes over the lock of a process that is gone, and gives it back with its exit listener', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.on('exit', resolve));
    writeFileSync(join(folder, LOCK_FILE), `${gone.pid}\n`);
    assert.equal(journalOwner(folder), undefined, 'a dead owner is no owner');
    const listeners = process.listenerCount('exit');
    const release = lockJournal(folder);
    assert.equal(journalOwner(folder), undefined, 'nor is this process');
    assert.equal(readFileSync(join(folder, LOCK_FILE), 'utf8'), `${process.pid}\n`);
    assert.equal(process.listenerCount('exit'), listeners + 1);
    release();
    release();
    assert.equal(existsSync(join(folder, LOCK_FILE)), false);
    assert.equal(journalOwner(folder), undefined, 'no lock, no owner');
    assert.equal(process.listenerCount('exit'), listeners);
  });
});
