/**
 * The 60 problems of ../shared/corpus/imo-proofbench (see its SOURCES.md): human-written
 * reference solutions in Markdown with LaTeX math, as a model writes them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readProofBench, type ProofBenchProblem } from '../../src/core/eval/proofBench';

export const PROOFBENCH_CSV = path.resolve(__dirname, '../../../shared/corpus/imo-proofbench/proofbench_v2.csv');

export function proofBenchProblems(): ProofBenchProblem[] {
  return readProofBench(readFileSync(PROOFBENCH_CSV, 'utf8'), PROOFBENCH_CSV);
}
