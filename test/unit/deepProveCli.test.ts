/** `qed deep-prove`'s pure parts: its flags, resume checks, progress lines, JSON object and exit codes. */
import assert from 'node:assert/strict';
import type { AssistantAnswer } from '../../src/core/answer/answer';
import { DEFAULT_CONFIG, type DeepProveConfig } from '../../src/core/deepProve/config';
import type { JournalEntry, RunEntry } from '../../src/core/deepProve/journal';
import { runEstimate } from '../../src/core/deepProve/runEstimate';
import { applyEntry, foldJournal } from '../../src/core/deepProve/runView';
import { resumeCommand } from '../../src/cli/deepProve';
import { newRunConfig, parseDeepProveArgs, resumeConflicts } from '../../src/cli/deepProveArgs';
import { endLine, exitCode, RunProgress, runSummary } from '../../src/cli/deepProveReport';
import { UsageError } from '../../src/cli/usageError';

const ENDPOINT = ['--endpoint', 'http://127.0.0.1:9/v1'];

function usageError(argv: string[], message: RegExp): void {
  assert.throws(() => parseDeepProveArgs(argv), (error: unknown) => error instanceof UsageError && message.test(error.message));
}

const CONFIG: DeepProveConfig = { ...DEFAULT_CONFIG, poolSize: 2, verifications: 2, rounds: 0 };

function run(config: DeepProveConfig = CONFIG): RunEntry {
  return { type: 'run', version: 1, runId: 'r1', createdAt: 1000, title: 'Lemma', statement: 'S', config, seed: 5 };
}

function answer(content: string, tokens: number, finishReason: 'stop' | 'length' = 'stop'): AssistantAnswer {
  return { reasoning: 'thinking', content, status: 'done', finishReason, startedAt: 0, endedAt: 2000, reasoningTokens: tokens - 1, contentTokens: 1, usage: { promptTokens: 10, completionTokens: tokens } };
}

const request = { messages: [{ role: 'user' as const, content: 'x' }], temperature: 0.8, topP: 1, seed: 1 };

/** c1: a proof verified 1 and unreadable (mean 0.5); c2: thinking only, no proof (mean 0). */
function finishedJournal(): JournalEntry[] {
  const call = (key: string, at: number): JournalEntry => ({ type: 'call', key, kind: key.includes('/v') ? 'verify' : 'attempt', at, request });
  const result = (key: string, at: number, a: AssistantAnswer): JournalEntry => ({ type: 'result', key, at, answer: a });
  return [
    run({ ...CONFIG, summaries: 0 }),
    { type: 'start', at: 1000, concurrency: 4, tokenBudget: 1_000_000, timeLimitMs: null },
    { type: 'candidate', id: 'c1', round: 0, parent: null, fromVerifications: [], at: 1000 },
    { type: 'candidate', id: 'c2', round: 0, parent: null, fromVerifications: [], at: 1000 },
    call('c1/a1', 1001),
    call('c2/a1', 1001),
    result('c1/a1', 1100, answer('## Solution\nA proof.\n## Self Evaluation\n\\boxed{1}', 100)),
    result('c2/a1', 1200, answer('', 50, 'length')),
    call('c1/v1', 1201),
    call('c1/v2', 1201),
    result('c1/v1', 1300, answer('Fine.\n\n\\boxed{1}', 30)),
    result('c1/v2', 1400, answer('It goes on and on', 40, 'length')),
    { type: 'end', at: 61_000, reason: 'complete' },
  ];
}

describe('qed deep-prove flags', () => {
  it('reads a new run’s flags, and leaves unset ones undefined', () => {
    const flags = ['--pool', '3', '--rounds', '0', '--budget', '5000', '--time-limit', '90', '--temperature', '0.6', '--top-p', '0.95', '--seed', '0', '--json'];
    const args = parseDeepProveArgs(['paper.tex', '--label', 'lem:a', ...ENDPOINT, ...flags]);
    assert.equal(args.file, 'paper.tex');
    const unset = { verifications: undefined, verificationsPerRefinement: undefined, summaries: undefined, maxTokensPerCall: undefined };
    assert.deepEqual(args.shape, { poolSize: 3, rounds: 0, temperature: 0.6, topP: 0.95, seed: 0, ...unset });
    assert.equal(args.tokenBudget, 5000);
    assert.equal(args.timeLimitMs, 90_000);
    assert.equal(args.json, true);
    assert.equal(args.concurrency, undefined);
  });

  it('allows no FILE only to resume a journal', () => {
    assert.equal(parseDeepProveArgs(['--journal', 'run1', ...ENDPOINT]).file, undefined);
    usageError([...ENDPOINT], /needs FILE with --label LABEL or --line N \(or --journal DIR/);
    usageError(['--journal', 'run1', '--label', 'x', ...ENDPOINT], /--label and --line need the FILE/);
    usageError(['paper.tex', ...ENDPOINT], /needs --label LABEL or --line N/);
  });

  it('refuses flags that would be ignored, and numbers out of range', () => {
    usageError(['p.tex', '--line', '3', '--model', 'm.gguf', '--concurrency', '4'], /--concurrency is for --endpoint/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--parallel', '4'], /--parallel is for --model/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--model', 'm.gguf'], /not both/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--budget', '3000001'], /--budget must be an integer from 1 to 3000000/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--top-p', '0'], /--top-p must be above 0/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--temperature', 'hot'], /--temperature must be a number from 0 to 2/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--pool', ''], /--pool must be an integer/);
    usageError(['p.tex', '--line', '3', ...ENDPOINT, '--seed', '4294967296'], /--seed must be an integer from 0 to 4294967295/);
  });

  it('makes a new run’s configuration from the method’s defaults', () => {
    assert.deepEqual(newRunConfig({ shape: {} }), DEFAULT_CONFIG);
    // One verification each: a refinement can be shown only that one.
    assert.equal(newRunConfig({ shape: { verifications: 1 } }).verificationsPerRefinement, 1);
    assert.throws(() => newRunConfig({ shape: { verifications: 2, verificationsPerRefinement: 3 } }), /Verifications per refinement \(3\) cannot exceed verifications per candidate \(2\)/);
    const config = newRunConfig({ shape: { maxTokensPerCall: 500, temperature: 0 }, tokenBudget: 9, timeLimitMs: 60_000 });
    assert.deepEqual([config.maxTokensPerCall, config.sampling, config.tokenBudget, config.timeLimitMs], [500, { temperature: 0, topP: 1 }, 9, 60_000]);
  });

  it('resumes only with the run’s own search: differing shape flags are named', () => {
    assert.deepEqual(resumeConflicts(run(), {}), []);
    assert.deepEqual(resumeConflicts(run(), { poolSize: 2, verifications: 2, seed: 5, temperature: 0.8 }), []);
    assert.deepEqual(resumeConflicts(run(), { poolSize: 3, seed: 6, maxTokensPerCall: 100, topP: 0.5 }), [
      "--pool 3 differs from the run's 2",
      "--max-tokens 100 differs from the run's none",
      "--top-p 0.5 differs from the run's 1",
      "--seed 6 differs from the run's 5",
    ]);
  });

  it('says how to resume with the same backend, without repeating an API key', () => {
    const endpoint = parseDeepProveArgs(['p.tex', '--line', '1', ...ENDPOINT, '--api-key', 's3cret', '--concurrency', '2', '--json']);
    assert.equal(resumeCommand('/tmp/run 1', endpoint), "qed deep-prove --journal '/tmp/run 1' --endpoint http://127.0.0.1:9/v1 --api-key KEY --concurrency 2 --json");
    const local = parseDeepProveArgs(['p.tex', '--line', '1', '--model', "it's.gguf", '--threads', '1', '--gpu', 'cpu', '--parallel', '4']);
    assert.equal(resumeCommand('/tmp/r', local), "qed deep-prove --journal /tmp/r --model 'it'\\''s.gguf' --threads 1 --gpu cpu --parallel 4");
  });
});

describe('qed deep-prove output', () => {
  it('shapes the JSON: the best proof, each candidate’s scores (unreadable: null with its notes), the totals', () => {
    const entries = finishedJournal();
    const summary = runSummary(foldJournal(entries), '/tmp/j');
    assert.equal(summary.end, 'complete');
    assert.deepEqual(summary.best, { id: 'c1', proof: 'A proof.', mean: 0.5 });
    assert.deepEqual(
      summary.candidates.map((c) => [c.id, c.phase, c.mean, c.verifications.map((v) => v.score)]),
      [
        ['c1', 'done', 0.5, [1, null]],
        ['c2', 'no-proof', 0, []],
      ],
    );
    const unreadable = summary.candidates[0]!.verifications[1]!;
    assert.ok(unreadable.notes.length > 0, 'an unreadable score says why');
    // Totals are the journal's: every result counted once, with its reported completion tokens.
    assert.equal(summary.calls, entries.filter((e) => e.type === 'result').length);
    assert.equal(summary.tokens, 100 + 50 + 30 + 40);
    assert.equal(summary.journal, '/tmp/j');
    assert.equal(JSON.parse(JSON.stringify(summary)).best.mean, 0.5);
  });

  it('exits 0 with a best proof, 3 on budget, time or no proof, 130 on Ctrl-C, 1 on failure', () => {
    const ended = (reason: 'complete' | 'solved' | 'budget' | 'time' | 'user' | 'error', entries = finishedJournal()) => {
      const view = foldJournal(entries.slice(0, -1));
      applyEntry(view, { type: 'end', at: 61_000, reason });
      return exitCode(view);
    };
    assert.deepEqual(['complete', 'solved', 'budget', 'time', 'user', 'error'].map((reason) => ended(reason as 'complete')), [0, 0, 3, 3, 130, 1]);
    // Only c2, which has no proof: complete, but no best.
    const noProof = finishedJournal().filter((entry) => !('key' in entry && entry.key.startsWith('c1')) && !(entry.type === 'candidate' && entry.id === 'c1'));
    assert.equal(foldJournal(noProof).best, null);
    assert.equal(ended('complete', noProof), 3);
  });

  it('tells each call’s start and end once, with the run’s totals, and the end in one line', () => {
    const entries = finishedJournal();
    const progress = new RunProgress();
    const view = foldJournal(entries.slice(0, 1));
    const lines: string[] = [];
    for (const entry of entries.slice(1)) {
      applyEntry(view, entry);
      lines.push(...progress.update(view, runEstimate(view, [], 'at' in entry ? entry.at : 0)));
    }
    assert.deepEqual(lines, [
      'qed: c1 attempt 1 started',
      'qed: c2 attempt 1 started',
      'qed: c1 attempt 1: a proof of 8 characters (100 tokens) · no best yet · 100 / 1,000,000 tokens · 0 s',
      'qed: c2 attempt 1: no proof, cut off by the token limit (Every attempt ran out of room (or ended) while thinking, with no answer after it.) (50 tokens) · no best yet · 150 / 1,000,000 tokens · 0 s',
      'qed: c1 verification 1/2 started',
      'qed: c1 verification 2/2 started',
      'qed: c1 verification 1/2: score 1 (30 tokens) · no best yet · 180 / 1,000,000 tokens · 0 s',
      'qed: c1 verification 2/2: score unreadable (No \\boxed{} score found; The answer was cut off by the token limit) (40 tokens) · c1 mean 0.5 · pool best c1 0.5 · 220 / 1,000,000 tokens · 0 s',
    ]);
    assert.deepEqual(progress.update(view, runEstimate(view, [], 61_000)), [], 'nothing twice');
    assert.equal(endLine(view), 'qed: the search is complete (4 calls, 220 tokens, 1 min); best c1, mean 0.5.');
    // A session resumed from this view tells only what happens next.
    assert.deepEqual(new RunProgress(view).update(view, runEstimate(view, [], 61_000)), []);
  });
});
