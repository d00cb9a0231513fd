/**
 * The webview protocols' schemas (each message defined once: its type and its run-time check),
 * the answer delta both pages fold, and the reading of a Proof panel run saved by an older version.
 */
import assert from 'node:assert/strict';
import { pendingAnswer, type AssistantAnswer } from '../../src/core/answer/answer';
import { AnswerDeltas, applyDelta } from '../../src/core/answer/answerDelta';
import { hostToChat } from '../../src/core/webview/chatProtocol';
import { hostToPanel, panelToHost, savedRun, type RunSnapshot } from '../../src/core/webview/panelProtocol';
import { array, count, literal, messages, object, optional, string } from '../../src/core/webview/schema';

const answer = (fields: Partial<AssistantAnswer> = {}): AssistantAnswer => ({ ...pendingAnswer(100), ...fields });

const run = (fields: Partial<RunSnapshot> = {}): RunSnapshot => ({
  runId: 'r1',
  kind: 'prove',
  title: 'Theorem',
  statement: '$x$',
  prompt: 'user:\nProve.',
  source: 'local engine',
  answer: answer(),
  ...fields,
});

describe('webview schemas', () => {
  it('objects check their fields, allow absent optional ones, and ignore fields they do not know', () => {
    const point = object({ x: count, label: optional(string), tags: optional(array(string)) });
    assert.equal(point.is({ x: 1 }), true);
    assert.equal(point.is({ x: 1, label: 'a', tags: ['b'], extra: true }), true);
    assert.equal(point.is({ x: -1 }), false, 'a count is not negative');
    assert.equal(point.is({ x: Number.NaN }), false);
    assert.equal(point.is({ x: 1, tags: [1] }), false);
    assert.equal(point.is([1]), false);
    assert.equal(point.is(null), false);
  });

  it('message unions accept each member and nothing else', () => {
    const message = messages(object({ type: literal('a'), n: count }), object({ type: literal('b', 'c') }));
    for (const good of [{ type: 'a', n: 0 }, { type: 'b' }, { type: 'c' }]) assert.equal(message.is(good), true, JSON.stringify(good));
    for (const bad of [{ type: 'a' }, { type: 'd' }, {}, 'a', undefined]) assert.equal(message.is(bad), false, JSON.stringify(bad));
  });

  it('the Proof panel accepts its host’s messages and drops malformed ones', () => {
    const delta = new AnswerDeltas().take(answer({ reasoning: 'Suppose', reasoningTokens: 2, firstTokenAt: 101 }))!;
    for (const good of [{ type: 'snapshot', run: run() }, { type: 'snapshot', run: null }, { type: 'snapshot' }, { type: 'delta', runId: 'r1', delta }, { type: 'progress', runId: 'r1', progress: 'Loading…' }]) {
      assert.equal(hostToPanel.is(good), true, JSON.stringify(good));
    }
    const bad = [
      { type: 'snapshot', run: { ...run(), answer: { ...answer(), status: 'running' } } },
      { type: 'snapshot', run: { ...run(), kind: 'poem' } },
      { type: 'delta', runId: 'r1', delta: { reasoning: 1, content: '', meta: delta.meta } },
      { type: 'delta', runId: 'r1', delta: { ...delta, meta: { ...delta.meta, reasoningTokens: -1 } } },
      { type: 'progress', progress: 'no run id' },
      { type: 'eval', code: 'x' },
    ];
    for (const message of bad) assert.equal(hostToPanel.is(message), false, JSON.stringify(message));
    assert.equal(panelToHost.is({ type: 'continue', runId: 'r1' }), true);
    assert.equal(panelToHost.is({ type: 'continue' }), false);
    assert.equal(hostToChat.is({ type: 'delta', conversationId: 'c', turnId: 't', delta }), true, 'the chat streams the same deltas');
  });

  it('reads a run an older version saved flat (reasoningChunks, loading/running/done), and today’s as it is', () => {
    assert.deepEqual(savedRun(run()), run());
    const legacy = {
      runId: 'old', title: 'Lemma', statement: 's', source: 'endpoint', status: 'done', finishReason: 'length',
      reasoning: 'Think', content: 'Proof', reasoningChunks: 3, contentChunks: 2, startedAt: 10, firstTokenAt: 11, endedAt: 20, usage: { promptTokens: 5, completionTokens: 5 },
    };
    const read = savedRun(legacy);
    assert.ok(read, 'read');
    assert.equal(read.kind, 'prove', 'runs from before critiques were proofs');
    assert.equal(read.prompt, '');
    assert.deepEqual(
      { status: read.answer.status, reasoningTokens: read.answer.reasoningTokens, contentTokens: read.answer.contentTokens, content: read.answer.content, usage: read.answer.usage },
      { status: 'length', reasoningTokens: 3, contentTokens: 2, content: 'Proof', usage: { promptTokens: 5, completionTokens: 5 } },
      'a run cut at the limit is a cut answer now',
    );
    assert.equal(savedRun({ ...legacy, status: 'loading', progress: 'Loading…' })?.progress, 'Loading…');
    assert.equal(savedRun({ ...legacy, status: 'running' })?.answer.status, 'streaming');
    assert.equal(savedRun({ ...legacy, reasoningChunks: 'many' }), undefined, 'damaged: not read');
    assert.equal(savedRun('run'), undefined);
  });
});

describe('answer deltas', () => {
  it('carry the appended text and every other field, so a removed field goes away on the page', () => {
    const deltas = new AnswerDeltas();
    const cut = answer({ reasoning: 'Suppose', status: 'length', finishReason: 'length', endedAt: 200, reasoningTokens: 2 });
    deltas.sent(cut);
    assert.equal(deltas.take(cut), undefined, 'nothing changed');
    const going = { ...cut, status: 'streaming' as const, finishReason: undefined, endedAt: undefined };
    const first = deltas.take(going)!;
    assert.deepEqual([first.reasoning, first.content], ['', '']);
    assert.deepEqual(applyDelta(cut, first), { ...going, finishReason: undefined, endedAt: undefined });
    const more = { ...going, reasoning: 'Suppose not', content: 'Then', reasoningTokens: 3, contentTokens: 1, usage: { promptTokens: 1, completionTokens: 4 } };
    const second = deltas.take(more)!;
    assert.deepEqual([second.reasoning, second.content], [' not', 'Then']);
    assert.deepEqual(applyDelta(applyDelta(cut, first), second), more);
    assert.equal(deltas.take({ ...more, usage: { promptTokens: 1, completionTokens: 4 } }), undefined, 'an equal usage is no change');
  });
});
