/** `qed eval` records made to order, for the summary, the comparison and the report. */
import { EVAL_RECORD_VERSION, type EvalRecord, type EvalSetup, type GradeStatus } from '../../src/core/eval/evalRecord';

export const SETUP: EvalSetup = { mode: 'prove', solver: 'endpoint http://127.0.0.1:9/v1 lm-provers/QED-Nano', judge: 'gemini-2.5-pro', temperature: 0.6, topP: 0.95, topK: 20, minP: 0 };

export interface RecordSpec {
  problemId: string;
  sample?: number;
  level?: string;
  /** null: unreadable (the default status then) or error. */
  points: number | null;
  status?: GradeStatus;
  tokens?: number;
  timeMs?: number;
  setup?: EvalSetup;
}

export function evalRecord(spec: RecordSpec): EvalRecord {
  const status = spec.status ?? (spec.points === null ? 'unreadable' : 'graded');
  return {
    type: 'eval',
    version: EVAL_RECORD_VERSION,
    problemId: spec.problemId,
    sample: spec.sample ?? 1,
    level: spec.level ?? 'IMO-easy',
    category: 'Algebra',
    statement: `Statement of ${spec.problemId}`,
    setup: spec.setup ?? SETUP,
    seed: 0,
    prompt: [{ role: 'user', content: `Prove ${spec.problemId}` }],
    response: null,
    answer: status === 'no-proof' ? '' : 'A proof.',
    tokens: spec.tokens ?? 0,
    timeMs: spec.timeMs ?? 0,
    grade: { status, points: spec.points, ...(status === 'unreadable' || status === 'error' ? { note: 'why' } : {}), timeMs: 0, tokens: 0 },
    points: spec.points,
    finishedAt: 0,
  };
}
