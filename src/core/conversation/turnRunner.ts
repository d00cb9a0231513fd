/**
 * Runs one assistant answer against a ChatBackend: streams it into an AssistantAnswer, and when
 * the thinking must end (its budget is spent, or the user asks for the answer now) closes it for
 * the model and asks for the answer in a continuation request, appended to the same answer.
 *
 * The continuation is a request with a prefill (the thinking so far plus `</think>`), which works
 * the same against the local engine and any endpoint; the engine's server continues it as it
 * would have continued its own `</think>`.
 */
import type { AssistantPrefill, ChatBackend, ChatRequest, ChatStreamEvent, FinishReason, Usage } from '../chat';
import { streamedTokens } from './tokenEstimate';
import type { AssistantAnswer } from '../answer/answer';

export interface TurnOptions {
  /** Reasoning tokens (estimated while streaming) after which the answer is forced; null = unlimited. */
  thinkingBudget: number | null;
  /** Stop: the answer ends where it is, marked 'stopped'. */
  signal: AbortSignal;
  /** Answer now: aborting it closes the thinking and asks for the answer. No effect once answering. */
  answerNow?: AbortSignal;
  /** The clock for the answer's timestamps. */
  now?: () => number;
  /** When a new answer was asked for, if before this call (the backend had to be prepared first). */
  startedAt?: number;
  /** Hears what the backend threw when the answer ends in 'error' (to offer the fix that goes with it). */
  onError?: (error: unknown) => void;
}

export type AnswerListener = (answer: AssistantAnswer) => void;

/** Streams a new answer to `request`. Never throws for backend failures: they end in status 'error'. */
export function runTurn(backend: ChatBackend, request: ChatRequest, options: TurnOptions, onUpdate: AnswerListener): Promise<AssistantAnswer> {
  const now = options.now ?? Date.now;
  const answer: AssistantAnswer = { reasoning: '', content: '', status: 'streaming', startedAt: options.startedAt ?? now(), reasoningTokens: 0, contentTokens: 0 };
  return new TurnDriver(backend, request, options, onUpdate, answer).run(undefined);
}

/**
 * Continues an answer that ended early (cut by max tokens, stopped, or failed) seamlessly: the
 * model picks up mid-thought or mid-sentence, and the new text is appended to the same answer.
 * `request` is the turn's request again; its maxTokens is the continuation's allowance.
 */
export function continueTurn(
  backend: ChatBackend,
  request: ChatRequest,
  previous: AssistantAnswer,
  options: TurnOptions,
  onUpdate: AnswerListener,
): Promise<AssistantAnswer> {
  if (previous.status === 'streaming' || previous.status === 'done') {
    throw new Error(`Only an answer that ended early can be continued (this one is ${previous.status}).`);
  }
  const answer: AssistantAnswer = { ...resumed(previous, (options.now ?? Date.now)()), status: 'streaming', finishReason: undefined, error: undefined, endedAt: undefined };
  return new TurnDriver(backend, request, options, onUpdate, answer).run(prefillOf(answer));
}

/** The time since the answer ended counts as a pause: its times and speeds leave it out. */
function resumed(previous: AssistantAnswer, now: number): AssistantAnswer {
  const pause = previous.endedAt === undefined ? 0 : Math.max(0, now - previous.endedAt);
  return {
    ...previous,
    pausedMs: (previous.pausedMs ?? 0) + pause,
    thinkingPausedMs: (previous.thinkingPausedMs ?? 0) + (previous.content === '' ? pause : 0),
  };
}

/** The answer so far as a prefill; its thinking is closed once the answer began or was forced. */
function prefillOf(answer: AssistantAnswer): AssistantPrefill {
  return { reasoning: answer.reasoning, content: answer.content, thinkingClosed: answer.content !== '' || answer.forcedAnswer !== undefined };
}

type SegmentEnd =
  | { kind: 'finished'; finishReason: FinishReason }
  | { kind: 'forced'; why: 'budget' | 'answer-now' }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string };

class TurnDriver {
  private readonly now: () => number;
  /** Tokens when the run began: a forced answer gets what is left of this run's allowance. */
  private readonly tokensAtStart: number;

  constructor(
    private readonly backend: ChatBackend,
    private readonly request: ChatRequest,
    private readonly options: TurnOptions,
    private readonly onUpdate: AnswerListener,
    private readonly answer: AssistantAnswer,
  ) {
    this.now = options.now ?? Date.now;
    this.tokensAtStart = answer.reasoningTokens + answer.contentTokens;
  }

  async run(firstPrefill: AssistantPrefill | undefined): Promise<AssistantAnswer> {
    let prefill = firstPrefill;
    for (;;) {
      const end = await this.segment(prefill);
      if (end.kind !== 'forced') {
        this.finish(end);
        return { ...this.answer };
      }
      // The model may have closed its thinking by itself just as it was forced; then it is not forced.
      if (this.answer.content === '') this.answer.forcedAnswer ??= end.why;
      this.onUpdate({ ...this.answer });
      prefill = { reasoning: this.answer.reasoning, content: this.answer.content, thinkingClosed: true };
    }
  }

  /** One request: streams until it finishes, fails, is stopped, or the answer has to be forced. */
  private async segment(prefill: AssistantPrefill | undefined): Promise<SegmentEnd> {
    const thinkingClosed = prefill?.thinkingClosed ?? false;
    const { signal, answerNow } = this.options;
    if (signal.aborted) return { kind: 'stopped' };
    if (!thinkingClosed && answerNow?.aborted) return { kind: 'forced', why: 'answer-now' };
    if (!thinkingClosed && this.budgetSpent()) return { kind: 'forced', why: 'budget' };

    const abort = new AbortController();
    let forced: 'budget' | 'answer-now' | undefined;
    const force = (why: 'budget' | 'answer-now') => {
      if (this.answer.content !== '' || abort.signal.aborted) return;
      forced = why;
      abort.abort();
    };
    const onStop = () => abort.abort();
    const onAnswerNow = () => force('answer-now');
    signal.addEventListener('abort', onStop);
    if (!thinkingClosed) answerNow?.addEventListener('abort', onAnswerNow);

    const counted = { reasoning: 0, content: 0 };
    try {
      // After an abort the backend still delivers what it held back, then `done: cancelled`.
      for await (const event of this.backend.stream(this.requestFor(prefill), abort.signal)) {
        if (event.type === 'done') {
          if (forced) return { kind: 'forced', why: forced };
          if (abort.signal.aborted || event.finishReason === 'cancelled') return { kind: 'stopped' };
          if (event.usage) this.addUsage(event.usage, counted);
          return { kind: 'finished', finishReason: event.finishReason };
        }
        this.append(event, counted);
        if (!thinkingClosed && this.budgetSpent()) force('budget');
      }
      if (forced) return { kind: 'forced', why: forced };
      if (abort.signal.aborted) return { kind: 'stopped' };
      return { kind: 'failed', message: 'The answer stream ended without a finish reason.' };
    } catch (error) {
      // Whatever a backend throws once we aborted it is the abort, not a failure.
      if (forced) return { kind: 'forced', why: forced };
      if (abort.signal.aborted) return { kind: 'stopped' };
      this.options.onError?.(error);
      return { kind: 'failed', message: oneLine(error) };
    } finally {
      signal.removeEventListener('abort', onStop);
      answerNow?.removeEventListener('abort', onAnswerNow);
    }
  }

  private requestFor(prefill: AssistantPrefill | undefined): ChatRequest {
    if (!prefill) return { ...this.request, prefill: undefined };
    // The prompt grows by what was generated, so the allowance shrinks by as much: prompt plus
    // allowance stays what the first request was sized for. The run's first request keeps its own.
    // Without a limit the backend's own room (context left) is the limit, and it shrinks by itself.
    const allowance = this.request.maxTokens;
    if (allowance === undefined) return { ...this.request, prefill };
    const used = this.answer.reasoningTokens + this.answer.contentTokens - this.tokensAtStart;
    return { ...this.request, prefill, maxTokens: used > 0 ? Math.max(1, allowance - used) : allowance };
  }

  private append(event: Exclude<ChatStreamEvent, { type: 'done' }>, counted: { reasoning: number; content: number }): void {
    const at = this.now();
    const tokens = streamedTokens(event.text);
    this.answer.firstTokenAt ??= at;
    if (event.type === 'reasoning') {
      this.answer.reasoning += event.text;
      this.answer.reasoningTokens += tokens;
      counted.reasoning += tokens;
    } else {
      this.answer.answerStartedAt ??= at;
      this.answer.content += event.text;
      this.answer.contentTokens += tokens;
      counted.content += tokens;
    }
    this.onUpdate({ ...this.answer });
  }

  private budgetSpent(): boolean {
    const budget = this.options.thinkingBudget;
    return budget !== null && this.answer.reasoningTokens >= budget;
  }

  /** The server's count replaces this request's estimate, shared out in the estimate's proportions. */
  private addUsage(usage: Usage, counted: { reasoning: number; content: number }): void {
    const estimated = counted.reasoning + counted.content;
    const reasoning = estimated === 0 ? 0 : Math.round((usage.completionTokens * counted.reasoning) / estimated);
    this.answer.reasoningTokens += reasoning - counted.reasoning;
    this.answer.contentTokens += usage.completionTokens - reasoning - counted.content;
    const before = this.answer.usage ?? { promptTokens: 0, completionTokens: 0 };
    this.answer.usage = { promptTokens: before.promptTokens + usage.promptTokens, completionTokens: before.completionTokens + usage.completionTokens };
  }

  private finish(end: Exclude<SegmentEnd, { kind: 'forced' }>): void {
    const answer = this.answer;
    if (end.kind === 'finished') {
      answer.finishReason = end.finishReason;
      answer.status = end.finishReason === 'length' ? 'length' : 'done';
    } else if (end.kind === 'stopped') {
      answer.finishReason = 'cancelled';
      answer.status = 'stopped';
    } else {
      answer.status = 'error';
      answer.error = end.message;
    }
    answer.endedAt = this.now();
    this.onUpdate({ ...answer });
  }
}

/** BackendError messages are already one line; anything else is cut to its first line. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim() || 'The backend failed without a message.';
}
