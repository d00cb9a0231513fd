/**
 * One line of a `qed eval` output file: one (problem, sample), solved and graded. The file is
 * append-only JSONL; a rerun reads it back and skips what is done, so a later line for the same
 * (problem, sample) replaces an earlier one (a proof whose grading failed is graded again and
 * written again). Everything needed to audit a score is in the record: the prompt, the whole
 * answer, the proof that was graded, the judge's prompt and its whole grading.
 */
import { assistantAnswer } from '../answer/answer';
import { deepProveSampling } from '../deepProve/config';
import { chatMessage } from '../deepProve/journal';
import { array, count, literal, nullable, number, object, optional, positiveInteger, string, type Infer } from '../webview/schema';

export const EVAL_RECORD_VERSION = 1;

/** What produced and graded the proofs; a rerun on the same file must use the same. */
export const evalSetup = object({
  mode: literal('prove', 'deep'),
  /** "endpoint <url> <model>" or "engine <gguf file name>": what the proofs came from. */
  solver: string,
  /** The external judge's model name, or "self" (QED-Nano's own 0/½/1 verifier, scaled to 7). */
  judge: string,
  ...deepProveSampling.shape,
  maxTokens: optional(positiveInteger),
  /** Deep Prove's token budget per problem, and its search (the method's 4 / 4 / 2 unless changed). */
  tokenBudget: optional(positiveInteger),
  poolSize: optional(positiveInteger),
  verifications: optional(positiveInteger),
  rounds: optional(count),
});
export type EvalSetup = Infer<typeof evalSetup>;

/**
 * - graded: the judge's grade was read;
 * - unreadable: the judge answered but no valid `<points>N out of 7</points>` came first (points null);
 * - no-proof: nothing after `</think>` (or Deep Prove found no proof): 0 points, no judge call;
 * - error: the judge failed (points null); a rerun grades it again.
 */
export const gradeStatus = literal('graded', 'unreadable', 'no-proof', 'error');
export type GradeStatus = Infer<typeof gradeStatus>;

export const evalGrade = object({
  status: gradeStatus,
  points: nullable(number),
  /** Why a grade is unreadable, or how the judge failed. */
  note: optional(string),
  /** What the judge was asked (absent for no-proof). */
  prompt: optional(array(chatMessage)),
  /** The judge's whole grading (its answer after any thinking). */
  grading: optional(string),
  /** The judge's thinking, when its server separates it. */
  gradingReasoning: optional(string),
  timeMs: count,
  tokens: count,
});
export type EvalGrade = Infer<typeof evalGrade>;

export const evalRecord = object({
  type: literal('eval'),
  version: literal(EVAL_RECORD_VERSION),
  problemId: string,
  /** 1-based. */
  sample: positiveInteger,
  level: string,
  category: string,
  statement: string,
  setup: evalSetup,
  seed: count,
  /** What the solver was asked (Deep Prove: its first attempt's prompt). */
  prompt: array(chatMessage),
  /** The solver's whole answer, thinking included (Deep Prove: the best candidate's last attempt). */
  response: nullable(assistantAnswer),
  /** The proof that was graded: the text after `</think>`, without a self-evaluation section. */
  answer: string,
  /** Generated tokens (Deep Prove: of every call of the run). */
  tokens: count,
  /** Solving time, milliseconds. */
  timeMs: count,
  /** Deep Prove: the run's journal folder and how it went. */
  deep: optional(object({ journal: string, calls: count, best: nullable(object({ id: string, mean: number })), end: string })),
  grade: evalGrade,
  /** 0–7; null when the grade was unreadable or the judge failed. */
  points: nullable(number),
  finishedAt: count,
});
export type EvalRecord = Infer<typeof evalRecord>;

export function recordKey(record: Pick<EvalRecord, 'problemId' | 'sample'>): string {
  return `${record.problemId}#${record.sample}`;
}

/** A record whose grade is final: a rerun does not touch it. */
export function isDone(record: EvalRecord): boolean {
  return record.grade.status !== 'error';
}
