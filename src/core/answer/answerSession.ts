/**
 * The life of one answer, the same for the Proof panel, the chat and the agent: prepare the
 * backend (saying what it is doing), write the answer with the turn runner (new, or going on
 * from one that ended early), relay it as deltas every 50 ms and at once when its state changes,
 * and end it as done, cut, stopped or failed. One answer at a time; Stop and Answer now act on it.
 *
 * What the answer is for (a panel run, a conversation turn) is the caller's: it hears of the
 * answer through its sink and builds the request once the backend is known.
 */
import type { ChatBackend, ChatRequest } from '../chat';
import { continueTurn, runTurn, type TurnOptions } from '../conversation/turnRunner';
import { type AssistantAnswer } from './answer';
import { AnswerDeltas, type AnswerDelta } from './answerDelta';
import { canAnswerNow } from './answerState';

/** How often streamed text is relayed; a page renders at most once per frame anyway. */
export const FLUSH_INTERVAL_MS = 50;

export interface ResolvedAnswerBackend {
  backend: ChatBackend;
}

export interface Clock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

export interface AnswerSessionOptions<R extends ResolvedAnswerBackend> {
  /** Prepares the backend (starts the engine, loads the model…), saying what it is doing. */
  resolve(onProgress: (text: string) => void): Promise<R>;
  /** A failure to prepare that is the user calling it off (a declined notice): the answer ends stopped. */
  isCancellation?(error: unknown): boolean;
  clock?: Clock;
}

export interface AnswerSink<R> {
  /** The backend is being prepared: what it is doing now. */
  progress(text: string): void;
  /** The backend is ready (the request is built next). */
  resolved(backend: R): void;
  /** The answer changed; called for every token, so it should only keep it. */
  changed(answer: AssistantAnswer): void;
  /** What changed since the last delta (or since `job.answer`, which the page has in full). */
  delta(delta: AnswerDelta): void;
  /** The backend could not be prepared, or failed while answering: the answer ended in 'error' or, if called off, 'stopped'. */
  failed(error: unknown, stage: 'backend' | 'answer'): void;
}

export interface AnswerJob<R> {
  /**
   * The answer as the page shows it now: a pending one (`pendingAnswer`) is written anew; one that
   * ended early (stopped, cut) is continued in place.
   */
  answer: AssistantAnswer;
  /** Close the thinking at once: Answer now on an answer that was stopped or cut while thinking. */
  answerAtOnce?: boolean;
  /** Reasoning tokens after which the answer is asked for; null = unlimited. */
  thinkingBudget: number | null;
  /** The request, once the backend is known (its context decides how much history fits). */
  request(backend: R): ChatRequest;
  sink: AnswerSink<R>;
}

/** One answer being written: its state, its controls, and what the page was last told. */
class ActiveAnswer<R> {
  readonly stop = new AbortController();
  readonly answerNow = new AbortController();
  readonly deltas = new AnswerDeltas();
  answer: AssistantAnswer;
  /** Set by `AnswerSession.run` as soon as the writing starts. */
  done!: Promise<AssistantAnswer>;

  constructor(
    readonly job: AnswerJob<R>,
    private readonly clock: Clock,
  ) {
    // The page has the job's answer; a continued one streams again, and how it ended no longer holds.
    this.deltas.sent(job.answer);
    this.answer = this.continues ? { ...job.answer, status: 'streaming', finishReason: undefined, error: undefined, endedAt: undefined } : job.answer;
    if (job.answerAtOnce) this.answerNow.abort();
  }

  get continues(): boolean {
    return this.job.answer.status !== 'streaming';
  }

  change(answer: AssistantAnswer): void {
    this.answer = answer;
    this.job.sink.changed(answer);
  }

  /** Relays what changed since the last delta, if anything did. */
  flush(): void {
    const delta = this.deltas.take(this.answer);
    if (delta) this.job.sink.delta(delta);
  }

  end(fields: Partial<AssistantAnswer>): AssistantAnswer {
    this.change({ ...this.answer, ...fields, endedAt: this.clock.now() });
    this.flush();
    return this.answer;
  }
}

export class AnswerSession<R extends ResolvedAnswerBackend> {
  private active: ActiveAnswer<R> | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: AnswerSessionOptions<R>) {
    this.clock = options.clock ?? systemClock;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** The answer being written, as it stands. */
  get current(): AssistantAnswer | undefined {
    return this.active?.answer;
  }

  /** Resolves when no answer is being written. */
  async whenIdle(): Promise<void> {
    while (this.active) await this.active.done;
  }

  stop(): void {
    this.active?.stop.abort();
  }

  /** The page was just sent the answer being written in full (a snapshot): later deltas start from there. */
  resync(): void {
    const active = this.active;
    if (active) active.deltas.sent(active.answer);
  }

  /** Answer now on the answer being written; false when it does not apply (see `canAnswerNow`). */
  answerNow(): boolean {
    const active = this.active;
    if (!active || !canAnswerNow(active.answer)) return false;
    active.answerNow.abort();
    return true;
  }

  /** Writes the job's answer; resolves with it as it ended. Never rejects for backend failures. */
  run(job: AnswerJob<R>): Promise<AssistantAnswer> {
    if (this.active) throw new Error('An answer is already being written; stop it first.');
    const active = new ActiveAnswer(job, this.clock);
    this.active = active;
    active.done = this.write(active).finally(() => {
      if (this.active === active) this.active = undefined;
    });
    return active.done;
  }

  private async write(active: ActiveAnswer<R>): Promise<AssistantAnswer> {
    active.change(active.answer);
    active.flush();
    const ready = await this.prepare(active);
    return ready ? this.stream(active, ready.backend, ready.request) : active.answer;
  }

  /** The backend and the request, or undefined when the answer already ended (stopped, failed). */
  private async prepare(active: ActiveAnswer<R>): Promise<{ backend: R; request: ChatRequest } | undefined> {
    const { sink } = active.job;
    let backend: R;
    try {
      backend = await this.options.resolve((text) => sink.progress(text));
    } catch (error) {
      const stoppedByUser = active.stop.signal.aborted;
      const calledOff = stoppedByUser || (this.options.isCancellation?.(error) ?? false);
      active.end({ status: calledOff ? 'stopped' : 'error', finishReason: calledOff ? 'cancelled' : undefined, error: stoppedByUser ? undefined : firstLine(error) });
      if (!stoppedByUser) sink.failed(error, 'backend');
      return undefined;
    }
    sink.resolved(backend);
    if (active.stop.signal.aborted) {
      active.end({ status: 'stopped', finishReason: 'cancelled' });
      return undefined;
    }
    try {
      return { backend, request: active.job.request(backend) };
    } catch (error) {
      active.end({ status: 'error', error: firstLine(error) });
      sink.failed(error, 'answer');
      return undefined;
    }
  }

  private async stream(active: ActiveAnswer<R>, backend: R, request: ChatRequest): Promise<AssistantAnswer> {
    const { job } = active;
    let failure: unknown;
    const options: TurnOptions = {
      thinkingBudget: job.thinkingBudget,
      signal: active.stop.signal,
      answerNow: active.answerNow.signal,
      now: () => this.clock.now(),
      startedAt: job.answer.startedAt,
      onError: (error) => (failure = error),
    };
    const onUpdate = (answer: AssistantAnswer) => {
      const forcedNow = answer.forcedAnswer !== active.answer.forcedAnswer;
      active.change(answer);
      // Answer now shows at once (the page says the answer was asked for).
      if (forcedNow) active.flush();
    };
    const stopTicking = this.clock.every(FLUSH_INTERVAL_MS, () => active.flush());
    try {
      const answer = active.continues
        ? await continueTurn(backend.backend, request, job.answer, options, onUpdate)
        : await runTurn(backend.backend, request, options, onUpdate);
      active.change(answer);
    } finally {
      stopTicking();
      active.flush();
    }
    if (active.answer.status === 'error') job.sink.failed(failure ?? new Error(active.answer.error), 'answer');
    return active.answer;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
