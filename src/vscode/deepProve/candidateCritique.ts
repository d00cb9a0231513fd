/**
 * A candidate's verifications as one critique, to show on its proof once inserted (as Critique
 * Proof's findings are): every issue any verifier raised, each once, with the evaluation and score
 * of the verification that judged it lowest (what a repair of a step should read). Pure.
 */
import { verdictOf, type Critique, type CritiqueIssue } from '../../core/critique/parseCritique';
import type { CandidateView } from '../../core/deepProve/runView';

export function candidateCritique(candidate: Pick<CandidateView, 'verifications'>): Critique | undefined {
  const done = candidate.verifications.filter((verification) => verification.status === 'done');
  if (done.length === 0) return undefined;
  // An unreadable score (null) counts as the lowest, as it does in the candidate's mean.
  const lowest = done.reduce((low, verification) => ((verification.score ?? -1) < (low.score ?? -1) ? verification : low));
  const seen = new Set<string>();
  const issues: CritiqueIssue[] = [];
  for (const issue of done.flatMap((verification) => verification.issues)) {
    const key = `${issue.severity}\n${issue.quote ?? ''}\n${issue.explanation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return {
    score: lowest.score,
    verdict: lowest.score === null ? null : verdictOf(lowest.score),
    evaluation: lowest.evaluation,
    issues,
    notes: lowest.notes,
  };
}
