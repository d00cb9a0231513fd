/**
 * `qed deep-prove`'s flags, checked before anything is read or started: the search's shape (a new
 * run's configuration), this session's limits, the backend's concurrency. A resumed run keeps its
 * journal's shape; a shape flag that says otherwise is a usage error, never silently ignored.
 */
import { parseArgs } from 'node:util';
import { configProblems, DEFAULT_CONFIG, MAX_TOKEN_BUDGET, type DeepProveConfig } from '../core/deepProve/config';
import type { RunEntry } from '../core/deepProve/journal';
import { MAX_SEED } from '../core/sampling';
import { decimal, integer } from './args';
import { BACKEND_OPTIONS, checkBackend, type BackendArgs } from './backend';
import { checkTarget, PROBLEM_OPTIONS, type ProblemArgs } from './problem';
import { UsageError } from './usageError';

export const DEEP_PROVE_OPTIONS = {
  ...PROBLEM_OPTIONS,
  ...BACKEND_OPTIONS,
  concurrency: { type: 'string' },
  parallel: { type: 'string' },
  pool: { type: 'string' },
  verifications: { type: 'string' },
  rounds: { type: 'string' },
  'verifications-per-refinement': { type: 'string' },
  summaries: { type: 'string' },
  budget: { type: 'string' },
  'time-limit': { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  seed: { type: 'string' },
  journal: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Calls at once against an endpoint when --concurrency is not given. */
export const DEFAULT_CONCURRENCY = 8;

/** The search's shape as given on the command line: each undefined when the flag was not given. */
export interface ShapeFlags {
  poolSize?: number;
  verifications?: number;
  rounds?: number;
  verificationsPerRefinement?: number;
  summaries?: number;
  maxTokensPerCall?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
}

export interface DeepProveArgs {
  /** Absent only to resume from --journal. */
  file?: string;
  problem: ProblemArgs;
  backend: BackendArgs;
  shape: ShapeFlags;
  /** This session's limits; undefined: the run's own (a new run: 1,000,000 tokens, no time limit). */
  tokenBudget?: number;
  timeLimitMs?: number;
  /** Calls at once against an endpoint. */
  concurrency?: number;
  /** The local engine's sequences; undefined: its memory plan decides. */
  parallel?: number;
  journal?: string;
  json: boolean;
}

export function parseDeepProveArgs(argv: string[]): DeepProveArgs {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DEEP_PROVE_OPTIONS });
  if (positionals.length > 1) throw new UsageError('deep-prove takes one FILE.');
  const file = positionals[0];
  if (file === undefined && values.journal === undefined) throw new UsageError('deep-prove needs FILE with --label LABEL or --line N (or --journal DIR of a run to resume).');
  if (file !== undefined) checkTarget('deep-prove', values);
  else if (values.label !== undefined || values.line !== undefined) throw new UsageError('--label and --line need the FILE they are in.');
  checkBackend('deep-prove', values);
  if (values.concurrency !== undefined && !values.endpoint) throw new UsageError('--concurrency is for --endpoint; with --model the engine runs --parallel N calls at once.');
  if (values.parallel !== undefined && !values.model) throw new UsageError('--parallel is for --model (the local engine); an endpoint takes --concurrency N.');
  const optional = <T>(value: string | undefined, read: (value: string) => T): T | undefined => (value === undefined ? undefined : read(value));
  integer(values['context-budget']!, '--context-budget', 0, 10_000_000);
  return {
    file,
    problem: values,
    backend: values,
    shape: {
      poolSize: optional(values.pool, (v) => integer(v, '--pool', 1, 64)),
      verifications: optional(values.verifications, (v) => integer(v, '--verifications', 1, 64)),
      rounds: optional(values.rounds, (v) => integer(v, '--rounds', 0, 64)),
      verificationsPerRefinement: optional(values['verifications-per-refinement'], (v) => integer(v, '--verifications-per-refinement', 1, 64)),
      summaries: optional(values.summaries, (v) => integer(v, '--summaries', 0, 64)),
      maxTokensPerCall: optional(values['max-tokens'], (v) => integer(v, '--max-tokens', 1, 10_000_000)),
      temperature: optional(values.temperature, (v) => decimal(v, '--temperature', 0, 2)),
      topP: optional(values['top-p'], (v) => {
        const topP = decimal(v, '--top-p', 0, 1);
        if (topP === 0) throw new UsageError('--top-p must be above 0 and at most 1.');
        return topP;
      }),
      seed: optional(values.seed, (v) => integer(v, '--seed', 0, MAX_SEED)),
    },
    tokenBudget: optional(values.budget, (v) => integer(v, '--budget', 1, MAX_TOKEN_BUDGET)),
    timeLimitMs: optional(values['time-limit'], (v) => integer(v, '--time-limit', 1, 30 * 24 * 3600) * 1000),
    concurrency: optional(values.concurrency, (v) => integer(v, '--concurrency', 1, 256)),
    parallel: optional(values.parallel, (v) => integer(v, '--parallel', 1, 64)),
    journal: values.journal,
    json: values.json!,
  };
}

/** A new run's configuration: the method's defaults, with what the flags changed. */
export function newRunConfig(args: Pick<DeepProveArgs, 'shape' | 'tokenBudget' | 'timeLimitMs'>): DeepProveConfig {
  const { shape } = args;
  const config: DeepProveConfig = {
    poolSize: shape.poolSize ?? DEFAULT_CONFIG.poolSize,
    verifications: shape.verifications ?? DEFAULT_CONFIG.verifications,
    rounds: shape.rounds ?? DEFAULT_CONFIG.rounds,
    // Two by default, but never more than there are: `--verifications 1` alone is a valid search.
    verificationsPerRefinement: shape.verificationsPerRefinement ?? Math.min(DEFAULT_CONFIG.verificationsPerRefinement, shape.verifications ?? DEFAULT_CONFIG.verifications),
    summaries: shape.summaries ?? DEFAULT_CONFIG.summaries,
    tokenBudget: args.tokenBudget ?? DEFAULT_CONFIG.tokenBudget,
    timeLimitMs: args.timeLimitMs ?? DEFAULT_CONFIG.timeLimitMs,
    maxTokensPerCall: shape.maxTokensPerCall ?? DEFAULT_CONFIG.maxTokensPerCall,
    sampling: { ...DEFAULT_CONFIG.sampling, ...(shape.temperature !== undefined && { temperature: shape.temperature }), ...(shape.topP !== undefined && { topP: shape.topP }) },
  };
  const problems = configProblems(config);
  if (problems.length) throw new UsageError(problems.map(capitalised).join(' '));
  return config;
}

/**
 * The shape flags that differ from the run in the journal, in the user's terms; empty when the
 * run can be resumed with them. The budget and time limit are not here: they may change.
 */
export function resumeConflicts(run: Pick<RunEntry, 'config' | 'seed'>, shape: ShapeFlags): string[] {
  const { config } = run;
  const checks: [string, number | null | undefined, number | null][] = [
    ['--pool', shape.poolSize, config.poolSize],
    ['--verifications', shape.verifications, config.verifications],
    ['--rounds', shape.rounds, config.rounds],
    ['--verifications-per-refinement', shape.verificationsPerRefinement, config.verificationsPerRefinement],
    ['--summaries', shape.summaries, config.summaries],
    ['--max-tokens', shape.maxTokensPerCall, config.maxTokensPerCall],
    ['--temperature', shape.temperature, config.sampling.temperature],
    ['--top-p', shape.topP, config.sampling.topP],
    ['--seed', shape.seed, run.seed],
  ];
  return checks
    .filter(([, given, recorded]) => given !== undefined && given !== recorded)
    .map(([flag, given, recorded]) => `${flag} ${given} differs from the run's ${recorded === null ? 'none' : recorded}`);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
