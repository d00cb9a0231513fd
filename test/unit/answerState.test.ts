import assert from 'node:assert/strict';
import { canAnswerNow, canContinuePastLimit, endedEarly } from '../../src/core/answer/answerState';
import type { AssistantAnswer } from '../../src/core/answer/answer';

describe('answer state', () => {
  const answer = (fields: Partial<AssistantAnswer>) => ({ reasoning: '', content: '', status: 'streaming' as const, ...fields });

  it('Continue: a stopped or cut answer with something written', () => {
    assert.equal(endedEarly(answer({ status: 'stopped', reasoning: 'Suppose' })), true);
    assert.equal(endedEarly(answer({ status: 'length', content: 'Then' })), true);
    assert.equal(endedEarly(answer({ status: 'stopped' })), false, 'nothing written: Retry, not Continue');
    assert.equal(endedEarly(answer({ status: 'done', content: 'QED' })), false);
    assert.equal(endedEarly(answer({ status: 'error', content: 'Then' })), false, 'a failed answer gets Retry');
  });

  it('Answer now: while thinking, or after a stop or a cut during the thinking', () => {
    assert.equal(canAnswerNow(answer({ reasoning: 'Suppose' })), true);
    assert.equal(canAnswerNow(answer({ status: 'length', reasoning: 'Suppose' })), true);
    assert.equal(canAnswerNow(answer({ status: 'stopped', reasoning: 'Suppose', content: 'Then' })), false, 'the answer had begun');
    assert.equal(canAnswerNow(answer({ reasoning: 'Suppose', forcedAnswer: 'answer-now' })), false, 'already asked for');
    assert.equal(canAnswerNow(answer({ status: 'stopped' })), false, 'no thinking to answer from');
  });

  it('Continue past the limit: cut at the limit while thinking, with thinking to summarise', () => {
    assert.equal(canContinuePastLimit(answer({ status: 'length', reasoning: 'Suppose' })), true);
    assert.equal(canContinuePastLimit(answer({ status: 'length', reasoning: 'Suppose', content: 'Proof.' })), false, 'cut while answering: Continue');
    assert.equal(canContinuePastLimit(answer({ status: 'stopped', reasoning: 'Suppose' })), false, 'stopped, not out of room');
    assert.equal(canContinuePastLimit(answer({ status: 'length', reasoning: 'Suppose', forcedAnswer: 'budget' })), false, 'already asked for its answer');
    assert.equal(canContinuePastLimit(answer({ status: 'length' })), false, 'nothing to summarise');
  });
});
