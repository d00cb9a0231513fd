/**
 * `qed deep-prove` as a user runs it (`node dist/cli.js deep-prove …`), on the tiny model through
 * a real engine that the CLI forks: a whole run checked against its journal; Ctrl-C and Resume;
 * the engine killed mid-run and Resume; and, against a scripted endpoint, a run solved in its
 * first pool with the journal in a temporary folder.
 *
 * The tiny model writes garbage: its proofs have no headings and its verifications no score.
 * What must hold holds whatever it writes: totals agree with the journal, an unreadable score is
 * null with a note (never a silent 0), no finished call is made twice, and a resumed run ends
 * with the same pool as one never interrupted (every call's seed derives from the run's seed and
 * the call's key; measured: two uninterrupted runs with these flags give identical pools).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureTinyModel } from '../../models/tiny/generate';
import { parseCritique } from '../../src/core/critique/parseCritique';
import { DEFAULT_CONFIG } from '../../src/core/deepProve/config';
import { callSeed } from '../../src/core/deepProve/deepProveRun';
import { parseJournal, type JournalEntry } from '../../src/core/deepProve/journal';
import { JOURNAL_FILE } from '../../src/core/deepProve/journalFile';
import { tokensOf } from '../../src/core/deepProve/runView';
import { CLI, REPO, runCli, TEST_THREADS } from '../helpers/cliEngine';
import { startScriptedEndpoint } from '../helpers/scriptedEndpoint';

const SAMPLE = path.join(REPO, 'samples', 'irrational.tex');
const SEED = 11;
/** 3 candidates, 2 verifications each, 1 refinement round, 1 summary: ~18 calls, ~13k tokens, ~8 s on 1 thread. */
const SHAPE = ['--pool', '3', '--verifications', '2', '--rounds', '1', '--summaries', '1', '--max-tokens', '1500', '--seed', String(SEED)];

interface Verification {
  index: number;
  score: number | null;
  notes: string[];
  tokens: number;
}

interface Summary {
  end: string | null;
  error?: string;
  best: { id: string; proof: string; mean: number } | null;
  candidates: { id: string; parent: string | null; round: number; phase: string; proof: string | null; verifications: Verification[]; mean: number | null }[];
  calls: number;
  tokens: number;
  journal: string;
}

let model = '';
const folders: string[] = [];

function newFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'qed-deep-test-'));
  folders.push(folder);
  return folder;
}

function args(journal: string, ...extra: string[]): string[] {
  return ['deep-prove', SAMPLE, '--label', 'lem:lte', '--model', model, '--gpu', 'cpu', '--threads', String(TEST_THREADS), '--parallel', '4', ...SHAPE, '--journal', journal, '--json', ...extra];
}

function journalOf(folder: string): JournalEntry[] {
  return parseJournal(readFileSync(path.join(folder, JOURNAL_FILE), 'utf8'));
}

function resultCount(folder: string): number {
  try {
    return journalOf(folder).filter((entry) => entry.type === 'result').length;
  } catch {
    return 0;
  }
}

/** What a run's pool is made of, to compare two runs. */
function poolOf(summary: Summary): unknown {
  return summary.candidates.map((c) => [c.id, c.parent, c.proof, c.mean, c.verifications.map((v) => [v.index, v.score, v.tokens])]);
}

/** The reference: one uninterrupted run with SHAPE (made once, by the first test that needs it). */
let reference: { summary: Summary; stderr: string; code: number | null; folder: string } | undefined;
async function referenceRun() {
  if (!reference) {
    const folder = newFolder();
    const { code, stdout, stderr } = await runCli(args(folder));
    assert.doesNotThrow(() => JSON.parse(stdout), `stdout is one JSON object: ${stdout.slice(0, 500)}\n${stderr.slice(-2000)}`);
    reference = { summary: JSON.parse(stdout) as Summary, stderr, code, folder };
  }
  return reference;
}

/** Starts the CLI in its own process group (as a terminal runs it), collecting its output. */
function startCli(argv: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The processes `pid` started (Linux: each thread's children). */
function childrenOf(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

/** After a resume: no call with a result in the journal before the last `start` was asked for again. */
function assertNoFinishedCallRepeated(entries: JournalEntry[]): void {
  const starts = entries.flatMap((entry, index) => (entry.type === 'start' ? [index] : []));
  assert.ok(starts.length >= 2, `a second session: ${starts.length} start entries`);
  const resumedAt = starts.at(-1)!;
  const finishedBefore = new Set(entries.slice(0, resumedAt).flatMap((entry) => (entry.type === 'result' ? [entry.key] : [])));
  const requestedAfter = entries.slice(resumedAt).flatMap((entry) => (entry.type === 'call' ? [entry.key] : []));
  assert.ok(requestedAfter.length > 0, 'the resumed session made calls');
  const repeated = requestedAfter.filter((key) => finishedBefore.has(key));
  assert.deepEqual(repeated, [], 'calls with a result before the resume were not made again');
  // A call cut off by the stop is made again with exactly the same request (and so the same seed).
  const firstRequest = new Map(entries.slice(0, resumedAt).flatMap((entry) => (entry.type === 'call' ? [[entry.key, entry.request] as const] : [])));
  for (const entry of entries.slice(resumedAt)) {
    if (entry.type === 'call' && firstRequest.has(entry.key)) assert.deepEqual(entry.request, firstRequest.get(entry.key), `${entry.key} asked again the same`);
  }
}

describe('qed deep-prove (CLI, tiny model)', function () {
  this.timeout(180_000);

  before(async () => {
    model = await ensureTinyModel();
  });

  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('runs a whole small search whose JSON agrees with its journal; unreadable scores are null with a note', async () => {
    const { summary, stderr, code, folder } = await referenceRun();
    assert.ok(summary.end === 'complete' || summary.end === 'solved', `${summary.end}: ${stderr.slice(-2000)}`);
    assert.equal(code, summary.best ? 0 : 3, 'exit 0 with a best proof, 3 without');
    assert.equal(summary.journal, folder);

    // Totals are the journal's: each finished call once, with its tokens.
    const entries = journalOf(folder);
    const results = entries.flatMap((entry) => (entry.type === 'result' ? [entry] : []));
    const calls = entries.flatMap((entry) => (entry.type === 'call' ? [entry] : []));
    assert.equal(summary.calls, results.length);
    assert.equal(calls.length, results.length, 'one session, nothing cut off: every call has its result');
    assert.equal(summary.tokens, results.reduce((sum, result) => sum + tokensOf(result.answer), 0));
    assert.deepEqual(entries.filter((entry) => entry.type === 'start' || entry.type === 'end').map((entry) => entry.type), ['start', 'end']);
    const run = entries[0]!;
    assert.ok(run.type === 'run' && run.seed === SEED && run.config.poolSize === 3 && run.config.maxTokensPerCall === 1500);
    for (const call of calls) assert.equal(call.request.seed, callSeed(SEED, call.key), `${call.key}'s seed derives from the run's`);
    assert.equal(stderr.match(/^qed: c\d+ (attempt|summary|verification) \S+ started$/gm)?.length, calls.length, 'a progress line as each call starts');

    // The pool: the first 3, then one refinement of each (none scored 1, so no early stop).
    assert.deepEqual(summary.candidates.map((c) => [c.id, c.round]), [['c1', 0], ['c2', 0], ['c3', 0], ['c4', 1], ['c5', 1], ['c6', 1]]);
    let unreadable = 0;
    for (const candidate of summary.candidates) {
      if (candidate.proof === '') {
        assert.deepEqual([candidate.phase, candidate.mean, candidate.verifications], ['no-proof', 0, []], candidate.id);
        continue;
      }
      assert.equal(candidate.phase, 'done', candidate.id);
      assert.deepEqual(candidate.verifications.map((v) => v.index), [1, 2]);
      for (const verification of candidate.verifications) {
        // The score is what the verifier's answer in the journal says, and null only with a reason.
        const answer = results.find((result) => result.key === `${candidate.id}/v${verification.index}`)!.answer;
        assert.equal(verification.score, parseCritique(answer.content, answer.finishReason).score, `${candidate.id}/v${verification.index}`);
        if (verification.score === null) {
          unreadable++;
          assert.ok(verification.notes.length > 0, `${candidate.id}/v${verification.index}: an unreadable score says why`);
        }
      }
      assert.equal(candidate.mean, candidate.verifications.reduce((sum, v) => sum + (v.score ?? 0), 0) / 2, `${candidate.id}: unreadable counts 0 in the mean`);
    }
    assert.ok(unreadable > 0, 'the tiny model’s verifications include unreadable ones (garbage has no \\boxed{})');

    // The best: the highest mean among candidates with a proof, the earliest on ties.
    const withProof = summary.candidates.filter((c) => c.proof);
    const top = withProof.find((c) => c.mean === Math.max(...withProof.map((w) => w.mean!)));
    assert.deepEqual(summary.best, top ? { id: top.id, proof: top.proof, mean: top.mean } : null);
    assert.match(stderr, /\nqed: (the search is complete|solved: [^\n]*) \(\d+ calls, [\d,]+ tokens, \d+ s\); (best c\d+, mean [\d.]+|no candidate has a proof)\.\n$/);
  });

  it('stops on Ctrl-C keeping what finished (exit 130), refuses a resume that would change the run, and resumes to the same pool', async () => {
    const { summary: uninterrupted } = await referenceRun();
    const folder = newFolder();
    const first = startCli(args(folder));
    await waitFor('4 results in the journal', () => resultCount(folder) >= 4);
    // Ctrl-C in a terminal reaches the whole process group, the engine too. In the worst order,
    // the engine first: it must leave stopping to the CLI, or the calls fail instead of stopping.
    const engines = childrenOf(first.child.pid!);
    assert.equal(engines.length, 1, `the CLI runs one engine process: ${engines.join(', ')}`);
    process.kill(engines[0]!, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      process.kill(-first.child.pid!, 'SIGINT');
    } catch {
      // The CLI is gone already: the engine failed its calls. The exit code below says so.
    }
    const stopped = await first.done;
    assert.equal(stopped.code, 130, stopped.stderr.slice(-2000));
    assert.equal((JSON.parse(stopped.stdout) as Summary).end, 'user');
    assert.match(stopped.stderr, /\nqed: stopping: the calls in flight are dropped, the finished ones kept/);
    assert.ok(stopped.stderr.includes(`\nqed: resume with: qed deep-prove --journal ${folder} --model ${model} --threads ${TEST_THREADS} --gpu cpu --parallel 4 --json\n`), stopped.stderr.slice(-1000));
    const afterStop = journalOf(folder);
    const end = afterStop.at(-1)!;
    assert.ok(end.type === 'end' && end.reason === 'user', JSON.stringify(end));
    assert.ok(!existsSync(path.join(folder, 'journal.lock')), 'the lock is given back');

    // A resume that would change the search, or another statement: refused, the journal untouched.
    const bytes = readFileSync(path.join(folder, JOURNAL_FILE));
    const otherShape = await runCli([...args(folder), '--pool', '4', '--temperature', '0.8']);
    assert.equal(otherShape.code, 2, otherShape.stderr);
    assert.match(otherShape.stderr, /^qed: The journal in .* holds a run, which is resumed with its own search: --pool 4 differs from the run's 3\. Leave these flags out/);
    const otherStatement = await runCli(args(folder).map((arg) => (arg === 'lem:lte' ? 'thm:sqrt2' : arg)));
    assert.equal(otherStatement.code, 1, otherStatement.stderr);
    assert.match(otherStatement.stderr, /^qed: The journal in .* is a run on another statement \(Lemma \(Lifting the exponent, \$p\$ odd\), .*irrational\.tex:68\)/);
    assert.deepEqual(readFileSync(path.join(folder, JOURNAL_FILE)), bytes);

    const resumed = await runCli(args(folder));
    const summary = JSON.parse(resumed.stdout) as Summary;
    assert.equal(resumed.code, summary.best ? 0 : 3, resumed.stderr.slice(-2000));
    assert.match(resumed.stderr, /^qed: resuming Lemma \(Lifting the exponent, \$p\$ odd\): \d+ calls done/m);
    assertNoFinishedCallRepeated(journalOf(folder));
    assert.equal(summary.end, uninterrupted.end);
    assert.deepEqual(poolOf(summary), poolOf(uninterrupted), 'the resumed run ends with the pool of the uninterrupted one');
    assert.equal(summary.tokens, uninterrupted.tokens);
  });

  it('ends with a clear error when the engine dies mid-run (exit 1, finished calls kept), then resumes to the same pool', async () => {
    const { summary: uninterrupted } = await referenceRun();
    const folder = newFolder();
    const first = startCli(args(folder));
    await waitFor('4 results in the journal', () => resultCount(folder) >= 4);
    const engines = childrenOf(first.child.pid!);
    assert.equal(engines.length, 1, `the CLI runs one engine process: ${engines.join(', ')}`);
    process.kill(engines[0]!, 'SIGKILL');
    const failed = await first.done;
    assert.equal(failed.code, 1, failed.stderr.slice(-2000));
    assert.match(failed.stderr, /\nqed: the engine process exited during the run \(it crashed or was killed\); the calls in flight are lost\.\nqed: the run failed: /);
    const entries = journalOf(folder);
    const kept = entries.filter((entry) => entry.type === 'result').length;
    assert.ok(kept >= 4);
    assert.ok(failed.stderr.includes(`\nqed: the journal keeps the ${kept} finished calls; resume with: qed deep-prove --journal ${folder} --model ${model}`), failed.stderr.slice(-1000));
    const end = entries.at(-1)!;
    assert.ok(end.type === 'end' && end.reason === 'error' && end.error, JSON.stringify(end));

    const resumed = await runCli(args(folder));
    const summary = JSON.parse(resumed.stdout) as Summary;
    assert.equal(resumed.code, summary.best ? 0 : 3, resumed.stderr.slice(-2000));
    assertNoFinishedCallRepeated(journalOf(folder));
    assert.deepEqual(poolOf(summary), poolOf(uninterrupted), 'the resumed run ends with the pool of the uninterrupted one');
  });

  it('refuses a damaged journal (naming the line), a journal in use, and a --journal that is a file, changing none of them', async () => {
    const endpoint = ['--endpoint', 'http://127.0.0.1:9/v1'];
    const damaged = newFolder();
    const text = `${JSON.stringify({ type: 'run', version: 1, runId: 'r', createdAt: 1, title: 'T', statement: 'S', config: { ...DEFAULT_CONFIG }, seed: 1 })}\nnot json\n`;
    writeFileSync(path.join(damaged, JOURNAL_FILE), text);
    const bad = await runCli(['deep-prove', '--journal', damaged, ...endpoint]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(bad.stderr, `qed: Line 2 of ${path.join(damaged, JOURNAL_FILE)} is not JSON: the file was changed or damaged.\n`);
    assert.equal(readFileSync(path.join(damaged, JOURNAL_FILE), 'utf8'), text);
    assert.ok(!existsSync(path.join(damaged, 'journal.lock')));

    const busy = newFolder();
    writeFileSync(path.join(busy, 'journal.lock'), `${process.pid}\n`);
    const inUse = await runCli(['deep-prove', SAMPLE, '--label', 'lem:lte', '--journal', busy, ...endpoint]);
    assert.equal(inUse.code, 1, inUse.stderr);
    assert.match(inUse.stderr, new RegExp(`^qed: The journal in ${busy} is in use by process ${process.pid} \\(a run still going\\)`));
    assert.deepEqual(readdirSync(busy), ['journal.lock']);

    const file = path.join(newFolder(), 'notes.txt');
    writeFileSync(file, 'mine');
    const notFolder = await runCli(['deep-prove', SAMPLE, '--label', 'lem:lte', '--journal', file, ...endpoint]);
    assert.equal(notFolder.code, 1, notFolder.stderr);
    assert.match(notFolder.stderr, /is not a folder/);
    assert.equal(readFileSync(file, 'utf8'), 'mine');
  });

  it('against an endpoint: stops once a candidate scores 1, journal in a printed temp folder, per-call seeds and the method’s sampling', async () => {
    const endpoint = await startScriptedEndpoint('Checked.</think>\n\n## Solution\n\nA proof.\n\n## Self Evaluation\n\nComplete. \\boxed{1}');
    try {
      const { code, stdout, stderr } = await runCli(['deep-prove', SAMPLE, '--label', 'lem:lte', '--endpoint', endpoint.baseUrl, '--concurrency', '2', '--pool', '2', '--verifications', '2', '--seed', '5']);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, 'A proof.\n', 'the best proof on stdout');
      const folder = /^qed: journal: (\S+) \(resume with --journal \1\)$/m.exec(stderr)?.[1];
      assert.ok(folder, stderr);
      folders.push(folder);
      assert.match(stderr, /\nqed: solved: every verification of c1 gave 1 \(6 calls, /);
      const entries = journalOf(folder);
      assert.deepEqual(entries.flatMap((entry) => (entry.type === 'call' ? [entry.key] : [])).sort(), ['c1/a1', 'c1/v1', 'c1/v2', 'c2/a1', 'c2/v1', 'c2/v2']);
      const sent = endpoint.requests as unknown as { seed: number; temperature: number; top_p: number }[];
      const calls = entries.flatMap((entry) => (entry.type === 'call' ? [entry] : []));
      assert.deepEqual(sent.map((request) => request.seed).sort(), calls.map((call) => callSeed(5, call.key)).sort());
      assert.ok(sent.every((request) => request.temperature === 0.8 && request.top_p === 1), JSON.stringify(sent.map(({ temperature, top_p }) => ({ temperature, top_p }))));
      // A finished run given again is only reported: no model call.
      const again = await runCli(['deep-prove', '--journal', folder, '--endpoint', endpoint.baseUrl]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, 'A proof.\n');
      assert.equal(endpoint.requests.length, 6);
    } finally {
      await endpoint.close();
    }
  });
});
