import assert from 'node:assert/strict';
import { InvalidRequestError, MAX_MESSAGES, parseChatRequest } from '../../src/engine/chatRequest';

describe('parseChatRequest', () => {
  it('maps OpenAI fields to the engine request', () => {
    const { request, stream } = parseChatRequest({
      model: 'qed',
      stream: true,
      messages: [
        { role: 'developer', content: 'Be rigorous.' },
        { role: 'user', content: [{ type: 'text', text: 'Prove ' }, { type: 'text', text: 'it.' }] },
      ],
      temperature: 0.8,
      top_p: 0.9,
      top_k: 40,
      min_p: 0.05,
      max_tokens: 100,
      seed: 7,
    });
    assert.equal(stream, true);
    assert.deepEqual(request.messages, [
      { role: 'system', content: 'Be rigorous.' },
      { role: 'user', content: 'Prove it.' },
    ]);
    assert.deepEqual(
      { t: request.temperature, p: request.topP, k: request.topK, m: request.minP, n: request.maxTokens, s: request.seed },
      { t: 0.8, p: 0.9, k: 40, m: 0.05, n: 100, s: 7 },
    );
  });

  it('prefers max_completion_tokens and leaves unset fields undefined', () => {
    const { request, stream } = parseChatRequest({ messages: [{ role: 'user', content: 'x' }], max_tokens: 5, max_completion_tokens: 9 });
    assert.equal(request.maxTokens, 9);
    assert.equal(request.temperature, undefined);
    assert.equal(stream, false);
  });

  const rejects = (body: unknown, pattern: RegExp) => assert.throws(() => parseChatRequest(body), (error: unknown) => error instanceof InvalidRequestError && pattern.test(error.message));
  it('names the offending field', () => {
    rejects(null, /JSON object/);
    rejects({ messages: [] }, /messages/);
    rejects({ messages: [{ role: 'tool', content: 'x' }] }, /messages\[0\]\.role/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, /text part/);
    rejects({ messages: [{ role: 'user', content: 'x' }], temperature: 3 }, /temperature/);
    rejects({ messages: [{ role: 'user', content: 'x' }], max_tokens: 1.5 }, /max_tokens.*integer/);
    rejects({ messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, /stream/);
  });

  it(`takes at most ${MAX_MESSAGES} messages`, () => {
    const messages = (count: number) => Array.from({ length: count }, () => ({ role: 'user', content: 'x' }));
    assert.equal(parseChatRequest({ messages: messages(MAX_MESSAGES) }).request.messages.length, MAX_MESSAGES);
    assert.throws(() => parseChatRequest({ messages: messages(MAX_MESSAGES + 1) }), (error: unknown) => error instanceof InvalidRequestError && error.param === 'messages' && /at most 512/.test(error.message));
  });
});
