/**
 * `qed eval`'s flags, checked before anything is read or started. Three forms:
 *   eval CSV --out FILE.jsonl (solver) (judge) [filters] …   run (or go on with) an eval
 *   eval --report FILE.jsonl [--summary-json F] [--html F]   the summary of a file
 *   eval --compare A.jsonl B.jsonl                           two files side by side
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, MAX_TOKEN_BUDGET } from '../core/deepProve/config';
import type { ProblemSelection } from '../core/eval/proofBench';
import { MAX_SEED, MODEL_CARD_SAMPLING } from '../core/sampling';
import { decimal, integer } from './args';
import { BACKEND_OPTIONS, checkBackend, DEFAULT_ENDPOINT_MODEL, type BackendArgs } from './backend';
import { UsageError } from './usageError';

const OPTIONS = {
  ...BACKEND_OPTIONS,
  out: { type: 'string' },
  report: { type: 'string' },
  compare: { type: 'boolean', default: false },
  mode: { type: 'string', default: 'prove' },
  samples: { type: 'string', default: '1' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  'top-k': { type: 'string' },
  'min-p': { type: 'string' },
  'max-tokens': { type: 'string' },
  seed: { type: 'string', default: '0' },
  budget: { type: 'string' },
  pool: { type: 'string' },
  verifications: { type: 'string' },
  rounds: { type: 'string' },
  parallel: { type: 'string' },
  judge: { type: 'string' },
  'judge-endpoint': { type: 'string' },
  'judge-model': { type: 'string' },
  'judge-key-env': { type: 'string', default: 'QED_JUDGE_API_KEY' },
  'judge-max-tokens': { type: 'string' },
  problems: { type: 'string' },
  level: { type: 'string' },
  limit: { type: 'string' },
  'summary-json': { type: 'string' },
  html: { type: 'string' },
} as const;

export type JudgeArgs = { kind: 'self' } | { kind: 'endpoint'; url: string; model: string; apiKey?: string; keyEnv: string; maxTokens?: number };

export interface EvalRunArgs {
  command: 'run';
  csv: string;
  out: string;
  backend: BackendArgs;
  mode: 'prove' | 'deep';
  samples: number;
  sampling: { temperature: number; topP: number; topK?: number; minP?: number; maxTokens?: number };
  seed: number;
  /** Deep Prove's tokens per (problem, sample), and its search. */
  tokenBudget?: number;
  search?: { poolSize: number; verifications: number; rounds: number };
  /** (Problem, sample)s at once; undefined: what the backend serves. */
  parallel?: number;
  judge: JudgeArgs;
  selection: ProblemSelection;
  outputs: ReportOutputs;
}

export interface ReportOutputs {
  summaryJson?: string;
  html?: string;
}

export type EvalArgs = EvalRunArgs | { command: 'report'; file: string; outputs: ReportOutputs } | { command: 'compare'; a: string; b: string };

export function parseEvalArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): EvalArgs {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const outputs = { summaryJson: values['summary-json'], html: values.html };
  if (values.compare) {
    if (positionals.length !== 2) throw new UsageError('eval --compare takes two result files: eval --compare A.jsonl B.jsonl');
    return { command: 'compare', a: positionals[0]!, b: positionals[1]! };
  }
  if (values.report !== undefined) {
    if (positionals.length) throw new UsageError('eval --report FILE.jsonl reads the results only: leave the CSV out.');
    return { command: 'report', file: values.report, outputs };
  }
  if (positionals.length !== 1) throw new UsageError('eval needs the problems: eval PROBLEMS.csv --out RESULTS.jsonl … (an IMO-ProofBench CSV).');
  if (values.out === undefined) throw new UsageError('eval needs --out RESULTS.jsonl: the results go there, and the same command run again goes on from them.');
  // The issue's form `--endpoint URL --model NAME`: with an endpoint, --model names the served model.
  const backend: BackendArgs = { ...values };
  if (values.endpoint && values.model !== undefined) {
    if (values['endpoint-model'] !== DEFAULT_ENDPOINT_MODEL) throw new UsageError('With --endpoint, name the served model once: --model NAME or --endpoint-model NAME.');
    backend['endpoint-model'] = values.model;
    backend.model = undefined;
  }
  checkBackend('eval', backend);
  const mode = values.mode;
  if (mode !== 'prove' && mode !== 'deep') throw new UsageError('--mode must be prove (one sample, Prove’s prompt) or deep (a Deep Prove run).');
  const defaults = mode === 'deep' ? DEFAULT_CONFIG.sampling : MODEL_CARD_SAMPLING;
  const optional = <T>(value: string | undefined, read: (value: string) => T) => (value === undefined ? undefined : read(value));
  const topK = optional(values['top-k'], (value) => integer(value, '--top-k', 1, 1000)) ?? (mode === 'deep' ? undefined : MODEL_CARD_SAMPLING.topK);
  const minP = optional(values['min-p'], (value) => decimal(value, '--min-p', 0, 1)) ?? (mode === 'deep' ? undefined : MODEL_CARD_SAMPLING.minP);
  const maxTokens = optional(values['max-tokens'], (value) => integer(value, '--max-tokens', 1, 10_000_000));
  const budget = optional(values.budget, (value) => integer(value, '--budget', 1, MAX_TOKEN_BUDGET));
  const deepFlags = (['budget', 'pool', 'verifications', 'rounds'] as const).filter((flag) => values[flag] !== undefined);
  if (deepFlags.length && mode !== 'deep') throw new UsageError(`${deepFlags.map((flag) => `--${flag}`).join(', ')} shape${deepFlags.length === 1 ? 's' : ''} a Deep Prove run: it needs --mode deep.`);
  return {
    command: 'run',
    csv: positionals[0]!,
    out: values.out,
    backend,
    mode,
    samples: integer(values.samples!, '--samples', 1, 100),
    sampling: {
      temperature: optional(values.temperature, (value) => decimal(value, '--temperature', 0, 2)) ?? defaults.temperature,
      topP: optional(values['top-p'], (value) => decimal(value, '--top-p', 0, 1)) ?? defaults.topP,
      ...(topK !== undefined && { topK }),
      ...(minP !== undefined && { minP }),
      ...(maxTokens !== undefined && { maxTokens }),
    },
    seed: integer(values.seed!, '--seed', 0, MAX_SEED),
    ...(mode === 'deep' && {
      tokenBudget: budget ?? DEFAULT_CONFIG.tokenBudget,
      search: {
        poolSize: optional(values.pool, (value) => integer(value, '--pool', 1, 64)) ?? DEFAULT_CONFIG.poolSize,
        verifications: optional(values.verifications, (value) => integer(value, '--verifications', 1, 64)) ?? DEFAULT_CONFIG.verifications,
        rounds: optional(values.rounds, (value) => integer(value, '--rounds', 0, 16)) ?? DEFAULT_CONFIG.rounds,
      },
    }),
    parallel: optional(values.parallel, (value) => integer(value, '--parallel', 1, 256)),
    judge: judgeArgs(values, env),
    selection: {
      ids: optional(values.problems, (value) => list(value, '--problems')),
      levels: optional(values.level, (value) => list(value, '--level')),
      limit: optional(values.limit, (value) => integer(value, '--limit', 1, 1_000_000)),
    },
    outputs,
  };
}

function judgeArgs(values: { judge?: string; 'judge-endpoint'?: string; 'judge-model'?: string; 'judge-key-env'?: string; 'judge-max-tokens'?: string }, env: NodeJS.ProcessEnv): JudgeArgs {
  const maxTokens = values['judge-max-tokens'] === undefined ? undefined : integer(values['judge-max-tokens'], '--judge-max-tokens', 1, 10_000_000);
  if (values.judge !== undefined) {
    if (values.judge !== 'self') throw new UsageError('--judge takes only "self" (QED-Nano’s own verifier); an external judge is --judge-endpoint URL --judge-model NAME.');
    if (values['judge-endpoint'] !== undefined) throw new UsageError('--judge self and --judge-endpoint exclude each other: pick one judge.');
    return { kind: 'self' };
  }
  if (values['judge-endpoint'] === undefined) {
    throw new UsageError('eval needs a judge: --judge-endpoint URL --judge-model NAME (an OpenAI-compatible server, its key in $QED_JUDGE_API_KEY), as published numbers are measured; or --judge self (QED-Nano’s own 0/½/1 verifier, not comparable with them).');
  }
  if (values['judge-model'] === undefined) throw new UsageError('--judge-endpoint needs --judge-model NAME (e.g. gemini-2.5-pro, the paper’s judge).');
  const keyEnv = values['judge-key-env']!;
  return { kind: 'endpoint', url: values['judge-endpoint'], model: values['judge-model'], keyEnv, ...(env[keyEnv] && { apiKey: env[keyEnv] }), ...(maxTokens !== undefined && { maxTokens }) };
}

function list(value: string, flag: string): string[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (!items.length) throw new UsageError(`${flag} needs at least one value (comma-separated).`);
  return items;
}
