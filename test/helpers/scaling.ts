/**
 * Complexity checks without a time limit: the same work at two sizes, compared. A slow or busy
 * machine slows both alike, so the ratio holds where a limit in milliseconds would not; the
 * speed goals themselves are measured by `npm run bench` (bench/textScaling.ts).
 */
import * as assert from 'node:assert/strict';

export interface Scaling {
  smallMs: number;
  largeMs: number;
  ratio: number;
}

/**
 * The least CPU time (this process's, in ms) of `runs` runs of `work()`. CPU time, not wall time:
 * on a machine whose cores other jobs share, waiting for a core is not counted, and a long run
 * is not more likely to be interrupted than a short one.
 */
export function fastestMs(work: () => void, runs = 3): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = process.cpuUsage();
    work();
    const { user, system } = process.cpuUsage(started);
    best = Math.min(best, (user + system) / 1000);
  }
  return best;
}

/**
 * Times `work(size)` and `work(factor × size)` (after a warm-up run) and asserts that the larger
 * took less than `maxRatio` times as long. With the defaults: work linear in the size takes
 * 16–60 times as long here (a large input costs more in GC and cache misses than a small one),
 * quadratic work 256 times; the limit is 100. `prepare` gets the size and returns the work, so
 * that making the input is not timed.
 */
export function assertScalesLinearly(name: string, prepare: (size: number) => () => void, options: { size: number; factor?: number; maxRatio?: number; runs?: number }): Scaling {
  const factor = options.factor ?? 16;
  const maxRatio = options.maxRatio ?? 100;
  const small = prepare(options.size);
  const large = prepare(options.size * factor);
  small(); // warm-up: the first run compiles
  // A small input that takes under a few milliseconds is timed over repeats, for the clock's sake.
  const repeats = Math.max(1, Math.ceil(5 / Math.max(fastestMs(small, 1), 0.01)));
  const smallRepeated = () => {
    for (let repeat = 0; repeat < repeats; repeat++) small();
  };
  // Interleaved, so that a busy spell of the machine (or the heap's state) weighs on both sizes.
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let run = 0; run < (options.runs ?? 3); run++) {
    smallMs = Math.min(smallMs, fastestMs(smallRepeated, 1) / repeats);
    largeMs = Math.min(largeMs, fastestMs(large, 1));
  }
  const ratio = largeMs / smallMs;
  assert.ok(ratio < maxRatio, `${name}: ${factor}× the input took ${ratio.toFixed(1)}× as long (${smallMs.toFixed(2)} → ${largeMs.toFixed(1)} ms; linear ≈ ${factor}×, quadratic ≈ ${factor * factor}×)`);
  return { smallMs, largeMs, ratio };
}

/**
 * For streaming work: times the same batch of steps on a fresh state and on one that has already
 * taken `before` steps, and asserts that the later batch took less than `maxRatio` times as long.
 * Work per step that grows with what came before (rescanning the text so far) makes the later
 * batch many times slower; the same batch size keeps allocation and GC alike on both sides.
 * `start()` makes a fresh state and returns its `steps(count)`.
 */
export function assertSteadyCost(name: string, start: () => (count: number) => void, options: { batch: number; before: number; maxRatio?: number; runs?: number }): Scaling {
  const maxRatio = options.maxRatio ?? 4;
  start()(options.batch); // warm-up: the first run compiles
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let run = 0; run < (options.runs ?? 5); run++) {
    const fresh = start();
    smallMs = Math.min(smallMs, fastestMs(() => fresh(options.batch), 1));
    const grown = start();
    grown(options.before);
    largeMs = Math.min(largeMs, fastestMs(() => grown(options.batch), 1));
  }
  const ratio = largeMs / smallMs;
  assert.ok(ratio < maxRatio, `${name}: ${options.batch} steps after ${options.before} others took ${ratio.toFixed(1)}× as long as the first ${options.batch} (${smallMs.toFixed(2)} → ${largeMs.toFixed(1)} ms)`);
  return { smallMs, largeMs, ratio };
}
