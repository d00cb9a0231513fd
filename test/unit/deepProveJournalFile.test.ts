/** A journal file whose last entry lost only its final newline (an editor, a copy): nothing is dropped. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/core/deepProve/config';
import { parseJournal, type JournalEntry } from '../../src/core/deepProve/journal';
import { FileJournal, JOURNAL_FILE } from '../../src/core/deepProve/journalFile';

const ENTRIES: JournalEntry[] = [
  { type: 'run', version: 1, runId: 'r', createdAt: 1, title: 'T', statement: 'S', config: DEFAULT_CONFIG, seed: 3 },
  { type: 'start', at: 2, concurrency: 1, tokenBudget: 1000, timeLimitMs: null },
  { type: 'candidate', id: 'c1', round: 0, parent: null, fromVerifications: [], at: 3 },
  { type: 'call', key: 'c1/a1', kind: 'attempt', at: 4, request: { messages: [{ role: 'user', content: 'P' }], temperature: 0.8, topP: 1, seed: 9 } },
  { type: 'result', key: 'c1/a1', at: 5, answer: { reasoning: 'r', content: 'A proof.', status: 'done', finishReason: 'stop', startedAt: 4, endedAt: 5, reasoningTokens: 1, contentTokens: 2 } },
];
const TEXT = ENTRIES.map((entry) => `${JSON.stringify(entry)}\n`).join('');

describe('Deep Prove journal file: the last line', () => {
  it('keeps a whole last entry without its newline (a finished call’s result is not lost)', async () => {
    assert.deepEqual(parseJournal(TEXT.slice(0, -1)), ENTRIES);
    const folder = mkdtempSync(join(tmpdir(), 'qed-journal-tail-'));
    try {
      writeFileSync(join(folder, JOURNAL_FILE), TEXT.slice(0, -1));
      const journal = await FileJournal.open(folder);
      assert.deepEqual(journal.entries, ENTRIES);
      await journal.append({ type: 'end', at: 6, reason: 'user' });
      // The newline is put back before the next entry: every entry reads back on its own line.
      assert.deepEqual(parseJournal(readFileSync(join(folder, JOURNAL_FILE), 'utf8')), [...ENTRIES, { type: 'end', at: 6, reason: 'user' }]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('still drops a last line cut short mid-write', async () => {
    const torn = TEXT.slice(0, -20);
    assert.deepEqual(parseJournal(torn), ENTRIES.slice(0, -1));
    const folder = mkdtempSync(join(tmpdir(), 'qed-journal-tail-'));
    try {
      writeFileSync(join(folder, JOURNAL_FILE), torn);
      const journal = await FileJournal.open(folder);
      assert.deepEqual(journal.entries, ENTRIES.slice(0, -1));
      assert.equal(readFileSync(join(folder, JOURNAL_FILE), 'utf8'), TEXT.slice(0, TEXT.lastIndexOf('{"type":"result"')));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
