/** IMO-ProofBench's CSV: the real file's 60 problems, a damaged file's errors, and the selection `qed eval` runs on. */
import assert from 'node:assert/strict';
import { parseCsvRows } from '../../src/core/eval/csv';
import { ProofBenchError, readProofBench, selectProblems, type ProofBenchProblem } from '../../src/core/eval/proofBench';
import { proofBenchProblems } from '../helpers/proofBench';

const HEADER = 'Problem ID,Problem,Solution,Grading guidelines,Category,Level,Short Answer,Source';

function proofBenchError(text: string, message: RegExp): void {
  assert.throws(
    () => readProofBench(text, 'bench.csv'),
    (error: unknown) => error instanceof ProofBenchError && message.test(error.message),
  );
}

describe('IMO-ProofBench CSV', () => {
  const problems = proofBenchProblems();

  it('reads the real file: 60 problems, 24 IMO-easy, 18 IMO-medium, 10 IMO-hard, 8 pre-IMO, ids unique', () => {
    assert.equal(problems.length, 60);
    const counts: Record<string, number> = {};
    for (const problem of problems) counts[problem.level] = (counts[problem.level] ?? 0) + 1;
    assert.deepEqual(counts, { 'IMO-easy': 24, 'IMO-medium': 18, 'IMO-hard': 10, 'pre-IMO': 8 });
    assert.equal(new Set(problems.map((problem) => problem.id)).size, 60);
    assert.equal(problems[0]!.id, 'PB-Basic-001');
    assert.equal(problems.at(-1)!.id, 'PB-Advanced-030');
    for (const problem of problems) {
      assert.ok(problem.problem.trim() && problem.solution.trim() && problem.guidelines.trim(), problem.id);
    }
  });

  it('keeps multi-line quoted cells whole, with doubled quotes read as one', () => {
    const basic3 = problems.find((problem) => problem.id === 'PB-Basic-003')!;
    // In the file: `… = a f(a + f(b)). \]""",` — the cell ends in a literal quote.
    assert.ok(basic3.problem.includes('\n'), 'the statement spans lines');
    assert.ok(basic3.problem.endsWith('a f(a + f(b)). \\]"'), JSON.stringify(basic3.problem.slice(-40)));
    assert.equal(basic3.level, 'IMO-easy');
    assert.ok(problems.some((problem) => problem.guidelines.includes('"proof by contradiction"')));
    assert.ok(!problems.some((problem) => problem.guidelines.includes('""proof')));
  });

  it('parses RFC 4180 rows: commas, CRLF and quotes inside quoted fields', () => {
    assert.deepEqual(parseCsvRows('a,"b,c",d\r\n"x\ny","say ""hi""",\n'), [
      ['a', 'b,c', 'd'],
      ['x\ny', 'say "hi"', ''],
    ]);
  });

  it('reads a small file of its own, trimming labels and keeping texts', () => {
    const [problem] = readProofBench(`\uFEFF${HEADER}\n X-1 ,"Prove it, please.\nTwo lines.",Sol,Guide,Algebra, pre-IMO ,,Src\n`, 'bench.csv');
    assert.deepEqual(problem, { id: 'X-1', problem: 'Prove it, please.\nTwo lines.', solution: 'Sol', guidelines: 'Guide', category: 'Algebra', level: 'pre-IMO', shortAnswer: '', source: 'Src' });
  });

  it('names a missing required column, and the columns expected', () => {
    proofBenchError('Problem ID,Problem,Solution,Level\nA,p,s,pre-IMO\n', /bench\.csv lacks the column "Grading guidelines": an IMO-ProofBench CSV has the columns Problem ID, Problem/);
    proofBenchError('Problem ID,Problem,Level\nA,p,pre-IMO\n', /lacks the columns "Solution", "Grading guidelines"/);
  });

  it('names the line where an unclosed quote opened', () => {
    proofBenchError(`${HEADER}\nA,p,s,g,c,pre-IMO,,x\nB,"p\nq,s,g,c,pre-IMO,,x\n`, /bench\.csv is not a readable CSV file: a quoted field opened on line 3 is never closed/);
  });

  it('rejects a duplicate id, a row without id or statement, and a file with no rows', () => {
    proofBenchError(`${HEADER}\nA,p,s,g,c,pre-IMO,,x\nB,p,s,g,c,pre-IMO,,x\nA,p2,s,g,c,pre-IMO,,x\n`, /row 4 of bench\.csv: Problem ID A appears twice/);
    proofBenchError(`${HEADER}\n,p,s,g,c,pre-IMO,,x\n`, /row 2 of bench\.csv has no Problem ID/);
    proofBenchError(`${HEADER}\nA, ,s,g,c,pre-IMO,,x\n`, /row 2 of bench\.csv \(A\) has no problem statement/);
    proofBenchError(`${HEADER}\n`, /bench\.csv holds no problems/);
    proofBenchError(`${HEADER}\n,,,,,,,\n\n`, /holds no problems/);
  });
});

describe('selectProblems', () => {
  const problems = proofBenchProblems();
  const ids = (chosen: ProofBenchProblem[]) => chosen.map((problem) => problem.id);
  const selectionError = (run: () => unknown, message: RegExp) => assert.throws(run, (error: unknown) => error instanceof ProofBenchError && message.test(error.message));

  it('takes everything without filters', () => {
    assert.equal(selectProblems(problems, {}).length, 60);
  });

  it('picks ids in the file’s order, not the order asked', () => {
    assert.deepEqual(ids(selectProblems(problems, { ids: ['PB-Advanced-002', 'PB-Basic-005', 'PB-Basic-001'] })), ['PB-Basic-001', 'PB-Basic-005', 'PB-Advanced-002']);
  });

  it('picks levels whatever their case, then the first `limit`', () => {
    const hard = selectProblems(problems, { levels: ['imo-HARD'] });
    assert.equal(hard.length, 10);
    assert.ok(hard.every((problem) => problem.level === 'IMO-hard'));
    assert.deepEqual(ids(selectProblems(problems, { levels: ['pre-imo', 'IMO-Hard'], limit: 3 })), ['PB-Basic-002', 'PB-Basic-008', 'PB-Basic-013']);
    assert.deepEqual(ids(selectProblems(problems, { limit: 2 })), ['PB-Basic-001', 'PB-Basic-002']);
  });

  it('combines ids and levels', () => {
    assert.deepEqual(ids(selectProblems(problems, { ids: ['PB-Basic-001', 'PB-Basic-002', 'PB-Advanced-003'], levels: ['IMO-easy', 'IMO-hard'] })), ['PB-Basic-001', 'PB-Advanced-003']);
  });

  it('rejects an unknown id or level, naming it, and an empty selection', () => {
    selectionError(() => selectProblems(problems, { ids: ['PB-Basic-001', 'PB-Nope-9'] }), /No problem has the id PB-Nope-9 \(the file's ids run PB-Basic-001 … PB-Advanced-030\)/);
    selectionError(() => selectProblems(problems, { levels: ['IMO-impossible'] }), /No problem has the level IMO-impossible; the levels are IMO-easy, pre-IMO, IMO-medium, IMO-hard/);
    selectionError(() => selectProblems(problems, { ids: ['PB-Basic-002'], levels: ['IMO-hard'] }), /The filters leave no problem to run/);
  });
});
