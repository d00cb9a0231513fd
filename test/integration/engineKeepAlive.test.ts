/**
 * A stream waiting for its first token (here: queued behind another request on one sequence)
 * gets SSE comments, so that fetch's 300 s body timeout and proxies do not end it; the project's
 * client reads such a stream as usual. The engine's interval (15 s) is shortened to 50 ms here.
 */
import assert from 'node:assert/strict';
import { OpenAIChatBackend } from '../../src/client/openaiBackend';
import { proveMessages } from '../../src/core/prompts';
import { startCliEngine, type CliEngine } from '../helpers/cliEngine';

const KEEP_ALIVE_MS = 50;

describe('engine: keep-alive comments on a silent stream', function () {
  this.timeout(120_000);
  let engine: CliEngine;

  before(async () => {
    engine = await startCliEngine({ parallel: 1, env: { QED_ENGINE_KEEPALIVE_MS: String(KEEP_ALIVE_MS) } });
  });
  after(() => engine.stop());

  /** A raw streaming request; its whole body as text, and how long it took. */
  async function rawStream(seed: number, maxTokens: number): Promise<{ body: string; ms: number }> {
    const started = performance.now();
    const response = await fetch(`${engine.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: proveMessages('Prove that there are infinitely many primes.'), stream: true, seed, max_tokens: maxTokens }),
    });
    assert.equal(response.status, 200);
    return { body: await response.text(), ms: performance.now() - started };
  }

  it('sends comments while a request waits in the queue, none once tokens flow, and ends it as usual', async () => {
    // The first request holds the only sequence; it must last a few intervals for the test to mean anything.
    let first: { body: string; ms: number } | undefined;
    let queued: { body: string; ms: number } | undefined;
    for (let seed = 1; seed <= 5 && !(first && first.ms > 6 * KEEP_ALIVE_MS); seed++) {
      const running = rawStream(seed, 3000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      [first, queued] = await Promise.all([running, rawStream(seed + 100, 64)]);
    }
    assert.ok(first && queued && first.ms > 6 * KEEP_ALIVE_MS, `a long enough first request (${first?.ms.toFixed(0)} ms)`);
    const events = queued.body.split('\n\n').filter(Boolean);
    const firstToken = events.findIndex((event) => /"(reasoning_content|content)":"[^"]/.test(event));
    const comments = events.map((event, index) => (event === ': keep-alive' ? index : -1)).filter((index) => index >= 0);
    assert.ok(comments.length >= 2, `keep-alive comments while queued (${comments.length} in ${first.ms.toFixed(0)} ms)`);
    assert.ok(comments.every((index) => index < firstToken), 'all before the first token: a flowing stream needs none');
    assert.equal(events.at(-1), 'data: [DONE]');
    assert.ok(!first.body.includes(': keep-alive'), 'the running request, never silent, got none');
  });

  it('the project’s client reads a stream with comments as any other', async () => {
    const client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed' });
    const running = rawStream(7, 3000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    let text = '';
    let done;
    for await (const event of client.stream({ messages: proveMessages('Prove that 2 is prime.'), seed: 8, maxTokens: 64 })) {
      if (event.type === 'done') done = event;
      else text += 'text' in event ? event.text : '';
    }
    await running;
    assert.ok(done && done.finishReason !== 'cancelled', JSON.stringify(done));
    assert.ok(text.length > 0, 'text arrived');
  });
});
