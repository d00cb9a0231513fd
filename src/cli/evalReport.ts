/**
 * `qed eval`'s tables for a terminal: the summary per level and overall, and two runs compared.
 * The JSON summary (--summary-json) carries the same figures for scripts.
 */
import { pushAll } from '../core/arrays';
import type { EvalSetup } from '../core/eval/evalRecord';
import { duration } from './deepProveReport';
import type { EvalComparison, EvalSummary, GroupComparison, GroupSummary } from '../core/eval/evalSummary';

export const SELF_JUDGE_WARNING = 'Judge: QED-Nano’s own 0/½/1 verifier, scaled to 7. NOT comparable with published IMO-ProofBench numbers, which an external judge graded 0–7 with each problem’s guidelines.';

export function summaryTable(summary: EvalSummary): string {
  const lines = [setupLine(summary.setup, summary.samples)];
  if (summary.setup?.judge === 'self') lines.push(SELF_JUDGE_WARNING);
  const header = ['', 'problems', 'graded', 'score', '95% interval', ...(summary.samples > 1 ? ['per sample'] : []), 'tokens/problem', 'time/problem'];
  const row = (group: GroupSummary) => [
    group.name,
    String(group.problems),
    String(group.n),
    percent(group.percent),
    interval(group.interval),
    ...(summary.samples > 1 ? [group.runs.map((run) => (run === null ? '—' : run.toFixed(1))).join(' · ') || '—'] : []),
    group.tokensPerProblem === null ? '—' : Math.round(group.tokensPerProblem).toLocaleString('en-US'),
    group.timeMsPerProblem === null ? '—' : duration(group.timeMsPerProblem),
  ];
  lines.push('');
  pushAll(lines, table([header, ...summary.levels.map(row), row(summary.overall)]));
  const { unreadable, ungraded } = summary.overall;
  lines.push('', 'score: mean points ÷ 7 over the graded samples; 95% interval: t-interval, samples clustered by problem.');
  if (unreadable) lines.push(`${unreadable} grade${unreadable === 1 ? ' was' : 's were'} unreadable (no valid <points>N out of 7</points> first): left out of the score; their notes are in the results file.`);
  if (ungraded) lines.push(`${ungraded} proof${ungraded === 1 ? ' is' : 's are'} not graded yet (the judge failed): run the same command again to grade ${ungraded === 1 ? 'it' : 'them'}.`);
  return `${lines.join('\n')}\n`;
}

export function comparisonTable(comparison: EvalComparison, names: { a: string; b: string }): string {
  const lines = [`A: ${names.a}`, `B: ${names.b}`, '', 'Per problem (mean points of 7 over the graded samples):'];
  const points = (value: number | null) => (value === null ? '—' : value.toFixed(2).replace(/\.?0+$/, ''));
  const difference = (a: number | null, b: number | null) => (a === null || b === null ? '' : signed(a - b, 2));
  const problemRows = comparison.problems.map((problem) => [problem.problemId, problem.level, points(problem.a), points(problem.b), difference(problem.a, problem.b)]);
  pushAll(lines, table([['problem', 'level', 'A', 'B', 'A − B'], ...problemRows]));
  const row = (group: GroupComparison) => [group.name, String(group.problems), percent(group.a), percent(group.b), group.difference === null ? '—' : `${signed(group.difference, 1)} pts`, interval(group.interval)];
  lines.push('', 'Per level and overall, on the problems graded in both (score: mean points ÷ 7):');
  pushAll(lines, table([['', 'problems', 'A', 'B', 'A − B', '95% interval'], ...comparison.levels.map(row), row(comparison.overall)]));
  const alone = comparison.problems.filter((problem) => (problem.a === null) !== (problem.b === null));
  if (alone.length) lines.push('', `Graded in one file only (left out above): ${alone.map((problem) => `${problem.problemId} (${problem.a === null ? 'B' : 'A'})`).join(', ')}.`);
  lines.push('', '95% interval of the difference: paired t-interval over the problems.');
  return `${lines.join('\n')}\n`;
}

/** The same figures as the table, for scripts: `{overall: {percent, n, …}, levels: {LEVEL: {…}}}`. */
export function summaryJson(summary: EvalSummary): object {
  const group = ({ name: _name, ...figures }: GroupSummary) => figures;
  return {
    setup: summary.setup,
    samples: summary.samples,
    comparableWithPublished: summary.setup !== null && summary.setup.judge !== 'self',
    overall: group(summary.overall),
    levels: Object.fromEntries(summary.levels.map((level) => [level.name, group(level)])),
  };
}

function setupLine(setup: EvalSetup | null, samples: number): string {
  if (!setup) return 'No results yet.';
  const sampling = [`temperature ${setup.temperature}`, `top_p ${setup.topP}`, ...(setup.topK !== undefined ? [`top_k ${setup.topK}`] : []), ...(setup.maxTokens !== undefined ? [`max ${setup.maxTokens.toLocaleString('en-US')} tokens`] : [])];
  const plural = (count: number | undefined, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const search = `pool ${setup.poolSize}, ${plural(setup.verifications, 'verification')}, ${plural(setup.rounds, 'round')}`;
  const mode = setup.mode === 'deep' ? `Deep Prove (${search}; budget ${setup.tokenBudget?.toLocaleString('en-US')} tokens)` : 'Prove (one sample)';
  return `${mode} × ${samples} sample${samples === 1 ? '' : 's'} · solver ${setup.solver} (${sampling.join(', ')}) · judge ${setup.judge}`;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)}%`;
}

function interval(value: [number, number] | null): string {
  return value === null ? '—' : `[${value[0].toFixed(1)}, ${value[1].toFixed(1)}]`;
}

function signed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return value > 0 ? `+${text}` : text === (0).toFixed(digits) || text === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : text;
}

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => rows.reduce((widest, row) => Math.max(widest, [...(row[column] ?? '')].length), 0));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}
