/**
 * What `qed deep-prove` tells its user, as pure functions of the run view: a line on stderr as
 * each call starts and finishes, the end of the run in words, the --json object, the exit code.
 * Progress lines come from differences between views, not from the journal entries themselves,
 * so they hold whatever order the run's concurrent appends resolve in.
 */
import type { EndReason } from '../core/deepProve/journal';
import type { RunEstimate } from '../core/deepProve/runEstimate';
import type { LiveCall } from '../core/deepProve/liveCall';
import { parseKey, type CandidateView, type RunView } from '../core/deepProve/runView';

/** Stopped by the user (Ctrl-C): 128 + SIGINT, as shells report it; the journal can be resumed. */
export const EXIT_STOPPED = 130;
/** Ended without a finished answer: the budget or time ran out, or no candidate had a proof. */
export const EXIT_INCOMPLETE = 3;

export function exitCode(view: RunView): number {
  switch (view.end?.reason) {
    case 'complete':
    case 'solved':
      return view.best ? 0 : EXIT_INCOMPLETE;
    case 'budget':
    case 'time':
      return EXIT_INCOMPLETE;
    case 'user':
      return EXIT_STOPPED;
    default:
      return 1;
  }
}

/** The --json object: the best proof, every candidate with its scores, the totals and the end. */
export function runSummary(view: RunView, journal: string) {
  const best = view.best && view.candidates.find((candidate) => candidate.id === view.best!.id);
  return {
    runId: view.run.runId,
    title: view.run.title,
    statement: view.run.statement,
    source: view.run.source ?? null,
    end: view.end?.reason ?? null,
    ...(view.end?.error !== undefined && { error: view.end.error }),
    best: best ? { id: best.id, proof: best.proof, mean: view.best!.mean } : null,
    candidates: view.candidates.map((candidate) => ({
      id: candidate.id,
      parent: candidate.parent,
      round: candidate.round,
      phase: candidate.phase,
      proof: candidate.proof,
      ...(candidate.proofNote !== undefined && { proofNote: candidate.proofNote }),
      attempts: candidate.attempts.filter((a) => a.status === 'done').map((a) => ({ index: a.index, tokens: a.tokens, finishReason: a.finishReason ?? null, summarised: a.summary?.status === 'done' })),
      // An unreadable verification keeps score null and says why: it is not a 0 the verifier gave.
      verifications: candidate.verifications.filter((v) => v.status === 'done').map((v) => ({ index: v.index, score: v.score, notes: v.notes, tokens: v.tokens })),
      mean: candidate.mean,
    })),
    calls: view.calls,
    tokens: view.tokens,
    tokenBudget: view.tokenBudget,
    timeLimitMs: view.timeLimitMs,
    activeMs: view.activeMs,
    config: view.run.config,
    seed: view.run.seed,
    journal,
  };
}

/**
 * The progress lines of a run: `update` returns the lines for what changed since the last call.
 * Given the view a session resumes, what it had finished is not told again; the calls it left
 * running are, when they start over.
 */
export class RunProgress {
  private readonly reported = new Set<string>();

  constructor(resumed?: RunView) {
    const before = resumed ? events(resumed) : [];
    const ids = new Set(before.map((event) => event.id));
    for (const event of before) if (event.done || event.id.endsWith(':made') || ids.has(`${event.id}:done`)) this.reported.add(event.id);
  }

  update(view: RunView, estimate: RunEstimate): string[] {
    const lines: string[] = [];
    for (const event of events(view)) {
      if (this.reported.has(event.id)) continue;
      this.reported.add(event.id);
      lines.push(`qed: ${event.text}${event.done ? ` · ${totals(view, estimate)}` : ''}`);
    }
    return lines;
  }
}

interface ProgressEvent {
  id: string;
  text: string;
  /** A finished call: its line carries the run's totals. */
  done: boolean;
}

function events(view: RunView): ProgressEvent[] {
  const { verifications } = view.run.config;
  const list: ProgressEvent[] = [];
  for (const candidate of view.candidates) {
    const { id } = candidate;
    if (candidate.parent !== null) {
      list.push({ id: `${id}:made`, text: `${id} (round ${candidate.round}) refines ${candidate.parent}, shown its verification${candidate.fromVerifications.length === 1 ? '' : 's'} ${candidate.fromVerifications.join(', ')}`, done: false });
    }
    for (const attempt of candidate.attempts) {
      list.push({ id: `${id}/a${attempt.index}`, text: `${id} attempt ${attempt.index} started`, done: false });
      if (attempt.status === 'done') list.push({ id: `${id}/a${attempt.index}:done`, text: `${id} attempt ${attempt.index}: ${attemptOutcome(candidate, attempt.index)} (${tokens(attempt.tokens)})`, done: true });
      if (attempt.summary) {
        list.push({ id: `${id}/s${attempt.index}`, text: `${id} summary ${attempt.index} started`, done: false });
        if (attempt.summary.status === 'done') list.push({ id: `${id}/s${attempt.index}:done`, text: `${id} summary ${attempt.index}: ${attempt.summary.text.length.toLocaleString('en-US')} characters (${tokens(attempt.summary.tokens)})`, done: true });
      }
    }
    for (const verification of candidate.verifications) {
      const name = `${id} verification ${verification.index}/${verifications}`;
      list.push({ id: `${id}/v${verification.index}`, text: `${name} started`, done: false });
      if (verification.status !== 'done') continue;
      const score = verification.score === null ? `score unreadable${verification.notes.length ? ` (${verification.notes.join('; ')})` : ''}` : `score ${verification.score}`;
      // The last verification in gives the candidate's mean.
      const last = candidate.mean !== null && verification === candidate.verifications.filter((v) => v.status === 'done').at(-1);
      list.push({ id: `${id}/v${verification.index}:done`, text: `${name}: ${score} (${tokens(verification.tokens)})${last ? ` · ${id} mean ${formatMean(candidate.mean!)}` : ''}`, done: true });
    }
  }
  return list;
}

function attemptOutcome(candidate: CandidateView, index: number): string {
  const attempt = candidate.attempts.find((a) => a.index === index)!;
  const isLast = candidate.attempts.every((a) => a.index <= index);
  const cut = attempt.finishReason === 'length' ? ', cut off by the token limit' : '';
  if (!isLast || candidate.proof === null) return `thinking only, no answer${cut}: summarising it for the next attempt`;
  if (candidate.proof === '') return `no proof${cut}${candidate.proofNote ? ` (${candidate.proofNote})` : ''}`;
  return `a proof of ${candidate.proof.length.toLocaleString('en-US')} characters${cut}`;
}

function totals(view: RunView, estimate: RunEstimate): string {
  const best = view.best ? `pool best ${view.best.id} ${formatMean(view.best.mean)}` : 'no best yet';
  return `${best} · ${estimate.tokens.toLocaleString('en-US')} / ${estimate.tokenBudget.toLocaleString('en-US')} tokens · ${duration(estimate.elapsedMs)}`;
}

/** While calls stream and nothing else happens: which are running, and how far each has got. */
export function liveLine(view: RunView, calls: readonly LiveCall[], estimate: RunEstimate): string {
  const names: Record<LiveCall['kind'], string> = { attempt: 'attempt', summary: 'summary', verify: 'verification' };
  const running = calls.map((call) => {
    const key = parseKey(call.key);
    const name = key ? `${key.candidate} ${names[call.kind]} ${key.index}` : call.key;
    return `${name} (${tokens(call.reasoningTokens + call.contentTokens)})`;
  });
  return `qed: running ${running.length ? running.join(', ') : 'nothing yet'} · ${totals(view, estimate)}`;
}

/** What ended the run, in one line (without how to resume: the command knows its flags). */
export function endLine(view: RunView): string {
  const calls = `${view.calls.toLocaleString('en-US')} call${view.calls === 1 ? '' : 's'}, ${tokens(view.tokens)}, ${duration(view.activeMs)}`;
  const finished = view.end?.reason === 'complete' || view.end?.reason === 'solved';
  const best = view.best ? `best ${view.best.id}, mean ${formatMean(view.best.mean)}` : finished ? 'no candidate has a proof' : 'no candidate is verified yet';
  const why: Record<EndReason, string> = {
    complete: 'the search is complete',
    solved: `solved: every verification of ${view.best?.id ?? 'a candidate'} gave 1`,
    budget: `stopped: the token budget (${view.tokenBudget.toLocaleString('en-US')}) is spent`,
    time: `stopped: the time limit (${duration(view.timeLimitMs ?? 0)}) is reached`,
    user: 'stopped',
    error: `the run failed: ${view.end?.error ?? 'unknown error'}`,
  };
  return `qed: ${why[view.end?.reason ?? 'error']} (${calls}); ${best}.`;
}

export function formatMean(mean: number): string {
  return String(Math.round(mean * 1000) / 1000);
}

function tokens(count: number): string {
  return `${count.toLocaleString('en-US')} token${count === 1 ? '' : 's'}`;
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
