import assert from 'node:assert/strict';
import type { AssistantAnswer } from '../../src/core/conversation/types';
import { RunRecorder } from '../../src/core/runRecorder';

describe('RunRecorder', () => {
  const make = () => new RunRecorder({ runId: 'r1', kind: 'prove', title: 'T', statement: 'S', prompt: 'user:\nS', source: '', startedAt: 1000 });
  const answer = (fields: Partial<AssistantAnswer>): AssistantAnswer => ({ reasoning: '', content: '', status: 'streaming', startedAt: 1000, reasoningTokens: 0, contentTokens: 0, ...fields });

  it('folds the growing answer in and hands out each piece of text exactly once', () => {
    const recorder = make();
    assert.equal(recorder.takeDelta(), undefined);
    recorder.update(answer({ reasoning: 'Let ', reasoningTokens: 1, firstTokenAt: 1100 }));
    recorder.update(answer({ reasoning: 'Let me think.', reasoningTokens: 2, firstTokenAt: 1100 }));
    assert.deepEqual(recorder.takeDelta(), { type: 'delta', runId: 'r1', reasoning: 'Let me think.', content: '', reasoningChunks: 2, contentChunks: 0, firstTokenAt: 1100, answerStartedAt: undefined, pausedMs: undefined, thinkingPausedMs: undefined });
    const thinking = { reasoning: 'Let me think.', reasoningTokens: 2, firstTokenAt: 1100 };
    recorder.update(answer({ ...thinking, content: 'Proof.', contentTokens: 1, answerStartedAt: 1200 }));
    assert.deepEqual(recorder.takeDelta(), { type: 'delta', runId: 'r1', reasoning: '', content: 'Proof.', reasoningChunks: 2, contentChunks: 1, firstTokenAt: 1100, answerStartedAt: 1200, pausedMs: undefined, thinkingPausedMs: undefined });
    assert.equal(recorder.takeDelta(), undefined);
    recorder.update(answer({ ...thinking, content: 'Proof.', contentTokens: 1, answerStartedAt: 1200, status: 'length', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 } }));
    assert.equal(recorder.takeDelta(), undefined, 'no new text, no delta');
    const status = recorder.setStatus('done', 1300);
    assert.deepEqual(status, { type: 'status', runId: 'r1', status: 'done', progress: undefined, finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 }, endedAt: 1300, error: undefined, source: '', limits: undefined, forcedAnswer: undefined, pausedMs: undefined, thinkingPausedMs: undefined });
    assert.deepEqual(recorder.snapshot, {
      runId: 'r1', kind: 'prove', title: 'T', statement: 'S', prompt: 'user:\nS', source: '', startedAt: 1000, status: 'done', progress: undefined, error: undefined,
      reasoning: 'Let me think.', content: 'Proof.', reasoningChunks: 2, contentChunks: 1, firstTokenAt: 1100, answerStartedAt: 1200,
      endedAt: 1300, finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 }, forcedAnswer: undefined, pausedMs: undefined, thinkingPausedMs: undefined,
    });
  });

  it('goes on in the same run when the answer is continued or forced, and says that it was forced', () => {
    const recorder = make();
    recorder.update(answer({ reasoning: 'Consider n.', reasoningTokens: 3, firstTokenAt: 1100, status: 'stopped', finishReason: 'cancelled' }));
    recorder.takeDelta();
    recorder.setStatus('stopped', 1200);
    // Answer now: the same answer, its thinking closed, streams on.
    recorder.update(answer({ reasoning: 'Consider n.', reasoningTokens: 3, firstTokenAt: 1100, forcedAnswer: 'answer-now' }));
    const running = recorder.setStatus('running', 1300);
    assert.equal(running.type === 'status' && running.forcedAnswer, 'answer-now');
    assert.equal(running.type === 'status' && running.endedAt, undefined, 'a run that streams again has not ended');
    assert.equal(running.type === 'status' && running.finishReason, undefined);
    recorder.update(answer({ reasoning: 'Consider n.', reasoningTokens: 3, firstTokenAt: 1100, forcedAnswer: 'answer-now', content: 'By induction.', contentTokens: 3, answerStartedAt: 1400 }));
    assert.deepEqual(recorder.takeDelta(), { type: 'delta', runId: 'r1', reasoning: '', content: 'By induction.', reasoningChunks: 3, contentChunks: 3, firstTokenAt: 1100, answerStartedAt: 1400, pausedMs: undefined, thinkingPausedMs: undefined });
  });

  it('gives the run back as the turn runner’s answer, also for a run restored after a reload', () => {
    const recorder = make();
    recorder.update(answer({ reasoning: 'Suppose not.', reasoningTokens: 4, firstTokenAt: 1100, pausedMs: 500, thinkingPausedMs: 500 }));
    recorder.setStatus('done', 1300);
    recorder.update(answer({ reasoning: 'Suppose not.', reasoningTokens: 4, firstTokenAt: 1100, pausedMs: 500, thinkingPausedMs: 500, finishReason: 'length', usage: { promptTokens: 3, completionTokens: 4 } }));
    const expected: AssistantAnswer = {
      reasoning: 'Suppose not.', content: '', status: 'length', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 4 }, error: undefined,
      startedAt: 1000, firstTokenAt: 1100, answerStartedAt: undefined, endedAt: 1300, reasoningTokens: 4, contentTokens: 0,
      forcedAnswer: undefined, pausedMs: 500, thinkingPausedMs: 500,
    };
    assert.deepEqual(recorder.answer(), expected, 'cut at the token limit: length, which Continue accepts');
    // After a reload the panel hands back its saved snapshot, marked as interrupted.
    const restored = RunRecorder.restored({ ...structuredClone(recorder.snapshot), status: 'stopped', error: 'Interrupted when the window reloaded.', endedAt: 2000 });
    assert.deepEqual(restored.answer(), { ...expected, status: 'stopped', error: 'Interrupted when the window reloaded.', endedAt: 2000 });
    assert.equal(restored.takeDelta(), undefined, 'nothing to send: the panel has it all');
    restored.update({ ...restored.answer(), status: 'streaming', reasoning: 'Suppose not. Then', reasoningTokens: 5 });
    const delta = restored.takeDelta();
    assert.equal(delta?.type === 'delta' && delta.reasoning, ' Then', 'only the new text goes out');
  });

  it('keeps the source given with a status, and the error only with the status that has it', () => {
    const recorder = make();
    recorder.setStatus('running', 1010, { source: 'local engine' });
    const message = recorder.setStatus('error', 1020, { error: 'boom' });
    assert.equal(recorder.snapshot.source, 'local engine');
    assert.deepEqual([message.type === 'status' && message.error, recorder.snapshot.endedAt], ['boom', 1020]);
    recorder.setStatus('loading', 1030);
    assert.equal(recorder.snapshot.error, undefined, 'a run that goes on again has no error');
  });
});
