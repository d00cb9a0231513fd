/** runTurn / continueTurn against a scripted fake ChatBackend (test/helpers/scriptedBackend.ts). */
import assert from 'node:assert/strict';
import { BackendError } from '../../src/client/backendError';
import type { ChatRequest } from '../../src/core/chat';
import { continueTurn, runTurn, type TurnOptions } from '../../src/core/conversation/turnRunner';
import type { AssistantAnswer } from '../../src/core/answer/answer';
import { c, length, r, ScriptedBackend, stop } from '../helpers/scriptedBackend';

const REQUEST: ChatRequest = { messages: [{ role: 'user', content: 'Prove it.' }], maxTokens: 100 };

/** A clock that ticks by one on every reading, so each timestamp tells when it was taken. */
function ticking(): () => number {
  let t = 1000;
  return () => t++;
}

function options(overrides: Partial<TurnOptions> = {}): TurnOptions {
  return { thinkingBudget: null, signal: new AbortController().signal, now: ticking(), ...overrides };
}

describe('runTurn', () => {
  it('streams reasoning then answer, with timestamps, and replaces estimates by the reported usage', async () => {
    const backend = new ScriptedBackend([[r('abcdef'), r('ghi'), c('xyz'), stop(8)]]);
    const updates: AssistantAnswer[] = [];
    const answer = await runTurn(backend, REQUEST, options(), (a) => updates.push(a));
    assert.deepEqual(answer, {
      reasoning: 'abcdefghi',
      content: 'xyz',
      status: 'done',
      finishReason: 'stop',
      startedAt: 1000,
      firstTokenAt: 1001,
      answerStartedAt: 1003,
      endedAt: 1004,
      // Estimated 2 + 1 reasoning and 1 answer token; 8 reported, shared out 6 : 2.
      reasoningTokens: 6,
      contentTokens: 2,
      usage: { promptTokens: 10, completionTokens: 8 },
    });
    assert.deepEqual(updates.map((u) => [u.reasoning, u.content, u.status]), [
      ['abcdef', '', 'streaming'],
      ['abcdefghi', '', 'streaming'],
      ['abcdefghi', 'xyz', 'streaming'],
      ['abcdefghi', 'xyz', 'done'],
    ]);
    assert.equal(backend.requests[0]!.prefill, undefined);
  });

  it('closes the thinking when the budget is reached and asks for the answer with the thinking so far', async () => {
    const backend = new ScriptedBackend([
      [r('aaa'), r('bbb'), r('ccc'), r('ddd'), r('never sent'), stop()],
      [c('Answer'), c('.'), stop(5)],
    ]);
    const answer = await runTurn(backend, REQUEST, options({ thinkingBudget: 3 }), () => {});
    assert.equal(backend.requests.length, 2);
    assert.equal(backend.aborted[0], true, 'the thinking stream was aborted at the backend');
    assert.deepEqual(backend.requests[1]!.prefill, { reasoning: 'aaabbbccc', content: '', thinkingClosed: true });
    assert.equal(backend.requests[1]!.maxTokens, 97, 'what is left of the 100-token allowance');
    assert.deepEqual(backend.requests[1]!.messages, REQUEST.messages);
    assert.equal(answer.reasoning, 'aaabbbccc');
    assert.equal(answer.content, 'Answer.');
    assert.equal(answer.status, 'done');
    assert.equal(answer.forcedAnswer, 'budget');
    assert.equal(answer.reasoningTokens, 3);
    assert.equal(answer.contentTokens, 5);
    assert.deepEqual(answer.usage, { promptTokens: 10, completionTokens: 5 });
  });

  it('with a budget of 0 never thinks: the first request already closes the thinking', async () => {
    const backend = new ScriptedBackend([[c('Direct.'), stop()]]);
    const answer = await runTurn(backend, REQUEST, options({ thinkingBudget: 0 }), () => {});
    assert.deepEqual(backend.requests.map((q) => q.prefill), [{ reasoning: '', content: '', thinkingClosed: true }]);
    assert.equal(backend.requests[0]!.maxTokens, 100);
    assert.deepEqual([answer.content, answer.forcedAnswer, answer.status], ['Direct.', 'budget', 'done']);
  });

  it('answers now on request while thinking', async () => {
    const answerNow = new AbortController();
    const backend = new ScriptedBackend([
      [r('one '), r('two '), r('three '), stop()],
      [c('So it holds.'), stop()],
    ]);
    const answer = await runTurn(backend, REQUEST, options({ answerNow: answerNow.signal }), (a) => {
      if (a.reasoning === 'one two ') answerNow.abort();
    });
    assert.deepEqual(backend.requests[1]!.prefill, { reasoning: 'one two ', content: '', thinkingClosed: true });
    assert.deepEqual([answer.reasoning, answer.content, answer.forcedAnswer, answer.status], ['one two ', 'So it holds.', 'answer-now', 'done']);
  });

  it('ignores Answer now once the answer has begun', async () => {
    const answerNow = new AbortController();
    const backend = new ScriptedBackend([[r('think'), c('Ans'), c('wer'), stop()]]);
    const answer = await runTurn(backend, REQUEST, options({ answerNow: answerNow.signal }), (a) => {
      if (a.content === 'Ans') answerNow.abort();
    });
    assert.equal(backend.requests.length, 1);
    assert.deepEqual([answer.content, answer.forcedAnswer, answer.status], ['Answer', undefined, 'done']);
  });

  it('continues the answer, not forced, when the model closed its thinking just as the budget ran out', async () => {
    const backend = new ScriptedBackend([
      [{ type: 'ignoreAbort' }, r('aaa'), c('Late start'), { type: 'done', finishReason: 'cancelled' }],
      [c(' and the rest.'), stop()],
    ]);
    const answer = await runTurn(backend, REQUEST, options({ thinkingBudget: 1 }), () => {});
    assert.deepEqual(backend.requests[1]!.prefill, { reasoning: 'aaa', content: 'Late start', thinkingClosed: true });
    assert.deepEqual([answer.content, answer.forcedAnswer, answer.status], ['Late start and the rest.', undefined, 'done']);
  });

  it('Stop keeps the partial answer, marked stopped', async () => {
    const stopper = new AbortController();
    const backend = new ScriptedBackend([[r('think'), c('Half'), c(' never'), stop()]]);
    const answer = await runTurn(backend, REQUEST, options({ signal: stopper.signal }), (a) => {
      if (a.content === 'Half') stopper.abort();
    });
    assert.equal(backend.aborted[0], true);
    assert.deepEqual([answer.reasoning, answer.content, answer.status, answer.finishReason], ['think', 'Half', 'stopped', 'cancelled']);
    assert.equal(typeof answer.endedAt, 'number');
  });

  it('Stop during the forced answer keeps both parts and the reason', async () => {
    const stopper = new AbortController();
    const backend = new ScriptedBackend([[r('aaa'), r('more')], [c('Begun'), c(' never'), stop()]]);
    const answer = await runTurn(backend, REQUEST, options({ thinkingBudget: 1, signal: stopper.signal }), (a) => {
      if (a.content === 'Begun') stopper.abort();
    });
    assert.deepEqual([answer.reasoning, answer.content, answer.status, answer.forcedAnswer], ['aaa', 'Begun', 'stopped', 'budget']);
  });

  it('Stop before the first request sends nothing', async () => {
    const stopper = new AbortController();
    stopper.abort();
    const backend = new ScriptedBackend([]);
    const answer = await runTurn(backend, REQUEST, options({ signal: stopper.signal }), () => {});
    assert.equal(backend.requests.length, 0);
    assert.equal(answer.status, 'stopped');
  });

  it('a backend failure keeps the partial answer with the error, and the next turn works', async () => {
    const failure = new BackendError('connection', 'The connection to http://127.0.0.1:1/v1 closed unexpectedly. Check that the server is still running.');
    const backend = new ScriptedBackend([[r('thinking'), c('Partial'), { type: 'throw', error: failure }], [r('again'), c('Whole.'), stop()]]);
    const thrown: unknown[] = [];
    const failed = await runTurn(backend, REQUEST, { ...options(), onError: (error) => thrown.push(error) }, () => {});
    assert.deepEqual([failed.reasoning, failed.content, failed.status, failed.error], ['thinking', 'Partial', 'error', failure.message]);
    assert.deepEqual(thrown, [failure], 'the caller hears the error itself, to offer its fix');
    assert.equal(failed.finishReason, undefined);
    const next = await runTurn(backend, REQUEST, options(), () => {});
    assert.deepEqual([next.content, next.status, next.error], ['Whole.', 'done', undefined]);
  });

  it('a failure of the forced answer keeps the thinking, and any error is cut to one line', async () => {
    const backend = new ScriptedBackend([[r('aaa'), r('b')], [{ type: 'throw', error: new Error('engine crashed\n    at stack frame') }]]);
    const answer = await runTurn(backend, REQUEST, options({ thinkingBudget: 1 }), () => {});
    assert.deepEqual([answer.reasoning, answer.content, answer.status, answer.error, answer.forcedAnswer], ['aaa', '', 'error', 'engine crashed', 'budget']);
  });

  it('a stream that ends without done is an error, not a finished answer', async () => {
    const backend = new ScriptedBackend([[r('x'), c('y')]]);
    const answer = await runTurn(backend, REQUEST, options(), () => {});
    assert.deepEqual([answer.status, answer.error, answer.content], ['error', 'The answer stream ended without a finish reason.', 'y']);
  });
});

describe('continueTurn', () => {
  const cutInThinking = async (backend: ScriptedBackend) => runTurn(backend, REQUEST, options(), () => {});

  it('continues an answer cut in its thinking: the reasoning goes on, then the answer', async () => {
    const backend = new ScriptedBackend([[r('first '), length], [r('second'), c('Done.'), stop()]]);
    const cut = await cutInThinking(backend);
    assert.deepEqual([cut.status, cut.finishReason], ['length', 'length']);
    const updates: AssistantAnswer[] = [];
    const answer = await continueTurn(backend, { ...REQUEST, maxTokens: 50 }, cut, options(), (a) => updates.push(a));
    assert.deepEqual(backend.requests[1]!.prefill, { reasoning: 'first ', content: '', thinkingClosed: false });
    assert.equal(backend.requests[1]!.maxTokens, 50, 'the continuation gets the allowance it is given');
    assert.deepEqual([answer.reasoning, answer.content, answer.status, answer.finishReason], ['first second', 'Done.', 'done', 'stop']);
    assert.equal(answer.startedAt, cut.startedAt);
    assert.equal(updates[0]!.reasoning, 'first second', 'updates carry the whole answer, not the new part');
  });

  it('continues an answer cut mid-answer with the thinking closed', async () => {
    const backend = new ScriptedBackend([[r('t'), c('Proof: '), length], [c('done.'), stop()]]);
    const answer = await continueTurn(backend, REQUEST, await cutInThinking(backend), options(), () => {});
    assert.deepEqual(backend.requests[1]!.prefill, { reasoning: 't', content: 'Proof: ', thinkingClosed: true });
    assert.equal(answer.content, 'Proof: done.');
  });

  it('counts the earlier thinking towards the budget', async () => {
    const backend = new ScriptedBackend([[r('aaa'), r('bbb'), length], [r('ccc'), r('ddd')], [c('A.'), stop()]]);
    const cut = await cutInThinking(backend);
    const answer = await continueTurn(backend, REQUEST, cut, options({ thinkingBudget: 3 }), () => {});
    assert.deepEqual(backend.requests[2]!.prefill, { reasoning: 'aaabbbccc', content: '', thinkingClosed: true });
    assert.equal(backend.requests[2]!.maxTokens, 99, 'the allowance less what this continuation used');
    assert.deepEqual([answer.content, answer.forcedAnswer], ['A.', 'budget']);
  });

  it('continues a stopped or failed answer too, clearing its error', async () => {
    const backend = new ScriptedBackend([[r('x'), { type: 'throw', error: new Error('boom') }], [r('y'), c('z'), stop()]]);
    const failed = await runTurn(backend, REQUEST, options(), () => {});
    const answer = await continueTurn(backend, REQUEST, failed, options(), () => {});
    assert.deepEqual([answer.reasoning, answer.content, answer.status, answer.error], ['xy', 'z', 'done', undefined]);
  });

  it('counts the time between an early end and its continuation as a pause, and as thinking pause while no answer had begun', async () => {
    let clock = 1000;
    const now = () => clock;
    const backend = new ScriptedBackend([[r('think')], [r('more'), c('Half')], [c(' done.'), stop()]]);
    const stop1 = new AbortController();
    const first = await runTurn(backend, REQUEST, { ...options(), signal: stop1.signal, now }, (answer) => {
      if (answer.reasoning === 'think') stop1.abort();
    });
    assert.equal(first.status, 'stopped');
    clock += 60_000; // a minute before Continue
    const stop2 = new AbortController();
    const second = await continueTurn(backend, REQUEST, first, { ...options(), signal: stop2.signal, now }, (answer) => {
      if (answer.content === 'Half') stop2.abort();
    });
    assert.deepEqual([second.status, second.pausedMs, second.thinkingPausedMs], ['stopped', 60_000, 60_000]);
    clock += 5_000; // the answer had begun: a pause, but not in the thinking
    const third = await continueTurn(backend, REQUEST, second, { ...options(), now }, () => {});
    assert.deepEqual([third.content, third.pausedMs, third.thinkingPausedMs], ['Half done.', 65_000, 60_000]);
  });

  it('refuses to continue a finished answer', async () => {
    const backend = new ScriptedBackend([[c('a'), stop()]]);
    const done = await runTurn(backend, REQUEST, options(), () => {});
    assert.throws(() => continueTurn(backend, REQUEST, done, options(), () => {}), /Only an answer that ended early can be continued \(this one is done\)\./);
  });
});
