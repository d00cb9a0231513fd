/**
 * The finished blocks of one text (see blocks.ts), in the page. Blocks that arrive a few at a
 * time (streaming) are rendered at once. Many at once (a reopened 200 KB answer, which
 * markdown-it + KaTeX need seconds for) are rendered lazily:
 *
 *   - every block first gets an empty placeholder of its estimated height, so the scrollbar and
 *     scroll positions are about right from the first frame;
 *   - the blocks in view are rendered at once, those coming into view as they come
 *     (IntersectionObserver, a screen ahead), and all the others in idle time, nearest to the
 *     last one seen first;
 *   - a rendered block stays rendered, so scrolling back costs nothing; the browser's scroll
 *     anchoring keeps the view still when a block above it renders taller or shorter than its
 *     estimate.
 *
 * Blocks are grouped in pages, which the stylesheet lets the browser skip when off screen
 * (`content-visibility: auto`): per frame, layout touches a few pages, not every block. A page
 * with placeholders is laid out normally until it is complete: skipped, it would take the
 * stylesheet's fixed intrinsic size instead of its placeholders' heights.
 */
import { estimateLines } from './blockHeight';
import { setRenderedHtml } from './dom';
import type { MarkdownRenderer } from './markdown';
import { measureSince } from './perf';

const BLOCKS_PER_PAGE = 32;
/** New blocks up to this many characters in all are rendered at once; more get placeholders. */
export const EAGER_CHARS = 8192;
export const PLACEHOLDER_CLASS = 'md-placeholder';
/** How far outside the view blocks are rendered before they scroll in. */
const LOOKAHEAD = '100% 0px';
/** Rendering blocks in the lookahead (not yet in view) stops after this long; idle time does the rest. */
const LOOKAHEAD_BUDGET_MS = 8;
/** An idle callback renders blocks while at least this much of its idle period is left… */
const IDLE_RESERVE_MS = 4;
/** …and for at most this long, so that a scroll starting meanwhile waits little. */
const IDLE_SLICE_MS = 24;
/** Idle rendering goes on at least this often, even while the page is never idle. */
const IDLE_TIMEOUT_MS = 250;
/** Passes of rendering what is in view: each rendered block moves the ones below it. */
const IN_VIEW_PASSES = 8;

/** requestIdleCallback, or a short timer where the browser has none (Safari). */
const whenIdle: (callback: IdleRequestCallback, options: IdleRequestOptions) => number =
  typeof requestIdleCallback === 'function'
    ? (callback, options) => requestIdleCallback(callback, options)
    : (callback) => window.setTimeout(() => callback({ didTimeout: false, timeRemaining: () => IDLE_SLICE_MS }), 16);
const cancelWhenIdle: (handle: number) => void =
  typeof cancelIdleCallback === 'function' ? (handle) => cancelIdleCallback(handle) : (handle) => window.clearTimeout(handle);

interface Page {
  readonly element: HTMLElement;
  /** Placeholders left in the page. */
  pending: number;
}

interface Slot {
  readonly index: number;
  readonly source: string;
  readonly element: HTMLElement;
  readonly page: Page;
  /** Estimated height in lines of text. */
  readonly lines: number;
  rendered: boolean;
}

export class LazyBlocks {
  private slots: Slot[] = [];
  private readonly slotOf = new WeakMap<Element, Slot>();
  private page: Page | undefined;
  private pending = 0;
  private observer: IntersectionObserver | undefined;
  private idleCallback: number | undefined;
  /** Idle rendering spreads from the last block seen in view, alternately down and up. */
  private down = 0;
  private up = -1;
  private downNext = true;
  /** Rendered over estimated heights of the blocks measured so far, to scale the estimates. */
  private measured = { rendered: 0, estimated: 0 };
  /** The text's line height in pixels: the unit of the estimates. */
  private lineHeight = 20;
  private inViewFrame: number | undefined;
  private root: Element | Document | undefined;

  constructor(
    private readonly container: HTMLElement,
    /** The element the pages go before (the streamed tail). */
    private readonly before: HTMLElement,
    private readonly renderer: MarkdownRenderer,
    private readonly onRender: () => void,
  ) {}

  /** Appends finished blocks; returns whether the DOM changed. */
  add(sources: readonly string[]): boolean {
    if (sources.length === 0) return false;
    const start = performance.now();
    const chars = sources.reduce((sum, source) => sum + source.length, 0);
    if (chars <= EAGER_CHARS) {
      for (const source of sources) this.render(this.append(source, 0));
    } else {
      const { lineHeight, charsPerLine } = this.metrics();
      this.lineHeight = lineHeight;
      for (const source of sources) this.append(source, estimateLines(source, charsPerLine));
      this.sizePlaceholders();
      this.scheduleInView();
      this.idleCallback ??= whenIdle((deadline) => this.renderIdle(deadline), { timeout: IDLE_TIMEOUT_MS });
    }
    measureSince('qed:render:blocks', start);
    return true;
  }

  /** Removes every block (the caller empties the container). */
  reset(): void {
    this.observer?.disconnect();
    this.observer = this.root = undefined;
    if (this.idleCallback !== undefined) cancelWhenIdle(this.idleCallback);
    if (this.inViewFrame !== undefined) cancelAnimationFrame(this.inViewFrame);
    this.idleCallback = this.inViewFrame = undefined;
    this.slots = [];
    this.page = undefined;
    this.pending = 0;
    this.focusOn(0);
  }

  private append(source: string, lines: number): Slot {
    const element = document.createElement('div');
    element.className = 'md-block';
    const page = this.currentPage();
    page.element.append(element);
    const slot: Slot = { index: this.slots.length, source, element, page, lines, rendered: false };
    this.slots.push(slot);
    this.slotOf.set(element, slot);
    if (lines > 0) {
      element.classList.add(PLACEHOLDER_CLASS);
      page.pending++;
      this.pending++;
      page.element.style.setProperty('content-visibility', 'visible');
    }
    return slot;
  }

  private currentPage(): Page {
    if (!this.page || this.page.element.childElementCount >= BLOCKS_PER_PAGE) {
      const element = document.createElement('div');
      element.className = 'md-page';
      this.container.insertBefore(element, this.before);
      this.page = { element, pending: 0 };
    }
    return this.page;
  }

  private render(slot: Slot): void {
    setRenderedHtml(slot.element, this.renderer.render(slot.source));
    slot.rendered = true;
    if (!slot.element.classList.contains(PLACEHOLDER_CLASS)) return;
    slot.element.classList.remove(PLACEHOLDER_CLASS);
    slot.element.style.height = '';
    this.observer?.unobserve(slot.element);
    this.pending--;
    if (--slot.page.pending === 0) slot.page.element.style.removeProperty('content-visibility');
  }

  /** Font metrics and width of the container, with defaults while it is not in the page. */
  private metrics(): { lineHeight: number; charsPerLine: number } {
    const style = this.container.isConnected ? getComputedStyle(this.container) : undefined;
    const fontSize = parseFloat(style?.fontSize ?? '') || 14;
    const lineHeight = parseFloat(style?.lineHeight ?? '') || fontSize * 1.5;
    const width = this.container.clientWidth || 40 * fontSize;
    return { lineHeight, charsPerLine: Math.max(20, width / (fontSize * 0.5)) };
  }

  private sizePlaceholders(): void {
    const { rendered, estimated } = this.measured;
    const pixelsPerLine = this.lineHeight * (estimated > 0 ? rendered / estimated : 1);
    for (const slot of this.slots) {
      if (!slot.rendered) slot.element.style.height = `${Math.round(slot.lines * pixelsPerLine)}px`;
    }
  }

  /**
   * Renders the placeholders in view in the next frame, before its paint (when the caller has
   * finished laying out the page and scrolling it), and starts observing the others.
   */
  private scheduleInView(): void {
    this.inViewFrame ??= requestAnimationFrame(() => {
      this.inViewFrame = undefined;
      if (this.pending === 0) return;
      // Not in the page yet (a chat message is built before it is added): look again next frame.
      if (!this.container.isConnected) return this.scheduleInView();
      this.observe();
      this.renderInView();
    });
  }

  /** Renders the placeholders in view. */
  private renderInView(): void {
    const start = performance.now();
    let first: Slot | undefined;
    for (let pass = 0; pass < IN_VIEW_PASSES; pass++) {
      const inView = this.placeholdersInView();
      if (inView.length === 0) break;
      for (const slot of inView) this.render(slot);
      first ??= inView[0];
      if (this.measured.estimated === 0) this.calibrate(inView);
    }
    if (!first) return;
    this.focusOn(first.index);
    measureSince('qed:render:lazy', start);
    this.onRender();
  }

  /** Scales the estimates by how the first blocks rendered compared with theirs. */
  private calibrate(rendered: Slot[]): void {
    for (const slot of rendered) {
      this.measured.rendered += slot.element.offsetHeight;
      this.measured.estimated += slot.lines * this.lineHeight;
    }
    this.sizePlaceholders();
  }

  /** The visible part of the viewport and of the scrolling element the text is in, if any. */
  private viewBounds(): { top: number; bottom: number } {
    let top = 0;
    let bottom = window.innerHeight;
    const root = this.scrollRoot();
    if (root instanceof Element) {
      const box = root.getBoundingClientRect();
      top = Math.max(top, box.top);
      bottom = Math.min(bottom, box.bottom);
    }
    return { top, bottom };
  }

  /** Placeholders in view. */
  private placeholdersInView(): Slot[] {
    const { top, bottom } = this.viewBounds();
    const found: Slot[] = [];
    if (bottom <= top) return found;
    // Pages first: reading a block's box inside a skipped page would lay that page out.
    for (const page of this.container.children) {
      if (!page.classList.contains('md-page')) continue;
      const box = page.getBoundingClientRect();
      if (box.bottom <= top || box.top >= bottom) continue;
      for (const element of page.children) {
        const slot = this.slotOf.get(element);
        if (!slot || slot.rendered) continue;
        const blockBox = element.getBoundingClientRect();
        if (blockBox.bottom > top && blockBox.top < bottom) found.push(slot);
      }
    }
    return found;
  }

  /** The nearest scrolling ancestor, or the document (looked up once the text is in the page). */
  private scrollRoot(): Element | Document {
    if (this.root) return this.root;
    this.root = document;
    for (let node = this.container.parentElement; node && node !== document.body && node !== document.documentElement; node = node.parentElement) {
      const { overflowY } = getComputedStyle(node);
      if (overflowY === 'auto' || overflowY === 'scroll') {
        this.root = node;
        break;
      }
    }
    return this.root;
  }

  private observe(): void {
    this.observer ??= new IntersectionObserver((entries) => this.renderIntersecting(entries), {
      root: this.scrollRoot(),
      rootMargin: LOOKAHEAD,
    });
    for (const slot of this.slots) if (!slot.rendered) this.observer.observe(slot.element);
  }

  /**
   * Blocks in view render at once; those only near it (the lookahead) while the callback is
   * under its budget, nearest first, and otherwise soon after in idle time: one callback
   * rendering a whole screen ahead would hold up the frames of a quick scroll.
   */
  private renderIntersecting(entries: IntersectionObserverEntry[]): void {
    const start = performance.now();
    const view = this.viewBounds();
    const distance = (box: DOMRectReadOnly) => (box.bottom <= view.top ? view.top - box.bottom : box.top >= view.bottom ? box.top - view.bottom : 0);
    const coming = entries
      .filter((entry) => entry.isIntersecting && this.slotOf.get(entry.target)?.rendered === false)
      .map((entry) => ({ slot: this.slotOf.get(entry.target)!, distance: distance(entry.boundingClientRect) }))
      .sort((a, b) => a.distance - b.distance);
    if (coming.length === 0) return;
    for (const { slot, distance: away } of coming) {
      if (away > 0 && performance.now() - start > LOOKAHEAD_BUDGET_MS) break;
      this.render(slot);
    }
    this.focusOn(coming[0]!.slot.index);
    measureSince('qed:render:lazy', start);
    this.onRender();
    // Blocks that rendered to other heights than estimated moved the rest: some may be in view now.
    this.scheduleInView();
  }

  private renderIdle(deadline: IdleDeadline): void {
    this.idleCallback = undefined;
    const start = performance.now();
    let rendered = 0;
    // At least one block per callback, so a page that is never idle still gets there.
    do {
      const slot = this.nextPending();
      if (!slot) break;
      this.render(slot);
      rendered++;
    } while (deadline.timeRemaining() > IDLE_RESERVE_MS && performance.now() - start < IDLE_SLICE_MS);
    if (rendered > 0) {
      measureSince('qed:render:lazy', start);
      this.onRender();
      this.scheduleInView();
    }
    if (this.pending > 0) this.idleCallback = whenIdle((next) => this.renderIdle(next), { timeout: IDLE_TIMEOUT_MS });
    else this.observer?.disconnect();
  }

  private focusOn(index: number): void {
    this.down = index;
    this.up = index - 1;
    this.downNext = true;
  }

  /** The placeholder nearest to the focus, alternately below and above it. */
  private nextPending(): Slot | undefined {
    if (this.pending === 0) return undefined;
    let wrapped = false;
    for (;;) {
      const canGoDown = this.down < this.slots.length;
      const canGoUp = this.up >= 0;
      if (!canGoDown && !canGoUp) {
        if (wrapped) return undefined;
        // Every slot was passed; a later focus may have left placeholders behind the cursors.
        wrapped = true;
        this.focusOn(0);
        continue;
      }
      const slot = canGoDown && (this.downNext || !canGoUp) ? this.slots[this.down++]! : this.slots[this.up--]!;
      this.downNext = !this.downNext;
      if (!slot.rendered) return slot;
    }
  }
}
