/**
 * Replays real server recordings (../shared/corpus/sse, see SOURCES.md there) byte for byte and
 * checks what OpenAIChatBackend makes of them. Expected values were read off the files by hand
 * (with jq/python), not produced by the code under test.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { BackendError } from '../../src/client/backendError';
import { OpenAIChatBackend } from '../../src/client/openaiBackend';
import type { ChatRequest, ChatStreamEvent, FinishReason, Usage } from '../../src/core/chat';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/sse');
const REQUEST: ChatRequest = { messages: [{ role: 'user', content: 'How many r in strawberry?' }] };

interface Replay {
  url: string;
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Serves `body` as an event stream, cut into pieces at awkward byte offsets with pauses between. */
async function replay(body: Buffer): Promise<Replay> {
  const bodies: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', async () => {
      bodies.push(JSON.parse(raw) as Record<string, unknown>);
      res.socket?.setNoDelay(true);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let start = 0;
      for (const end of cutPoints(body)) {
        res.write(body.subarray(start, end));
        start = end;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      res.end(body.subarray(start));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Inside "data: ", inside a JSON string, inside a multi-byte character, then every 1021 bytes. */
function cutPoints(body: Buffer): number[] {
  const cuts = new Set([1, 3, 7, 50, Math.floor(body.length / 2), body.length - 2]);
  const multiByte = body.findIndex((b) => b >= 0x80);
  if (multiByte > 0) cuts.add(multiByte + 1);
  for (let i = 1021; i < body.length; i += 1021) cuts.add(i);
  return [...cuts].filter((c) => c > 0 && c < body.length).sort((a, b) => a - b);
}

interface Outcome {
  events: ChatStreamEvent[];
  reasoning: string;
  content: string;
  reasoningEvents: number;
  contentEvents: number;
  done?: { finishReason: FinishReason; usage?: Usage };
  error?: BackendError;
  bodies: Record<string, unknown>[];
}

async function run(body: Buffer | string, options: { startInReasoning?: boolean } = {}, request = REQUEST): Promise<Outcome> {
  const server = await replay(typeof body === 'string' ? Buffer.from(body) : body);
  const backend = new OpenAIChatBackend({ baseUrl: server.url, model: 'qed-nano', ...options });
  const events: ChatStreamEvent[] = [];
  let error: BackendError | undefined;
  try {
    for await (const event of backend.stream(request)) events.push(event);
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected a BackendError, got ${String(e)}`);
    error = e;
  } finally {
    await server.close();
  }
  const doneEvents = events.filter((e) => e.type === 'done');
  assert.ok(doneEvents.length <= 1, 'at most one done event');
  if (doneEvents.length) assert.equal(events.at(-1)?.type, 'done', 'done comes last');
  const done = doneEvents[0];
  return {
    events,
    reasoning: events.map((e) => (e.type === 'reasoning' ? e.text : '')).join(''),
    content: events.map((e) => (e.type === 'content' ? e.text : '')).join(''),
    reasoningEvents: events.filter((e) => e.type === 'reasoning').length,
    contentEvents: events.filter((e) => e.type === 'content').length,
    done: done && { finishReason: done.finishReason, ...(done.usage && { usage: done.usage }) },
    error,
    bodies: server.bodies,
  };
}

function recording(name: string): Buffer {
  return fs.readFileSync(path.join(CORPUS, name));
}

function assertText(actual: string, expected: { length: number; starts: string; ends: string }, what: string): void {
  assert.ok(actual.startsWith(expected.starts), `${what} starts ${JSON.stringify(actual.slice(0, 80))}`);
  assert.ok(actual.endsWith(expected.ends), `${what} ends ${JSON.stringify(actual.slice(-80))}`);
  assert.equal(actual.length, expected.length, `${what} length`);
}

describe('SSE recordings replayed through OpenAIChatBackend', function () {
  this.timeout(20_000);

  const covered = [
    'deepseek-api-reasoning_content.sse',
    'groq-qwen3-reasoning.sse',
    'ollama-gpt-oss-reasoning.sse',
    'ollama-llama3.2-tool-call-usage.sse',
    'openai-error-event.sse',
    'openrouter-reasoning-midstream-error.sse',
    'vllm-0.24-crusoe-basic-usage.sse',
    'vllm-qwen3-reasoning-and-reasoning_content.sse',
    'vllm-qwen3-reasoning.sse',
  ];

  it('has a test for every recording in the corpus', () => {
    assert.deepEqual(fs.readdirSync(CORPUS).filter((f) => f.endsWith('.sse')).sort(), covered);
  });

  it('vLLM 0.24, no reasoning parser: the plain answer, 13 deltas, usage from the choices:[] chunk', async () => {
    const out = await run(recording('vllm-0.24-crusoe-basic-usage.sse'), { startInReasoning: false });
    assert.equal(out.error, undefined);
    assert.equal(out.reasoning, '');
    assert.equal(out.content, '1, 2, 3, 4, 5');
    assert.equal(out.contentEvents, 13);
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 46, completionTokens: 14 } });
  });

  it('vLLM 0.24 with a template that opens <think>: output without </think> is all reasoning', async () => {
    const out = await run(recording('vllm-0.24-crusoe-basic-usage.sse'));
    assert.equal(out.reasoning, '1, 2, 3, 4, 5');
    assert.equal(out.content, '');
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 46, completionTokens: 14 } });
  });

  it('vLLM transitional (reasoning and reasoning_content both set): reasoning once, not twice', async () => {
    const out = await run(recording('vllm-qwen3-reasoning-and-reasoning_content.sse'));
    assert.equal(out.error, undefined);
    // 317 deltas carry the text twice each; the first is the bare "\n" after <think>, trimmed away.
    assert.equal(out.reasoningEvents, 316);
    assertText(out.reasoning, { length: 1293, starts: 'Okay, so the question is "What is 2 + 2?" Hmm, let me think.', ends: 'So I think the answer is 4.\n' }, 'reasoning');
    assert.equal(out.reasoning.split('Okay, so the question').length, 2);
    // vLLM passes on the "\n\n" after </think>; the answer starts at its first character.
    assert.equal(out.content, '2 + 2 equals 4.');
    assert.equal(out.contentEvents, 8);
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 16, completionTokens: 329 } });
  });

  it('newer vLLM (delta.reasoning only): reasoning, then the answer', async () => {
    const out = await run(recording('vllm-qwen3-reasoning.sse'));
    assert.equal(out.error, undefined);
    assert.equal(out.reasoningEvents, 173);
    assertText(out.reasoning, { length: 609, starts: "Okay, let's see. The user asked first to solve 2 + 2,", ends: 'The answer should be 12.\n' }, 'reasoning');
    assertText(out.content, { length: 281, starts: 'To solve the expression $2 + 2 \\times 3$, we follow the order of operations', ends: '$4 \\times 3 = 12$\n\n**Final Answer:** 12' }, 'answer');
    assert.equal(out.contentEvents, 93);
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 107, completionTokens: 271 } });
  });

  it('Ollama gpt-oss (delta.reasoning, content "" on every chunk)', async () => {
    const out = await run(recording('ollama-gpt-oss-reasoning.sse'));
    assert.equal(out.error, undefined);
    assert.equal(out.reasoning, 'We need to multiply 4 by 3. straightforward: 4*3=12. Step-by-step explanation.');
    assert.equal(out.reasoningEvents, 24);
    assertText(out.content, { length: 310, starts: '**Step-by-step multiplication**\n\n1. **Start with the result from the previous addition:**', ends: 'So, \\( (2 + 2) \\times 3 = 12 \\).' }, 'answer');
    assert.equal(out.contentEvents, 112);
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 225, completionTokens: 146 } });
  });

  it('Ollama tool call: no text, finish_reason tool_calls ends as stop, usage kept', async () => {
    const out = await run(recording('ollama-llama3.2-tool-call-usage.sse'));
    assert.equal(out.error, undefined);
    assert.deepEqual(out.events, [{ type: 'done', finishReason: 'stop', usage: { promptTokens: 170, completionTokens: 18 } }]);
  });

  it('DeepSeek (reasoning_content, content null; usage on the finish chunk)', async () => {
    const out = await run(recording('deepseek-api-reasoning_content.sse'));
    assert.equal(out.error, undefined);
    assertText(out.reasoning, { length: 606, starts: 'We need to count the number of the letter "r" in the word "strawberry".', ends: 'So yes, 3.\n\nThus, the answer is 3.' }, 'reasoning');
    assert.equal(out.reasoningEvents, 205);
    assert.equal(out.content, 'The word "strawberry" contains three "r"s.');
    assert.equal(out.contentEvents, 13);
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 18, completionTokens: 219 } });
  });

  it('Groq qwen3 (963 reasoning deltas, a multi-byte dash cut across TCP writes)', async () => {
    const out = await run(recording('groq-qwen3-reasoning.sse'));
    assert.equal(out.error, undefined);
    assertText(out.reasoning, { length: 2952, starts: "Okay, let me try to figure out how many times the letter 'r' appears in the word", ends: 'So the number of R\'s in "strawberry" is three.\n' }, 'reasoning');
    assert.equal(out.reasoningEvents, 963);
    assert.ok(out.reasoning.includes(' –'), 'the en dash survives');
    assert.ok(!out.reasoning.includes('\uFFFD'), 'no replacement characters');
    assertText(out.content, { length: 347, starts: 'The word **"strawberry"** is spelled as **S-T-R-A-W-B-E-R-R-Y**.', ends: '**Final Answer**: $\\boxed{3}$' }, 'answer');
    assert.equal(out.contentEvents, 139);
    assert.deepEqual(out.done, { finishReason: 'stop', usage: { promptTokens: 17, completionTokens: 1107 } });
  });

  it('OpenRouter: comments skipped, partial reasoning yielded, then the mid-stream error as BackendError', async () => {
    const out = await run(recording('openrouter-reasoning-midstream-error.sse'));
    assert.deepEqual(out.events, [
      { type: 'reasoning', text: 'We need' },
      { type: 'reasoning', text: ' to respond to a greeting. The user' },
    ]);
    assert.equal(out.error?.kind, 'badRequest');
    assert.equal(out.error?.message, 'The server stopped the answer: Token limit reached (code 400).');
  });

  it('a bare error event (no choices, no [DONE]) becomes a server BackendError', async () => {
    const out = await run(recording('openai-error-event.sse'));
    assert.deepEqual(out.events, []);
    assert.equal(out.error?.kind, 'server');
    assert.match(out.error!.message, /^The server failed mid-answer: The server had an error while processing your request\. Sorry about that!/);
    assert.doesNotMatch(out.error!.message, /\n/);
  });
});

describe('synthetic streams', function () {
  this.timeout(10_000);
  const event = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const usage = (p: number, c: number) => `data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"m","choices":[],"usage":{"prompt_tokens":${p},"completion_tokens":${c},"total_tokens":${p + c}}}\n\n`;

  it('a server without reasoning parser: raw text split at the first </think>, even across deltas', async () => {
    const body =
      event({ role: 'assistant', content: '' }) +
      ['Since 1 < 2', ' we are done.\n</th', 'ink>\n', '\nProof. Trivial.', ' Not a split: </think>', ' end.'].map((c) => event({ content: c })).join('') +
      event({}, 'length') +
      usage(10, 20) +
      'data: [DONE]\n\n';
    const out = await run(body);
    assert.equal(out.error, undefined);
    assert.equal(out.reasoning, 'Since 1 < 2 we are done.\n');
    assert.equal(out.content, 'Proof. Trivial. Not a split: </think> end.');
    assert.deepEqual(out.done, { finishReason: 'length', usage: { promptTokens: 10, completionTokens: 20 } });
  });

  it('a parser that leaves a stray </think> at the start of content: dropped, with its newlines', async () => {
    const body =
      event({ reasoning_content: 'Think.' }) +
      ['</thi', 'nk>', '\n\n', 'Answer with a later </think> kept.'].map((c) => event({ content: c })).join('') +
      event({}, 'stop') +
      'data: [DONE]\n\n';
    const out = await run(body);
    assert.equal(out.reasoning, 'Think.');
    assert.equal(out.content, 'Answer with a later </think> kept.');
    assert.deepEqual(out.done, { finishReason: 'stop' });
  });

  it('sends the model card sampling by default and no token limit (the server gives the room left), request fields override it, top_k/min_p as extra fields', async () => {
    const body = event({ content: 'ok' }, 'stop') + 'data: [DONE]\n\n';
    const defaults = await run(body);
    assert.deepEqual(defaults.bodies[0], {
      model: 'qed-nano',
      messages: REQUEST.messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      min_p: 0,
    });
    const custom = await run(body, {}, { ...REQUEST, model: 'other', temperature: 0, topP: 1, topK: 5, minP: 0.1, maxTokens: 100, seed: 7 });
    assert.deepEqual(custom.bodies[0], {
      model: 'other',
      messages: REQUEST.messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      top_p: 1,
      max_tokens: 100,
      top_k: 5,
      min_p: 0.1,
      seed: 7,
    });
  });
});
