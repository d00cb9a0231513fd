/**
 * Renders one growing Markdown text into a container while it streams (the Proof panel's
 * thinking and proof, the chat's answers).
 *
 * Finished blocks (see blocks.ts) are rendered once and appended (lazyBlocks.ts: lazily when
 * many come at once, as when a long answer is reopened); only the open tail block is
 * re-rendered, in an animation frame at most every TAIL_INTERVAL_MS, and less often when
 * rendering it is slow, so a 50,000-token answer costs O(new text) per token plus one tail
 * render per interval.
 * Math still being written in the tail is never handed to KaTeX half-done: inline math is
 * held back (or, if long, shown as plain text), display math is previewed up to its last
 * complete line, so nothing flickers into an error.
 */
import { BlockSplitter, findUnclosedMath, type UnclosedMath } from './blocks';
import { updateRenderedHtml } from './dom';
import { LazyBlocks } from './lazyBlocks';
import type { MarkdownRenderer } from './markdown';
import { measureSince } from './perf';
import { escapeHtml } from '../../../src/core/html';

/** Inline math shorter than this is held back until it closes; longer, it is shown as text. */
const HOLD_BACK_CHARS = 120;
/** Marks where held-back inline math starts in the tail's Markdown (a private-use character). */
const PLACEHOLDER = '\uE000';
/** The end of the text may be the first characters of `\(`, `\[` or `\begin{…}`: not shown yet. */
const PARTIAL_MATH_OPENER = /\\(b(e(g(in?)?)?)?|begin\s*\{[A-Za-z]*\*?)?$/;
/**
 * While text keeps coming, the tail is re-rendered at most this often (the first text after a
 * pause at once). At every frame (60 Hz) the page's main thread was ~60% busy at 200 tokens/s,
 * mostly with style, layout and paint of the new tail; at 20 Hz ~35% (DevTools TaskDuration),
 * and a local model shares the CPU.
 */
const TAIL_INTERVAL_MS = 50;
/** A slow tail render waits this many times its own duration before the next one. */
const SLOW_RENDER_BACKOFF = 4;

export interface IncrementalRendererOptions {
  /** Called after the DOM changed (e.g. to keep the end in view), also when blocks render lazily. */
  onRender?: () => void;
}

export class IncrementalMarkdown {
  private splitter = new BlockSplitter();
  private finishedBlocks: string[] = [];
  private tailDirty = false;
  private frame: number | undefined;
  /** Waiting for TAIL_INTERVAL_MS to pass before asking for a frame (a frame costs the page even when little changed). */
  private timer: number | undefined;
  private nextTailRenderAt = 0;
  private readonly tail: HTMLElement;
  /** Last good preview of display math being written, so a momentarily unparsable line keeps it. */
  private preview: { start: number; html: string } | undefined;
  private readonly blocks: LazyBlocks;

  constructor(
    private readonly container: HTMLElement,
    private readonly renderer: MarkdownRenderer,
    private readonly options: IncrementalRendererOptions = {},
  ) {
    this.tail = document.createElement('div');
    this.tail.className = 'md-block md-tail';
    container.replaceChildren(this.tail);
    this.blocks = new LazyBlocks(container, this.tail, renderer, () => this.options.onRender?.());
  }

  append(text: string): void {
    if (!text) return;
    const done = this.splitter.push(text);
    for (const block of done) this.finishedBlocks.push(block);
    this.tailDirty = true;
    this.schedule();
  }

  /** The text is complete: render everything now, the tail as an ordinary block. */
  finish(): void {
    for (const block of this.splitter.end()) this.finishedBlocks.push(block);
    this.tailDirty = true;
    this.nextTailRenderAt = 0;
    this.flush();
  }

  /** Renders the tail and adds the finished blocks now (many at once as placeholders, see lazyBlocks.ts). */
  flush(): void {
    this.cancelScheduled();
    this.nextTailRenderAt = 0;
    this.render();
  }

  /** Starts over with `text` (e.g. a snapshot of another run). */
  reset(text = ''): void {
    this.cancelScheduled();
    this.splitter = new BlockSplitter();
    this.finishedBlocks = [];
    this.preview = undefined;
    this.blocks.reset();
    this.nextTailRenderAt = 0;
    this.tail.replaceChildren();
    this.container.replaceChildren(this.tail);
    this.append(text);
  }

  /** Renders in an animation frame, not before `at`. */
  private schedule(at = 0): void {
    if (this.frame !== undefined || this.timer !== undefined) return;
    const wait = at - performance.now();
    if (wait > 0) {
      this.timer = window.setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.render();
    });
  }

  private cancelScheduled(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    window.clearTimeout(this.timer);
    this.frame = this.timer = undefined;
  }

  private render(): void {
    let changed = this.blocks.add(this.finishedBlocks);
    this.finishedBlocks = [];
    if (this.tailDirty) {
      const now = performance.now();
      if (now < this.nextTailRenderAt) {
        this.schedule(this.nextTailRenderAt);
      } else {
        this.tailDirty = false;
        this.renderTail();
        measureSince('qed:render:tail', now);
        const took = performance.now() - now;
        this.nextTailRenderAt = now + Math.max(TAIL_INTERVAL_MS, took * SLOW_RENDER_BACKOFF);
        changed = true;
      }
    }
    if (changed) this.options.onRender?.();
  }

  private renderTail(): void {
    const text = this.splitter.tail;
    if (!text.trim()) {
      this.tail.replaceChildren();
      this.preview = undefined;
      return;
    }
    const open = findUnclosedMath(text);
    if (!open) {
      this.preview = undefined;
      updateRenderedHtml(this.tail, this.renderer.render(text.replace(PARTIAL_MATH_OPENER, '')));
    } else if (!open.display) {
      updateRenderedHtml(this.tail, this.renderHeldBack(text, open));
    } else {
      const before = text.slice(0, open.start);
      const html = before.trim() ? this.renderer.render(before) : '';
      updateRenderedHtml(this.tail, html + this.previewDisplayMath(text, open));
    }
  }

  private renderHeldBack(text: string, open: UnclosedMath): string {
    const pending = text.slice(open.start);
    const shown = pending.length > HOLD_BACK_CHARS ? `<span class="md-pending">${escapeHtml(pending)}</span>` : '';
    const html = this.renderer.render(text.slice(0, open.start) + PLACEHOLDER);
    return html.includes(PLACEHOLDER) ? html.replace(PLACEHOLDER, shown) : html + shown;
  }

  /** Display math being written, rendered up to its last complete line and closed. */
  private previewDisplayMath(text: string, open: UnclosedMath): string {
    const pending = text.slice(open.start);
    const lastNewline = pending.lastIndexOf('\n');
    let html: string | undefined;
    if (lastNewline > 0) {
      const complete = pending.slice(0, lastNewline);
      const body = open.environment
        ? complete.replace(/^\\begin\s*\{[^}]*\}(\{[^}]*\})?/, '')
        : complete.slice(2); // after the `$$` or `\[`
      if (body.trim()) {
        html = this.renderer.renderDisplayMath(open.environment ? `${complete}\n\\end{${open.environment}}` : body);
      }
    }
    if (html !== undefined) this.preview = { start: open.start, html };
    else if (this.preview?.start === open.start) html = this.preview.html;
    return html === undefined ? '' : `<div class="math-display md-pending-math" aria-hidden="true">${html}</div>`;
  }
}
