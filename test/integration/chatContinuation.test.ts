/**
 * Answer continuation end to end: the turn runner and the project client against the real engine
 * CLI on the tiny model. Thinking budget and Answer now close the thinking with `</think>` and the
 * model answers; Continue after a length cut picks up mid-thought.
 *
 * The tiny model tokenises text one byte per token, and its reasoning is ASCII without math, so
 * prompt token counts tell exactly what the engine appended: the prefix after the generation
 * prompt, with `</think>` as one special token.
 */
import assert from 'node:assert/strict';
import { OpenAIChatBackend } from '../../src/client/openaiBackend';
import type { ChatRequest, ChatStreamEvent } from '../../src/core/chat';
import { continueTurn, runTurn, type TurnOptions } from '../../src/core/conversation/turnRunner';
import type { AssistantAnswer } from '../../src/core/answer/answer';
import { proveMessages } from '../../src/core/prompts';
import { startCliEngine, type CliEngine } from '../helpers/cliEngine';

const MESSAGES = proveMessages('Prove that $\\sqrt{2}$ is irrational.');

/** Records each request's stream as the backend delivers it, for assertions per request. */
class RecordingBackend {
  readonly streams: ChatStreamEvent[][] = [];
  constructor(private readonly inner: OpenAIChatBackend) {}
  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const events: ChatStreamEvent[] = [];
    this.streams.push(events);
    for await (const event of this.inner.stream(request, signal)) {
      events.push(event);
      yield event;
    }
  }
  done(index: number) {
    return this.streams[index]!.find((event) => event.type === 'done') as Extract<ChatStreamEvent, { type: 'done' }> | undefined;
  }
}

function options(overrides: Partial<TurnOptions> = {}): TurnOptions {
  return { thinkingBudget: null, signal: new AbortController().signal, ...overrides };
}

/** Prompt tokens of the bare prompt, from a one-token request. */
async function basePromptTokens(client: OpenAIChatBackend): Promise<number> {
  for await (const event of client.stream({ messages: MESSAGES, maxTokens: 1 })) if (event.type === 'done') return event.usage!.promptTokens;
  throw new Error('no done event');
}

/** Tokens of the prefill that closes the thinking: the reasoning, one newline, `</think>`. */
const closedPrefixTokens = (reasoning: string) => reasoning.replace(/[\r\n]+$/, '').length + 2;

describe('answer continuation on the real engine (tiny model)', function () {
  this.timeout(180_000);
  let engine: CliEngine;
  let client: OpenAIChatBackend;
  let base: number;

  before(async () => {
    engine = await startCliEngine({ parallel: 2 });
    client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed' });
    base = await basePromptTokens(client);
  });
  after(async () => engine?.stop());

  it('thinking budget: aborts the thinking, injects </think>, and the model answers', async () => {
    const backend = new RecordingBackend(client);
    // Seed 21 thinks for about 2,400 characters before it closes the thinking itself.
    const answer = await runTurn(backend, { messages: MESSAGES, seed: 21, maxTokens: 4000 }, options({ thinkingBudget: 30 }), () => {});
    assert.equal(answer.forcedAnswer, 'budget');
    assert.equal(answer.status, 'done');
    assert.equal(answer.finishReason, 'stop');
    assert.ok(answer.content.trim().length > 0, 'a non-empty answer');
    assert.ok(!answer.content.includes('</think>') && !answer.reasoning.includes('</think>'));
    assert.ok(answer.reasoningTokens >= 30 && answer.reasoning.length >= 30);
    assert.ok(answer.reasoning.length < 1000, `reasoning stopped near the budget, not at its end: ${answer.reasoning.length} chars`);
    assert.equal(backend.streams.length, 2);
    assert.equal(backend.done(0)?.finishReason, 'cancelled');
    assert.ok(backend.streams[1]!.every((event) => event.type !== 'reasoning'), 'the continuation is answer only');
    assert.equal(backend.done(1)?.usage?.promptTokens, base + closedPrefixTokens(answer.reasoning));
  });

  it('Answer now mid-thinking gives a non-empty answer after the thinking so far', async () => {
    const answerNow = new AbortController();
    let reasoningUpdates = 0;
    const backend = new RecordingBackend(client);
    const answer = await runTurn(backend, { messages: MESSAGES, seed: 21, maxTokens: 4000 }, options({ answerNow: answerNow.signal }), (update) => {
      if (update.content === '' && ++reasoningUpdates === 3) answerNow.abort();
    });
    assert.equal(answer.forcedAnswer, 'answer-now');
    assert.equal(answer.status, 'done');
    assert.ok(answer.reasoning.length > 0 && answer.content.trim().length > 0);
    assert.equal(backend.done(1)?.usage?.promptTokens, base + closedPrefixTokens(answer.reasoning));
  });

  it('Continue after a length cut in the thinking is seamless: greedy text equals one uncut run', async () => {
    const request = { messages: MESSAGES, temperature: 0, maxTokens: 40 };
    const backend = new RecordingBackend(client);
    const cut = await runTurn(backend, request, options(), () => {});
    assert.deepEqual([cut.status, cut.content], ['length', '']);
    const continued = await continueTurn(backend, request, cut, options(), () => {});
    const whole = await runTurn(client, { ...request, maxTokens: 80 }, options(), () => {});
    assert.equal(continued.status, 'length');
    assert.equal(continued.reasoning, whole.reasoning);
    assert.equal(continued.content, whole.content);
    assert.deepEqual(continued.usage, { promptTokens: base + base + 40, completionTokens: 80 });
  });

  it('Continue after a sampled length cut goes on thinking (no new turn) and ends with an answer', async () => {
    const request = { messages: MESSAGES, seed: 5, maxTokens: 60 };
    const backend = new RecordingBackend(client);
    const cut = await runTurn(backend, request, options(), () => {});
    assert.deepEqual([cut.status, cut.content], ['length', '']);
    let answer: AssistantAnswer = cut;
    for (let round = 0; round < 5 && answer.status === 'length'; round++) answer = await continueTurn(backend, { ...request, maxTokens: 4000 }, answer, options(), () => {});
    assert.equal(answer.status, 'done');
    assert.ok(answer.reasoning.startsWith(cut.reasoning) && answer.reasoning.length > cut.reasoning.length);
    assert.ok(answer.content.trim().length > 0);
    assert.equal(backend.streams[1]![0]!.type, 'reasoning', 'the continuation carries on the thinking');
    // The prefix was appended to the same assistant turn: nothing but its 60 tokens was added.
    assert.equal(backend.done(1)?.usage?.promptTokens, base + 60);
  });

  it('Continue after a cut in the answer streams answer text only', async () => {
    const full = await runTurn(client, { messages: MESSAGES, seed: 9, maxTokens: 4000 }, options(), () => {});
    assert.equal(full.status, 'done');
    const answerTokens = full.usage!.completionTokens - full.reasoning.length - 1;
    assert.ok(answerTokens > 10, `seed 9 writes an answer of ${answerTokens} tokens`);
    const request = { messages: MESSAGES, seed: 9, maxTokens: full.usage!.completionTokens - 5 };
    const backend = new RecordingBackend(client);
    const cut = await runTurn(backend, request, options(), () => {});
    assert.equal(cut.status, 'length');
    assert.equal(cut.reasoning, full.reasoning, 'same seed, same text up to the cut');
    assert.ok(cut.content.length > 0 && full.content.startsWith(cut.content));
    const continued = await continueTurn(backend, { ...request, maxTokens: 200 }, cut, options(), () => {});
    assert.equal(continued.reasoning, cut.reasoning);
    assert.ok(continued.content.startsWith(cut.content) && continued.content.length > cut.content.length);
    assert.ok(backend.streams[1]!.every((event) => event.type !== 'reasoning'));
  });

  it('Stop keeps the partial answer, and the next turn works', async () => {
    const stop = new AbortController();
    const stopped = await runTurn(client, { messages: MESSAGES, seed: 3, maxTokens: 20_000 }, options({ signal: stop.signal }), (update) => {
      if (update.reasoning.length > 50) stop.abort();
    });
    assert.equal(stopped.status, 'stopped');
    assert.ok(stopped.reasoning.length > 50);
    const next = await runTurn(client, { messages: MESSAGES, seed: 3, maxTokens: 4000 }, options(), () => {});
    assert.equal(next.status, 'done');
  });

  it('refuses continue_final_message without an assistant message to continue, in OpenAI error shape', async () => {
    const response = await fetch(`${engine.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: MESSAGES, continue_final_message: true }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string; code: string } };
    assert.equal(body.error.message, '`continue_final_message` needs an assistant message at the end of `messages` to continue.');
  });

  it('answers a non-streamed continuation with the new text only', async () => {
    const response = await fetch(`${engine.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [...MESSAGES, { role: 'assistant', content: 'The claim is clear.\n</think>' }], continue_final_message: true, add_generation_prompt: false, seed: 4, max_tokens: 300 }),
    });
    const body = (await response.json()) as { choices: [{ message: { content: string; reasoning_content?: string } }]; usage: { prompt_tokens: number } };
    assert.equal(response.status, 200);
    assert.equal(body.choices[0].message.reasoning_content, undefined);
    assert.ok(body.choices[0].message.content.length > 0);
    assert.ok(!body.choices[0].message.content.startsWith('The claim'));
    assert.equal(body.usage.prompt_tokens, base + 'The claim is clear.\n'.length + 1);
  });
});

describe('an engine crash mid-answer (turn runner on the real engine)', function () {
  this.timeout(120_000);

  it('keeps the partial answer with a one-line error, and the next message works', async () => {
    const first = await startCliEngine({ parallel: 1 });
    const second = await startCliEngine({ parallel: 1 }).catch(async (error: unknown) => {
      await first.stop();
      throw error;
    });
    try {
      const crashing = new OpenAIChatBackend({ baseUrl: `${first.url}/v1`, apiKey: first.apiKey, model: 'qed' });
      const failed = await runTurn(crashing, { messages: MESSAGES, seed: 5, maxTokens: 20_000 }, options(), (update) => {
        if (update.reasoning.length > 30 && first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      });
      assert.equal(failed.status, 'error');
      assert.ok(failed.reasoning.length > 30, 'the partial thinking stays');
      assert.match(failed.error!, /^The connection to http:\/\/127\.0\.0\.1:\d+\/v1 closed unexpectedly\. Check that the server is still running\.$/);
      const next = await runTurn(new OpenAIChatBackend({ baseUrl: `${second.url}/v1`, apiKey: second.apiKey, model: 'qed' }), { messages: MESSAGES, seed: 5, maxTokens: 4000 }, options(), () => {});
      assert.equal(next.status, 'done');
      assert.ok(next.content.length > 0);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
