/**
 * The `qed.deepProve.*` settings as a Deep Prove configuration, or what is wrong with them, each
 * problem naming the setting to change. Pure (no `vscode`): settings.ts reads the values, this
 * checks them, and the unit tests check this. VS Code's settings editor enforces the schema's
 * minimum and type only as a warning: settings.json can still hold anything.
 */
import { configProblems, DEFAULT_CONFIG, MAX_TOKEN_BUDGET, type DeepProveConfig } from '../../core/deepProve/config';

/** The settings as read, unchecked (`null` where the user chose "no limit"). */
export interface RawDeepProveSettings {
  poolSize: unknown;
  verifications: unknown;
  rounds: unknown;
  verificationsPerRefinement: unknown;
  summaries: unknown;
  tokenBudget: unknown;
  timeLimitMinutes: unknown;
  temperature: unknown;
  topP: unknown;
  maxTokensPerCall: unknown;
  endpointConcurrency: unknown;
}

export interface DeepProveSettings {
  config: DeepProveConfig;
  /** Calls at once on an endpoint (the local engine's own plan decides there). */
  endpointConcurrency: number;
}

export const DEFAULT_ENDPOINT_CONCURRENCY = 8;

export type DeepProveSettingsResult = { ok: true; settings: DeepProveSettings } | { ok: false; problems: string[]; settings: string[] };

const PREFIX = 'qed.deepProve.';

type Key = keyof RawDeepProveSettings;

export function deepProveSettingsFrom(raw: RawDeepProveSettings): DeepProveSettingsResult {
  const problems: string[] = [];
  const named = new Set<Key>();
  const problem = (key: Key, text: string) => {
    problems.push(`${PREFIX}${key} ${text}`);
    named.add(key);
  };
  const whole = (key: Key, min: number, fallback: number): number => {
    const value = raw[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    problem(key, `must be a whole number of at least ${min} (it is ${JSON.stringify(value)}).`);
    return fallback;
  };
  const optionalWhole = (key: Key, fallback: number | null): number | null => (raw[key] === null || raw[key] === undefined ? null : whole(key, 1, fallback ?? 1));
  const real = (key: Key, fallback: number): number => {
    const value = raw[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    problem(key, `must be a number (it is ${JSON.stringify(value)}).`);
    return fallback;
  };

  const minutes = raw.timeLimitMinutes;
  let timeLimitMs: number | null = null;
  if (minutes !== null && minutes !== undefined) {
    if (typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0) timeLimitMs = Math.round(minutes * 60_000);
    else problem('timeLimitMinutes', `must be a number of minutes above 0, or null for no limit (it is ${JSON.stringify(minutes)}).`);
  }
  const config: DeepProveConfig = {
    poolSize: whole('poolSize', 1, DEFAULT_CONFIG.poolSize),
    verifications: whole('verifications', 1, DEFAULT_CONFIG.verifications),
    rounds: whole('rounds', 0, DEFAULT_CONFIG.rounds),
    verificationsPerRefinement: whole('verificationsPerRefinement', 1, DEFAULT_CONFIG.verificationsPerRefinement),
    summaries: whole('summaries', 0, DEFAULT_CONFIG.summaries),
    tokenBudget: whole('tokenBudget', 1, DEFAULT_CONFIG.tokenBudget),
    timeLimitMs,
    maxTokensPerCall: optionalWhole('maxTokensPerCall', DEFAULT_CONFIG.maxTokensPerCall),
    sampling: { temperature: real('temperature', DEFAULT_CONFIG.sampling.temperature), topP: real('topP', DEFAULT_CONFIG.sampling.topP) },
  };
  const endpointConcurrency = whole('endpointConcurrency', 1, DEFAULT_ENDPOINT_CONCURRENCY);

  // The rules between settings are core's (configProblems). Which settings a problem is about:
  // those that, changed alone to an acceptable value, make it go away.
  for (const text of configProblems(config)) {
    const keys = RELATED.filter(([, reset]) => !configProblems(reset(config)).includes(text)).map(([key]) => key);
    const names = keys.length ? keys : (['tokenBudget'] as Key[]);
    for (const key of names) named.add(key);
    problems.push(`${names.map((key) => PREFIX + key).join(' / ')}: ${text.charAt(0).toUpperCase()}${text.slice(1)}`);
  }
  if (problems.length) return { ok: false, problems, settings: [...named].map((key) => PREFIX + key) };
  return { ok: true, settings: { config, endpointConcurrency } };
}

/** Each setting that configProblems judges, and the configuration with only that setting made acceptable. */
const RELATED: [Key, (config: DeepProveConfig) => DeepProveConfig][] = [
  ['verificationsPerRefinement', (c) => ({ ...c, verificationsPerRefinement: Math.min(DEFAULT_CONFIG.verificationsPerRefinement, c.verifications) })],
  ['verifications', (c) => ({ ...c, verifications: Math.max(DEFAULT_CONFIG.verifications, c.verificationsPerRefinement) })],
  ['tokenBudget', (c) => ({ ...c, tokenBudget: Math.min(c.tokenBudget, MAX_TOKEN_BUDGET) })],
  ['temperature', (c) => ({ ...c, sampling: { ...c.sampling, temperature: DEFAULT_CONFIG.sampling.temperature } })],
  ['topP', (c) => ({ ...c, sampling: { ...c.sampling, topP: DEFAULT_CONFIG.sampling.topP } })],
];
