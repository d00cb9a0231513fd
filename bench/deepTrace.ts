/**
 * What the long tasks of a Deep Prove panel trace were (a trace from bench/deepView.ts with
 * QED_BENCH_DEEP_TRACE): each task of the page's main thread over a threshold, with its wall time
 * and its CPU time (the difference is the thread waiting for a CPU on a loaded machine), and what
 * it spent them on: the events directly under it (animation frame callbacks, message handlers,
 * timers, style, layout, paint, GC), largest first, with the counts Chromium records (elements
 * restyled, layout objects laid out). Then each frame (between two animation frames) longer than
 * the threshold, with the CPU the page's thread spent in it: a long frame with little of it was
 * one where the page waited (for a CPU, or for Chromium's raster and compositor threads).
 *
 *   npx tsx bench/deepTrace.ts /tmp/deep-trace/run-1.json [threshold ms, default 30]
 */
import { readFileSync } from 'node:fs';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: Record<string, unknown>; beginData?: Record<string, unknown>; elementCount?: number };
}

const [file, thresholdArg] = process.argv.slice(2);
if (!file) throw new Error('usage: deepTrace.ts trace.json [threshold ms]');
const threshold = Number(thresholdArg ?? 30) * 1000;
const raw = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : raw.traceEvents;

// The page's main thread: the renderer's main thread with the most animation frames fired.
const mainThreads = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
const frameCount = new Map<string, number>();
for (const e of events) if (e.name === 'FireAnimationFrame') frameCount.set(`${e.pid}:${e.tid}`, (frameCount.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
const main = mainThreads.sort((a, b) => (frameCount.get(b) ?? 0) - (frameCount.get(a) ?? 0))[0];
if (!main) throw new Error('no renderer main thread in the trace');
const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
const t0 = onMain[0]!.ts;

// Top-level tasks: complete events not inside another.
const tasks: TraceEvent[] = [];
let end = -Infinity;
for (const e of onMain) {
  if (e.ts >= end) {
    tasks.push(e);
    end = e.ts + e.dur!;
  }
}

const ms = (us: number | undefined) => ((us ?? 0) / 1000).toFixed(1);

/** The events directly under `parent`: each with its own children, to a depth. */
function children(parent: TraceEvent, within: TraceEvent[]): TraceEvent[] {
  const inside = within.filter((e) => e !== parent && e.ts >= parent.ts && e.ts + e.dur! <= parent.ts + parent.dur!);
  const direct: TraceEvent[] = [];
  let until = -Infinity;
  for (const e of inside) {
    if (e.ts >= until) {
      direct.push(e);
      until = e.ts + e.dur!;
    }
  }
  return direct;
}

function describe(e: TraceEvent): string {
  const data = { ...(e.args?.beginData ?? {}), ...(e.args?.data ?? {}) };
  const details: string[] = [];
  if (e.name === 'UpdateLayoutTree' && data.elementCount !== undefined) details.push(`${data.elementCount} elements`);
  if (e.name === 'Layout' && data.dirtyObjects !== undefined) details.push(`${data.dirtyObjects} of ${data.totalObjects} objects${data.partialLayout === false ? ', whole' : ''}`);
  if (e.name === 'EventDispatch' && data.type) details.push(String(data.type));
  if (e.name === 'FunctionCall' && data.functionName) details.push(`${data.functionName} ${String(data.url ?? '').replace(/^.*\//, '')}:${data.lineNumber ?? ''}`);
  if (e.name === 'TimerFire' || e.name === 'FireAnimationFrame') details.push(String(data.id ?? ''));
  if (/GC/.test(e.name) && data.usedHeapSizeBefore !== undefined) details.push(`${Math.round((Number(data.usedHeapSizeBefore) - Number(data.usedHeapSizeAfter ?? 0)) / 1024)} KB freed`);
  return `${e.name}${details.length ? ` (${details.join(', ')})` : ''}`;
}

function print(e: TraceEvent, within: TraceEvent[], depth: number): void {
  const cpu = e.tdur === undefined ? '' : `, ${ms(e.tdur)} ms CPU`;
  console.log(`${'  '.repeat(depth)}${ms(e.dur)} ms${cpu}  ${describe(e)}`);
  if (depth >= 3) return;
  const direct = children(e, within)
    .filter((c) => c.dur! >= 500)
    .sort((a, b) => b.dur! - a.dur!)
    .slice(0, 8);
  for (const c of direct) print(c, within, depth + 1);
}

for (const task of tasks.filter((t) => t.dur! >= threshold)) {
  console.log(`\n${((task.ts - t0) / 1e6).toFixed(2)} s:`);
  const within = onMain.filter((e) => e.ts >= task.ts && e.ts <= task.ts + task.dur!);
  print(task, within, 0);
}

// The frames: gaps between animation frames (their callbacks run together at a frame's start)
// over the threshold, with the CPU of the page's thread in each and the tasks that took it.
const frameStarts: number[] = [];
for (const e of onMain) if (e.name === 'FireAnimationFrame' && (frameStarts.length === 0 || e.ts - frameStarts.at(-1)! > 2000)) frameStarts.push(e.ts);
console.log('\nFrames (between animation frames) over the threshold:');
for (let i = 1; i < frameStarts.length; i++) {
  const [from, to] = [frameStarts[i - 1]!, frameStarts[i]!];
  if (to - from < threshold) continue;
  const inside = tasks.filter((t) => t.ts >= from && t.ts < to);
  const cpu = inside.reduce((sum, t) => sum + (t.tdur ?? 0), 0);
  const parts = inside
    .filter((t) => t.dur! >= 1000)
    .map((t) => `${ms(t.dur)}/${ms(t.tdur)} ${children(t, onMain.filter((e) => e.ts >= t.ts && e.ts <= t.ts + t.dur!)).sort((a, b) => b.dur! - a.dur!).slice(0, 2).map(describe).join(' + ') || t.name}`);
  console.log(`${((from - t0) / 1e6).toFixed(2)} s: ${ms(to - from)} ms, ${ms(cpu)} ms CPU in ${inside.length} tasks: ${parts.join('; ')}`);
}
