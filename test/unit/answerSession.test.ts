/**
 * AnswerSession, the one answer life cycle of the Proof panel, the chat and the agent, against
 * the turn runner's scripted backend and a clock the test drives.
 */
import assert from 'node:assert/strict';
import { BackendError } from '../../src/client/backendError';
import { pendingAnswer, type AssistantAnswer } from '../../src/core/answer/answer';
import { applyDelta, type AnswerDelta } from '../../src/core/answer/answerDelta';
import { AnswerSession, FLUSH_INTERVAL_MS, type AnswerJob, type AnswerSink, type Clock, type ResolvedAnswerBackend } from '../../src/core/answer/answerSession';
import type { ChatRequest } from '../../src/core/chat';
import { c, length, r, ScriptedBackend, stop, type Step } from '../helpers/scriptedBackend';

/** Readings tick by one; the flush interval fires when the test says. */
class TestClock implements Clock {
  private t = 5000;
  readonly ticks = new Set<() => void>();
  readonly intervals: number[] = [];
  now = () => this.t++;
  every(ms: number, tick: () => void): () => void {
    this.intervals.push(ms);
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  }
  fire(): void {
    for (const tick of this.ticks) tick();
  }
}

interface Heard {
  progress: string[];
  resolved: number;
  deltas: AnswerDelta[];
  failures: { error: unknown; stage: string }[];
  last?: AssistantAnswer;
}

function sink(heard: Heard, onChange?: (answer: AssistantAnswer) => void): AnswerSink<ResolvedAnswerBackend> {
  return {
    progress: (text) => heard.progress.push(text),
    resolved: () => heard.resolved++,
    changed: (answer) => {
      heard.last = answer;
      onChange?.(answer);
    },
    delta: (delta) => heard.deltas.push(delta),
    failed: (error, stage) => heard.failures.push({ error, stage }),
  };
}

const REQUEST: ChatRequest = { messages: [{ role: 'user', content: 'Prove it.' }], maxTokens: 100 };

function setup(scripts: Step[][], options: { resolveError?: Error; isCancellation?: (error: unknown) => boolean; beforeResolve?: () => Promise<void> } = {}) {
  const backend = new ScriptedBackend(scripts);
  const clock = new TestClock();
  const session = new AnswerSession({
    resolve: async (onProgress) => {
      onProgress('Loading the model…');
      await options.beforeResolve?.();
      if (options.resolveError) throw options.resolveError;
      return { backend };
    },
    isCancellation: options.isCancellation,
    clock,
  });
  const heard: Heard = { progress: [], resolved: 0, deltas: [], failures: [] };
  const job = (answer: AssistantAnswer, overrides: Partial<AnswerJob<ResolvedAnswerBackend>> = {}): AnswerJob<ResolvedAnswerBackend> => ({
    answer,
    thinkingBudget: null,
    request: () => REQUEST,
    sink: sink(heard),
    ...overrides,
  });
  return { backend, clock, session, heard, job };
}

/** What a page that was sent `start` and then every delta shows. */
const replay = (start: AssistantAnswer, deltas: AnswerDelta[]) => deltas.reduce(applyDelta, start);

describe('AnswerSession', () => {
  it('prepares the backend, writes a new answer, and its deltas rebuild it exactly on the page', async () => {
    const { session, heard, job, clock, backend } = setup([[r('Suppose '), r('not.'), c('Then '), c('QED.'), stop(7)]]);
    const start = pendingAnswer(1234);
    const answer = await session.run(job(start));
    assert.equal(answer.status, 'done');
    assert.equal(answer.reasoning, 'Suppose not.');
    assert.equal(answer.content, 'Then QED.');
    assert.equal(answer.startedAt, 1234, 'started when it was asked for, before the backend was ready');
    assert.deepEqual(heard.progress, ['Loading the model…']);
    assert.equal(heard.resolved, 1);
    assert.deepEqual(replay(start, heard.deltas), answer);
    assert.deepEqual(heard.last, answer, 'the sink heard the final answer');
    assert.deepEqual(clock.intervals, [FLUSH_INTERVAL_MS]);
    assert.equal(clock.ticks.size, 0, 'no flush timer is left behind');
    assert.deepEqual(backend.requests[0]?.messages, REQUEST.messages);
    assert.equal(session.busy, false);
  });

  it('relays what streamed at each flush, and nothing when nothing changed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { session, heard, job, clock } = setup([[r('one '), r('two '), c('Ans'), stop()]]);
    const written = session.run({
      ...job(pendingAnswer(1)),
      sink: sink(heard, (answer) => {
        if (answer.content === 'Ans') {
          clock.fire();
          clock.fire();
          release();
        }
      }),
    });
    await gate;
    const streamed = heard.deltas.filter((delta) => delta.meta.status === 'streaming');
    assert.equal(streamed.length, 1, 'one delta for the first flush, none for the second');
    assert.equal(streamed[0]!.reasoning, 'one two ');
    assert.equal(streamed[0]!.content, 'Ans');
    await written;
    assert.equal(heard.deltas.at(-1)!.meta.status, 'done');
  });

  it('continues an answer that was cut, in place: the page hears it streams again, then the rest', async () => {
    const { session, heard, job, backend } = setup([[r(' more'), c('Done.'), stop()]]);
    const cut: AssistantAnswer = { ...pendingAnswer(10), reasoning: 'Suppose', status: 'length', finishReason: 'length', firstTokenAt: 11, endedAt: 20, reasoningTokens: 1 };
    const answer = await session.run(job(cut));
    assert.equal(answer.reasoning, 'Suppose more');
    assert.equal(answer.content, 'Done.');
    assert.equal(answer.status, 'done');
    assert.equal(heard.deltas[0]!.meta.status, 'streaming', 'first: it streams again');
    assert.equal(heard.deltas[0]!.meta.finishReason, undefined, 'and how it ended before no longer holds');
    assert.deepEqual(replay(cut, heard.deltas), answer);
    assert.deepEqual(backend.requests[0]?.prefill, { reasoning: 'Suppose', content: '', thinkingClosed: false });
  });

  it('Answer now: refused before the model has thought anything, then closes the thinking at once', async () => {
    const { session, heard, job, backend } = setup([[r('Let '), r('x.'), r('never')], [c('Answer.'), stop()]]);
    let asked: boolean | undefined;
    const written = session.run({
      ...job(pendingAnswer(1)),
      sink: sink(heard, (answer) => {
        if (answer.reasoning === 'Let ') asked ??= session.answerNow();
      }),
    });
    assert.equal(session.answerNow(), false, 'nothing to answer from yet');
    const answer = await written;
    assert.equal(asked, true, 'accepted once the model thinks');
    assert.equal(answer.forcedAnswer, 'answer-now');
    assert.equal(answer.content, 'Answer.');
    assert.equal(backend.requests[1]?.prefill?.thinkingClosed, true);
    const forcedDelta = heard.deltas.find((delta) => delta.meta.forcedAnswer === 'answer-now');
    assert.equal(forcedDelta?.meta.status, 'streaming', 'the page hears of it at once, before the answer streams');
    assert.equal(session.answerNow(), false, 'nothing is being written');
  });

  it('Answer now on an answer stopped while thinking writes the answer from its thinking', async () => {
    const { session, job, backend } = setup([[c('From the thinking.'), stop()]]);
    const stopped: AssistantAnswer = { ...pendingAnswer(1), reasoning: 'Consider n.', status: 'stopped', finishReason: 'cancelled', endedAt: 5, reasoningTokens: 3 };
    const answer = await session.run(job(stopped, { answerAtOnce: true }));
    assert.equal(answer.forcedAnswer, 'answer-now');
    assert.equal(answer.reasoning, 'Consider n.');
    assert.equal(answer.content, 'From the thinking.');
    assert.deepEqual(backend.requests[0]?.prefill, { reasoning: 'Consider n.', content: '', thinkingClosed: true });
  });

  it('a backend that cannot be prepared ends the answer in error, with the reason on one line', async () => {
    const { session, heard, job } = setup([], { resolveError: new Error('Model file not found: /x.gguf\nChoose a model file.') });
    const answer = await session.run(job(pendingAnswer(1)));
    assert.equal(answer.status, 'error');
    assert.equal(answer.error, 'Model file not found: /x.gguf');
    assert.equal(heard.failures.length, 1);
    assert.equal(heard.failures[0]!.stage, 'backend');
    assert.equal(heard.deltas.at(-1)!.meta.status, 'error');
  });

  it('a preparation the user called off (a declined notice) ends stopped, saying why', async () => {
    const declined = new Error('Running on the CPU was declined.');
    const { session, job } = setup([], { resolveError: declined, isCancellation: (error) => error === declined });
    const answer = await session.run(job(pendingAnswer(1)));
    assert.equal(answer.status, 'stopped');
    assert.equal(answer.finishReason, 'cancelled');
    assert.equal(answer.error, 'Running on the CPU was declined.');
  });

  it('Stop while the backend is prepared: stopped, nothing requested, no failure to report', async () => {
    let stopNow!: () => void;
    const stopping = new Promise<void>((resolve) => (stopNow = resolve));
    const { session, heard, job, backend } = setup([[r('x'), stop()]], { beforeResolve: () => stopping });
    const written = session.run(job(pendingAnswer(1)));
    session.stop();
    stopNow();
    const answer = await written;
    assert.equal(answer.status, 'stopped');
    assert.equal(backend.requests.length, 0);
    assert.deepEqual(heard.failures, []);
  });

  it('a failure while answering keeps the partial answer, and is reported with what the backend threw', async () => {
    const failure = new BackendError('connection', 'The connection closed unexpectedly.');
    const { session, heard, job } = setup([[r('Half'), { type: 'throw', error: failure }]]);
    const answer = await session.run(job(pendingAnswer(1)));
    assert.equal(answer.status, 'error');
    assert.equal(answer.reasoning, 'Half');
    assert.deepEqual(heard.failures, [{ error: failure, stage: 'answer' }]);
  });

  it('a request that cannot be built ends in error instead of throwing', async () => {
    const { session, heard, job } = setup([]);
    const answer = await session.run(job(pendingAnswer(1), { request: () => { throw new Error('The history does not fit.'); } }));
    assert.equal(answer.status, 'error');
    assert.equal(answer.error, 'The history does not fit.');
    assert.equal(heard.failures[0]?.stage, 'answer');
  });

  it('one answer at a time; after a resync the deltas start from what the page was sent', async () => {
    let shown: { answer: AssistantAnswer; deltas: number } | undefined;
    const { session, heard, job, clock } = setup([[r('abc'), r('def'), c('!'), length]]);
    const written = session.run({
      ...job(pendingAnswer(1)),
      sink: sink(heard, (answer) => {
        if (answer.reasoning === 'abc' && !shown) {
          // The page was shown again and sent the whole answer as it stands.
          shown = { answer, deltas: heard.deltas.length };
          session.resync();
          clock.fire();
        }
      }),
    });
    assert.equal(session.busy, true);
    assert.throws(() => session.run(job(pendingAnswer(2))), /already being written/);
    const answer = await written;
    assert.equal(answer.status, 'length');
    const page = replay(shown!.answer, heard.deltas.slice(shown!.deltas));
    assert.deepEqual(page, answer, 'nothing repeated or lost after the resync');
    await session.whenIdle();
  });
});
