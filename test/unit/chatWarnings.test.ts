import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ChatWarnings } from '../../src/core/conversation/chatWarnings';
import { HistoryStore } from '../../src/core/conversation/historyStore';

describe('ChatWarnings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qed-warnings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shows a file the history leaves out once, and not again after Dismiss while it is still there', async () => {
    const store = new HistoryStore(dir);
    const warnings = new ChatWarnings();
    mkdirSync(path.join(dir, 'folder.json'));
    const leftOut = 'Conversation file folder.json is not a regular file (a directory); it stays where it is, left out of the history.';

    // The chat lists the history when it starts, and at the start and end of every answer.
    assert.equal(warnings.addListed((await store.list()).warnings), true);
    assert.equal(warnings.addListed((await store.list()).warnings), false);
    assert.deepEqual(warnings.current, [leftOut]);

    warnings.dismiss();
    assert.equal(warnings.addListed((await store.list()).warnings), false);
    assert.deepEqual(warnings.current, [], 'dismissed, and still reported: stays hidden');

    rmSync(path.join(dir, 'folder.json'), { recursive: true });
    assert.equal(warnings.addListed((await store.list()).warnings), false);
    mkdirSync(path.join(dir, 'folder.json'));
    assert.equal(warnings.addListed((await store.list()).warnings), true);
    assert.deepEqual(warnings.current, [leftOut], 'gone and back: shown again');
  });

  it('shows each warning once, and a save that fails again after Dismiss again', () => {
    const warnings = new ChatWarnings();
    const saveFailed = 'QED could not save the conversation “x”: ENOSPC: no space left on device';
    assert.equal(warnings.add([saveFailed, saveFailed]), true);
    assert.equal(warnings.add([saveFailed]), false);
    assert.deepEqual(warnings.current, [saveFailed]);
    warnings.dismiss();
    assert.equal(warnings.addListed([]), false);
    assert.equal(warnings.add([saveFailed]), true);
    assert.deepEqual(warnings.current, [saveFailed]);
  });
});
