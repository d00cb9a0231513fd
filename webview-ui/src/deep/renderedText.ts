/**
 * A finished Markdown text of the Deep Prove panel (a proof, an evaluation, a summary), rendered
 * with the Proof panel's renderer, block by block (render/blocks.ts splits it as the streaming
 * renderer does) in slices of a few milliseconds, so that a 15 KB proof full of formulas never
 * holds a frame: rendered at once, it took 130–240 ms on a 2-core machine (bench/deepView.ts).
 *
 * A text that replaces another (the best proof when a better candidate finishes) is rendered off
 * the page and swapped in whole: the reader never sees a half-drawn proof where a whole one was.
 * `show` renders only when the text or the document's macros changed: the host resends every
 * text with every view.
 */
import type { DocumentRenderer } from '../documentRenderer';
import { element, replaceChildrenWith } from '../element';
import { BlockSplitter } from '../render/blocks';
import { setRenderedHtml } from '../render/dom';

/**
 * A slice renders blocks until it has taken this long (and at least one block). One slice per
 * animation frame: timer-driven slices ran back to back, three or four before a frame, and the
 * frame then laid out everything they added.
 */
const SLICE_MS = 8;

interface Job {
  blocks: string[];
  next: number;
  /** Where the blocks go: the page's element, or a detached one swapped in at the end. */
  target: HTMLElement;
}

export class RenderedText {
  readonly element: HTMLElement;
  private text: string | undefined;
  private macros = '';
  private job: Job | undefined;
  private frame: number | undefined;

  constructor(
    private readonly renderer: DocumentRenderer,
    className: string,
  ) {
    this.element = element('div', { class: `markdown ${className}` });
  }

  show(text: string): void {
    if (text === this.text && this.renderer.macrosKey === this.macros) return;
    this.text = text;
    this.macros = this.renderer.macrosKey;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    const splitter = new BlockSplitter();
    const blocks = [...splitter.push(text), ...splitter.end()];
    const replacing = this.element.childElementCount > 0;
    this.job = { blocks, next: 0, target: replacing ? element('div') : this.element };
    if (!replacing) this.element.replaceChildren();
    this.element.setAttribute('aria-busy', 'true');
    // The first slice now: a short text shows with the message that brought it.
    this.slice();
  }

  private slice(): void {
    const job = this.job;
    if (!job) return;
    const start = performance.now();
    while (job.next < job.blocks.length && performance.now() - start < SLICE_MS) {
      const block = element('div', { class: 'md-block' });
      setRenderedHtml(block, this.renderer.render(job.blocks[job.next++]!));
      job.target.append(block);
    }
    if (job.next < job.blocks.length) {
      this.frame = requestAnimationFrame(() => {
        this.frame = undefined;
        this.slice();
      });
      return;
    }
    if (job.target !== this.element) replaceChildrenWith(this.element, [...job.target.childNodes]);
    this.job = undefined;
    this.element.removeAttribute('aria-busy');
  }
}
