/**
 * A Markdown renderer that speaks the current run's document notation: the host sends the
 * document's macros with each run, and this swaps in a renderer configured with them (one per
 * macro set, kept while the runs use it), so every part of the panel renders the same way.
 */
import { createMarkdownRenderer, type KatexMacros, type MarkdownRenderer, type RenderProgress } from './render/markdown';

export class DocumentRenderer implements MarkdownRenderer {
  private key = '';
  private current: MarkdownRenderer = createMarkdownRenderer();

  /** Uses these macros from now on; returns whether anything changed. */
  setMacros(macros: KatexMacros | undefined): boolean {
    const key = macros && Object.keys(macros).length ? JSON.stringify(macros) : '';
    if (key === this.key) return false;
    this.key = key;
    this.current = createMarkdownRenderer({ macros: key ? macros : undefined });
    return true;
  }

  /** Which macros it renders with ('' for none): text rendered under another key is rendered again. */
  get macrosKey(): string {
    return this.key;
  }

  render(markdown: string): string {
    return this.current.render(markdown);
  }

  renderUntil(markdown: string, deadline: number, progress: RenderProgress): string | undefined {
    return this.current.renderUntil(markdown, deadline, progress);
  }

  renderDisplayMath(tex: string): string | undefined {
    return this.current.renderDisplayMath(tex);
  }
}
