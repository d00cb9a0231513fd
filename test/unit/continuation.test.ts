/**
 * Continuing an answer (prefill) in the protocol: the raw text a prefill stands for, the splitter
 * that resumes after it, the engine's parsing of `continue_final_message`, and what the endpoint
 * client sends and makes of the continuation a server streams back.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAIChatBackend, requestBody } from '../../src/client/openaiBackend';
import type { AssistantPrefill, ChatRequest, ChatStreamEvent } from '../../src/core/chat';
import { assistantPrefixText, splitterAfter } from '../../src/core/continuation';
import { InvalidRequestError, parseChatRequest } from '../../src/engine/chatRequest';

describe('assistantPrefixText', () => {
  it('is the bare reasoning while thinking continues', () => {
    assert.equal(assistantPrefixText({ reasoning: 'So n is even', content: '', thinkingClosed: false }), 'So n is even');
  });
  it('ends right at </think> when the answer is still to come, with one newline before it', () => {
    assert.equal(assistantPrefixText({ reasoning: 'Done.\n\n', content: '', thinkingClosed: true }), 'Done.\n</think>');
    assert.equal(assistantPrefixText({ reasoning: 'Done.', content: '', thinkingClosed: true }), 'Done.\n</think>');
    assert.equal(assistantPrefixText({ reasoning: '', content: '', thinkingClosed: true }), '\n</think>');
  });
  it('puts the answer after a blank line, as the model writes it', () => {
    assert.equal(assistantPrefixText({ reasoning: 'Done.\n', content: 'Proof. Let $n$', thinkingClosed: true }), 'Done.\n</think>\n\nProof. Let $n$');
  });
});

describe('splitterAfter', () => {
  const split = (prefix: string, text: string[], startInReasoning = true) => {
    const splitter = splitterAfter(prefix, { startInReasoning });
    const out = { reasoning: '', content: '' };
    for (const part of [...text.map((t) => splitter.push(t)), splitter.end()]) {
      out.reasoning += part.reasoning;
      out.content += part.content;
    }
    return out;
  };

  it('continues reasoning without trimming its newlines, and splits at the next </think>', () => {
    assert.deepEqual(split('So n is', ['\neven.\n</th', 'ink>\n\nProof.']), { reasoning: '\neven.\n', content: 'Proof.' });
  });
  it('behaves like a fresh splitter after an empty prefix', () => {
    assert.deepEqual(split('', ['\n\nThinking</think>\n\nAnswer']), { reasoning: 'Thinking', content: 'Answer' });
  });
  it('after </think> takes everything as answer and trims the blank line the model writes first', () => {
    assert.deepEqual(split('Done.\n</think>', ['\n\nProof: ', 'trivial </think> here']), { reasoning: '', content: 'Proof: trivial </think> here' });
  });
  it('mid-answer keeps leading newlines: they are part of the answer', () => {
    assert.deepEqual(split('R\n</think>\n\nFirst paragraph.', ['\n\nSecond.']), { reasoning: '', content: '\n\nSecond.' });
  });
  it('does not emit again a prefix that ends like the start of a tag', () => {
    assert.deepEqual(split('a </', ['b, so']), { reasoning: 'b, so', content: '' });
    assert.deepEqual(split('x <', ['/think>\n\nA']), { reasoning: '/think>\n\nA', content: '' });
  });
  it('follows an explicit <think> when output does not start in reasoning', () => {
    assert.deepEqual(split('<think>\nabc', ['d</think>x'], false), { reasoning: 'd', content: 'x' });
    assert.deepEqual(split('plain answer', ['\nmore'], false), { reasoning: '', content: '\nmore' });
  });
});

describe('parseChatRequest with continue_final_message', () => {
  const user = { role: 'user', content: 'Prove it.' };
  it('takes the final assistant message off as the prefix to continue', () => {
    const parsed = parseChatRequest({ messages: [user, { role: 'assistant', content: 'R\n</think>' }], continue_final_message: true, add_generation_prompt: false });
    assert.deepEqual(parsed.request.messages, [{ role: 'user', content: 'Prove it.' }]);
    assert.equal(parsed.assistantPrefix, 'R\n</think>');
  });
  it('keeps a final assistant message as history without the flag', () => {
    const parsed = parseChatRequest({ messages: [user, { role: 'assistant', content: 'A' }] });
    assert.equal(parsed.request.messages.length, 2);
    assert.equal(parsed.assistantPrefix, undefined);
    assert.ok(!('assistantPrefix' in parsed));
  });
  it('accepts an empty prefix and parts-array content', () => {
    const parsed = parseChatRequest({ messages: [user, { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }], continue_final_message: true });
    assert.equal(parsed.assistantPrefix, 'ab');
    assert.equal(parseChatRequest({ messages: [user, { role: 'assistant', content: '' }], continue_final_message: true }).assistantPrefix, '');
  });
  const rejects = (body: object, pattern: RegExp, param: string) =>
    assert.throws(
      () => parseChatRequest(body),
      (error: unknown) => error instanceof InvalidRequestError && pattern.test(error.message) && error.param === param,
    );
  it('refuses what it cannot honour, naming the field', () => {
    rejects({ messages: [user], continue_final_message: true }, /^`continue_final_message` needs an assistant message at the end of `messages` to continue\.$/, 'continue_final_message');
    rejects({ messages: [user, { role: 'assistant', content: 'x' }], continue_final_message: true, add_generation_prompt: true }, /cannot both be true/, 'add_generation_prompt');
    rejects({ messages: [user], add_generation_prompt: false }, /only supported together with `continue_final_message: true`/, 'add_generation_prompt');
    rejects({ messages: [{ role: 'assistant', content: 'x' }], continue_final_message: true }, /needs the conversation before the assistant message/, 'messages');
    rejects({ messages: [user], continue_final_message: 'yes' }, /`continue_final_message` must be a boolean/, 'continue_final_message');
  });
});

describe('OpenAIChatBackend with a prefill', () => {
  const request = (prefill: AssistantPrefill): ChatRequest => ({ messages: [{ role: 'user', content: 'Prove it.' }], prefill, maxTokens: 100 });

  it('sends the prefill as a final assistant message to continue', () => {
    const body = requestBody(request({ reasoning: 'Thinking so far', content: '', thinkingClosed: true }), 'qed') as unknown as Record<string, unknown>;
    assert.deepEqual(body.messages, [
      { role: 'user', content: 'Prove it.' },
      { role: 'assistant', content: 'Thinking so far\n</think>' },
    ]);
    assert.equal(body.continue_final_message, true);
    assert.equal(body.add_generation_prompt, false);
    const plain = requestBody({ messages: [{ role: 'user', content: 'x' }] }, 'qed') as unknown as Record<string, unknown>;
    assert.ok(!('continue_final_message' in plain) && !('add_generation_prompt' in plain));
  });

  /** Serves one canned event stream and records the request body. */
  async function serve(deltas: object[], prefill: AssistantPrefill) {
    const bodies: unknown[] = [];
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const delta of deltas) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
        res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 4 } })}\n\ndata: [DONE]\n\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const backend = new OpenAIChatBackend({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'qed' });
    const events: ChatStreamEvent[] = [];
    try {
      for await (const event of backend.stream(request(prefill))) events.push(event);
    } finally {
      server.closeAllConnections();
      server.close();
    }
    return { events, body: bodies[0] as { messages: unknown[]; continue_final_message: boolean } };
  }
  const done = { type: 'done', finishReason: 'stop', usage: { promptTokens: 9, completionTokens: 4 } };

  it('after </think>, streams raw text as answer only', async () => {
    const { events, body } = await serve([{ content: '\n\nProof' }, { content: '. Done.' }], { reasoning: 'R', content: '', thinkingClosed: true });
    assert.deepEqual(events, [{ type: 'content', text: 'Proof' }, { type: 'content', text: '. Done.' }, done]);
    assert.equal(body.continue_final_message, true);
    assert.deepEqual(body.messages.at(-1), { role: 'assistant', content: 'R\n</think>' });
  });
  it('after </think>, takes what a reasoning parser calls reasoning as answer', async () => {
    const { events } = await serve([{ reasoning_content: '\n\nProof' }, { reasoning_content: ' ends.' }], { reasoning: 'R', content: '', thinkingClosed: true });
    assert.deepEqual(events, [{ type: 'content', text: 'Proof' }, { type: 'content', text: ' ends.' }, done]);
  });
  it('mid-answer, keeps the leading newlines of the continuation', async () => {
    const { events } = await serve([{ content: '\n\nSecond paragraph.' }], { reasoning: 'R', content: 'First.', thinkingClosed: true });
    assert.deepEqual(events, [{ type: 'content', text: '\n\nSecond paragraph.' }, done]);
    const separated = await serve([{ reasoning_content: '\nnext line' }], { reasoning: 'R', content: 'First.', thinkingClosed: true });
    assert.deepEqual(separated.events, [{ type: 'content', text: '\nnext line' }, done]);
  });
  it('mid-thinking, continues the reasoning and splits at the model’s </think>', async () => {
    const { events, body } = await serve([{ content: '\nmore thought\n</think>' }, { content: '\n\nAnswer.' }], { reasoning: 'Some thought', content: '', thinkingClosed: false });
    assert.deepEqual(events, [{ type: 'reasoning', text: '\nmore thought\n' }, { type: 'content', text: 'Answer.' }, done]);
    assert.deepEqual(body.messages.at(-1), { role: 'assistant', content: 'Some thought' });
    const separated = await serve([{ reasoning_content: '\nmore' }, { content: '\n\nAnswer.' }], { reasoning: 'Some thought', content: '', thinkingClosed: false });
    assert.deepEqual(separated.events, [{ type: 'reasoning', text: '\nmore' }, { type: 'content', text: 'Answer.' }, done]);
  });
});
