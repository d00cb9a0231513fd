/**
 * EvalRun against a scripted solver and judge and a real results file: what it records, what a
 * rerun skips or re-grades, a failing solver, Stop, proofs with nothing to grade, its parallelism,
 * and a file whose last line was torn by a kill.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalFile, readEvalRecords } from '../../src/core/eval/evalFile';
import type { EvalGrade, EvalRecord } from '../../src/core/eval/evalRecord';
import { EvalRun, type EvalItem, type Judge, type Solution, type Solver } from '../../src/core/eval/evalRun';
import type { ProofBenchProblem } from '../../src/core/eval/proofBench';
import { SETUP } from '../helpers/evalRecords';

const problem = (id: string): ProofBenchProblem => ({ id, problem: `Prove ${id}.`, solution: `Reference ${id}.`, guidelines: 'G', category: 'Algebra', level: id === 'P1' ? 'pre-IMO' : 'IMO-easy', shortAnswer: '', source: 'S' });
const ITEMS: EvalItem[] = ['P1', 'P2', 'P3', 'P4', 'P5'].map((id, index) => ({ problem: problem(id), sample: 1, seed: 100 + index }));

type SolveScript = (item: EvalItem, signal: AbortSignal) => Promise<Solution | 'stopped'>;

class ScriptedSolver implements Solver {
  readonly solved: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly script: SolveScript = async (item) => solution(`Proof of ${item.problem.id}.`)) {}
  async solve(item: EvalItem, signal: AbortSignal): Promise<Solution | 'stopped'> {
    this.solved.push(item.problem.id);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      return await this.script(item, signal);
    } finally {
      this.inFlight--;
    }
  }
}

class ScriptedJudge implements Judge {
  readonly graded: { id: string; proof: string }[] = [];
  constructor(private readonly script: (problem: ProofBenchProblem) => EvalGrade | 'stopped' = () => grade(7)) {}
  async grade(problem: ProofBenchProblem, proof: string): Promise<EvalGrade | 'stopped'> {
    this.graded.push({ id: problem.id, proof });
    return this.script(problem);
  }
}

function solution(content: string): Solution {
  return { prompt: [{ role: 'user', content: 'prompt' }], response: { reasoning: 'r', content, status: 'done', finishReason: 'stop', startedAt: 0, endedAt: 5, reasoningTokens: 3, contentTokens: 4 }, content, tokens: 7, timeMs: 5 };
}
const grade = (points: number): EvalGrade => ({ status: 'graded', points, grading: `<points>${points} out of 7</points>`, timeMs: 2, tokens: 9 });
const judgeError: EvalGrade = { status: 'error', points: null, note: 'The judge failed: 503', timeMs: 1, tokens: 0 };
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

let folder: string;
let path: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'qed-eval-run-'));
  path = join(folder, 'results.jsonl');
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

async function run(solver: Solver, judge: Judge, items: readonly EvalItem[] = ITEMS, parallel = 1, onStart?: (run: EvalRun, item: EvalItem) => void) {
  const file = await EvalFile.open(path);
  const progress: { id: string; done: number; total: number }[] = [];
  const evalRun: EvalRun = new EvalRun(
    { solver, judge, file, setup: SETUP, parallel, now: () => 42 },
    { started: (item) => onStart?.(evalRun, item), recorded: (record, { done, total }) => progress.push({ id: record.problemId, done, total }) },
  );
  const outcome = await evalRun.run(items);
  return { outcome, file, progress };
}
const lines = () => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const ids = (records: EvalRecord[]) => records.map((record) => record.problemId);

describe('EvalRun', () => {
  it('solves, grades and records every item with its fields, then a rerun does nothing', async () => {
    const solver = new ScriptedSolver(async (item) => solution(`Proof of ${item.problem.id}.\n\n## Self Evaluation\nCorrect.`));
    const judge = new ScriptedJudge((p) => grade(p.id === 'P2' ? 1 : 7));
    const { outcome, file, progress } = await run(solver, judge);
    assert.deepEqual(outcome, { end: 'complete' });
    assert.deepEqual(progress.map((p) => `${p.id} ${p.done}/${p.total}`), ['P1 1/5', 'P2 2/5', 'P3 3/5', 'P4 4/5', 'P5 5/5']);
    assert.deepEqual(judge.graded[0], { id: 'P1', proof: 'Proof of P1.' }, 'the judge sees the proof without its self-evaluation');
    const records = await readEvalRecords(path);
    assert.deepEqual(records, file.records);
    assert.deepEqual(records[1], {
      type: 'eval', version: 1, problemId: 'P2', sample: 1, level: 'IMO-easy', category: 'Algebra', statement: 'Prove P2.', setup: SETUP, seed: 101,
      prompt: [{ role: 'user', content: 'prompt' }], response: solution('Proof of P2.\n\n## Self Evaluation\nCorrect.').response, answer: 'Proof of P2.',
      tokens: 7, timeMs: 5, grade: grade(1), points: 1, finishedAt: 42,
    });
    assert.deepEqual(records.map((record) => record.points), [7, 1, 7, 7, 7]);

    const again = { solver: new ScriptedSolver(), judge: new ScriptedJudge() };
    const second = await run(again.solver, again.judge);
    assert.deepEqual([second.outcome, again.solver.solved, again.judge.graded, second.progress], [{ end: 'complete' }, [], [], []]);
    assert.equal(lines().length, 5);
  });

  it('records a failed grading and re-grades it on the rerun without solving again', async () => {
    const first = await run(new ScriptedSolver(), new ScriptedJudge((p) => (p.id === 'P3' ? judgeError : grade(6))));
    assert.equal(first.outcome.end, 'complete');
    assert.deepEqual(first.progress.map((p) => p.done), [1, 2, 2, 3, 4], 'a failed grading is not done');
    assert.deepEqual(first.file.recordOf('P3', 1)!.grade, judgeError);
    assert.equal(first.file.recordOf('P3', 1)!.points, null);

    const solver = new ScriptedSolver();
    const judge = new ScriptedJudge(() => grade(7));
    const second = await run(solver, judge);
    assert.deepEqual([second.outcome, solver.solved, judge.graded], [{ end: 'complete' }, [], [{ id: 'P3', proof: 'Proof of P3.' }]]);
    assert.deepEqual(second.progress, [{ id: 'P3', done: 5, total: 5 }]);
    assert.equal(lines().length, 6, 'the new grade is a line of its own');
    const records = await readEvalRecords(path);
    const p3 = records.find((record) => record.problemId === 'P3')!;
    assert.deepEqual([p3.grade, p3.points, p3.answer, p3.seed], [grade(7), 7, 'Proof of P3.', 102]);
    assert.deepEqual(ids(records), ['P1', 'P2', 'P3', 'P4', 'P5']);
  });

  it('ends with the solver’s error, keeping what finished, and the rerun does the rest', async () => {
    const failing = new ScriptedSolver(async (item) => {
      if (item.problem.id === 'P3') throw new Error('The backend went away.');
      return solution(`Proof of ${item.problem.id}.`);
    });
    const first = await run(failing, new ScriptedJudge());
    assert.deepEqual(first.outcome, { end: 'error', error: 'The backend went away.' });
    assert.deepEqual(failing.solved, ['P1', 'P2', 'P3'], 'no new work after the failure');
    assert.deepEqual(ids(await readEvalRecords(path)), ['P1', 'P2']);

    const solver = new ScriptedSolver();
    const second = await run(solver, new ScriptedJudge());
    assert.deepEqual([second.outcome, solver.solved], [{ end: 'complete' }, ['P3', 'P4', 'P5']]);
    assert.deepEqual(ids(await readEvalRecords(path)), ['P1', 'P2', 'P3', 'P4', 'P5']);
  });

  it('stops mid-run: what is in flight is dropped, no line is half-written', async () => {
    // P2's solver honours the stop; P3's answer arrives after it and is dropped too.
    const solver = new ScriptedSolver(async (item, signal) => {
      if (item.problem.id === 'P1') return solution('Proof of P1.');
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      return item.problem.id === 'P2' ? 'stopped' : solution('late');
    });
    const judge = new ScriptedJudge();
    const { outcome } = await run(solver, judge, ITEMS, 2, (evalRun, item) => item.problem.id === 'P3' && setTimeout(() => evalRun.stop(), 5));
    assert.deepEqual(outcome, { end: 'stopped' });
    assert.deepEqual([solver.solved, judge.graded.map((g) => g.id)], [['P1', 'P2', 'P3'], ['P1']]);
    assert.equal(readFileSync(path, 'utf8'), `${lines()[0]}\n`);
    assert.deepEqual(ids(await readEvalRecords(path)), ['P1']);
  });

  it('records nothing when the judge is stopped', async () => {
    const { outcome } = await run(new ScriptedSolver(), new ScriptedJudge(() => 'stopped'), ITEMS.slice(0, 1));
    assert.equal(outcome.end, 'complete');
    assert.deepEqual(await readFile(path, 'utf8').catch(() => ''), '');
  });

  it('scores 0 without asking the judge when there is no proof: empty, or only a self-evaluation', async () => {
    const solver = new ScriptedSolver(async (item) => (item.problem.id === 'P1' ? { ...solution(''), noProofReason: 'The token limit cut the thinking off.' } : solution('\n\n## Self Evaluation\nI found no proof.')));
    const judge = new ScriptedJudge();
    await run(solver, judge, ITEMS.slice(0, 2));
    assert.deepEqual(judge.graded, []);
    const [p1, p2] = await readEvalRecords(path);
    assert.deepEqual([p1!.grade, p1!.points, p1!.answer], [{ status: 'no-proof', points: 0, note: 'The token limit cut the thinking off.', timeMs: 0, tokens: 0 }, 0, '']);
    assert.deepEqual([p2!.grade.status, p2!.points, p2!.answer, p2!.grade.note], ['no-proof', 0, '', 'No answer after </think>: the proof scores 0.']);
  });

  it('has at most `parallel` items in flight, and uses them', async () => {
    const items = Array.from({ length: 10 }, (_, index) => ({ problem: problem(`Q${index}`), sample: 1, seed: index }));
    const solver = new ScriptedSolver(async (item) => {
      for (let i = 0; i < 3 + (item.seed % 4); i++) await tick();
      return solution('Proof.');
    });
    const { outcome } = await run(solver, new ScriptedJudge(), items, 3);
    assert.equal(outcome.end, 'complete');
    assert.equal(solver.maxInFlight, 3);
    assert.equal(solver.solved.length, 10);
    assert.deepEqual(new Set(ids(await readEvalRecords(path))), new Set(items.map((item) => item.problem.id)));
  });

  it('reopens a file whose last line was torn by a kill without it, and redoes only that item', async () => {
    await run(new ScriptedSolver(), new ScriptedJudge(), ITEMS.slice(0, 3));
    const whole = readFileSync(path, 'utf8');
    const tornAt = whole.lastIndexOf('{"type"') + 60;
    writeFileSync(path, whole.slice(0, tornAt));
    const file = await EvalFile.open(path);
    assert.deepEqual(ids(file.records), ['P1', 'P2']);
    assert.equal(readFileSync(path, 'utf8'), whole.slice(0, whole.lastIndexOf('{"type"')), 'the torn line is removed');

    const solver = new ScriptedSolver();
    const { outcome } = await run(solver, new ScriptedJudge(), ITEMS.slice(0, 3));
    assert.deepEqual([outcome.end, solver.solved], ['complete', ['P3']]);
    assert.deepEqual(lines().map((line) => (JSON.parse(line) as EvalRecord).problemId), ['P1', 'P2', 'P3']);
  });

  it('keeps a whole last line that lost only its newline, and gives it back', async () => {
    await run(new ScriptedSolver(), new ScriptedJudge(), ITEMS.slice(0, 2));
    const whole = readFileSync(path, 'utf8');
    writeFileSync(path, whole.slice(0, -1));
    const solver = new ScriptedSolver();
    const { file } = await run(solver, new ScriptedJudge(), ITEMS.slice(0, 3));
    assert.deepEqual([ids(file.records), solver.solved], [['P1', 'P2', 'P3'], ['P3']]);
    assert.equal(lines().length, 3);
    assert.ok(readFileSync(path, 'utf8').startsWith(whole));
  });
});
