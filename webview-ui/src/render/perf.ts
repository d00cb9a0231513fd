/**
 * User-timing measures around the renderer's work, named `qed:render:*`, for whoever observes
 * them (bench/renderStreaming.ts with a PerformanceObserver, or DevTools' Performance panel).
 * Each entry is cleared from the timeline buffer at once (observers still get it), so a
 * 50,000-token stream does not pile up entries in a panel nobody is profiling.
 */
export type RenderMeasure = 'qed:render:blocks' | 'qed:render:tail' | 'qed:render:lazy';

export function measureSince(name: RenderMeasure, start: number): void {
  performance.measure(name, { start, end: performance.now() });
  performance.clearMeasures(name);
}
