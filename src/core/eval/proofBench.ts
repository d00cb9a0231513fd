/**
 * IMO-ProofBench in its published CSV form (columns `Problem ID, Problem, Solution, Grading
 * guidelines, Category, Level, Short Answer, Source`), and the selection `qed eval` runs on.
 */
import { CsvError, parseCsvRecords } from './csv';

export interface ProofBenchProblem {
  id: string;
  problem: string;
  /** The reference solution the judge compares against. */
  solution: string;
  guidelines: string;
  category: string;
  level: string;
  shortAnswer: string;
  source: string;
}

const COLUMNS = {
  id: 'Problem ID',
  problem: 'Problem',
  solution: 'Solution',
  guidelines: 'Grading guidelines',
  category: 'Category',
  level: 'Level',
  shortAnswer: 'Short Answer',
  source: 'Source',
} as const satisfies Record<keyof ProofBenchProblem, string>;

/** The judge needs these; the others may be missing from a user's own file. */
const REQUIRED: (keyof ProofBenchProblem)[] = ['id', 'problem', 'solution', 'guidelines', 'level'];

export class ProofBenchError extends Error {}

export function readProofBench(text: string, where: string): ProofBenchProblem[] {
  let parsed: ReturnType<typeof parseCsvRecords>;
  try {
    parsed = parseCsvRecords(text);
  } catch (error) {
    if (error instanceof CsvError) throw new ProofBenchError(`${where} is not a readable CSV file: ${error.message}.`);
    throw error;
  }
  const missing = REQUIRED.map((field) => COLUMNS[field]).filter((column) => !parsed.header.includes(column));
  if (missing.length) {
    throw new ProofBenchError(`${where} lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((column) => `"${column}"`).join(', ')}: an IMO-ProofBench CSV has the columns ${Object.values(COLUMNS).join(', ')}.`);
  }
  // Labels are trimmed; texts are kept as written.
  const cell = (record: Record<string, string>, field: keyof ProofBenchProblem) => record[COLUMNS[field]] ?? '';
  const label = (record: Record<string, string>, field: keyof ProofBenchProblem) => cell(record, field).trim();
  const problems = parsed.records.map((record): ProofBenchProblem => ({
    id: label(record, 'id'),
    problem: cell(record, 'problem'),
    solution: cell(record, 'solution'),
    guidelines: cell(record, 'guidelines'),
    category: label(record, 'category'),
    level: label(record, 'level'),
    shortAnswer: label(record, 'shortAnswer'),
    source: label(record, 'source'),
  }));
  const seen = new Set<string>();
  problems.forEach((problem, index) => {
    const row = `row ${index + 2} of ${where}`;
    if (!problem.id) throw new ProofBenchError(`${row} has no Problem ID.`);
    if (seen.has(problem.id)) throw new ProofBenchError(`${row}: Problem ID ${problem.id} appears twice.`);
    seen.add(problem.id);
    if (!problem.problem.trim()) throw new ProofBenchError(`${row} (${problem.id}) has no problem statement.`);
  });
  if (problems.length === 0) throw new ProofBenchError(`${where} holds no problems.`);
  return problems;
}

export interface ProblemSelection {
  ids?: string[];
  levels?: string[];
  limit?: number;
}

/** The problems to run, in the file's order: by id, then by level, then the first `limit`. */
export function selectProblems(problems: readonly ProofBenchProblem[], selection: ProblemSelection): ProofBenchProblem[] {
  let chosen = [...problems];
  if (selection.ids) {
    const known = new Set(problems.map((problem) => problem.id));
    const unknown = selection.ids.filter((id) => !known.has(id));
    if (unknown.length) throw new ProofBenchError(`No problem has the id ${unknown.join(', ')} (the file's ids run ${problems[0]!.id} … ${problems.at(-1)!.id}).`);
    const wanted = new Set(selection.ids);
    chosen = chosen.filter((problem) => wanted.has(problem.id));
  }
  if (selection.levels) {
    const levels = [...new Set(problems.map((problem) => problem.level))];
    const unknown = selection.levels.filter((level) => !levels.some((known) => known.toLowerCase() === level.toLowerCase()));
    if (unknown.length) throw new ProofBenchError(`No problem has the level ${unknown.join(', ')}; the levels are ${levels.join(', ')}.`);
    const wanted = new Set(selection.levels.map((level) => level.toLowerCase()));
    chosen = chosen.filter((problem) => wanted.has(problem.level.toLowerCase()));
  }
  if (selection.limit !== undefined) chosen = chosen.slice(0, selection.limit);
  if (chosen.length === 0) throw new ProofBenchError('The filters leave no problem to run.');
  return chosen;
}
