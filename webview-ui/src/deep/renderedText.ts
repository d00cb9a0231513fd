/**
 * A finished Markdown text of the Deep Prove panel (a proof, an evaluation, a summary), rendered
 * with the Proof panel's renderer, block by block (render/blocks.ts splits it as the streaming
 * renderer does; a block's formulas over several slices if need be) in slices of a few
 * milliseconds, so that a 15 KB proof full of formulas never holds a frame: rendered at once, it took 130–240 ms on a 2-core machine (bench/deepView.ts).
 *
 * A text that replaces another (the best proof when a better candidate finishes) is rendered
 * into a second, hidden layer stacked with the shown one (deep.css: `.deep-text-layer`), and
 * shown when complete: the reader never sees a half-drawn proof where a whole one was.
 * The new layer is in the page while it renders, so each slice's blocks are styled and laid out
 * in the slice's own frame; swapping in a detached copy instead made the browser style and lay
 * out the whole proof (~10,000 elements) in one 200–400 ms frame: its `content-visibility: auto`
 * blocks could not skip, as with their 3em placeholder size all of them were near the viewport.
 * `show` renders only when the text or the document's macros changed: the host resends every
 * text with every view.
 */
import type { DocumentRenderer } from '../documentRenderer';
import { element } from '../element';
import { BlockSplitter } from '../render/blocks';
import type { RenderProgress } from '../render/markdown';
import { setRenderedHtml } from '../render/dom';

/**
 * What slicing may take per animation frame, all the page's texts together (the best proof, a
 * card's proof, an evaluation and a summary can render at once), and at least one formula. The
 * style, layout and paint of what a slice adds cost the frame 3–5 times the slice's own time:
 * with 8 ms per text, three texts opening together made 150 ms frames; with 4 ms for all, a
 * trace still had 36 frames of 25–40 ms of CPU while c1's texts rendered, with 2 ms four of
 * 25–28 ms. c1's 10 KB proof (40 blocks) takes ~1 s to render so, its formulas typeset for the
 * first time; the reader sees the blocks done so far, or the proof it replaces, meanwhile. Timer-driven slices ran back to back, three or four
 * before a frame, and the frame then laid out everything they added.
 */
const FRAME_BUDGET_MS = 2;

/** The texts waiting to render, served in turn within each frame's budget. */
class Slicer {
  private readonly waiting = new Set<RenderedText>();
  /** Slicing time since the last frame began: a text shown from a message or a click spends it too. */
  private spent = 0;
  private frame: number | undefined;

  /** Renders a slice of `text` now if the frame's budget allows, and the rest in coming frames. */
  request(text: RenderedText): void {
    this.waiting.add(text);
    this.run();
  }

  private run(): void {
    for (const text of [...this.waiting]) {
      if (this.spent >= FRAME_BUDGET_MS) break;
      const start = performance.now();
      const done = text.slice(start + FRAME_BUDGET_MS - this.spent);
      this.spent += performance.now() - start;
      // Unfinished, it goes to the back: the next frame serves the others first.
      this.waiting.delete(text);
      if (!done) this.waiting.add(text);
    }
    // Also with nothing left waiting: the frame resets the budget.
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.spent = 0;
      if (this.waiting.size) this.run();
    });
  }
}

const slicer = new Slicer();

const PENDING = 'deep-text-pending';
/**
 * On the layer being rendered into, until two frames after its last slice: its blocks, and the
 * card holding it, are styled and laid out as they come, even off screen (deep.css). Skipped
 * instead (`content-visibility: auto`), a proof rendered in a card below the view was laid out
 * all at once when something above shrank and pulled it into view: 90–130 ms frames. Laid out
 * once, a block keeps its layout and its size while skipped, and comes into view for a paint.
 */
const RENDERING = 'deep-text-rendering';

interface Job {
  blocks: string[];
  next: number;
  /** How far the next block's formulas were typeset by the slices before (renderUntil). */
  progress: RenderProgress;
  /** Where the blocks go: the shown layer, or the pending one under it, that replaces it at the end. */
  target: HTMLElement;
}

export class RenderedText {
  readonly element: HTMLElement;
  /**
   * The layer the reader sees, and the other one: empty, or a replacement rendering. The two
   * trade places; neither is ever added or removed, because a layer that became its parent's
   * first or last child would be restyled whole: panel.css has rules like
   * `.markdown > .md-page:first-child > .md-block:first-child > :first-child`, for which Chromium
   * invalidates every descendant (~10,000 elements in a proof: 30–60 ms).
   */
  private shown: HTMLElement;
  private other: HTMLElement;
  private text: string | undefined;
  private macros = '';
  private job: Job | undefined;

  constructor(
    private readonly renderer: DocumentRenderer,
    className: string,
  ) {
    this.shown = element('div', { class: 'deep-text-layer' });
    this.other = element('div', { class: `deep-text-layer ${PENDING}`, 'aria-hidden': 'true' });
    this.element = element('div', { class: `markdown deep-text ${className}` }, this.shown, this.other);
  }

  show(text: string): void {
    if (text === this.text && this.renderer.macrosKey === this.macros) return;
    this.text = text;
    this.macros = this.renderer.macrosKey;
    const splitter = new BlockSplitter();
    const blocks = [...splitter.push(text), ...splitter.end()];
    // A replacement still rendering is dropped; the shown layer stays until the new one is complete.
    this.other.replaceChildren();
    for (const layer of [this.shown, this.other]) layer.classList.remove(RENDERING);
    const target = this.shown.childElementCount > 0 ? this.other : this.shown;
    target.classList.add(RENDERING);
    this.job = { blocks, next: 0, progress: { stoppedAt: 0 }, target };
    this.element.setAttribute('aria-busy', 'true');
    // The first slice now if the frame has room: a short text shows with the message that brought it.
    slicer.request(this);
  }

  /**
   * Renders blocks until `deadline`, at least one block or one of its formulas (a block of
   * display math took up to 20 ms of KaTeX: a block is typeset over several slices then, and
   * shown when whole); whether the text is complete.
   */
  slice(deadline: number): boolean {
    const job = this.job;
    if (!job) return true;
    for (let first = true; job.next < job.blocks.length && (first || performance.now() < deadline); first = false) {
      const html = this.renderer.renderUntil(job.blocks[job.next]!, deadline, job.progress);
      if (html === undefined) return false;
      job.next++;
      job.progress = { stoppedAt: 0 };
      const block = element('div', { class: 'md-block' });
      setRenderedHtml(block, html);
      job.target.append(block);
    }
    if (job.next < job.blocks.length) return false;
    const target = job.target;
    // The last slice is laid out in the coming frame; after it, the blocks may be skipped again.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (this.job?.target !== target) target.classList.remove(RENDERING);
      }),
    );
    if (job.target === this.other) {
      // Only the layers' own opacity, z-index and height change: the new one's blocks keep their style and layout.
      const old = this.shown;
      old.classList.add(PENDING);
      old.setAttribute('aria-hidden', 'true');
      job.target.classList.remove(PENDING);
      job.target.removeAttribute('aria-hidden');
      this.shown = job.target;
      this.other = old;
      // Emptied in the next frame: removing a proof's elements takes ~10 ms, and this frame paints the new one.
      requestAnimationFrame(() => {
        if (this.other === old && this.job?.target !== old) old.replaceChildren();
      });
    }
    this.job = undefined;
    this.element.removeAttribute('aria-busy');
    return true;
  }
}
