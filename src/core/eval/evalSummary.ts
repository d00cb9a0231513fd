/**
 * The figures of an eval, per level and overall, as the paper reports them: mean points ÷ 7 as a
 * percentage over every graded (problem, sample), and each sample's run on its own (the paper
 * quotes the average of 3 runs). The 95% interval is a t-interval with the samples clustered by
 * problem: the samples of one problem are not independent draws of the benchmark, so the
 * interval widens with the spread between problems as well as between samples. Unreadable grades
 * are left out of the mean and counted apart; a proof with no answer after `</think>` counts 0.
 */
import { isDone, recordKey, type EvalRecord, type EvalSetup } from './evalRecord';

export interface GroupSummary {
  /** A level, or "overall". */
  name: string;
  /** Problems with at least one graded sample. */
  problems: number;
  /** Graded samples: the ones in the mean. */
  n: number;
  unreadable: number;
  /** Proofs whose judge failed: a rerun grades them. */
  ungraded: number;
  percent: number | null;
  interval: [number, number] | null;
  /** The percentage of each sample (run) 1…K, when there are several; null for a sample with no grade here. */
  runs: (number | null)[];
  /** Generated tokens and solving time of one (problem, sample), on average. */
  tokensPerProblem: number | null;
  timeMsPerProblem: number | null;
}

export interface EvalSummary {
  setup: EvalSetup | null;
  /** The largest sample number in the file. */
  samples: number;
  levels: GroupSummary[];
  overall: GroupSummary;
}

/** The benchmark's levels from easiest to hardest; others follow in the order met. */
const LEVEL_ORDER = ['pre-IMO', 'IMO-easy', 'IMO-medium', 'IMO-hard'];

export function summarizeEval(all: readonly EvalRecord[]): EvalSummary {
  const records = latestRecords(all);
  const levels = [...new Set(records.map((record) => record.level))].sort((a, b) => levelRank(a) - levelRank(b));
  const samples = records.reduce((most, record) => Math.max(most, record.sample), 0);
  return {
    setup: records[0]?.setup ?? null,
    samples,
    levels: levels.map((level) => summarizeGroup(level, records.filter((record) => record.level === level), samples)),
    overall: summarizeGroup('overall', records, samples),
  };
}

function levelRank(level: string): number {
  const rank = LEVEL_ORDER.indexOf(level);
  return rank === -1 ? LEVEL_ORDER.length : rank;
}

function summarizeGroup(name: string, records: readonly EvalRecord[], samples: number): GroupSummary {
  const graded = records.filter((record) => record.points !== null);
  const scores = graded.map((record) => ({ cluster: record.problemId, value: (100 * record.points!) / 7 }));
  const runs: (number | null)[] = [];
  if (samples > 1) {
    for (let sample = 1; sample <= samples; sample++) {
      const run = scores.filter((_, index) => graded[index]!.sample === sample).map((score) => score.value);
      runs.push(run.length ? mean(run) : null);
    }
  }
  return {
    name,
    problems: new Set(graded.map((record) => record.problemId)).size,
    n: graded.length,
    unreadable: records.filter((record) => record.grade.status === 'unreadable').length,
    ungraded: records.filter((record) => !isDone(record)).length,
    percent: scores.length ? mean(scores.map((score) => score.value)) : null,
    interval: clamped(clusteredInterval(scores), 0, 100),
    runs,
    tokensPerProblem: records.length ? mean(records.map((record) => record.tokens)) : null,
    timeMsPerProblem: records.length ? mean(records.map((record) => record.timeMs)) : null,
  };
}

export interface ProblemComparison {
  problemId: string;
  level: string;
  /** Mean points (0–7) over the graded samples of each run; null when it has none. */
  a: number | null;
  b: number | null;
}

export interface GroupComparison {
  name: string;
  /** Problems graded in both runs: the ones compared. */
  problems: number;
  a: number | null;
  b: number | null;
  /** a − b in percentage points, with its 95% interval over the problems (paired). */
  difference: number | null;
  interval: [number, number] | null;
}

export interface EvalComparison {
  problems: ProblemComparison[];
  levels: GroupComparison[];
  overall: GroupComparison;
}

/** Two runs side by side, on the problems both graded: per problem, per level and overall. */
export function compareEvals(a: readonly EvalRecord[], b: readonly EvalRecord[]): EvalComparison {
  const meansA = problemMeans(a);
  const meansB = problemMeans(b);
  const ids = [...new Set([...meansA.keys(), ...meansB.keys()])];
  const problems = ids.map((problemId) => ({
    problemId,
    level: (meansA.get(problemId) ?? meansB.get(problemId))!.level,
    a: meansA.get(problemId)?.points ?? null,
    b: meansB.get(problemId)?.points ?? null,
  }));
  const levels = [...new Set(problems.map((problem) => problem.level))].sort((x, y) => levelRank(x) - levelRank(y));
  return {
    problems,
    levels: levels.map((level) => compareGroup(level, problems.filter((problem) => problem.level === level))),
    overall: compareGroup('overall', problems),
  };
}

function compareGroup(name: string, problems: readonly ProblemComparison[]): GroupComparison {
  const paired = problems.filter((problem) => problem.a !== null && problem.b !== null);
  const percent = (points: number) => (100 * points) / 7;
  const differences = paired.map((problem) => ({ cluster: problem.problemId, value: percent(problem.a! - problem.b!) }));
  return {
    name,
    problems: paired.length,
    a: paired.length ? mean(paired.map((problem) => percent(problem.a!))) : null,
    b: paired.length ? mean(paired.map((problem) => percent(problem.b!))) : null,
    difference: paired.length ? mean(differences.map((difference) => difference.value)) : null,
    interval: clamped(clusteredInterval(differences), -100, 100),
  };
}

function problemMeans(records: readonly EvalRecord[]): Map<string, { level: string; points: number | null }> {
  const byProblem = new Map<string, { level: string; points: number[] }>();
  for (const record of latestRecords(records)) {
    const entry = byProblem.get(record.problemId) ?? { level: record.level, points: [] };
    if (record.points !== null) entry.points.push(record.points);
    byProblem.set(record.problemId, entry);
  }
  return new Map([...byProblem].map(([id, entry]) => [id, { level: entry.level, points: entry.points.length ? mean(entry.points) : null }]));
}

/** The last record of each (problem, sample): a later line replaces an earlier one. */
export function latestRecords(records: readonly EvalRecord[]): EvalRecord[] {
  const latest = new Map<string, EvalRecord>();
  for (const record of records) {
    const key = recordKey(record);
    latest.set(key, record);
  }
  return [...latest.values()];
}

/** A score cannot leave its range, whatever the normal approximation says. */
function clamped(interval: [number, number] | null, min: number, max: number): [number, number] | null {
  return interval && [Math.max(min, interval[0]), Math.min(max, interval[1])];
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * The 95% t-interval of the mean of `values` with cluster-robust standard error (clusters:
 * problems); null with fewer than two clusters. With one value per cluster it is the usual
 * t-interval of a mean.
 */
export function clusteredInterval(values: readonly { cluster: string; value: number }[]): [number, number] | null {
  const clusters = new Map<string, number>();
  const center = values.length ? mean(values.map((entry) => entry.value)) : 0;
  for (const { cluster, value } of values) clusters.set(cluster, (clusters.get(cluster) ?? 0) + value - center);
  const g = clusters.size;
  if (g < 2) return null;
  const sumOfSquares = [...clusters.values()].reduce((sum, residual) => sum + residual * residual, 0);
  const standardError = Math.sqrt((g / (g - 1)) * sumOfSquares) / values.length;
  const half = tQuantile975(g - 1) * standardError;
  return [center - half, center + half];
}

/** Student's t, 97.5th percentile, for 1–30 degrees of freedom. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(degreesOfFreedom: number): number {
  if (degreesOfFreedom <= T_975.length) return T_975[degreesOfFreedom - 1]!;
  // Cornish–Fisher expansion around the normal quantile: within 0.001 past 30 degrees of freedom.
  const z = 1.959964;
  const n = degreesOfFreedom;
  return z + (z ** 3 + z) / (4 * n) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * n * n);
}
