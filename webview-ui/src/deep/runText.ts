/**
 * The words and numbers the Deep Prove panel shows about a run as a whole: its status, what it
 * offers (Stop, Resume), the header's counters and the best proof's placeholder. Pure (no DOM),
 * so the wording lives in one place and is unit-tested.
 */
import type { LiveCall } from '../../../src/core/deepProve/liveCall';
import { runEstimate } from '../../../src/core/deepProve/runEstimate';
import type { CandidateView, RunView } from '../../../src/core/deepProve/runView';

export type Tone = 'progress' | 'success' | 'warning' | 'error' | 'neutral';

export interface RunStatus {
  /** One line, announced to screen readers when it changes. */
  text: string;
  tone: Tone;
  canStop: boolean;
  /** A run that ended early (by the user, a limit or an error) or was interrupted goes on from its journal. */
  canResume: boolean;
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** Means of 4 verifications are multiples of 1/8: three decimals say them exactly. */
const meanFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

export function formatCount(count: number): string {
  return integer.format(count);
}

export function tokensText(count: number): string {
  return `${integer.format(count)} ${count === 1 ? 'token' : 'tokens'}`;
}

/** For counters in tight places (a score chip): 850, 3.2k, 12k. */
export function compactTokens(count: number): string {
  if (count < 1000) return integer.format(count);
  if (count < 10_000) return `${oneDecimal.format(count / 1000)}k`;
  return `${integer.format(Math.round(count / 1000))}k`;
}

export function formatMean(mean: number): string {
  return meanFormat.format(mean);
}

/** "45 s", "12 min 05 s", "1 h 02 min": a run takes minutes to hours, seconds matter only early. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function runStatus(view: RunView): RunStatus {
  const ended = (text: string, tone: Tone, canResume: boolean): RunStatus => ({ text, tone, canStop: false, canResume });
  switch (view.status) {
    case 'new':
      return ended('Not started yet', 'neutral', false);
    case 'running':
      return { text: `Running · up to ${view.concurrency} ${view.concurrency === 1 ? 'call' : 'calls'} at a time`, tone: 'progress', canStop: true, canResume: false };
    case 'interrupted':
      return ended('Interrupted: the window or the process went away before the run ended. Resume goes on from what finished.', 'warning', true);
    case 'ended':
      break;
  }
  const end = view.end;
  switch (end?.reason) {
    case 'user':
      return ended('Stopped by you', 'neutral', true);
    case 'budget':
      return ended(`Stopped: the token budget (${tokensText(view.tokenBudget)}) is spent`, 'warning', true);
    case 'time':
      return ended(`Stopped: the time limit (${duration(view.timeLimitMs ?? 0)}) was reached`, 'warning', true);
    case 'solved':
      return ended('Solved: a candidate scored 1 in every verification', 'success', false);
    case 'complete':
      return ended('Complete: every round ran', 'success', false);
    case 'error':
      return ended(`Failed: ${end.error || 'the run ended with an error'}`, 'error', true);
    case undefined:
      return ended('Ended', 'neutral', false);
  }
}

export interface HeaderNumbers {
  tokens: number;
  budget: number;
  /** "312,400 / 1,000,000 tokens" */
  tokensText: string;
  /** "41.2 tok/s", while running with a speed. */
  speed?: string;
  /** "12 min 05 s elapsed" */
  elapsed: string;
  /** "up to 38 min left": the estimate is an upper bound (no early stop counted). */
  left?: string;
  /** "23 calls done" */
  calls: string;
}

export function headerNumbers(view: RunView, live: readonly LiveCall[], now: number): HeaderNumbers {
  const running = view.status === 'running';
  const estimate = runEstimate(view, running ? live : [], now);
  const numbers: HeaderNumbers = {
    tokens: estimate.tokens,
    budget: estimate.tokenBudget,
    tokensText: `${formatCount(estimate.tokens)} / ${tokensText(estimate.tokenBudget)}`,
    elapsed: `${duration(estimate.elapsedMs)} elapsed`,
    calls: `${formatCount(view.calls)} ${view.calls === 1 ? 'call' : 'calls'} done`,
  };
  if (!running) return numbers;
  if (estimate.tokensPerSecond !== null) numbers.speed = `${oneDecimal.format(estimate.tokensPerSecond)} tok/s`;
  // The run stops at its time limit whatever the estimate says.
  const timeLeft = view.timeLimitMs === null ? null : Math.max(0, view.timeLimitMs - estimate.elapsedMs);
  const left = estimate.remainingMs === null ? timeLeft : timeLeft === null ? estimate.remainingMs : Math.min(timeLeft, estimate.remainingMs);
  numbers.left = left === null ? 'estimating the time left…' : `up to ${roughDuration(left)} left`;
  return numbers;
}

/** An estimate's precision: minutes (seconds would pretend to know more than an upper bound does). */
export function roughDuration(ms: number): string {
  const minutes = Math.round(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** What the best proof's place says before any candidate is fully verified. */
export function bestPlaceholder(view: RunView): string {
  const count = (phase: CandidateView['phase']) => view.candidates.filter((candidate) => candidate.phase === phase).length;
  const verifications = view.run.config.verifications;
  if (view.status !== 'running') {
    if (view.status === 'new') return 'No proof yet: the run has not started.';
    if (view.candidates.length === 0) return 'No proof yet: the run stopped before any candidate was made.';
    return `No proof was fully verified before the run ${view.status === 'interrupted' ? 'was interrupted' : 'ended'}.`;
  }
  if (view.candidates.length === 0) return 'No proof yet: the first candidates are being started.';
  const parts = [
    plural(count('generating'), 'candidate is being written', 'candidates are being written'),
    plural(count('summarising'), 'is being summarised to start again', 'are being summarised to start again'),
    plural(count('verifying'), 'is being verified', 'are being verified'),
    plural(count('no-proof'), 'gave no proof', 'gave no proof'),
  ].filter(Boolean);
  return `No proof is fully verified yet (a proof counts once all ${verifications} of its verifications are in). ${capitalise(parts.join('; '))}.`;
}

function plural(count: number, one: string, many: string): string {
  if (count === 0) return '';
  return `${count} ${count === 1 ? one : many}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function roundLabel(round: number): string {
  return round === 0 ? 'Pool' : `Refinement ${round}`;
}
