import assert from 'node:assert/strict';
import { RunRecorder } from '../../src/core/runRecorder';

describe('RunRecorder', () => {
  const make = () => new RunRecorder({ runId: 'r1', kind: 'prove', title: 'T', statement: 'S', prompt: 'user:\nS', source: '', startedAt: 1000 });

  it('accumulates events and hands out each piece of text exactly once', () => {
    const recorder = make();
    assert.equal(recorder.takeDelta(), undefined);
    recorder.apply({ type: 'reasoning', text: 'Let ' }, 1100);
    recorder.apply({ type: 'reasoning', text: 'me think.' }, 1150);
    assert.deepEqual(recorder.takeDelta(), { type: 'delta', runId: 'r1', reasoning: 'Let me think.', content: '', reasoningChunks: 2, contentChunks: 0, firstTokenAt: 1100, answerStartedAt: undefined });
    recorder.apply({ type: 'content', text: 'Proof.' }, 1200);
    recorder.apply({ type: 'content', text: '' }, 1250);
    assert.deepEqual(recorder.takeDelta(), { type: 'delta', runId: 'r1', reasoning: '', content: 'Proof.', reasoningChunks: 2, contentChunks: 1, firstTokenAt: 1100, answerStartedAt: 1200 });
    assert.equal(recorder.takeDelta(), undefined);
    recorder.apply({ type: 'done', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 } }, 1300);
    const status = recorder.setStatus('done', 1300);
    assert.equal(status.type, 'status');
    assert.deepEqual(recorder.snapshot, {
      runId: 'r1', kind: 'prove', title: 'T', statement: 'S', prompt: 'user:\nS', source: '', startedAt: 1000, status: 'done', progress: undefined,
      reasoning: 'Let me think.', content: 'Proof.', reasoningChunks: 2, contentChunks: 1, firstTokenAt: 1100, answerStartedAt: 1200,
      endedAt: 1300, finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 },
    });
  });

  it('keeps the source and error given with a status', () => {
    const recorder = make();
    recorder.setStatus('running', 1010, { source: 'local engine' });
    const message = recorder.setStatus('error', 1020, { error: 'boom' });
    assert.equal(recorder.snapshot.source, 'local engine');
    assert.deepEqual([message.type === 'status' && message.error, recorder.snapshot.endedAt], ['boom', 1020]);
  });
});
