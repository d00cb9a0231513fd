/**
 * The 60 problems of ../shared/corpus/imo-proofbench (see its SOURCES.md): human-written
 * reference solutions in Markdown with LaTeX math, as a model writes them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const PROOFBENCH = path.resolve(__dirname, '../../../shared/corpus/imo-proofbench/proofbench_v2.csv');

export interface ProofBenchProblem {
  id: string;
  problem: string;
  solution: string;
}

export function proofBenchProblems(): ProofBenchProblem[] {
  return readCsv(readFileSync(PROOFBENCH, 'utf8')).map((record) => ({ id: record['Problem ID']!, problem: record.Problem!, solution: record.Solution! }));
}

/** RFC 4180: fields in double quotes may hold commas, newlines and doubled quotes. */
function readCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header, ...records] = rows;
  return records.map((record) => Object.fromEntries(header!.map((name, column) => [name, record[column] ?? ''])));
}
