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

  const user = [{ role: 'user', content: 'x' }];
  const param = (body: unknown) => {
    try {
      parseChatRequest(body);
    } catch (error) {
      if (error instanceof InvalidRequestError) return error.param;
      throw error;
    }
    return 'accepted';
  };

  it('takes `stop` as a string or up to four strings', () => {
    assert.deepEqual(parseChatRequest({ messages: user, stop: 'QED' }).stop, ['QED']);
    assert.deepEqual(parseChatRequest({ messages: user, stop: ['a', 'b', 'c', '\n\n'] }).stop, ['a', 'b', 'c', '\n\n']);
    assert.ok(!('stop' in parseChatRequest({ messages: user, stop: null })));
    assert.ok(!('stop' in parseChatRequest({ messages: user, stop: [] })));
    for (const stop of [123, ['a', 1], { text: 'a' }, ['a', 'b', 'c', 'd', 'e'], '', ['a', ''], 'x'.repeat(1001)]) {
      assert.equal(param({ messages: user, stop }), 'stop', JSON.stringify(stop).slice(0, 40));
    }
  });

  it('refuses what it would otherwise ignore, naming the field, and accepts the values that ask for nothing', () => {
    const refused = { n: 2, logprobs: true, top_logprobs: 3, logit_bias: { 50256: -100 }, frequency_penalty: 0.5, presence_penalty: -1, tools: [{ type: 'function' }], tool_choice: 'required', functions: [{ name: 'f' }], function_call: { name: 'f' }, response_format: { type: 'json_object' }, modalities: ['text', 'audio'], audio: { voice: 'x' }, prediction: { type: 'content', content: 'x' }, stream_options: 'yes' };
    for (const [key, value] of Object.entries(refused)) assert.equal(param({ messages: user, [key]: value }), key);
    assert.throws(() => parseChatRequest({ messages: user, n: 3 }), /one answer per request/);
    const defaults = { n: 1, logprobs: false, top_logprobs: 0, logit_bias: {}, frequency_penalty: 0, presence_penalty: 0, tools: [], tool_choice: 'none', functions: [], function_call: 'auto', response_format: { type: 'text' }, modalities: ['text'], stream_options: { include_usage: true }, user: 'me', metadata: { a: 'b' }, store: false, service_tier: 'auto', reasoning_effort: 'high' };
    assert.equal(param({ messages: user, ...defaults }), 'accepted');
    assert.equal(param({ messages: user, n: null, stop: null, audio: null }), 'accepted');
  });

  it(`takes at most ${MAX_MESSAGES} messages`, () => {
    const messages = (count: number) => Array.from({ length: count }, () => ({ role: 'user', content: 'x' }));
    assert.equal(parseChatRequest({ messages: messages(MAX_MESSAGES) }).request.messages.length, MAX_MESSAGES);
    assert.throws(() => parseChatRequest({ messages: messages(MAX_MESSAGES + 1) }), (error: unknown) => error instanceof InvalidRequestError && error.param === 'messages' && /at most 512/.test(error.message));
  });
});
