/**
 * What a candidate's card shows, from the run's view: its phase, attempts (the reasoning cache's
 * restarts and summaries), verification chips, mean, lineage and whether it is the best. Pure, so
 * it is unit-tested, and small: the page compares a card's model with the one it drew and touches
 * the card only when they differ. The long texts (proof, evaluations, summaries) are not in it:
 * they are rendered only when opened, and compared apart.
 *
 * Live token counts are not in it either: they change four times a second and go straight to the
 * counters of the calls the model lists as running (`liveText`).
 */
import type { Score } from '../../../src/core/critique/parseCritique';
import type { LiveCall } from '../../../src/core/deepProve/liveCall';
import { callKey, type AttemptView, type CandidateView, type RunView, type VerificationView } from '../../../src/core/deepProve/runView';
import { formatMean, tokensText } from './runText';

export type ChipTone = 'pass' | 'partial' | 'fail' | 'unreadable' | 'running';

export interface ChipModel {
  index: number;
  /** The call's key, where a running chip's live counter attaches. */
  key: string;
  /** '1', '½', '0'; '?' when no score could be read (never shown as a 0); '…' while running. */
  label: string;
  tone: ChipTone;
  /** The accessible name, which says everything the chip's look says. */
  ariaLabel: string;
  /** The tooltip: for an unreadable score, the verifier's note. */
  title: string;
  /** Refinements that were shown this verification (it is highlighted). */
  usedBy: string[];
  /** A finished verification opens its evaluation. */
  opens: boolean;
}

export interface AttemptModel {
  index: number;
  key: string;
  /** "Attempt 2 · from a summary" */
  label: string;
  /** "32,768 tokens · ran out of room" or "running" (then the live counter goes beside it). */
  detail: string;
  running: boolean;
  summary?: { key: string; label: string; running: boolean; hasText: boolean };
}

export interface CardModel {
  id: string;
  round: number;
  best: boolean;
  phase: CandidateView['phase'];
  /** What it is doing: "generating", "verifying", "done", "no proof", "queued", "stopped while verifying". */
  phaseText: string;
  /** Whether a call of this candidate is running now. */
  active: boolean;
  /** "0.875", once all verifications are in. */
  mean: string | null;
  lineage: { parent: string; text: string } | null;
  /** "Refined into c5, shown verifications 1 and 3 (ringed)": what the ringed chips mean. */
  refinedInto: string | null;
  attempts: AttemptModel[];
  chips: ChipModel[];
  /** Verifications still to come (a chip placeholder each), while the candidate has a proof. */
  pendingChips: number;
  hasProof: boolean;
  proofNote?: string;
}

const SCORE_LABELS: Record<`${Score}`, string> = { '1': '1', '0.5': '½', '0': '0' };
const SCORE_TONES: Record<`${Score}`, ChipTone> = { '1': 'pass', '0.5': 'partial', '0': 'fail' };
const SCORE_WORDS: Record<`${Score}`, string> = { '1': 'correct', '0.5': 'minor issues', '0': 'incorrect' };

/** A score as a chip says it: 1, ½, 0, or ? when none could be read. */
export function scoreLabel(score: Score | null): string {
  return score === null ? '?' : SCORE_LABELS[`${score}`];
}

export function chipModel(candidate: string, verification: VerificationView, usedBy: string[] = []): ChipModel {
  const key = callKey(candidate, 'verify', verification.index);
  const name = `Verification ${verification.index}`;
  const used = usedBy.length ? `; shown to the refinement${usedBy.length > 1 ? 's' : ''} ${usedBy.join(', ')}` : '';
  if (verification.status === 'running') {
    return { index: verification.index, key, label: '…', tone: 'running', ariaLabel: `${name}: running`, title: `${name} is running`, usedBy, opens: false };
  }
  if (verification.score === null) {
    const why = verification.notes.join('; ') || 'No score could be read';
    return {
      index: verification.index,
      key,
      label: '?',
      tone: 'unreadable',
      ariaLabel: `${name}: no score could be read (${why}); counts as 0 in the mean${used}`,
      title: `No score could be read: ${why}. It counts as 0 in the mean.`,
      usedBy,
      opens: true,
    };
  }
  const score = `${verification.score}` as const;
  return {
    index: verification.index,
    key,
    label: SCORE_LABELS[score],
    tone: SCORE_TONES[score],
    ariaLabel: `${name}: score ${verification.score}, ${SCORE_WORDS[score]}${used}`,
    title: `${name}: ${SCORE_WORDS[score]} (${verification.score}) · ${tokensText(verification.tokens)}${used}. Click for its evaluation.`,
    usedBy,
    opens: true,
  };
}

function attemptModel(candidate: string, attempt: AttemptView): AttemptModel {
  const label = attempt.index === 1 ? 'Attempt 1' : `Attempt ${attempt.index} · from a summary`;
  const running = attempt.status === 'running';
  const detail = running ? 'running' : [tokensText(attempt.tokens), attempt.finishReason === 'length' ? 'ran out of room' : undefined].filter(Boolean).join(' · ');
  const model: AttemptModel = { index: attempt.index, key: callKey(candidate, 'attempt', attempt.index), label, detail, running };
  if (attempt.summary) {
    const summaryRunning = attempt.summary.status === 'running';
    model.summary = {
      key: callKey(candidate, 'summary', attempt.index),
      label: summaryRunning ? 'summarising' : `summary · ${tokensText(attempt.summary.tokens)}`,
      running: summaryRunning,
      hasText: attempt.summary.text !== '',
    };
  }
  return model;
}

/** Which refinements were shown which of this candidate's verifications. */
export function refinementsOf(view: RunView, id: string): Map<number, string[]> {
  const used = new Map<number, string[]>();
  for (const child of view.candidates) {
    if (child.parent !== id) continue;
    for (const index of child.fromVerifications) used.set(index, [...(used.get(index) ?? []), child.id]);
  }
  return used;
}

/** "verification 4", "verifications 1 and 3", in index order. */
function verificationList(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const list = sorted.length === 1 ? `${sorted[0]}` : `${sorted.slice(0, -1).join(', ')} and ${sorted.at(-1)}`;
  return `verification${sorted.length > 1 ? 's' : ''} ${list}`;
}

export function lineageText(candidate: Pick<CandidateView, 'parent' | 'fromVerifications'>): string | null {
  if (candidate.parent === null) return null;
  if (candidate.fromVerifications.length === 0) return `Refined from ${candidate.parent}`;
  return `Refined from ${candidate.parent} using its ${verificationList(candidate.fromVerifications)}`;
}

/** On the parent's card: which refinements it led to, and which of its verifications each was shown. */
export function refinedIntoText(view: RunView, id: string): string | null {
  const children = view.candidates.filter((candidate) => candidate.parent === id);
  if (children.length === 0) return null;
  const parts = children.map((child) => (child.fromVerifications.length ? `${child.id}, shown ${verificationList(child.fromVerifications)} (ringed)` : child.id));
  return `Refined into ${parts.join('; into ')}`;
}

const PHASE_WORDS: Record<CandidateView['phase'], string> = {
  generating: 'generating',
  summarising: 'summarising',
  verifying: 'verifying',
  done: 'done',
  'no-proof': 'no proof',
};

export function cardModel(view: RunView, candidate: CandidateView): CardModel {
  const used = refinementsOf(view, candidate.id);
  const attempts = candidate.attempts.map((attempt) => attemptModel(candidate.id, attempt));
  const chips = candidate.verifications.map((verification) => chipModel(candidate.id, verification, used.get(verification.index) ?? []));
  const active = attempts.some((attempt) => attempt.running || attempt.summary?.running) || chips.some((chip) => chip.tone === 'running');
  const hasProof = candidate.proof !== null && candidate.proof !== '';
  const model: CardModel = {
    id: candidate.id,
    round: candidate.round,
    best: view.best?.id === candidate.id,
    phase: candidate.phase,
    phaseText: phaseText(view, candidate, active),
    active,
    mean: candidate.mean === null ? null : formatMean(candidate.mean),
    lineage: candidate.parent === null ? null : { parent: candidate.parent, text: lineageText(candidate)! },
    refinedInto: refinedIntoText(view, candidate.id),
    attempts,
    chips,
    pendingChips: hasProof ? Math.max(0, view.run.config.verifications - chips.length) : 0,
    hasProof,
  };
  if (candidate.proofNote) model.proofNote = candidate.proofNote;
  return model;
}

/** A phase whose call is not running says why: it waits for a free slot, or the run is not running. */
function phaseText(view: RunView, candidate: CandidateView, active: boolean): string {
  const phase = PHASE_WORDS[candidate.phase];
  if (active || candidate.phase === 'done' || candidate.phase === 'no-proof') return phase;
  return view.status === 'running' ? `queued for ${phase}` : `stopped while ${phase}`;
}

/** A running call's counter: "thinking · 12,345 tokens", then "writing · …" once its answer starts. */
export function liveText(call: LiveCall): string {
  const total = call.reasoningTokens + call.contentTokens;
  return `${call.contentTokens > 0 ? 'writing' : 'thinking'} · ${tokensText(total)}`;
}

/** The calls streaming now, by candidate: a card looks only at its own. */
export function liveByCandidate(live: readonly LiveCall[]): Map<string, LiveCall[]> {
  const byCandidate = new Map<string, LiveCall[]>();
  for (const call of live) {
    const candidate = call.key.slice(0, call.key.indexOf('/'));
    byCandidate.set(candidate, [...(byCandidate.get(candidate) ?? []), call]);
  }
  return byCandidate;
}
