/** `qed eval`'s figures: per level and overall, their clustered 95% intervals, and two runs compared, checked by hand. */
import assert from 'node:assert/strict';
import { clusteredInterval, compareEvals, latestRecords, summarizeEval, tQuantile975, type GroupSummary } from '../../src/core/eval/evalSummary';
import { evalRecord, SETUP } from '../helpers/evalRecords';

/** Points (0–7) as the percentage the summary reports. */
const pct = (points: number) => (100 * points) / 7;

function close(actual: number | null | undefined, expected: number, what = ''): void {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
}

function closeInterval(actual: [number, number] | null, expected: [number, number], what = ''): void {
  assert.ok(actual, `${what}: no interval`);
  close(actual[0], expected[0], `${what} low`);
  close(actual[1], expected[1], `${what} high`);
}

describe('summarizeEval', () => {
  // A: pre-IMO, B and C: IMO-easy, D: IMO-hard; two samples each, written hardest first.
  const records = [
    evalRecord({ problemId: 'D', sample: 1, level: 'IMO-hard', points: 0, tokens: 100, timeMs: 10 }),
    evalRecord({ problemId: 'D', sample: 2, level: 'IMO-hard', points: 6, tokens: 300, timeMs: 30 }),
    evalRecord({ problemId: 'A', sample: 1, level: 'pre-IMO', points: 7, tokens: 1000, timeMs: 2000 }),
    evalRecord({ problemId: 'A', sample: 2, level: 'pre-IMO', points: 0, status: 'no-proof', tokens: 3000, timeMs: 4000 }),
    evalRecord({ problemId: 'B', sample: 1, level: 'IMO-easy', points: 6, tokens: 10, timeMs: 1 }),
    evalRecord({ problemId: 'B', sample: 2, level: 'IMO-easy', points: null, tokens: 20, timeMs: 2 }),
    evalRecord({ problemId: 'C', sample: 1, level: 'IMO-easy', points: 1, tokens: 30, timeMs: 3 }),
    evalRecord({ problemId: 'C', sample: 2, level: 'IMO-easy', points: null, status: 'error', tokens: 40, timeMs: 4 }),
  ];
  const summary = summarizeEval(records);
  const level = (name: string) => summary.levels.find((group) => group.name === name)!;

  it('orders levels pre-IMO, IMO-easy, IMO-medium, IMO-hard, others after', () => {
    assert.deepEqual(summary.levels.map((group) => group.name), ['pre-IMO', 'IMO-easy', 'IMO-hard']);
    const mixed = summarizeEval(['Custom', 'IMO-hard', 'IMO-medium', 'IMO-easy', 'pre-IMO'].map((name, index) => evalRecord({ problemId: `P${index}`, level: name, points: 7 })));
    assert.deepEqual(mixed.levels.map((group) => group.name), ['pre-IMO', 'IMO-easy', 'IMO-medium', 'IMO-hard', 'Custom']);
    assert.deepEqual(summary.setup, SETUP);
    assert.equal(summary.samples, 2);
  });

  it('counts a no-proof as 0, leaves unreadable and failed grades out of the mean and counts them apart', () => {
    const pre = level('pre-IMO');
    assert.deepEqual([pre.problems, pre.n, pre.unreadable, pre.ungraded], [1, 2, 0, 0]);
    close(pre.percent, pct(3.5), 'pre-IMO');
    const easy = level('IMO-easy');
    assert.deepEqual([easy.problems, easy.n, easy.unreadable, easy.ungraded], [2, 2, 1, 1]);
    close(easy.percent, pct((6 + 1) / 2), 'IMO-easy');
    const { overall } = summary;
    assert.deepEqual([overall.name, overall.problems, overall.n, overall.unreadable, overall.ungraded], ['overall', 4, 6, 1, 1]);
    close(overall.percent, pct((0 + 6 + 7 + 0 + 6 + 1) / 6), 'overall');
  });

  it('gives each sample’s run, and tokens and time per (problem, sample) over every record', () => {
    assert.deepEqual(level('pre-IMO').runs, [pct(7), pct(0)]);
    assert.deepEqual(level('IMO-hard').runs, [pct(0), pct(6)]);
    // Sample 2 of IMO-easy has no grade (B unreadable, C failed): its place stays, empty.
    assert.deepEqual(level('IMO-easy').runs, [pct((6 + 1) / 2), null]);
    // Sample 1: A 7, B 6, C 1, D 0; sample 2: A 0, D 6 (B unreadable, C failed).
    assert.deepEqual(summary.overall.runs, [pct(14 / 4), pct(6 / 2)]);
    close(level('IMO-hard').tokensPerProblem, 200);
    close(level('pre-IMO').timeMsPerProblem, 3000);
    close(level('IMO-easy').tokensPerProblem, 25);
    close(summary.overall.tokensPerProblem, (100 + 300 + 1000 + 3000 + 10 + 20 + 30 + 40) / 8);
    close(summary.overall.timeMsPerProblem, (10 + 30 + 2000 + 4000 + 1 + 2 + 3 + 4) / 8);
    assert.deepEqual(summarizeEval([evalRecord({ problemId: 'A', points: 7 })]).overall.runs, [], 'one sample: no runs');
  });

  it('clusters the interval by problem: overall by hand', () => {
    // Points: A 7, 0; B 6; C 1; D 0, 6. Mean 20/6. Residual sums per problem:
    const m = 20 / 6;
    const residuals = [7 - m + (0 - m), 6 - m, 1 - m, 0 - m + (6 - m)];
    const g = 4;
    const se = Math.sqrt((g / (g - 1)) * residuals.reduce((sum, r) => sum + r * r, 0)) / 6;
    const half = 3.182 * se; // t(3)
    closeInterval(summary.overall.interval, [pct(m - half), pct(m + half)], 'overall');
    assert.ok(Math.abs(pct(m - half) - 15.94) < 0.01 && Math.abs(pct(m + half) - 79.30) < 0.01);
    // One problem: no interval.
    assert.equal(level('pre-IMO').interval, null);
    assert.equal(level('IMO-hard').interval, null);
  });

  it('reduces to the ordinary t-interval with one sample per problem', () => {
    // Points 3, 4, 5: mean 4, s = 1, s/√3, t(2) = 4.303.
    const group = summarizeEval([3, 4, 5].map((points, index) => evalRecord({ problemId: `P${index}`, points }))).overall;
    const half = (4.303 * 1) / Math.sqrt(3);
    closeInterval(group.interval, [pct(4 - half), pct(4 + half)], '3 × 1');
    assert.ok(Math.abs(group.interval![0] - 21.65) < 0.01 && Math.abs(group.interval![1] - 92.63) < 0.01);
  });

  it('clusters two samples per problem by hand, not as six independent values', () => {
    // P1 3, 4; P2 4, 4; P3 5, 4: mean 4; residual sums −1, 0, 1; SE = √(3/2 · 2) / 6.
    const group = summarizeEval([[3, 4], [4, 4], [5, 4]].flatMap((points, p) => points.map((value, s) => evalRecord({ problemId: `P${p}`, sample: s + 1, points: value })))).overall;
    const half = 4.303 * (Math.sqrt(1.5 * 2) / 6);
    closeInterval(group.interval, [pct(4 - half), pct(4 + half)], '3 × 2');
    // Six independent values would give s² = 2/5, t(5) = 2.571: a different interval.
    const naiveHalf = 2.571 * Math.sqrt(0.4 / 6);
    assert.ok(Math.abs(group.interval![0] - pct(4 - naiveHalf)) > 1);
  });

  it('clamps the interval to [0, 100]', () => {
    // Points 0, 0, 1: mean 1/3, SE 1/3, half 4.303/3 > 1/3.
    const low = summarizeEval([0, 0, 1].map((points, index) => evalRecord({ problemId: `P${index}`, points }))).overall;
    closeInterval(low.interval, [0, pct(1 / 3 + 4.303 / 3)], 'low');
    const high = summarizeEval([7, 7, 6].map((points, index) => evalRecord({ problemId: `P${index}`, points }))).overall;
    closeInterval(high.interval, [pct(20 / 3 - 4.303 / 3), 100], 'high');
    const both = summarizeEval([7, 0].map((points, index) => evalRecord({ problemId: `P${index}`, points }))).overall;
    assert.deepEqual(both.interval, [0, 100]);
    assert.deepEqual(summarizeEval([0, 0].map((points, index) => evalRecord({ problemId: `P${index}`, points }))).overall.interval, [0, 0]);
  });

  it('has no figures for a group with nothing graded, and none at all for no records', () => {
    const group: GroupSummary = summarizeEval([evalRecord({ problemId: 'A', points: null, status: 'error', tokens: 5 })]).overall;
    assert.deepEqual([group.n, group.problems, group.percent, group.interval, group.ungraded, group.tokensPerProblem], [0, 0, null, null, 1, 5]);
    const empty = summarizeEval([]);
    assert.deepEqual([empty.setup, empty.samples, empty.levels, empty.overall.percent, empty.overall.tokensPerProblem], [null, 0, [], null, null]);
  });

  it('takes the latest record of a (problem, sample): a re-graded proof counts once', () => {
    const regraded = summarizeEval([evalRecord({ problemId: 'A', points: null, status: 'error' }), evalRecord({ problemId: 'B', points: 0 }), evalRecord({ problemId: 'A', points: 7 })]).overall;
    assert.deepEqual([regraded.n, regraded.ungraded], [2, 0]);
    close(regraded.percent, 50);
  });
});

describe('latestRecords', () => {
  it('keeps the last line of each (problem, sample), in the order first written', () => {
    const first = evalRecord({ problemId: 'A', points: null, status: 'error' });
    const other = evalRecord({ problemId: 'A', sample: 2, points: 1 });
    const b = evalRecord({ problemId: 'B', points: 0 });
    const again = evalRecord({ problemId: 'A', points: null });
    const last = evalRecord({ problemId: 'A', points: 6 });
    assert.deepEqual(latestRecords([first, other, b, again, last]), [last, other, b]);
  });
});

describe('clusteredInterval and t quantiles', () => {
  it('needs two clusters, and uses the table to 30 degrees of freedom and an expansion past it', () => {
    assert.equal(clusteredInterval([{ cluster: 'a', value: 1 }, { cluster: 'a', value: 3 }]), null);
    assert.equal(clusteredInterval([]), null);
    assert.equal(tQuantile975(1), 12.706);
    assert.equal(tQuantile975(30), 2.042);
    assert.ok(Math.abs(tQuantile975(40) - 2.021) < 0.001 && Math.abs(tQuantile975(120) - 1.980) < 0.001);
  });
});

describe('compareEvals', () => {
  const a = [
    evalRecord({ problemId: 'P1', sample: 1, points: 7 }),
    evalRecord({ problemId: 'P1', sample: 2, points: 7 }),
    evalRecord({ problemId: 'P2', points: 0 }),
    evalRecord({ problemId: 'P3', level: 'IMO-hard', points: 6 }),
    evalRecord({ problemId: 'P4', level: 'IMO-hard', points: null }),
  ];
  const b = [
    evalRecord({ problemId: 'P1', sample: 1, points: 7 }),
    evalRecord({ problemId: 'P1', sample: 2, points: 0 }),
    evalRecord({ problemId: 'P2', points: 1 }),
    evalRecord({ problemId: 'P3', level: 'IMO-hard', points: 0 }),
    evalRecord({ problemId: 'P4', level: 'IMO-hard', points: 7 }),
    evalRecord({ problemId: 'P5', level: 'pre-IMO', points: 7 }),
  ];
  const comparison = compareEvals(a, b);
  const level = (name: string) => comparison.levels.find((group) => group.name === name)!;

  it('gives each problem’s mean points in both, null where a file graded none', () => {
    assert.deepEqual(comparison.problems, [
      { problemId: 'P1', level: 'IMO-easy', a: 7, b: 3.5 },
      { problemId: 'P2', level: 'IMO-easy', a: 0, b: 1 },
      { problemId: 'P3', level: 'IMO-hard', a: 6, b: 0 },
      { problemId: 'P4', level: 'IMO-hard', a: null, b: 7 },
      { problemId: 'P5', level: 'pre-IMO', a: null, b: 7 },
    ]);
    assert.deepEqual(comparison.levels.map((group) => group.name), ['pre-IMO', 'IMO-easy', 'IMO-hard']);
  });

  it('compares a level on the problems graded in both only', () => {
    const hard = level('IMO-hard'); // P4 graded in B only: left out.
    assert.deepEqual([hard.problems, hard.interval], [1, null]);
    close(hard.a, pct(6));
    close(hard.b, 0);
    close(hard.difference, pct(6));
    const pre = level('pre-IMO');
    assert.deepEqual([pre.problems, pre.a, pre.b, pre.difference, pre.interval], [0, null, null, null, null]);
    const easy = level('IMO-easy');
    close(easy.a, pct(3.5));
    close(easy.b, pct(2.25));
    close(easy.difference, pct((3.5 - 1) / 2));
    assert.deepEqual(easy.interval, [-100, 100], 't(1) = 12.706: clamped to ±100 points');
  });

  it('gives the paired difference overall with its t-interval over the problems, by hand', () => {
    const { overall } = comparison;
    // Paired: P1 7 − 3.5 = 3.5, P2 0 − 1 = −1, P3 6 − 0 = 6.
    const d = [3.5, -1, 6];
    const m = (3.5 - 1 + 6) / 3;
    const s = Math.sqrt(d.reduce((sum, x) => sum + (x - m) ** 2, 0) / 2);
    const half = (4.303 * s) / Math.sqrt(3);
    assert.equal(overall.problems, 3);
    close(overall.a, pct(13 / 3));
    close(overall.b, pct(4.5 / 3));
    close(overall.difference, pct(m));
    closeInterval(overall.interval, [pct(m - half), 100], 'overall difference');
    assert.ok(Math.abs(overall.interval![0] - -85.42) < 0.01, String(overall.interval![0]));
  });
});
