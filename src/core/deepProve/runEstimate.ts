/**
 * The numbers a run view shows beside the pool: time spent, tokens against the budget, the
 * aggregate speed, and what is left. "Left" is an upper bound: it counts every call the search
 * may still make (no early stop), at the average size of the calls made so far.
 */
import type { DeepProveConfig } from './config';
import type { LiveCall } from './liveCall';
import type { RunView } from './runView';

export interface RunEstimate {
  /** Running time over all sessions. */
  elapsedMs: number;
  /** Generated tokens: finished calls plus those streaming. */
  tokens: number;
  tokenBudget: number;
  /** Generated tokens per second over this session (all calls together); null before any. */
  tokensPerSecond: number | null;
  /** Calls the search may still make (summaries not counted). */
  callsLeft: number;
  /** At this speed, within the budget; null until there is a speed. */
  remainingMs: number | null;
}

/** Sizes assumed before any call of a kind has finished: a typical proof attempt and verification. */
const TYPICAL_TOKENS = { attempt: 20_000, verify: 10_000 };

export function runEstimate(view: RunView, live: readonly LiveCall[], now: number): RunEstimate {
  const liveTokens = live.reduce((sum, call) => sum + call.reasoningTokens + call.contentTokens, 0);
  const tokens = view.tokens + liveTokens;
  const session = view.status === 'running' && view.sessionStartedAt !== undefined ? Math.max(0, now - view.sessionStartedAt) : 0;
  // An interrupted session is not in activeMs yet (no end entry): it ran until its last entry.
  const interrupted = view.status === 'interrupted' && view.sessionStartedAt !== undefined ? Math.max(0, view.lastAt - view.sessionStartedAt) : 0;
  const elapsedMs = view.activeMs + session + interrupted;
  const sessionTokens = liveTokens + tokensSince(view, view.sessionStartedAt);
  const tokensPerSecond = session >= 1000 && sessionTokens > 0 ? sessionTokens / (session / 1000) : null;
  const left = callsLeft(view, view.run.config);
  const average = averageTokens(view);
  const tokensLeft = Math.max(0, Math.min(view.tokenBudget - tokens, left.attempts * average.attempt + left.verifications * average.verify - liveTokens));
  return {
    elapsedMs,
    tokens,
    tokenBudget: view.tokenBudget,
    tokensPerSecond,
    callsLeft: left.attempts + left.verifications,
    remainingMs: tokensPerSecond === null ? null : (tokensLeft / tokensPerSecond) * 1000,
  };
}

/** Tokens of the calls that finished in the session that started at `since`. */
function tokensSince(view: RunView, since: number | undefined): number {
  if (since === undefined) return 0;
  let tokens = 0;
  for (const candidate of view.candidates) {
    for (const attempt of candidate.attempts) {
      if (attempt.status === 'done' && (attempt.endedAt ?? 0) >= since) tokens += attempt.tokens;
      if (attempt.summary?.status === 'done' && (attempt.summary.endedAt ?? 0) >= since) tokens += attempt.summary.tokens;
    }
    for (const verification of candidate.verifications) if (verification.status === 'done' && (verification.endedAt ?? 0) >= since) tokens += verification.tokens;
  }
  return tokens;
}

function callsLeft(view: RunView, config: DeepProveConfig): { attempts: number; verifications: number } {
  if (view.end?.reason === 'complete' || view.end?.reason === 'solved') return { attempts: 0, verifications: 0 };
  let attempts = 0;
  let verifications = 0;
  for (const candidate of view.candidates) {
    if (candidate.proof === null) attempts++;
    if (candidate.proof !== '') verifications += config.verifications - candidate.verifications.filter((v) => v.status === 'done').length;
  }
  const rounds = view.candidates.reduce((last, candidate) => Math.max(last, candidate.round), -1);
  const missingFirst = Math.max(0, config.poolSize - view.candidates.filter((candidate) => candidate.round === 0).length);
  const futureCandidates = missingFirst + Math.max(0, config.rounds - Math.max(0, rounds)) * config.poolSize;
  return { attempts: attempts + futureCandidates, verifications: verifications + futureCandidates * config.verifications };
}

function averageTokens(view: RunView): { attempt: number; verify: number } {
  const attempts = view.candidates.flatMap((candidate) => candidate.attempts.filter((a) => a.status === 'done').map((a) => a.tokens));
  const verifications = view.candidates.flatMap((candidate) => candidate.verifications.filter((v) => v.status === 'done').map((v) => v.tokens));
  const mean = (values: number[], fallback: number) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : fallback);
  return { attempt: mean(attempts, TYPICAL_TOKENS.attempt), verify: mean(verifications, TYPICAL_TOKENS.verify) };
}
