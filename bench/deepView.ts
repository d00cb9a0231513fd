/**
 * The Deep Prove panel's page in headless Chromium (the real dist/webview/deep.js on the page
 * harness of test/helpers/webviewPage.ts) while a run streams: a synthetic run of 12 candidates
 * (a pool of 4, two refinement rounds) × 4 verifications, 4 calls at a time, compressed into
 * ~30 s. Its proofs are 5–15 KB and its evaluations 2–6 KB of generated olympiad Markdown with
 * math (test/helpers/proofText.ts); one attempt runs out of room and goes through a summary.
 *
 * As a host sends them: a `view` message (the whole run view, folded with the real foldJournal)
 * on every journal entry, and a `live` message every 250 ms with the calls streaming. The reader
 * has the best proof on screen (always rendered), and opens the first finished candidate's proof
 * and one of its evaluations as soon as it is done.
 *
 * Measured: frames (requestAnimationFrame deltas: longest, median, 99th percentile; goal: longest
 * < 50 ms), Long Animation Frames and long tasks (main thread busy > 50 ms), and the page's own
 * handling of each message (its `message` listener, synchronous part). Medians over runs.
 * The longest frame is broken down by the long animation frame that overlaps it: script (the
 * scripts over 5 ms it lists), style and layout (to its end: paint included), and neither: on a
 * loaded machine, mostly the page's thread waiting for a CPU. The busiest frame (most script +
 * style and layout) is the figure load disturbs least.
 * How a message reaches the page: VS Code delivers it off the page's thread (IPC, then a
 * MessagePort), which only deserializes it and posts it on to the page's frame. Here the run's
 * messages are handed to the page as JSON text before it starts, and each is then parsed and
 * posted in the page on time: JSON.parse (~1 ms for the 357 KB view) stands for the structured
 * clone's deserialization. Passing each message through `page.evaluate` as it is due cost the
 * page's thread 20–30 ms of CPU for the 357 KB view (the DevTools protocol's delivery, in a
 * trace; as an object or as text alike), a task VS Code does not have, in the frames measured.
 * QED_BENCH_DEEP_SEND=object measures that way (the figures in bench/RESULTS.md before
 * 2026-12-06 were).
 * Environment: QED_BENCH_DEEP_RUNS (default 3); QED_BENCH_DEEP_TRACE, a folder: each measured run
 * also records a Chromium trace there (run-N.json, the `devtools.timeline` categories), for
 * bench/deepTrace.ts to say what the long frames were. Tracing slows the page: its runs are for
 * finding causes, not for the figures. QED_BENCH_DEEP_FRAMES, a file: every run's frame times as
 * JSON, to compare two builds of the page frame by frame.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from '../src/core/deepProve/journal';
import type { LiveCall } from '../src/core/deepProve/liveCall';
import { foldJournal } from '../src/core/deepProve/runView';
import type { HostToDeep } from '../src/core/webview/deepProtocol';
import { answer, cutAttempt, JournalWriter, kindOfKey, proofAnswer, verdictAnswer } from '../test/helpers/deepJournal';
import { proofText } from '../test/helpers/proofText';
import { WEBVIEW, WebviewPages, webviewUnavailable } from '../test/helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const RUNS = Number(process.env.QED_BENCH_DEEP_RUNS ?? 3);
const SEND_OBJECTS = process.env.QED_BENCH_DEEP_SEND === 'object';
const TRACE_DIR = process.env.QED_BENCH_DEEP_TRACE;
const FRAMES_FILE = process.env.QED_BENCH_DEEP_FRAMES;
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'v8.execute', 'blink.user_timing', 'v8'];
const LIVE_INTERVAL_MS = 250;
const SLOTS = 4;
/** Tokens a streaming call makes per second of the compressed run (only counters show them). */
const LIVE_TOKENS_PER_SECOND = 400;

/** Installed before the bundle: frames, long animation frames, long tasks, and message handling (first listener). */
const HEAD_SCRIPT = `
window.__bench = { frames: [], loaf: [], longTasks: [], handling: { view: [], live: [] }, messageStart: 0 };
window.addEventListener('message', () => { window.__bench.messageStart = performance.now(); });
new PerformanceObserver((list) => { for (const e of list.getEntries()) if (window.__bench.t0 !== undefined && e.startTime >= window.__bench.t0) window.__bench.longTasks.push(e.duration); }).observe({ type: 'longtask' });
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const end = e.startTime + e.duration;
      const top = [...e.scripts].sort((a, b) => b.duration - a.duration)[0];
      if (window.__bench.t0 === undefined || e.startTime < window.__bench.t0) continue;
      const entry = (top ? top.invoker + ' ' + Math.round(top.duration) + ' ms, ' : '') + ((e.startTime - window.__bench.t0) / 1000).toFixed(1) + ' s into the run';
      window.__bench.loaf.push([e.duration, e.scripts.reduce((sum, s) => sum + s.duration, 0), e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0, entry, e.startTime]);
    }
  }).observe({ type: 'long-animation-frame' });
} catch {}
`;

interface Timed {
  at: number;
  entry: JournalEntry;
}

/** A call on the first free of SLOTS slots, no earlier than `ready`: when it starts and ends. */
class Slots {
  private readonly freeAt = Array.from({ length: SLOTS }, () => 0);

  take(ready: number, duration: number): { start: number; end: number } {
    let slot = 0;
    for (let k = 1; k < SLOTS; k++) if (this.freeAt[k]! < this.freeAt[slot]!) slot = k;
    const start = Math.max(ready, this.freeAt[slot]!);
    this.freeAt[slot] = start + duration;
    return { start, end: start + duration };
  }
}

/** The synthetic run's journal entries with their times (ms from the start), in time order. */
function syntheticRun(): { run: JournalEntry; timed: Timed[]; durationMs: number } {
  const writer = new JournalWriter(0, { title: 'Problem 6 (a functional equation over $\\mathbb{Q}_{>0}$)', statement: proofText(600, 99), config: { poolSize: 4, verifications: 4, rounds: 2 } });
  const timed: Timed[] = [];
  const slots = new Slots();
  let seed = 17;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
  const between = (low: number, high: number) => Math.round(low + rand() * (high - low));
  const record = (at: number, add: (w: JournalWriter) => void) => {
    const before = writer.entries.length;
    add(writer);
    for (const entry of writer.entries.slice(before)) timed.push({ at, entry });
  };
  const call = (key: string, ready: number, duration: number, result: ReturnType<typeof answer>) => {
    const { start, end } = slots.take(ready, duration);
    record(start, (w) => w.call(key, start));
    record(end, (w) => w.result(key, end, result));
    return end;
  };
  const SCORES = [1, 0.5, 0, 1, 0.5, null, 1, 0.5] as const;
  let roundStart = 0;
  for (let round = 0; round <= 2; round++) {
    let roundEnd = roundStart;
    for (let k = 1; k <= 4; k++) {
      const id = `c${round * 4 + k}`;
      record(roundStart, (w) => w.candidate(id, roundStart, round === 0 ? {} : { round, parent: `c${(round - 1) * 4 + k}`, from: [1, 3] }));
      let ready = roundStart;
      if (id === 'c3') {
        // The reasoning cache: the first attempt runs out of room, is summarised, and a second starts from the summary.
        ready = call(`${id}/a1`, ready, 1700, cutAttempt(32_768));
        ready = call(`${id}/s1`, ready, 400, answer(proofText(1500, 7), 1_500));
        ready = call(`${id}/a2`, ready, 1400, proofAnswer(proofText(between(5000, 15000), k + 10 * round), between(15_000, 30_000)));
      } else {
        ready = call(`${id}/a1`, ready, between(1100, 1800), proofAnswer(proofText(between(5000, 15000), k + 10 * round), between(15_000, 30_000)));
      }
      for (let v = 1; v <= 4; v++) {
        const score = SCORES[(k + v + round) % SCORES.length]!;
        roundEnd = Math.max(roundEnd, call(`${id}/v${v}`, ready, between(800, 1200), verdictAnswer(score, proofText(between(2000, 6000), 100 + v * 13 + k * 7 + round), between(6_000, 12_000))));
      }
    }
    roundStart = roundEnd;
  }
  record(roundStart, (w) => w.end(roundStart, 'complete'));
  timed.sort((a, b) => a.at - b.at);
  // The writer's constructor wrote the run's definition; the session's start comes first after it.
  const start: Timed = { at: 0, entry: { type: 'start', at: 0, concurrency: SLOTS, tokenBudget: 1_000_000, timeLimitMs: null } };
  return { run: writer.entries[0]!, timed: [start, ...timed], durationMs: roundStart };
}

/** What the host sends, in time order: a view per entry and the live calls every 250 ms. */
function hostMessages(): { messages: { at: number; message: HostToDeep }[]; durationMs: number; viewBytes: number[] } {
  const { run, timed, durationMs } = syntheticRun();
  const entries: JournalEntry[] = [run];
  const running = new Map<string, number>();
  const messages: { at: number; message: HostToDeep }[] = [];
  const viewBytes: number[] = [];
  const liveAt = (at: number): LiveCall[] =>
    [...running].map(([key, startedAt]) => {
      const tokens = Math.round(((at - startedAt) / 1000) * LIVE_TOKENS_PER_SECOND);
      return { key, kind: kindOfKey(key), startedAt, reasoningTokens: Math.round(tokens * 0.9), contentTokens: tokens - Math.round(tokens * 0.9) };
    });
  let nextLive = LIVE_INTERVAL_MS;
  for (const { at, entry } of timed) {
    for (; nextLive < at; nextLive += LIVE_INTERVAL_MS) messages.push({ at: nextLive, message: { type: 'live', runId: 'run-deep', live: liveAt(nextLive), now: nextLive } });
    entries.push(entry);
    if (entry.type === 'call') running.set(entry.key, entry.at);
    if (entry.type === 'result') running.delete(entry.key);
    const view = foldJournal(entries);
    viewBytes.push(JSON.stringify(view).length);
    messages.push({ at, message: { type: 'view', view, live: liveAt(at), now: at, insertable: true } });
  }
  return { messages, durationMs, viewBytes };
}

interface DeepRun {
  frames: number[];
  /** Long animation frames: duration, script, style and layout (to the frame's end), the longest script and when, start time. */
  loaf: [number, number, number, string, number][];
  /** The longest frame (between two animation frames) and the long animation frame that overlaps it most. */
  longest: { duration: number; at: number; loaf: [number, number, number, string, number] | undefined };
  longTasks: number[];
  handling: { view: number[]; live: number[] };
  seconds: number;
}

async function runOnce(pages: WebviewPages, plan: ReturnType<typeof hostMessages>, tracePath?: string): Promise<DeepRun> {
  const h = await pages.openDeep('dark', { headScript: HEAD_SCRIPT });
  const { page } = h;
  if (!SEND_OBJECTS) {
    // Before the clock starts: the messages as JSON text, in chunks the protocol takes well.
    const texts = plan.messages.map(({ message }) => JSON.stringify(message));
    for (let i = 0; i < texts.length; i += 8) await page.evaluate((chunk: string[]) => (window.__messages ??= []).push(...chunk), texts.slice(i, i + 8));
  }
  const tracing = tracePath ? await startTracing(page) : undefined;
  // The second listener: it runs after the page's own, so the difference is the page's handling.
  await page.evaluate(() => {
    window.addEventListener('message', (event: any) => {
      const type = event.data?.type;
      if (type === 'view' || type === 'live') window.__bench.handling[type].push(performance.now() - window.__bench.messageStart);
    });
    window.__bench.t0 = performance.now();
    const onFrame = (time: number) => {
      window.__bench.frames.push(time);
      if (!window.__bench.done) window.requestAnimationFrame(onFrame);
    };
    window.requestAnimationFrame(onFrame);
  });
  const started = Date.now();
  let opened = false;
  for (const [index, { at, message }] of plan.messages.entries()) {
    const wait = started + at - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    // The host's clock is the run's (it started at 0): the page counts elapsed time on it.
    if (SEND_OBJECTS) await h.send(message);
    else {
      await page.evaluate((i: number) => {
        const text = window.__messages[i];
        window.__messages[i] = undefined;
        window.postMessage(JSON.parse(text), '*');
      }, index);
    }
    if (!opened && message.type === 'view' && message.view.candidates[0]?.phase === 'done') {
      opened = true;
      // The reader opens the first finished candidate's proof and its first evaluation.
      await page.evaluate(() => {
        document.querySelector('#deep-card-c1 .deep-proof-summary')?.click();
        document.querySelector('#deep-card-c1 .deep-chip')?.click();
      });
    }
  }
  await h.frame();
  const bench = await page.evaluate(() => {
    window.__bench.done = true;
    return window.__bench;
  });
  if (tracing) writeFileSync(tracePath!, await tracing());
  if (h.errors.length) throw new Error(`the page reported errors: ${h.errors.join('; ')}`);
  if (!opened) throw new Error('the reader never opened c1: the run has no finished candidate');
  await page.close();
  const times: number[] = bench.frames;
  const frames = times.slice(1).map((time, i) => time - times[i]!);
  const i = frames.indexOf(Math.max(...frames));
  const overlap = (e: [number, number, number, string, number]) => Math.min(e[4] + e[0], times[i + 1]!) - Math.max(e[4], times[i]!);
  const loaf = [...(bench.loaf as DeepRun['loaf'])].sort((a, b) => overlap(b) - overlap(a))[0];
  const longest = { duration: frames[i]!, at: (times[i]! - bench.t0) / 1000, loaf: loaf && overlap(loaf) > 0 ? loaf : undefined };
  return { frames, loaf: bench.loaf, longest, longTasks: bench.longTasks, handling: bench.handling, seconds: (Date.now() - started) / 1000 };
}

/** Starts a Chromium trace of `page`; the returned function ends it and gives the trace's JSON. */
async function startTracing(page: Awaited<ReturnType<WebviewPages['openDeep']>>['page']): Promise<() => Promise<string>> {
  const session = await page.context().newCDPSession(page);
  const events: unknown[] = [];
  session.on('Tracing.dataCollected', (data) => events.push(...data.value));
  await session.send('Tracing.start', { traceConfig: { includedCategories: TRACE_CATEGORIES } });
  return async () => {
    const complete = new Promise<void>((done) => session.once('Tracing.tracingComplete', () => done()));
    await session.send('Tracing.end');
    await complete;
    await session.detach();
    return JSON.stringify({ traceEvents: events });
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function benchDeepView(): Promise<string> {
  const unavailable = webviewUnavailable() ?? (existsSync(join(WEBVIEW, 'deep.js')) ? undefined : 'dist/webview/deep.js is missing: run `npm run build` first');
  if (unavailable) return `#### Deep Prove panel while a run streams\n\nSkipped: ${unavailable}.`;
  const plan = hostMessages();
  const views = plan.messages.filter((m) => m.message.type === 'view').length;
  const lives = plan.messages.length - views;
  const pages = await WebviewPages.start();
  try {
    await runOnce(pages, { ...plan, messages: plan.messages.slice(0, 40) }); // warm-up: Chromium's caches, the bundle's compile cache
    const runs: DeepRun[] = [];
    if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(pages, plan, TRACE_DIR && join(TRACE_DIR, `run-${i + 1}.json`)));
    if (FRAMES_FILE) writeFileSync(FRAMES_FILE, JSON.stringify(runs.map((run) => run.frames)));
    const per = (f: (run: DeepRun) => number) => median(runs.map(f));
    const list = (f: (run: DeepRun) => string) => runs.map(f).join(', ');
    const longestLoaf = (run: DeepRun) => [...run.loaf].sort((a, b) => b[0] - a[0])[0];
    const work = (loaf: DeepRun['loaf'][number]) => loaf[1] + loaf[2];
    const busiest = (run: DeepRun) => [...run.loaf].sort((a, b) => work(b) - work(a))[0];
    // What the page did in the longest frame; the rest of it, neither script nor style and layout, is time its thread was not working for it.
    const breakdown = (run: DeepRun) => {
      const { duration, at, loaf } = run.longest;
      if (!loaf) return `${duration.toFixed(0)} ms at ${at.toFixed(1)} s: no long animation frame`;
      const top = loaf[3].replace(/(, )?[\d.]+ s into the run$/, '');
      return `${duration.toFixed(0)} ms at ${at.toFixed(1)} s: ${loaf[1].toFixed(0)} ms script${top ? ` (${top})` : ''}, ${loaf[2].toFixed(0)} ms style and layout, ${Math.max(0, loaf[0] - work(loaf)).toFixed(0)} ms neither`;
    };
    return [
      `#### Deep Prove panel while a run streams (headless Chromium, ${RUNS} runs, medians)`,
      '',
      `A synthetic run of 12 candidates × 4 verifications, ${SLOTS} calls at a time, in ${(plan.durationMs / 1000).toFixed(0)} s: ${views} \`view\` messages (one per journal entry; ` +
        `${(median(plan.viewBytes) / 1000).toFixed(0)} KB of JSON at the median, ${(Math.max(...plan.viewBytes) / 1000).toFixed(0)} KB at the end) and ${lives} \`live\` messages (every ${LIVE_INTERVAL_MS} ms). ` +
        'Proofs 5–15 KB, evaluations 2–6 KB of Markdown with math; the best proof is rendered at the top and changes as better candidates finish; the reader opens c1\'s proof and its first evaluation as soon as c1 is done.',
      '',
      '| | median of runs | per run |',
      '|---|---|---|',
      `| longest frame (goal < 50 ms) | ${ms(per((run) => Math.max(...run.frames)))} | ${list((run) => Math.max(...run.frames).toFixed(0))} ms |`,
      `| longest frame: what the page did in it | ${ms(per((run) => (run.longest.loaf ? work(run.longest.loaf) : 0)))} of script, style and layout | ${list(breakdown)} |`,
      `| busiest frame (most script + style and layout) | ${ms(per((run) => { const top = busiest(run); return top ? work(top) : 0; }))} | ${list((run) => { const top = busiest(run); return top ? `${work(top).toFixed(0)} ms (${top[0].toFixed(0)} ms long; ${top[3]})` : '0'; })} |`,
      `| median frame | ${ms(per((run) => median(run.frames)))} | ${list((run) => median(run.frames).toFixed(1))} ms |`,
      `| 99th percentile frame | ${ms(per((run) => percentile(run.frames, 0.99)))} | ${list((run) => percentile(run.frames, 0.99).toFixed(0))} ms |`,
      `| frames over 25 ms (a vsync missed) | ${per((run) => run.frames.filter((f) => f > 25).length)} | ${list((run) => String(run.frames.filter((f) => f > 25).length))} |`,
      `| frames over 50 ms | ${per((run) => run.frames.filter((f) => f > 50).length)} of ~${Math.round(per((run) => run.frames.length))} | ${list((run) => String(run.frames.filter((f) => f > 50).length))} |`,
      `| long tasks (> 50 ms) | ${per((run) => run.longTasks.length)}, longest ${ms(per((run) => Math.max(0, ...run.longTasks)))} | ${list((run) => `${run.longTasks.length} (${Math.max(0, ...run.longTasks).toFixed(0)} ms)`)} |`,
      `| long animation frames | ${per((run) => run.loaf.length)} | ${list((run) => { const top = longestLoaf(run); return top ? `${run.loaf.length}, longest ${top[0].toFixed(0)} ms (${top[1].toFixed(0)} ms script, ${top[2].toFixed(0)} ms style and layout${top[3] ? `; ${top[3]}` : ''})` : '0'; })} |`,
      `| handling a \`view\` message: median / max | ${ms(per((run) => median(run.handling.view)))} / ${ms(per((run) => Math.max(...run.handling.view)))} | ${list((run) => `${median(run.handling.view).toFixed(1)} / ${Math.max(...run.handling.view).toFixed(0)}`)} ms |`,
      `| handling a \`live\` message: median / max | ${ms(per((run) => median(run.handling.live)))} / ${ms(per((run) => Math.max(...run.handling.live)))} | ${list((run) => `${median(run.handling.live).toFixed(2)} / ${Math.max(...run.handling.live).toFixed(1)}`)} ms |`,
      '',
      `A run took ${per((run) => run.seconds).toFixed(0)} s. Message handling is the page's \`message\` listener (its synchronous part: models, comparisons, DOM writes); ` +
        'rendering that it schedules (the slices of a text being rendered, style and layout) shows in the frames. ' +
        (SEND_OBJECTS
          ? 'The harness hands each message object to `page.evaluate` (QED_BENCH_DEEP_SEND=object): playwright rebuilds it in the page, ~20 ms of its CPU for the largest, which VS Code does not spend.'
          : 'The harness hands the page the run\'s messages as JSON text before it starts, and each is parsed and posted in the page on time: about what VS Code\'s delivery (off the page\'s thread, then a structured clone) costs the page.'),
    ].join('\n');
  } finally {
    await pages.close();
  }
}

if (require.main === module) {
  void benchDeepView().then(console.log, (error) => {
    console.error(error);
    process.exit(1);
  });
}
