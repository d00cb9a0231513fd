/**
 * The rules that pick candidates, written once for the run and its tests: a candidate's score,
 * which candidates a round refines, which verifications a refinement is shown, and the best.
 * Every tie is broken by order (the earlier candidate, the earlier verification), so a run
 * replayed from its journal makes the same choices.
 */
import type { Score } from '../critique/parseCritique';

export interface ScoredVerification {
  /** 1-based, in the order the verifications were asked for. */
  index: number;
  /** null when no score could be read (no `\boxed{}`, the verifier cut off). */
  score: Score | null;
}

export interface PoolCandidate {
  id: string;
  /** Whether there is a proof to verify at all (an attempt can end with thinking only). */
  hasProof: boolean;
  verifications: readonly ScoredVerification[];
}

/**
 * The mean of the verifications' scores, once all `expected` are in. An unreadable score counts
 * 0, as in the method (a verifier that could not finish its judgement did not accept the proof);
 * the view shows it as unreadable, with the verifier's note, never as a plain 0. A candidate
 * without a proof scores 0.
 */
export function meanScore(candidate: PoolCandidate, expected: number): number | null {
  if (!candidate.hasProof) return 0;
  if (candidate.verifications.length < expected) return null;
  return candidate.verifications.reduce((sum, verification) => sum + (verification.score ?? 0), 0) / candidate.verifications.length;
}

/** Candidates with a proof and a mean, best first; among equal means the earlier one first. */
export function ranked<C extends PoolCandidate>(pool: readonly C[], expected: number): C[] {
  return pool
    .map((candidate, order) => ({ candidate, order, mean: meanScore(candidate, expected) }))
    .filter((entry) => entry.candidate.hasProof && entry.mean !== null)
    .sort((a, b) => b.mean! - a.mean! || a.order - b.order)
    .map((entry) => entry.candidate);
}

/** The `count` candidates a round refines: the best of the whole pool so far. */
export function toRefine<C extends PoolCandidate>(pool: readonly C[], count: number, expected: number): C[] {
  return ranked(pool, expected).slice(0, count);
}

export function best<C extends PoolCandidate>(pool: readonly C[], expected: number): C | undefined {
  return ranked(pool, expected)[0];
}

/** Whether the run can stop: some candidate's verifications all gave 1. */
export function solved(pool: readonly PoolCandidate[], expected: number): boolean {
  return pool.some((candidate) => candidate.hasProof && meanScore(candidate, expected) === 1);
}

/**
 * The `count` verifications a refinement is shown: the lowest-scoring, since they say most about
 * what is wrong. Unreadable ones rank with the zeros but after them (a readable 0 explains
 * itself); then the earlier first.
 */
export function lowestVerifications<V extends ScoredVerification>(verifications: readonly V[], count: number): V[] {
  return [...verifications]
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0) || Number(a.score === null) - Number(b.score === null) || a.index - b.index)
    .slice(0, count);
}
