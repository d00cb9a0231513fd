/** `qed eval`'s pure CLI parts: its flags and usage errors, and its tables and JSON summary. */
import assert from 'node:assert/strict';
import { compareEvals, summarizeEval } from '../../src/core/eval/evalSummary';
import { parseEvalArgs, type EvalRunArgs } from '../../src/cli/evalArgs';
import { comparisonTable, SELF_JUDGE_WARNING, summaryJson, summaryTable } from '../../src/cli/evalReport';
import { UsageError } from '../../src/cli/usageError';
import { evalRecord, SETUP } from '../helpers/evalRecords';

const RUN = ['bench.csv', '--out', 'results.jsonl', '--endpoint', 'http://127.0.0.1:9/v1'];
const SELF = [...RUN, '--judge', 'self'];
const EXTERNAL = [...RUN, '--judge-endpoint', 'https://judge.example/v1', '--judge-model', 'gemini-2.5-pro'];

function usageError(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseEvalArgs(argv, {}),
    (error: unknown) => error instanceof UsageError && message.test(error.message),
    argv.join(' '),
  );
}

interface Figures {
  percent: number | null;
  n: number;
  unreadable: number;
  ungraded: number;
}
interface SummaryJson {
  comparableWithPublished: boolean;
  overall: Figures;
  levels: Record<string, Figures>;
}

const runArgs = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseEvalArgs(argv, env) as EvalRunArgs;

describe('parseEvalArgs', () => {
  it('explains each usage error', () => {
    usageError(RUN, /eval needs a judge: --judge-endpoint URL --judge-model NAME .* or --judge self/);
    usageError([...RUN, '--judge', 'foo'], /--judge takes only "self".*--judge-endpoint URL --judge-model NAME/);
    usageError([...SELF, '--judge-endpoint', 'https://judge.example/v1'], /--judge self and --judge-endpoint exclude each other/);
    usageError([...RUN, '--judge-endpoint', 'https://judge.example/v1'], /--judge-endpoint needs --judge-model NAME/);
    usageError([...SELF, '--budget', '5000'], /--budget shapes a Deep Prove run: it needs --mode deep/);
    usageError([...SELF, '--pool', '2', '--rounds', '1'], /--pool, --rounds shape a Deep Prove run: it needs --mode deep/);
    usageError([...SELF, '--mode', 'wrong'], /--mode must be prove .* or deep/);
    usageError(['--compare', 'a.jsonl'], /eval --compare takes two result files/);
    usageError(['bench.csv', '--endpoint', 'http://127.0.0.1:9/v1', '--judge', 'self'], /eval needs --out RESULTS\.jsonl/);
    usageError(['--out', 'r.jsonl', '--judge', 'self'], /eval needs the problems: eval PROBLEMS\.csv/);
    usageError(['bench.csv', '--out', 'r.jsonl', '--judge', 'self'], /eval needs a model: --endpoint URL .* or --model PATH/);
    usageError(['--report', 'r.jsonl', 'bench.csv'], /--report FILE\.jsonl reads the results only/);
    usageError([...SELF, '--problems', ' , '], /--problems needs at least one value/);
  });

  it('uses the model card’s sampling for prove and the method’s for deep, with its budget', () => {
    const prove = runArgs(SELF);
    assert.deepEqual([prove.mode, prove.sampling, prove.tokenBudget, prove.samples, prove.seed, prove.parallel], ['prove', { temperature: 0.6, topP: 0.95, topK: 20, minP: 0 }, undefined, 1, 0, undefined]);
    const deep = runArgs([...SELF, '--mode', 'deep']);
    assert.deepEqual([deep.sampling, deep.tokenBudget], [{ temperature: 0.8, topP: 1 }, 1_000_000]);
    assert.equal(runArgs([...SELF, '--mode', 'deep', '--budget', '5000']).tokenBudget, 5000);
    const tuned = runArgs([...SELF, '--temperature', '1', '--top-p', '0.5', '--top-k', '5', '--max-tokens', '100', '--samples', '3', '--parallel', '4']);
    assert.deepEqual([tuned.sampling, tuned.samples, tuned.parallel], [{ temperature: 1, topP: 0.5, topK: 5, minP: 0, maxTokens: 100 }, 3, 4]);
  });

  it('takes the served model as --model NAME after --endpoint (the issue’s form) or --endpoint-model NAME', () => {
    const named = runArgs([...SELF, '--model', 'qed-nano-q8']).backend;
    assert.deepEqual([named.endpoint, named['endpoint-model'], named.model], ['http://127.0.0.1:9/v1', 'qed-nano-q8', undefined]);
    assert.equal(runArgs([...SELF, '--endpoint-model', 'other']).backend['endpoint-model'], 'other');
    assert.equal(runArgs([...SELF]).backend['endpoint-model'], 'lm-provers/QED-Nano');
    usageError([...SELF, '--model', 'a', '--endpoint-model', 'b'], /name the served model once/);
    const local = runArgs(['bench.csv', '--out', 'r.jsonl', '--model', 'qed.gguf', '--judge', 'self']).backend;
    assert.deepEqual([local.endpoint, local.model], [undefined, 'qed.gguf']);
  });

  it('reads the selection, the report and the comparison forms', () => {
    assert.deepEqual(runArgs([...SELF, '--problems', 'PB-Basic-001, PB-Basic-002', '--level', 'IMO-hard', '--limit', '3']).selection, { ids: ['PB-Basic-001', 'PB-Basic-002'], levels: ['IMO-hard'], limit: 3 });
    assert.deepEqual(parseEvalArgs(['--compare', 'a.jsonl', 'b.jsonl'], {}), { command: 'compare', a: 'a.jsonl', b: 'b.jsonl' });
    assert.deepEqual(parseEvalArgs(['--report', 'r.jsonl', '--summary-json', 's.json'], {}), { command: 'report', file: 'r.jsonl', outputs: { summaryJson: 's.json', html: undefined } });
  });

  it('reads the judge’s key from $QED_JUDGE_API_KEY, or the variable --judge-key-env names', () => {
    assert.deepEqual(runArgs(EXTERNAL, { QED_JUDGE_API_KEY: 'k1' }).judge, { kind: 'endpoint', url: 'https://judge.example/v1', model: 'gemini-2.5-pro', keyEnv: 'QED_JUDGE_API_KEY', apiKey: 'k1' });
    const named = runArgs([...EXTERNAL, '--judge-key-env', 'MY_KEY', '--judge-max-tokens', '9000'], { QED_JUDGE_API_KEY: 'k1', MY_KEY: 'k2' }).judge;
    assert.deepEqual(named, { kind: 'endpoint', url: 'https://judge.example/v1', model: 'gemini-2.5-pro', keyEnv: 'MY_KEY', apiKey: 'k2', maxTokens: 9000 });
    assert.equal('apiKey' in runArgs(EXTERNAL, {}).judge, false);
    assert.deepEqual(runArgs(SELF, { QED_JUDGE_API_KEY: 'k1' }).judge, { kind: 'self' });
  });
});

describe('eval report', () => {
  const records = [
    evalRecord({ problemId: 'A', level: 'pre-IMO', points: 7, tokens: 1000, timeMs: 90_000 }),
    evalRecord({ problemId: 'B', level: 'IMO-easy', points: 0, tokens: 3000, timeMs: 30_000 }),
    evalRecord({ problemId: 'C', level: 'IMO-easy', points: null }),
    evalRecord({ problemId: 'D', level: 'IMO-hard', points: null, status: 'error' }),
  ];

  it('tables the summary with its notes, and warns when QED-Nano graded itself', () => {
    const table = summaryTable(summarizeEval(records));
    assert.ok(!table.includes(SELF_JUDGE_WARNING));
    assert.match(table, /^Prove \(one sample\) × 1 sample · solver endpoint http:\/\/127\.0\.0\.1:9\/v1 lm-provers\/QED-Nano \(temperature 0\.6, top_p 0\.95, top_k 20\) · judge gemini-2\.5-pro\n/);
    assert.match(table, /\npre-IMO +1 +1 +100\.0% +— +1,000 +1 min\n/);
    assert.match(table, /\noverall +2 +2 +50\.0% +\[0\.0, 100\.0\] +1,000 +30 s\n/);
    assert.match(table, /1 grade was unreadable/);
    assert.match(table, /1 proof is not graded yet \(the judge failed\): run the same command again/);
    const self = summaryTable(summarizeEval(records.map((record) => ({ ...record, setup: { ...SETUP, judge: 'self' } }))));
    assert.ok(self.includes(SELF_JUDGE_WARNING));
    assert.match(SELF_JUDGE_WARNING, /NOT comparable with published IMO-ProofBench numbers/);
  });

  it('gives the same figures as JSON, said to be comparable only with an external judge', () => {
    const json = summaryJson(summarizeEval(records)) as SummaryJson;
    assert.equal(json.comparableWithPublished, true);
    assert.deepEqual([json.overall.percent, json.overall.n, json.overall.unreadable, json.overall.ungraded], [50, 2, 1, 1]);
    assert.deepEqual(Object.keys(json.levels), ['pre-IMO', 'IMO-easy', 'IMO-hard']);
    assert.deepEqual([json.levels['pre-IMO']!.percent, json.levels['pre-IMO']!.n], [100, 1]);
    assert.deepEqual([json.levels['IMO-easy']!.percent, json.levels['IMO-easy']!.n], [0, 1]);
    assert.deepEqual([json.levels['IMO-hard']!.percent, json.levels['IMO-hard']!.n], [null, 0]);
    assert.equal('name' in json.overall, false);
    const self = summaryJson(summarizeEval(records.map((record) => ({ ...record, setup: { ...SETUP, judge: 'self' } })))) as SummaryJson;
    assert.equal(self.comparableWithPublished, false);
    assert.equal((summaryJson(summarizeEval([])) as SummaryJson).comparableWithPublished, false);
  });

  it('tables a comparison, naming problems graded in one file only', () => {
    const a = [evalRecord({ problemId: 'A', points: 7 }), evalRecord({ problemId: 'B', points: 1 }), evalRecord({ problemId: 'C', points: 6 })];
    const b = [evalRecord({ problemId: 'A', points: 6 }), evalRecord({ problemId: 'B', points: 1 }), evalRecord({ problemId: 'D', points: 0 })];
    const table = comparisonTable(compareEvals(a, b), { a: 'a.jsonl', b: 'b.jsonl' });
    assert.match(table, /^A: a\.jsonl\nB: b\.jsonl\n/);
    assert.match(table, /\nA +IMO-easy +7 +6 +\+1\.00\n/);
    assert.match(table, /\nB +IMO-easy +1 +1 +0\.00\n/);
    assert.match(table, /\nC +IMO-easy +6 +— *\n/);
    assert.match(table, /\noverall +2 +57\.1% +50\.0% +\+7\.1 pts +\[-83\.6, 97\.9\]\n/);
    assert.match(table, /Graded in one file only \(left out above\): C \(A\), D \(B\)\./);
  });
});
