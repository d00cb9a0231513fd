/**
 * Runs a Deep Prove search (generate → verify → refine, with the reasoning cache) from its
 * journal: a new run, or one resumed after a Stop, a reload or a crash. Every model call has a
 * key (`c3/a1`: candidate 3's first attempt; `c3/s1`: its summary; `c3/v2`: its second
 * verification) and a seed derived from the run's seed and the key. A call whose result is in
 * the journal is not made again, and the choices between rounds are made only once all their
 * calls are in, so a resumed run ends with the same pool as one never interrupted.
 */
import { setMaxListeners } from 'node:events';
import { runTurn } from '../conversation/turnRunner';
import type { AssistantAnswer } from '../answer/answer';
import type { ChatBackend, ChatMessage } from '../chat';
import type { CallSlots } from './callSlots';
import type { DeepProveConfig } from './config';
import type { LiveCall } from './liveCall';
import { type CallKind, type EndReason, type JournalEntry, type ResultEntry, type RunJournal, resultsOf, runOf } from './journal';
import { lowestVerifications, solved, toRefine } from './pool';
import { summaryLimits } from './reasoningCache';
import { refinementMessages, solverMessages, summaryMessages, verifierMessages, type DeepProblem } from './prompts';
import { applyEntry, attemptOutcome, callKey, candidateOf, foldJournal, type CandidateView, type RunView } from './runView';

export type { LiveCall } from './liveCall';

export interface DeepProveDeps {
  backend: ChatBackend;
  journal: RunJournal;
  /** How many calls run at once; shared with nothing else of this run. */
  slots: CallSlots;
  now?: () => number;
  /** This session's limits, if not the run's own (Resume with a larger budget). */
  tokenBudget?: number;
  timeLimitMs?: number | null;
}

export interface DeepProveListener {
  /** After every journal entry: the view changed. */
  changed?(view: RunView): void;
  /** While calls stream (often: throttle what you draw). */
  live?(calls: readonly LiveCall[]): void;
}

class RunStopped extends Error {}

export class DeepProveRun {
  readonly view: RunView;
  private readonly problem: DeepProblem;
  private readonly config: DeepProveConfig;
  private readonly results: Map<string, ResultEntry>;
  private readonly live = new Map<string, LiveCall>();
  private readonly now: () => number;
  private readonly abort = new AbortController();
  private stopReason: { reason: EndReason; error?: string } | undefined;
  private running: Promise<RunView> | undefined;

  constructor(
    private readonly deps: DeepProveDeps,
    private readonly listener: DeepProveListener = {},
  ) {
    const run = runOf(deps.journal.entries);
    this.view = foldJournal(deps.journal.entries);
    this.problem = { statement: run.statement, contextText: run.contextText };
    this.config = run.config;
    this.results = resultsOf(deps.journal.entries);
    this.now = deps.now ?? Date.now;
    // Every waiting and streaming call listens to it: dozens, by design.
    setMaxListeners(0, this.abort.signal);
  }

  /** Runs (or resumes) the search until it ends or is stopped. Safe to call once per instance. */
  run(): Promise<RunView> {
    this.running ??= this.session();
    return this.running;
  }

  /** Stops the calls in flight; what finished is kept. Resolves when the session has ended. */
  stop(): Promise<RunView> {
    this.halt('user');
    return this.running ?? Promise.resolve(this.view);
  }

  get liveCalls(): readonly LiveCall[] {
    return [...this.live.values()];
  }

  /** Generated tokens so far: finished calls and those streaming now. */
  get tokensUsed(): number {
    let tokens = this.view.tokens;
    for (const call of this.live.values()) tokens += call.reasoningTokens + call.contentTokens;
    return tokens;
  }

  private get tokenBudget(): number {
    return this.deps.tokenBudget ?? this.config.tokenBudget;
  }

  private get timeLimitMs(): number | null {
    return this.deps.timeLimitMs === undefined ? this.config.timeLimitMs : this.deps.timeLimitMs;
  }

  private async session(): Promise<RunView> {
    if (this.view.end?.reason === 'complete' || this.view.end?.reason === 'solved') return this.view;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await this.record({ type: 'start', at: this.now(), concurrency: this.deps.slots.capacity, tokenBudget: this.tokenBudget, timeLimitMs: this.timeLimitMs });
      const limit = this.timeLimitMs;
      if (limit !== null) timer = setTimeout(() => this.halt('time'), Math.max(0, limit - this.view.activeMs));
      const reason = await this.search();
      await this.record({ type: 'end', at: this.now(), reason });
    } catch (error) {
      if (!(error instanceof RunStopped)) this.halt('error', error instanceof Error ? error.message : String(error));
      const { reason, error: message } = this.stopReason!;
      // The journal may be what failed; the view still says how the run ended.
      await this.record({ type: 'end', at: this.now(), reason, ...(message !== undefined && { error: message }) }).catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
    return this.view;
  }

  private halt(reason: EndReason, error?: string): void {
    if (this.stopReason) return;
    this.stopReason = { reason, ...(error !== undefined && { error }) };
    this.abort.abort(new RunStopped(reason));
  }

  private async search(): Promise<EndReason> {
    const { poolSize, rounds, verifications, verificationsPerRefinement } = this.config;
    const first = Array.from({ length: poolSize }, (_, k) => ({ id: `c${k + 1}`, round: 0, parent: null, fromVerifications: [] }));
    await settleAll(first.map((spec) => this.candidate(spec)));
    // Counted, not read from the view: a resumed view already holds the later rounds' candidates.
    let made = poolSize;
    for (let round = 1; round <= rounds; round++) {
      const pool = this.pool(round);
      if (solved(pool, verifications)) return 'solved';
      const parents = toRefine(pool, poolSize, verifications);
      if (parents.length === 0) break;
      const next = parents.map((parent, k) => ({
        id: `c${made + k + 1}`,
        round,
        parent: parent.id,
        fromVerifications: lowestVerifications(parent.verifications, verificationsPerRefinement).map((v) => v.index),
      }));
      made += next.length;
      await settleAll(next.map((spec) => this.candidate(spec)));
    }
    return solved(this.pool(rounds + 1), verifications) ? 'solved' : 'complete';
  }

  /** The candidates made before `round`, as the rules in pool.ts take them. */
  private pool(round: number) {
    return this.view.candidates.filter((candidate) => candidate.round < round).map((candidate) => ({
      id: candidate.id,
      hasProof: candidate.proof !== null && candidate.proof !== '',
      verifications: candidate.verifications.filter((v) => v.status === 'done'),
    }));
  }

  /** One candidate: its attempts (with the reasoning cache), then its verifications. */
  private async candidate(spec: { id: string; round: number; parent: string | null; fromVerifications: number[] }): Promise<void> {
    if (!candidateOf(this.view, spec.id)) await this.record({ type: 'candidate', ...spec, at: this.now() });
    const attemptMessages = this.attemptMessages(spec);
    let summary: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.call(callKey(spec.id, 'attempt', attempt), 'attempt', attemptMessages(summary));
      if (attemptOutcome(answer, attempt, this.config) !== 'summarise') break;
      const summarised = await this.call(callKey(spec.id, 'summary', attempt), 'summary', summaryMessages(this.problem, summary, answer.reasoning));
      // A summariser that wrote nothing leaves the earlier summary, which still holds what it held.
      summary = summarised.content.trim() || summary;
    }
    const proof = candidateOf(this.view, spec.id)!.proof;
    if (!proof) return;
    const messages = verifierMessages(this.problem, proof);
    await settleAll(Array.from({ length: this.config.verifications }, (_, k) => this.call(callKey(spec.id, 'verify', k + 1), 'verify', messages)));
  }

  private attemptMessages(spec: { parent: string | null; fromVerifications: number[] }): (summary?: string) => ChatMessage[] {
    if (spec.parent === null) return (summary) => solverMessages(this.problem, summary);
    const parent: CandidateView = candidateOf(this.view, spec.parent)!;
    const evaluations = spec.fromVerifications.map((index) => parent.verifications.find((v) => v.index === index)!.evaluation);
    return (summary) => refinementMessages(this.problem, parent.proof ?? '', evaluations, summary);
  }

  /** One model call, or its result from the journal. Throws RunStopped once the run stops. */
  private async call(key: string, kind: CallKind, messages: ChatMessage[]): Promise<AssistantAnswer> {
    const recorded = this.results.get(key);
    if (recorded) return recorded.answer;
    this.checkLimits();
    let release: (() => void) | undefined;
    try {
      release = await this.deps.slots.acquire(this.abort.signal);
    } catch {
      throw new RunStopped();
    }
    try {
      this.checkLimits();
      const { sampling, maxTokensPerCall } = this.config;
      const summary = kind === 'summary' ? summaryLimits(maxTokensPerCall) : undefined;
      const maxTokens = summary ? summary.maxTokens : maxTokensPerCall ?? undefined;
      const request = {
        messages,
        temperature: sampling.temperature,
        topP: sampling.topP,
        ...(sampling.topK !== undefined && { topK: sampling.topK }),
        ...(sampling.minP !== undefined && { minP: sampling.minP }),
        ...(maxTokens !== undefined && { maxTokens }),
        seed: callSeed(this.view.run.seed, key),
      };
      const startedAt = this.now();
      await this.record({ type: 'call', key, kind, at: startedAt, request });
      const liveCall: LiveCall = { key, kind, startedAt, reasoningTokens: 0, contentTokens: 0 };
      this.live.set(key, liveCall);
      const thinkingBudget = summary ? summary.thinkingBudget : null;
      let answer: AssistantAnswer;
      try {
        answer = await runTurn(this.deps.backend, request, { thinkingBudget, signal: this.abort.signal, now: this.now }, (partial) => {
          liveCall.reasoningTokens = partial.reasoningTokens;
          liveCall.contentTokens = partial.contentTokens;
          this.listener.live?.(this.liveCalls);
          if (this.tokensUsed >= this.tokenBudget) this.halt('budget');
          this.checkTime();
        });
      } finally {
        this.live.delete(key);
      }
      if (answer.status === 'stopped') throw new RunStopped();
      if (answer.status === 'error') {
        this.halt('error', answer.error);
        throw new RunStopped();
      }
      const result: ResultEntry = { type: 'result', key, at: this.now(), answer };
      this.results.set(key, result);
      await this.record(result);
      if (this.view.tokens >= this.tokenBudget) this.halt('budget');
      return answer;
    } finally {
      release();
    }
  }

  private checkLimits(): void {
    if (this.tokensUsed >= this.tokenBudget) this.halt('budget');
    this.checkTime();
    if (this.stopReason) throw new RunStopped();
  }

  private checkTime(): void {
    const limit = this.timeLimitMs;
    if (limit !== null && this.view.activeMs + (this.now() - (this.view.sessionStartedAt ?? this.now())) >= limit) this.halt('time');
  }

  private async record(entry: JournalEntry): Promise<void> {
    await this.deps.journal.append(entry);
    applyEntry(this.view, entry);
    this.listener.changed?.(this.view);
  }
}

/**
 * Waits for every promise, so no call is left running unobserved, then throws the first failure.
 * A failure stops the run, which makes the others end soon.
 */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** A call's seed: FNV-1a of the run's seed and the call's key, in the engine's 32-bit range. */
export function callSeed(runSeed: number, key: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${runSeed}/${key}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

