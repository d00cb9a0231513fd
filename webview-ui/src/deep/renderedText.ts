/**
 * A finished Markdown text of the Deep Prove panel (a proof, an evaluation, a summary), rendered
 * with the Proof panel's renderer: long texts as lazy blocks (rendered in view and in idle time,
 * see render/lazyBlocks.ts), so showing a 15 KB proof does not hold a frame. `show` renders only
 * when the text or the document's macros changed: the host resends every text with every view.
 */
import type { DocumentRenderer } from '../documentRenderer';
import { element } from '../element';
import { IncrementalMarkdown } from '../render/incremental';

export class RenderedText {
  readonly element: HTMLElement;
  private readonly markdown: IncrementalMarkdown;
  private text: string | undefined;
  private macros = '';

  constructor(
    private readonly renderer: DocumentRenderer,
    className: string,
  ) {
    this.element = element('div', { class: `markdown ${className}` });
    this.markdown = new IncrementalMarkdown(this.element, renderer);
  }

  show(text: string): void {
    if (text === this.text && this.renderer.macrosKey === this.macros) return;
    this.text = text;
    this.macros = this.renderer.macrosKey;
    this.markdown.reset(text);
    this.markdown.finish();
  }
}
