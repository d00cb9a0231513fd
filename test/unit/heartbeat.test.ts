/** The status line a long command prints when it has been quiet: when it comes, and what it says. */
import assert from 'node:assert/strict';
import { Heartbeat, heartbeatQuietMs } from '../../src/cli/heartbeat';
import { liveLine } from '../../src/cli/deepProveReport';
import { DEFAULT_CONFIG } from '../../src/core/deepProve/config';
import { foldJournal } from '../../src/core/deepProve/runView';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('heartbeat', () => {
  it('writes its line once the command has been quiet, and nothing after stop', async () => {
    const lines: string[] = [];
    const heartbeat = new Heartbeat(20, () => 'still working', (text) => lines.push(text));
    await sleep(150);
    heartbeat.stop();
    const written = lines.length;
    assert.ok(written >= 1, 'a quiet command gets a line');
    assert.ok(lines.every((line) => line === 'still working\n'));
    await sleep(80);
    assert.equal(lines.length, written, 'stopped');
  });

  it('waits a whole quiet period after the command said something', async () => {
    const lines: string[] = [];
    const heartbeat = new Heartbeat(400, () => 'still working', (text) => lines.push(text));
    // A command that keeps printing: without said() the line would come at 400 ms.
    const talking = setInterval(() => heartbeat.said(), 50);
    await sleep(700);
    clearInterval(talking);
    heartbeat.stop();
    assert.deepEqual(lines, []);
  });

  it('is quiet for a minute unless QED_HEARTBEAT_SECONDS says otherwise', () => {
    assert.equal(heartbeatQuietMs({}), 60_000);
    assert.equal(heartbeatQuietMs({ QED_HEARTBEAT_SECONDS: '2' }), 2_000);
    assert.equal(heartbeatQuietMs({ QED_HEARTBEAT_SECONDS: 'soon' }), 60_000);
  });

  it('names the Deep Prove calls running and how far each has got', () => {
    const view = foldJournal([{ type: 'run', version: 1, runId: 'r', createdAt: 0, title: 'Lemma', statement: 'x', config: DEFAULT_CONFIG, seed: 1 }]);
    const line = liveLine(
      view,
      [
        { key: 'c1/a1', kind: 'attempt', startedAt: 0, reasoningTokens: 12_000, contentTokens: 345 },
        { key: 'c2/v3', kind: 'verify', startedAt: 0, reasoningTokens: 1, contentTokens: 0 },
      ],
      { tokens: 12_346, tokenBudget: 1_000_000, elapsedMs: 125_000 } as Parameters<typeof liveLine>[2],
    );
    assert.equal(line, 'qed: running c1 attempt 1 (12,345 tokens), c2 verification 3 (1 token) · no best yet · 12,346 / 1,000,000 tokens · 2 min');
  });
});
