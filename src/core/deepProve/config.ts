/**
 * The parameters of a Deep Prove run: the shape of the generate → verify → refine search (the
 * method's defaults, from QED-Nano's agent scaffold), its limits, and its sampling. A run keeps
 * the configuration it was created with in its journal, so Resume goes on with the same search.
 */
import { count, nullable, number, object, optional, positiveInteger, type Infer } from '../webview/schema';

export const deepProveSampling = object({
  temperature: number,
  topP: number,
  topK: optional(positiveInteger),
  minP: optional(number),
});
export type DeepProveSampling = Infer<typeof deepProveSampling>;

export const deepProveConfig = object({
  /** Candidates generated before any refinement; also how many of the best each round refines. */
  poolSize: positiveInteger,
  /** Verifications of each candidate; its score is their mean. */
  verifications: positiveInteger,
  /** Refinement rounds after the first pool (the run stops earlier once a candidate averages 1). */
  rounds: count,
  /** The lowest-scoring verifications a refinement is shown with its candidate. */
  verificationsPerRefinement: positiveInteger,
  /** Reasoning cache: how many times an attempt that ran out of room is summarised and started again. */
  summaries: count,
  /** Generated tokens (thinking and answers, all calls) after which the run stops. */
  tokenBudget: positiveInteger,
  /** Running time after which the run stops; null: no limit. */
  timeLimitMs: nullable(positiveInteger),
  /** Tokens one call may generate; null: as many as the backend has room for. */
  maxTokensPerCall: nullable(positiveInteger),
  sampling: deepProveSampling,
});
export type DeepProveConfig = Infer<typeof deepProveConfig>;

/** The method's sampling (the scaffold's vLLM workflow), not the model card's 0.6 / 0.95. */
export const METHOD_SAMPLING: DeepProveSampling = { temperature: 0.8, topP: 1 };

/** How many times the reasoning cache summarises and starts again, as in the paper's evaluation. */
export const REASONING_CACHE_RESTARTS = 3;

export const DEFAULT_CONFIG: DeepProveConfig = {
  poolSize: 4,
  verifications: 4,
  rounds: 2,
  verificationsPerRefinement: 2,
  summaries: REASONING_CACHE_RESTARTS,
  tokenBudget: 1_000_000,
  timeLimitMs: null,
  maxTokensPerCall: null,
  sampling: METHOD_SAMPLING,
};

export const MAX_TOKEN_BUDGET = 3_000_000;

/** The most calls a run with this configuration can make, summaries left out. */
export function maxProofCalls(config: Pick<DeepProveConfig, 'poolSize' | 'verifications' | 'rounds'>): number {
  return config.poolSize * (1 + config.rounds) * (1 + config.verifications);
}

/** What is wrong with a configuration, in the user's terms; empty when it can run. */
export function configProblems(config: DeepProveConfig): string[] {
  const problems: string[] = [];
  if (config.verificationsPerRefinement > config.verifications) {
    problems.push(`verifications per refinement (${config.verificationsPerRefinement}) cannot exceed verifications per candidate (${config.verifications}).`);
  }
  if (config.tokenBudget > MAX_TOKEN_BUDGET) problems.push(`the token budget can be at most ${MAX_TOKEN_BUDGET.toLocaleString('en-US')}.`);
  if (config.sampling.temperature < 0 || config.sampling.temperature > 2) problems.push('the temperature must be from 0 to 2.');
  if (config.sampling.topP <= 0 || config.sampling.topP > 1) problems.push('top_p must be above 0 and at most 1.');
  return problems;
}
