/**
 * The Proof panel's renderer in headless Chromium (the real dist/webview bundle on the page
 * harness of test/helpers/webviewPage.ts):
 *
 *   1. A 50,000-token answer (200 KB of generated olympiad-proof Markdown, 4 characters a token)
 *      streamed at 200 tokens/s, one message every ~16 ms like the engine sends them. Main-thread
 *      cost per 1,000 tokens at the start and at the end: the renderer's own work (the
 *      `qed:render*` performance measures it emits) and all main-thread task time (DevTools
 *      Protocol `Performance.getMetrics` TaskDuration: messages, rendering, style, layout, paint,
 *      GC). Goal: the last 1,000 tokens cost ≤ 1.5× the first 1,000.
 *   2. The longest frame while streaming (requestAnimationFrame deltas, and Long Animation
 *      Frames entries). Goal: < 50 ms.
 *   3. Reopening a finished 200 KB answer (the webview redraws it from its saved state): time
 *      from the saved snapshot being read to the layout of the first frame in which the
 *      viewport's blocks are rendered (its paint follows). Goal: < 300 ms.
 *
 * Medians over runs. Environment: QED_BENCH_RENDER_RUNS (default 3), QED_BENCH_RENDER_TOKENS
 * (default 50,000; each streaming run takes tokens / 200 seconds), QED_BENCH_RENDER_TRACE (a
 * file: the first streaming run's Chromium trace, `devtools.timeline` events, goes there; each
 * event's `dur` is wall time and `tdur` the thread's CPU time, which tells a slow layout from a
 * descheduled thread).
 */
import type { CDPSession } from 'playwright-core';
import { metaOf } from '../src/core/answer/answer';
import { proofText } from '../test/helpers/proofText';
import { snapshot, WebviewPages, webviewUnavailable } from '../test/helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const requestAnimationFrame: (callback: (time: number) => void) => number;

const RUNS = Number(process.env.QED_BENCH_RENDER_RUNS ?? 3);
const TOKENS = Number(process.env.QED_BENCH_RENDER_TOKENS ?? 50_000);
const TOKENS_PER_SECOND = 200;
const FRAME_MS = 16;
const WINDOW_TOKENS = 1000;
const REOPEN_CHARS = 200_000;
const REOPEN_RUNS = 7;

/** Installed before the bundle runs: collects the renderer's measures, long frames and reopen timing. */
const HEAD_SCRIPT = `
window.__bench = { measures: [], loaf: [], fonts: [], reopen: {} };
// When KaTeX's fonts finish loading: a font arriving makes the browser lay out again the text that uses it.
document.fonts.addEventListener('loadingdone', (e) => window.__bench.fonts.push([performance.now(), e.fontfaces.map((f) => f.family).join(', ')]));
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.name.startsWith('qed:render')) window.__bench.measures.push([e.startTime, e.duration]);
}).observe({ type: 'measure' });
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const end = e.startTime + e.duration;
      // Script; then style and layout (from styleAndLayoutStart), the rest being rendering steps before it.
      // The longest script's entry point, and the style and layout it forced (read-after-write).
      const top = [...e.scripts].sort((a, b) => b.duration - a.duration)[0];
      const entry = top ? top.invoker + ' ' + Math.round(top.duration) + ' ms (' + Math.round(top.forcedStyleAndLayoutDuration) + ' ms forced style and layout)' : '';
      window.__bench.loaf.push([e.startTime, e.duration, e.scripts.reduce((sum, s) => sum + s.duration, 0), e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0, entry]);
    }
  }).observe({ type: 'long-animation-frame' });
} catch {}
// Whether the proof's blocks in the viewport are rendered (not placeholders) and there is one.
const viewportRendered = () => {
  const body = document.querySelector('.proof-body');
  if (!body) return false;
  const height = innerHeight;
  let rendered = 0;
  for (const part of body.children) {
    const box = part.getBoundingClientRect();
    if (box.bottom <= 0 || box.top >= height) continue;
    const blocks = part.classList.contains('md-page') ? part.children : [part];
    for (const block of blocks) {
      const r = block.getBoundingClientRect();
      if (r.bottom <= 0 || r.top >= height) continue;
      if (block.classList.contains('md-placeholder')) return false;
      if (block.childElementCount > 0) rendered++;
    }
  }
  return rendered > 0;
};
// Checked after each frame's layout: a ResizeObserver reports an element it starts observing
// after that frame's style and layout, before its paint and before any task that follows.
const checkReopen = new ResizeObserver(() => {
  if (window.__gotStateAt === undefined || !viewportRendered()) return requestAnimationFrame(watchReopen);
  const reopen = window.__bench.reopen;
  reopen.visibleAt = performance.now();
  reopen.blocks = document.querySelectorAll('.proof-body .md-block').length;
  reopen.renderedBlocks = document.querySelectorAll('.proof-body .md-block:not(.md-placeholder)').length;
  checkReopen.disconnect();
});
const watchReopen = () => {
  checkReopen.disconnect();
  checkReopen.observe(document.documentElement);
};
requestAnimationFrame(watchReopen);
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** `count` tokens of about 4 characters (1–7) of the generated proof. */
function answerTokens(count: number): string[] {
  const text = proofText(count * 4 + 1000);
  const pieces: string[] = [];
  let seed = 11;
  for (let i = 0; pieces.length < count && i < text.length; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const size = 1 + (seed % 7);
    pieces.push(text.slice(i, i + size));
    i += size;
  }
  return pieces;
}

async function taskSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? Number.NaN;
}

interface StreamRun {
  /** Per 1,000-token window: the renderer's measured work and all main-thread task time, ms. */
  rendererMs: number[];
  taskMs: number[];
  longestFrameMs: number;
  p99FrameMs: number;
  /** Frames (requestAnimationFrame deltas) over 50 ms. */
  slowFrames: number;
  longAnimationFrames: number;
  longestAnimationFrameMs: number;
  /** Script time in the longest long animation frame: what the page itself spent. */
  longestAnimationFrameScriptMs: number;
  /** Style and layout time in it: the browser's work on the page's DOM. */
  longestAnimationFrameLayoutMs: number;
  /** About when it happened: the 1,000-token window it fell in (its end). */
  longestAnimationFrameAtToken: number;
  /** Its longest script: entry point, duration, forced style and layout. */
  longestAnimationFrameEntry: string;
  /** Frames that missed two vsyncs or more (delta > 40 ms): how long, and about which token was streaming. */
  lateFrames: { ms: number; atToken: number }[];
  /** KaTeX fonts as they finished loading, and about which token was streaming. */
  fontsLoaded: { families: string; atToken: number }[];
  seconds: number;
}

let tracedOnce = false;

async function streamOnce(pages: WebviewPages, pieces: string[]): Promise<StreamRun> {
  const h = await pages.open('dark', { headScript: HEAD_SCRIPT });
  const { page } = h;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskAt: Promise<number>[] = [];
  await page.exposeBinding('__qedBenchWindow', (_source, index: number) => {
    taskAt[index] = taskSeconds(cdp);
  });
  const tracePath = process.env.QED_BENCH_RENDER_TRACE;
  const browser = tracePath && !tracedOnce ? page.context().browser() : null;
  if (browser) {
    tracedOnce = true;
    await browser.startTracing(page, { path: tracePath, categories: ['devtools.timeline'] });
  }
  const runId = 'bench-stream';
  await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'streaming', firstTokenAt: Date.now() }) });
  await h.frame();

  // As the host streams it: each delta carries the answer's fields, the token count growing.
  const meta = metaOf({ ...h.answer(runId), answerStartedAt: Date.now() });
  const result = await page.evaluate(
    async ({ runId, pieces, meta, tokensPerSecond, frameMs, windowTokens }) => {
      const frames: number[] = [];
      let streaming = true;
      const onFrame = (time: number) => {
        frames.push(time);
        if (streaming) requestAnimationFrame(onFrame);
      };
      requestAnimationFrame(onFrame);
      const boundaries: number[] = [performance.now()];
      window.__qedBenchWindow(0);
      const started = performance.now();
      let sent = 0;
      while (sent < pieces.length) {
        await new Promise((done) => setTimeout(done, frameMs));
        const due = Math.min(pieces.length, Math.floor(((performance.now() - started) * tokensPerSecond) / 1000));
        if (due <= sent) continue;
        window.postMessage({ type: 'delta', runId, delta: { reasoning: '', content: pieces.slice(sent, due).join(''), meta: { ...meta, contentTokens: due } } }, '*');
        for (let k = Math.floor(sent / windowTokens) + 1; k <= Math.floor(due / windowTokens); k++) {
          boundaries[k] = performance.now();
          window.__qedBenchWindow(k);
        }
        sent = due;
      }
      // The last window's text renders in the next frame.
      await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
      streaming = false;
      return { frames, boundaries, started, seconds: (performance.now() - started) / 1000 };
    },
    { runId, pieces, meta, tokensPerSecond: TOKENS_PER_SECOND, frameMs: FRAME_MS, windowTokens: WINDOW_TOKENS },
  );
  const bench = (await page.evaluate(() => window.__bench)) as { measures: [number, number][]; loaf: [number, number, number, number, string][]; fonts: [number, string][] };
  const tasks = await Promise.all(taskAt);
  if (browser) await browser.stopTracing();
  await h.update(runId, { ...meta, status: 'done', finishReason: 'stop', contentTokens: pieces.length, endedAt: Date.now() });
  await h.frame();
  if (h.errors.length) throw new Error(`the panel reported errors: ${h.errors.join('; ')}`);
  await page.close();

  const { frames, boundaries, started } = result;
  const tokenAt = (time: number) => Math.max(0, Math.round(((time - started) * TOKENS_PER_SECOND) / 1000));
  const rendererMs: number[] = [];
  const taskMs: number[] = [];
  for (let k = 0; k + 1 < boundaries.length; k++) {
    const [from, to] = [boundaries[k]!, boundaries[k + 1]!];
    rendererMs.push(bench.measures.filter(([start]) => start >= from && start < to).reduce((sum, [, duration]) => sum + duration, 0));
    taskMs.push((tasks[k + 1]! - tasks[k]!) * 1000);
  }
  const deltas = frames.slice(1).map((time, i) => time - frames[i]!);
  const loafs = bench.loaf.filter(([start]) => start >= boundaries[0]!).sort((a, b) => b[1] - a[1]);
  return {
    rendererMs,
    taskMs,
    longestFrameMs: Math.max(...deltas),
    p99FrameMs: percentile(deltas, 0.99),
    slowFrames: deltas.filter((delta) => delta > 50).length,
    longAnimationFrames: loafs.length,
    longestAnimationFrameMs: loafs[0]?.[1] ?? 0,
    longestAnimationFrameScriptMs: loafs[0]?.[2] ?? 0,
    longestAnimationFrameLayoutMs: loafs[0]?.[3] ?? 0,
    longestAnimationFrameAtToken: loafs[0] ? Math.max(0, boundaries.findIndex((at) => at > loafs[0]![0])) * WINDOW_TOKENS : 0,
    longestAnimationFrameEntry: loafs[0]?.[4] ?? '',
    lateFrames: deltas.flatMap((delta, i) => (delta > 40 ? [{ ms: delta, atToken: tokenAt(frames[i]!) }] : [])),
    fontsLoaded: bench.fonts.map(([time, families]) => ({ families, atToken: tokenAt(time) })),
    seconds: result.seconds,
  };
}

interface ReopenRun {
  visibleMs: number;
  blocks: number;
  renderedBlocks: number;
}

async function reopenOnce(pages: WebviewPages, content: string): Promise<ReopenRun> {
  const run = snapshot({
    runId: 'bench-reopen',
    status: 'done',
    finishReason: 'stop',
    content,
    contentTokens: Math.round(content.length / 4),
    firstTokenAt: Date.now() - 250_000,
    endedAt: Date.now(),
  });
  const h = await pages.open('dark', { state: { run }, headScript: HEAD_SCRIPT });
  const { page } = h;
  await page.waitForFunction(() => window.__bench.reopen.visibleAt !== undefined, undefined, { timeout: 30_000 });
  const result = await page.evaluate(() => {
    const { visibleAt, blocks, renderedBlocks } = window.__bench.reopen;
    return { visibleMs: visibleAt - window.__gotStateAt, blocks, renderedBlocks };
  });
  if (h.errors.length) throw new Error(`the panel reported errors: ${h.errors.join('; ')}`);
  await page.close();
  return result;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function benchRenderStreaming(): Promise<string> {
  const unavailable = webviewUnavailable();
  if (unavailable) return `#### Proof panel rendering\n\nSkipped: ${unavailable}.`;
  const pages = await WebviewPages.start();
  try {
    const reopenText = proofText(REOPEN_CHARS);
    await reopenOnce(pages, reopenText); // warm-up: Chromium's caches, the bundle's compile cache
    const reopens: ReopenRun[] = [];
    for (let i = 0; i < REOPEN_RUNS; i++) reopens.push(await reopenOnce(pages, reopenText));

    const pieces = answerTokens(TOKENS);
    const streams: StreamRun[] = [];
    for (let i = 0; i < RUNS; i++) streams.push(await streamOnce(pages, pieces));

    /** The median over runs of window `k` (negative: from the end). */
    const windowAt = (values: (run: StreamRun) => number[], k: number) => median(streams.map((run) => values(run).at(k)!));
    const worstWindow = (values: (run: StreamRun) => number[]) => median(streams.map((run) => Math.max(...values(run))));
    const renderer = (run: StreamRun) => run.rendererMs;
    const tasks = (run: StreamRun) => run.taskMs;
    const windows = streams[0]!.taskMs.length;
    const middle = Math.floor(windows / 2);
    const row = (label: string, values: (run: StreamRun) => number[], goal = '') =>
      `| ${label} | ${ms(windowAt(values, 0))} | ${ms(windowAt(values, middle))} | ${ms(windowAt(values, -1))} | ${(windowAt(values, -1) / windowAt(values, 0)).toFixed(2)}${goal} | ${ms(worstWindow(values))} |`;
    const chars = pieces.join('').length;
    const lines = [
      `#### Proof panel rendering (headless Chromium, ${RUNS} streaming runs and ${REOPEN_RUNS} reopens, medians)`,
      '',
      `Streaming ${pieces.length.toLocaleString('en')} tokens (${(chars / 1000).toFixed(0)} KB of generated proof Markdown) at ${TOKENS_PER_SECOND} tokens/s, one message per ~${FRAME_MS} ms:`,
      '',
      `| per 1,000 tokens | first 1,000 | 1,000 from ${(middle * WINDOW_TOKENS).toLocaleString('en')} | last 1,000 | last / first | worst window |`,
      '|---|---|---|---|---|---|',
      row('renderer work (`qed:render*` measures)', renderer, ' (goal ≤ 1.5)'),
      row('all main-thread tasks (CDP TaskDuration)', tasks),
      '',
      `Frames while streaming (requestAnimationFrame deltas): longest ${ms(median(streams.map((run) => run.longestFrameMs)))} (goal < 50 ms), ` +
        `99th percentile ${ms(median(streams.map((run) => run.p99FrameMs)))}; per run: longest ${streams.map((run) => run.longestFrameMs.toFixed(0)).join(', ')} ms, ` +
        `over 50 ms ${streams.map((run) => run.slowFrames).join(', ')} of ~${Math.round(median(streams.map((run) => run.seconds)) * 60).toLocaleString('en')} frames. ` +
        `Long animation frames (main thread busy > 50 ms) per run: ${streams.map((run) => run.longAnimationFrames).join(', ')}; the longest ${streams.map((run) => (run.longAnimationFrames ? `${run.longestAnimationFrameMs.toFixed(0)} ms (${run.longestAnimationFrameScriptMs.toFixed(0)} ms script, ${run.longestAnimationFrameLayoutMs.toFixed(0)} ms style and layout, before token ${run.longestAnimationFrameAtToken.toLocaleString('en-US')}${run.longestAnimationFrameEntry ? `; longest script: ${run.longestAnimationFrameEntry}` : ''})` : 'none')).join('; ')}. ` +
        `A run took ${median(streams.map((run) => run.seconds)).toFixed(0)} s.`,
      '',
      `Frames over 40 ms per run, at about token: ${streams.map((run) => run.lateFrames.map((late) => `${late.ms.toFixed(0)} ms at ${late.atToken.toLocaleString('en')}`).join(', ') || 'none').join('; ')}. ` +
        `KaTeX fonts finished loading at about token: ${streams.map((run) => run.fontsLoaded.map((font) => `${font.atToken.toLocaleString('en')} (${font.families})`).join(', ') || 'none while streaming').join('; ')}.`,
      '',
      `Reopening a finished ${(reopenText.length / 1000).toFixed(0)} KB answer: the viewport's blocks rendered ${ms(median(reopens.map((run) => run.visibleMs)))} after the saved state was read ` +
        `(goal < 300 ms; runs: ${reopens.map((run) => run.visibleMs.toFixed(0)).join(', ')} ms), with ${reopens[0]!.renderedBlocks} of ${reopens[0]!.blocks} blocks rendered by then.`,
    ];
    return lines.join('\n');
  } finally {
    await pages.close();
  }
}

if (require.main === module) {
  void benchRenderStreaming().then(console.log, (error) => {
    console.error(error);
    process.exit(1);
  });
}
