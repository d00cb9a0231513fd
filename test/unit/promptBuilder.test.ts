import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildMessages } from '../../src/core/conversation/promptBuilder';
import { estimateTokens } from '../../src/core/conversation/tokenEstimate';
import type { AnswerStatus } from '../../src/core/answer/answer';
import type { Turn } from '../../src/core/conversation/types';
import { ChatTemplate } from '../../src/engine/chatTemplate';

function turn(n: number, content: string, status: AnswerStatus = 'done', reasoning = `secret reasoning ${n}`): Turn {
  return {
    id: `t${n}`,
    user: `u${n}`,
    assistant: { reasoning, content, status, startedAt: 0, reasoningTokens: 5, contentTokens: 1 },
  };
}

// Token estimates used below: ceil(chars / 3) + 5 per message, + 5 for the generation prompt.
// A turn `u1` / `a1` costs (1 + 5) * 2 = 12; the new message `next` costs 2 + 5 = 7.
const FIXED = 5 + 7;

describe('buildMessages', () => {
  it('sends earlier turns with their answers only, after the system prompt', () => {
    const built = buildMessages({ turns: [turn(1, 'a1'), turn(2, 'a2')] }, 'next', { contextTokens: 1000, maxAnswerTokens: 100, systemPrompt: 'Be rigorous.' });
    assert.deepEqual(built, {
      messages: [
        { role: 'system', content: 'Be rigorous.' },
        { role: 'user', content: 'u1' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'u2' },
        { role: 'assistant', content: 'a2' },
        { role: 'user', content: 'next' },
      ],
      droppedTurns: 0,
      notice: null,
    });
  });

  it('renders through the model template without any of the thinking', () => {
    const template = new ChatTemplate(readFileSync(path.resolve(__dirname, '../../models/tiny/chat-template.jinja'), 'utf8'));
    const { messages } = buildMessages({ turns: [turn(1, 'a1')] }, 'next', { contextTokens: 1000, maxAnswerTokens: 100 });
    assert.equal(template.render(messages), '<|im_start|>user\nu1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n<|im_start|>user\nnext<|im_end|>\n<|im_start|>assistant\n<think>\n');
  });

  it('leaves out the oldest turns whole when the context is short, and says so', () => {
    const turns = [turn(1, 'a1'), turn(2, 'a2'), turn(3, 'a3')];
    // Room for exactly two turns: 64 + 12 + 24 = 100.
    const two = buildMessages({ turns }, 'next', { contextTokens: 64 + FIXED + 24, maxAnswerTokens: 64 });
    assert.deepEqual(two.messages.map((m) => m.content), ['u2', 'a2', 'u3', 'a3', 'next']);
    assert.equal(two.droppedTurns, 1);
    assert.equal(two.notice, '1 earlier turn left out to fit the context.');
    const one = buildMessages({ turns }, 'next', { contextTokens: 64 + FIXED + 23, maxAnswerTokens: 64 });
    assert.deepEqual(one.messages.map((m) => m.content), ['u3', 'a3', 'next']);
    assert.equal(one.notice, '2 earlier turns left out to fit the context.');
  });

  it('leaves no gap: an old turn that would fit is dropped when a newer one did not', () => {
    const big = 'x'.repeat(300); // 100 + 5 tokens
    const built = buildMessages({ turns: [turn(1, 'a1'), turn(2, big), turn(3, 'a3')] }, 'next', { contextTokens: 64 + FIXED + 30, maxAnswerTokens: 64 });
    assert.deepEqual(built.messages.map((m) => m.content), ['u3', 'a3', 'next']);
    assert.equal(built.droppedTurns, 2);
  });

  it('skips turns without an answer (not counted as dropped) and keeps partial answers', () => {
    const turns = [turn(1, '', 'error'), turn(2, 'Half a proof', 'stopped'), turn(3, '  \n', 'length'), turn(4, 'a4')];
    const built = buildMessages({ turns }, 'next', { contextTokens: 1000, maxAnswerTokens: 100 });
    assert.deepEqual(built.messages.map((m) => m.content), ['u2', 'Half a proof', 'u4', 'a4', 'next']);
    assert.equal(built.droppedTurns, 0);
    assert.equal(built.notice, null);
  });

  it('never drops the new message, and warns when even it may not fit', () => {
    const long = 'y'.repeat(600);
    const built = buildMessages({ turns: [turn(1, 'a1')] }, long, { contextTokens: 200, maxAnswerTokens: 64 });
    assert.deepEqual(built.messages, [{ role: 'user', content: long }]);
    assert.equal(built.droppedTurns, 1);
    assert.equal(built.notice, 'The message may not fit the context even without the 1 earlier turn: shorten it, or lower the answer length.');
    const alone = buildMessages({ turns: [] }, long, { contextTokens: 200, maxAnswerTokens: 64 });
    assert.equal(alone.notice, 'The message may not fit the context: shorten it, or lower the answer length.');
  });

  it('estimates 3 characters per token, rounding up', () => {
    assert.deepEqual([estimateTokens(''), estimateTokens('abc'), estimateTokens('abcd')], [0, 1, 2]);
  });
});
