/**
 * `qed eval` as a user runs it (`node dist/cli.js eval …`) on the real IMO-ProofBench CSV:
 * - a scripted solver and a scripted judge (fixed answers and grades) give exact summary figures,
 *   with a proof that never closes its thinking (0 points, judge not asked), a self-evaluation the
 *   judge must not see, and an unreadable grade (left out of the score, never a silent 0);
 * - the tiny model through a real engine, the CLI killed mid-run (a torn last line too), then the
 *   same command again: the same records as a run never interrupted;
 * - `--compare` on two result files; `--report`; the usage errors a user meets first.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureTinyModel } from '../../models/tiny/generate';
import { parseJournal } from '../../src/core/deepProve/journal';
import { JOURNAL_FILE } from '../../src/core/deepProve/journalFile';
import { tokensOf } from '../../src/core/deepProve/runView';
import type { EvalRecord } from '../../src/core/eval/evalRecord';
import { CLI, runCli, TEST_THREADS } from '../helpers/cliEngine';
import { PROOFBENCH_CSV, proofBenchProblems } from '../helpers/proofBench';
import { startScriptedEndpoint, type ScriptedEndpoint, type ScriptedRequest } from '../helpers/scriptedEndpoint';

const folders: string[] = [];
const endpoints: ScriptedEndpoint[] = [];

function newFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'qed-eval-test-'));
  folders.push(folder);
  return folder;
}

function recordsOf(file: string): EvalRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EvalRecord);
}

const promptOf = (request: ScriptedRequest) => request.messages.map((message) => message.content).join('\n');

/** Grades by the proof's text, so a judge's grade is fixed whatever order the proofs come in. */
async function hashingJudge(): Promise<ScriptedEndpoint> {
  const judge = await startScriptedEndpoint((request) => {
    const proof = promptOf(request).split('# The solution to grade').pop()!;
    let hash = 0;
    for (const char of proof) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_003;
    return `Checked every step.\n\n<points>${[0, 1, 6, 7][hash % 4]} out of 7</points>`;
  });
  endpoints.push(judge);
  return judge;
}

after(async () => {
  for (const endpoint of endpoints) await endpoint.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('qed eval (CLI)', function () {
  this.timeout(240_000);

  it('gives exact figures with a scripted solver and judge: no </think> scores 0, an unreadable grade is left out', async () => {
    const problems = new Map(proofBenchProblems().map((problem) => [problem.id, problem.problem.trim()]));
    const answers: Record<string, string> = {
      'PB-Basic-001': 'Let me think.</think>Proof one: $f(x) = 2x + c$.',
      'PB-Basic-002': 'Still thinking when the answer ended, never closing',
      'PB-Basic-003': 'Hmm.</think>Proof three.\n\n## Self Evaluation\n\nI am sure it is right. \\boxed{1}',
      'PB-Advanced-001': 'So.</think>Proof four.',
    };
    const solver = await startScriptedEndpoint((request) => {
      const id = [...problems].find(([, statement]) => promptOf(request).includes(statement))?.[0];
      return answers[id ?? ''] ?? 'Unknown problem</think>?';
    });
    const judge = await startScriptedEndpoint((request) => {
      const prompt = promptOf(request);
      if (prompt.includes('Proof one')) return 'Complete.\n<points>7 out of 7</points>';
      if (prompt.includes('Proof three')) return 'A small gap.\n<points>6 out of 7</points>';
      return 'First I thought <points>six</points>, then <points>6 out of 7</points>.';
    });
    endpoints.push(solver, judge);
    const folder = newFolder();
    const out = path.join(folder, 'results.jsonl');
    const summaryFile = path.join(folder, 'summary.json');
    const html = path.join(folder, 'report.html');
    const ids = Object.keys(answers).join(',');
    const { code, stdout, stderr } = await runCli(
      ['eval', PROOFBENCH_CSV, '--out', out, '--endpoint', `${solver.baseUrl}/v1`, '--problems', ids, '--samples', '2', '--judge-endpoint', `${judge.baseUrl}/v1`, '--judge-model', 'scripted-judge', '--summary-json', summaryFile, '--html', html],
      { QED_JUDGE_API_KEY: 'judge-secret' },
    );
    assert.equal(code, 0, stderr);

    const records = recordsOf(out);
    assert.equal(records.length, 8);
    const byProblem = (id: string) => records.filter((record) => record.problemId === id);
    for (const record of byProblem('PB-Basic-002')) {
      assert.equal(record.grade.status, 'no-proof');
      assert.equal(record.points, 0);
      assert.equal(record.answer, '');
    }
    for (const record of byProblem('PB-Basic-003')) {
      assert.equal(record.points, 6);
      assert.equal(record.answer, 'Proof three.');
      assert.ok(record.response?.content.includes('Self Evaluation'), 'the whole answer is kept');
    }
    for (const record of byProblem('PB-Advanced-001')) {
      assert.equal(record.grade.status, 'unreadable');
      assert.equal(record.points, null);
      assert.match(record.grade.note!, /first <points> block says "six"/);
    }
    // The judge saw neither the thinking nor the self-evaluation, and never a proof-less answer.
    assert.equal(judge.requests.length, 6);
    assert.ok(judge.requests.every((request) => !promptOf(request).includes('Self Evaluation') && !promptOf(request).includes('Hmm.')));
    assert.ok(judge.requests.every((request) => promptOf(request).includes('<points>N out of 7</points>')));
    // The solver was asked with QED-Nano's own prompt, as Prove asks.
    assert.ok(solver.requests.every((request) => request.messages[0]!.content.startsWith('Generate a rigorous proof to the following question:\n\n')));

    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as {
      comparableWithPublished: boolean;
      overall: { percent: number; n: number; unreadable: number; interval: [number, number] };
      levels: Record<string, { percent: number | null; n: number; unreadable: number }>;
    };
    assert.equal(summary.comparableWithPublished, true);
    // Graded: 0, 0 (no proof), 7, 7, 6, 6; the two unreadable grades left out.
    assert.equal(summary.overall.n, 6);
    assert.equal(summary.overall.unreadable, 2);
    assert.ok(Math.abs(summary.overall.percent - (100 * 26) / 42) < 1e-9, String(summary.overall.percent));
    assert.deepEqual(Object.keys(summary.levels), ['pre-IMO', 'IMO-easy']);
    assert.equal(summary.levels['pre-IMO']!.percent, 0);
    assert.ok(Math.abs(summary.levels['IMO-easy']!.percent! - (100 * 26) / 28) < 1e-9);
    assert.equal(summary.levels['IMO-easy']!.n, 4);
    assert.equal(summary.levels['IMO-easy']!.unreadable, 2);
    assert.match(stdout, /^overall\s+3\s+6\s+61\.9%/m);
    assert.match(stdout, /2 grades were unreadable/);
    assert.ok(existsSync(html));

    // Run again: nothing left to do, nothing asked of either model.
    const before = { solver: solver.requests.length, judge: judge.requests.length };
    const again = await runCli(['eval', PROOFBENCH_CSV, '--out', out, '--endpoint', `${solver.baseUrl}/v1`, '--problems', ids, '--samples', '2', '--judge-endpoint', `${judge.baseUrl}/v1`, '--judge-model', 'scripted-judge']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual({ solver: solver.requests.length, judge: judge.requests.length }, before);
    assert.equal(recordsOf(out).length, 8);

    // Another judge on the same file is refused: it would average unlike grades.
    const other = await runCli(['eval', PROOFBENCH_CSV, '--out', out, '--endpoint', `${solver.baseUrl}/v1`, '--problems', ids, '--samples', '2', '--judge', 'self']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /holds results of another setup \(judge scripted-judge there, self here\)/);
  });

  it('goes on after being killed mid-run (tiny model, real engine) and ends with the records of an uninterrupted run', async () => {
    const model = await ensureTinyModel();
    // A fixed grade per problem: the figures then follow from which samples the model finished.
    const grades: Record<string, number> = { 'PB-Basic-001': 7, 'PB-Basic-002': 1, 'PB-Advanced-002': 6 };
    const statements = new Map(proofBenchProblems().map((problem) => [problem.id, problem.problem.trim()]));
    const judge = await startScriptedEndpoint((request) => {
      const id = [...statements].find(([, statement]) => promptOf(request).includes(statement))![0];
      return `Graded.\n<points>${grades[id]} out of 7</points>`;
    });
    endpoints.push(judge);
    const flags = (out: string) => [
      'eval', PROOFBENCH_CSV, '--out', out, '--model', model, '--gpu', 'cpu', '--threads', String(TEST_THREADS), '--parallel', '1',
      '--problems', 'PB-Basic-001,PB-Basic-002,PB-Advanced-002', '--samples', '2', '--max-tokens', '700', '--seed', '3',
      '--judge-endpoint', `${judge.baseUrl}/v1`, '--judge-model', 'hashing-judge',
    ];
    const folder = newFolder();
    const reference = path.join(folder, 'reference.jsonl');
    const whole = await runCli(flags(reference));
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(recordsOf(reference).length, 6);
    const statuses = new Set(recordsOf(reference).map((record) => record.grade.status));
    // With these flags (measured) some samples finish and some are cut while thinking: both rules are exercised.
    assert.ok(statuses.has('graded') && statuses.has('no-proof'), `statuses: ${[...statuses].join(', ')}`);

    const interrupted = path.join(folder, 'interrupted.jsonl');
    const child = spawn(process.execPath, [CLI, ...flags(interrupted)], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (existsSync(interrupted) && recordsOf(interrupted).length >= 2) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 50);
      child.once('exit', () => {
        clearInterval(poll);
        reject(new Error('the eval finished before it could be killed'));
      });
    });
    const kept = recordsOf(interrupted).length;
    assert.ok(kept >= 2 && kept < 6, `killed with ${kept} records`);
    // A write cut short by the kill: the next run drops it and redoes that (problem, sample).
    appendFileSync(interrupted, '{"type":"eval","version":1,"problemId":"PB-Adv');
    const summaryFile = path.join(folder, 'summary.json');
    const resumed = await runCli([...flags(interrupted), '--summary-json', summaryFile]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`${kept} done already`));

    // The same records, in the same order, but for when they were made and how long they took (and
    // the streaming token estimates, which depend on how the text was cut into chunks; the server's
    // counts are compared).
    const timeless = (record: EvalRecord) => {
      const { finishedAt: _finished, timeMs: _time, response, grade, ...rest } = record;
      const { startedAt: _s, firstTokenAt: _f, answerStartedAt: _a, endedAt: _e, reasoningTokens: _r, contentTokens: _c, ...answer } = response ?? {};
      const { timeMs: _gradeTime, ...gradeRest } = grade;
      return { ...rest, response: answer, grade: gradeRest };
    };
    assert.deepEqual(recordsOf(interrupted).map(timeless), recordsOf(reference).map(timeless));

    // Exact figures: a sample the model finished gets its problem's grade, one cut while thinking 0.
    const expected = recordsOf(reference).map((record) => (record.grade.status === 'no-proof' ? 0 : grades[record.problemId]!));
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { overall: { percent: number; n: number } };
    assert.equal(summary.overall.n, 6);
    assert.ok(Math.abs(summary.overall.percent - (100 * expected.reduce((sum, points) => sum + points, 0)) / 42) < 1e-9, `${summary.overall.percent} for ${expected.join(', ')}`);
    assert.ok(recordsOf(reference).every((record) => record.points === (record.grade.status === 'no-proof' ? 0 : grades[record.problemId])));
  });

  it('runs Deep Prove per (problem, sample), each with its own journal, and grades the best candidate', async () => {
    const model = await ensureTinyModel();
    const judge = await hashingJudge();
    const folder = newFolder();
    const out = path.join(folder, 'deep.jsonl');
    const { code, stdout, stderr } = await runCli([
      'eval', PROOFBENCH_CSV, '--out', out, '--model', model, '--gpu', 'cpu', '--threads', String(TEST_THREADS), '--parallel', '2',
      '--mode', 'deep', '--pool', '2', '--verifications', '1', '--rounds', '0', '--problems', 'PB-Basic-002', '--max-tokens', '600', '--seed', '4',
      '--judge-endpoint', `${judge.baseUrl}/v1`, '--judge-model', 'hashing-judge',
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Deep Prove \(pool 2, 1 verification, 0 rounds; budget 1,000,000 tokens\)/);
    const [record, ...rest] = recordsOf(out);
    assert.equal(rest.length, 0);
    assert.equal(record!.setup.mode, 'deep');
    assert.equal(record!.deep!.journal, path.join(`${out}.deep`, 'PB-Basic-002-s1'));
    const journal = parseJournal(readFileSync(path.join(record!.deep!.journal, JOURNAL_FILE), 'utf8'));
    const results = journal.filter((entry) => entry.type === 'result');
    // Its tokens are the whole run's: every call, the verifications' included.
    assert.equal(record!.deep!.calls, results.length);
    assert.equal(record!.tokens, results.reduce((sum, entry) => sum + (entry.type === 'result' ? tokensOf(entry.answer) : 0), 0));
    assert.ok(record!.prompt[0]!.content.includes('## Self Evaluation'), 'the prompt is Deep Prove\'s solver prompt');
  });

  it('grades with QED-Nano\'s own verifier under --judge self, marked as not comparable', async () => {
    const solver = await startScriptedEndpoint((request) =>
      promptOf(request).startsWith('Generate a rigorous proof') ? 'Short.</think>A proof.' : 'Checked.</think>Mostly right.\n\n\\boxed{0.5}',
    );
    endpoints.push(solver);
    const folder = newFolder();
    const summaryFile = path.join(folder, 'summary.json');
    const { code, stdout, stderr } = await runCli(['eval', PROOFBENCH_CSV, '--out', path.join(folder, 'self.jsonl'), '--endpoint', `${solver.baseUrl}/v1`, '--limit', '2', '--judge', 'self', '--summary-json', summaryFile]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /NOT comparable with published IMO-ProofBench numbers/);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { comparableWithPublished: boolean; overall: { percent: number; n: number } };
    assert.equal(summary.comparableWithPublished, false);
    assert.deepEqual([summary.overall.n, summary.overall.percent], [2, 50]);
  });

  it('compares two result files per problem and level, and reports one', async () => {
    const judge = await hashingJudge();
    const solver = await startScriptedEndpoint((request) => `Thinking.</think>Proof of ${promptOf(request).length % 97}.`);
    endpoints.push(solver);
    const folder = newFolder();
    const run = async (name: string, seed: string) => {
      const out = path.join(folder, name);
      const result = await runCli(['eval', PROOFBENCH_CSV, '--out', out, '--endpoint', `${solver.baseUrl}/v1`, '--model', 'qed-nano-served', '--level', 'pre-IMO', '--limit', '3', '--seed', seed, '--judge-endpoint', `${judge.baseUrl}/v1`, '--judge-model', 'hashing-judge']);
      assert.equal(result.code, 0, result.stderr);
      return out;
    };
    const a = await run('a.jsonl', '1');
    // `--endpoint URL --model NAME`: the name is what the server is asked for.
    assert.ok(solver.requests.every((request) => (request as unknown as { model: string }).model === 'qed-nano-served'));
    const b = await run('b.jsonl', '2');
    const compared = await runCli(['eval', '--compare', a, b]);
    assert.equal(compared.code, 0, compared.stderr);
    const rows = recordsOf(a).map((record) => record.problemId);
    assert.equal(rows.length, 3);
    for (const id of rows) assert.match(compared.stdout, new RegExp(`^${id}\\s+pre-IMO\\s`, 'm'));
    assert.match(compared.stdout, /^overall\s+3\s/m);

    const report = await runCli(['eval', '--report', a]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^pre-IMO\s+3\s+3\s/m);
  });

  it('says what is missing before anything runs', async () => {
    const noJudge = await runCli(['eval', PROOFBENCH_CSV, '--out', path.join(newFolder(), 'x.jsonl'), '--endpoint', 'http://127.0.0.1:9/v1']);
    assert.equal(noJudge.code, 2);
    assert.match(noJudge.stderr, /eval needs a judge: --judge-endpoint URL --judge-model NAME/);
    const badCsv = await runCli(['eval', CLI, '--out', path.join(newFolder(), 'x.jsonl'), '--endpoint', 'http://127.0.0.1:9/v1', '--judge', 'self']);
    assert.equal(badCsv.code, 1);
    assert.match(badCsv.stderr, /lacks the columns .*"Problem ID"/);
    const unknown = await runCli(['eval', PROOFBENCH_CSV, '--out', path.join(newFolder(), 'x.jsonl'), '--endpoint', 'http://127.0.0.1:9/v1', '--judge', 'self', '--problems', 'PB-Basic-999']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No problem has the id PB-Basic-999/);
  });
});
