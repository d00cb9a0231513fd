/**
 * The pure parts of Deep Prove's VS Code host: the qed.deepProve.* settings as a configuration
 * (or problems naming the setting), the capacity rule, a candidate's verifications as one
 * critique, and the run store's folders.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/core/deepProve/config';
import type { CandidateView, VerificationView } from '../../src/core/deepProve/runView';
import { candidateCritique } from '../../src/vscode/deepProve/candidateCritique';
import { runCapacity } from '../../src/vscode/deepProve/capacity';
import { deepProveSettingsFrom, type RawDeepProveSettings } from '../../src/vscode/deepProve/deepProveSettings';
import { RunStore } from '../../src/vscode/deepProve/runStore';
import { JournalWriter, proofAnswer, verdictAnswer } from '../helpers/deepJournal';

/** package.json's defaults. */
const DEFAULTS: RawDeepProveSettings = {
  poolSize: 4,
  verifications: 4,
  rounds: 2,
  verificationsPerRefinement: 2,
  summaries: 3,
  tokenBudget: 1_000_000,
  timeLimitMinutes: null,
  temperature: 0.8,
  topP: 1,
  maxTokensPerCall: null,
  endpointConcurrency: 8,
};

describe('Deep Prove settings', () => {
  it('the defaults are the method’s configuration', () => {
    assert.deepEqual(deepProveSettingsFrom(DEFAULTS), { ok: true, settings: { config: DEFAULT_CONFIG, endpointConcurrency: 8 } });
  });

  it('maps minutes, and null for “no limit”', () => {
    const result = deepProveSettingsFrom({ ...DEFAULTS, timeLimitMinutes: 1.5, maxTokensPerCall: 4096, rounds: 0, summaries: 0 });
    assert.ok(result.ok);
    assert.equal(result.settings.config.timeLimitMs, 90_000);
    assert.equal(result.settings.config.maxTokensPerCall, 4096);
    assert.equal(result.settings.config.rounds, 0);
  });

  it('names the setting of each problem', () => {
    const result = deepProveSettingsFrom({ ...DEFAULTS, poolSize: 0, timeLimitMinutes: -3, temperature: '0.8' });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.settings, ['qed.deepProve.timeLimitMinutes', 'qed.deepProve.poolSize', 'qed.deepProve.temperature']);
    assert.match(result.problems[1]!, /^qed\.deepProve\.poolSize must be a whole number of at least 1 \(it is 0\)\.$/);
  });

  it('the rules between settings are core’s configProblems, named by the settings that can fix them', () => {
    const tooMany = deepProveSettingsFrom({ ...DEFAULTS, verificationsPerRefinement: 5 });
    assert.ok(!tooMany.ok);
    assert.deepEqual(tooMany.settings, ['qed.deepProve.verificationsPerRefinement', 'qed.deepProve.verifications']);
    assert.match(tooMany.problems[0]!, /^qed\.deepProve\.verificationsPerRefinement \/ qed\.deepProve\.verifications: Verifications per refinement \(5\) cannot exceed/);
    const budget = deepProveSettingsFrom({ ...DEFAULTS, tokenBudget: 3_000_001 });
    assert.ok(!budget.ok);
    assert.deepEqual(budget.settings, ['qed.deepProve.tokenBudget']);
    assert.match(budget.problems[0]!, /3,000,000/);
    const topP = deepProveSettingsFrom({ ...DEFAULTS, topP: 0 });
    assert.ok(!topP.ok);
    assert.deepEqual(topP.settings, ['qed.deepProve.topP']);
  });
});

describe('Deep Prove capacity', () => {
  it('is the backend’s sequences, one fewer while another answer is written, at least one', () => {
    assert.equal(runCapacity({ sequences: 4, runs: 1, otherAnswers: 0 }), 4);
    assert.equal(runCapacity({ sequences: 4, runs: 1, otherAnswers: 1 }), 3);
    assert.equal(runCapacity({ sequences: 4, runs: 1, otherAnswers: 2 }), 3, 'one sequence for answers, however many wait');
    assert.equal(runCapacity({ sequences: 1, runs: 1, otherAnswers: 1 }), 1, 'a run always goes on');
  });

  it('runs on the same backend share its sequences', () => {
    assert.equal(runCapacity({ sequences: 8, runs: 2, otherAnswers: 0 }), 4);
    assert.equal(runCapacity({ sequences: 8, runs: 3, otherAnswers: 1 }), 1);
    assert.equal(runCapacity({ sequences: 2, runs: 4, otherAnswers: 0 }), 1);
  });
});

describe('a candidate’s verifications as one critique', () => {
  const verification = (index: number, score: 0 | 0.5 | 1 | null, issues: VerificationView['issues'], status: VerificationView['status'] = 'done'): VerificationView => ({
    index,
    status,
    score,
    notes: score === null ? ['No \\boxed{} score found'] : [],
    evaluation: `evaluation ${index}`,
    issues,
    tokens: 10,
  });
  const gap = { severity: 'gap' as const, quote: 'x = 1', explanation: 'Why?' };
  const minor = { severity: 'minor' as const, quote: null, explanation: 'Terse.' };

  it('every issue once, with the lowest verification’s evaluation and score', () => {
    const candidate: Pick<CandidateView, 'verifications'> = { verifications: [verification(1, 1, []), verification(2, 0.5, [gap]), verification(3, 0.5, [gap, minor]), verification(4, null, [], 'running')] };
    assert.deepEqual(candidateCritique(candidate), { score: 0.5, verdict: 'minor-issues', evaluation: 'evaluation 2', issues: [gap, minor], notes: [] });
  });

  it('an unreadable score is the lowest; none finished: no critique', () => {
    assert.equal(candidateCritique({ verifications: [verification(1, 0.5, []), verification(2, null, [])] })?.evaluation, 'evaluation 2');
    assert.equal(candidateCritique({ verifications: [verification(1, 1, [], 'running')] }), undefined);
  });
});

describe('the Deep Prove run store', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'qed-runs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const newRun = (title: string) => ({ title, statement: `${title} holds.`, config: DEFAULT_CONFIG });

  it('creates a folder per run, lists them newest first, and deletes them', async () => {
    let now = 1_000;
    const store = new RunStore(root, () => now);
    const first = await store.create(newRun('First'), { macros: { '\\R': '\\mathbb{R}' } });
    now = 2_000;
    await store.create(newRun('Second'), {});
    const { runs, damaged } = await store.list();
    assert.deepEqual(runs.map((run) => run.summary.title), ['Second', 'First']);
    assert.deepEqual(damaged, []);
    const firstId = runs[1]!.runId;
    assert.equal(first.entries[0]!.type === 'run' && first.entries[0]!.runId, firstId);
    assert.deepEqual(await store.host(firstId), { macros: { '\\R': '\\mathbb{R}' } });
    assert.equal((await store.open(firstId)).entries.length, 1);
    await store.remove(firstId);
    assert.deepEqual((await store.list()).runs.map((run) => run.summary.title), ['Second']);
    await assert.rejects(store.open(firstId), /no longer saved/);
  });

  it('lists a damaged journal apart, saying why, and refuses ids that are not its own', async () => {
    const store = new RunStore(root);
    await store.create(newRun('Fine'), {});
    const damagedId = 'zz-00';
    const folder = store.folderOf(damagedId);
    mkdirSync(folder);
    writeFileSync(join(folder, 'journal.jsonl'), 'not json\n');
    const { runs, damaged } = await store.list();
    assert.deepEqual(runs.map((run) => run.summary.title), ['Fine']);
    assert.equal(damaged.length, 1);
    assert.match(damaged[0]!.error, /Line 1 of .* is not JSON/);
    assert.throws(() => store.folderOf('../escape'), /not a Deep Prove run id/);
  });

  /** A run whose journal this test writes: c1 verified once (1), c2 proved, and the session ended. */
  const writtenRun = (store: RunStore, runId: string) => {
    const writer = new JournalWriter(5_000, { title: 'Written', runId, config: { verifications: 1 } })
      .start(0)
      .candidate('c1', 0)
      .done('c1/a1', 0, 10, proofAnswer('Proof one.', 300))
      .done('c1/v1', 10, 20, verdictAnswer(1, 'Fine.', 40))
      .candidate('c2', 0)
      .done('c2/a1', 0, 30, proofAnswer('Proof two.', 200))
      .end(40, 'user');
    const folder = store.folderOf(runId);
    mkdirSync(folder);
    const file = join(folder, 'journal.jsonl');
    writeFileSync(file, writer.entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    return { file, folder, writer };
  };

  it('lists a run by its summary, saved beside the journal and used while the journal is unchanged', async () => {
    const store = new RunStore(root);
    const { file, folder } = writtenRun(store, 'k1-01');
    const summary = { title: 'Written', createdAt: 5_000, status: 'ended', end: 'user', bestMean: 1, candidates: 2, tokens: 540 };
    assert.deepEqual((await store.list()).runs, [{ runId: 'k1-01', summary }]);
    const saved = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
    assert.deepEqual(saved, { journal: { size: statSync(file).size, mtimeMs: statSync(file).mtimeMs }, summary });
    // Unchanged journal: the saved summary is what the list shows, the journal is not read.
    writeFileSync(join(folder, 'summary.json'), JSON.stringify({ ...saved, summary: { ...summary, title: 'From the summary' } }));
    assert.deepEqual((await store.list()).runs.map((run) => run.summary.title), ['From the summary']);
    // The journal grew: it is read again.
    appendFileSync(file, `${JSON.stringify({ type: 'start', at: 6_000, concurrency: 4, tokenBudget: 1_000_000, timeLimitMs: null })}\n`);
    assert.deepEqual((await store.list()).runs.map((run) => [run.summary.title, run.summary.status]), [['Written', 'running']]);
    // A damaged summary file is made again.
    writeFileSync(join(folder, 'summary.json'), '{"journal":');
    assert.deepEqual((await store.list()).runs.map((run) => run.summary.title), ['Written']);
    assert.equal(JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')).summary.title, 'Written');
  });

  it('reads a journal that another window is writing without changing it', async () => {
    const store = new RunStore(root);
    const { file, writer } = writtenRun(store, 'k1-02');
    // The writer is halfway through its next line.
    appendFileSync(file, '{"type":"call","key":"c3/a1","kind":"att');
    const before = readFileSync(file);
    const { mtimeMs } = statSync(file);
    assert.deepEqual((await store.list()).runs.map((run) => run.summary.candidates), [2]);
    assert.deepEqual(await store.read('k1-02'), writer.entries);
    assert.deepEqual(readFileSync(file), before, 'the torn line is still there for its writer to finish');
    assert.equal(statSync(file).mtimeMs, mtimeMs);
    // Opening it for appending (with the run's lock) does cut the torn line off.
    assert.equal((await store.open('k1-02')).entries.length, writer.entries.length);
    assert.ok(readFileSync(file).length < before.length);
  });

  it('a summary saved for an older journal of the same size is not used (the time differs)', async () => {
    const store = new RunStore(root);
    const { file, folder } = writtenRun(store, 'k1-03');
    await store.list();
    const saved = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
    writeFileSync(join(folder, 'summary.json'), JSON.stringify({ ...saved, summary: { ...saved.summary, title: 'Stale' } }));
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    assert.deepEqual((await store.list()).runs.map((run) => run.summary.title), ['Written']);
  });
});
