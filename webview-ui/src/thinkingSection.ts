/**
 * The Thinking section of an answer, as the Proof panel and the chat both show it: a <details>
 * whose summary counts the thinking, opened and closed for the reader as the answer goes on
 * until they choose themselves. Text that arrives while it is closed is kept, not rendered
 * (rendering hidden text is waste), and rendered when it opens.
 */
import type { DocumentRenderer } from './documentRenderer';
import { element, setText } from './element';
import { IncrementalMarkdown } from './render/incremental';

export class ThinkingSection {
  private readonly label = element('span', { class: 'thinking-label' }, 'Thinking');
  readonly body = element('div', { class: 'markdown thinking-body' });
  readonly element = element('details', { class: 'thinking' }, element('summary', { class: 'thinking-summary' }, this.label), this.body);
  private readonly text: IncrementalMarkdown;
  /** The reader opened or closed it: it is no longer opened and closed for them. */
  private touched = false;
  private backlog = '';
  private ended = false;

  constructor(renderer: DocumentRenderer, onRender: () => void) {
    this.text = new IncrementalMarkdown(this.body, renderer, { onRender });
    // A click on the summary is the reader's (keyboard activation of a summary is a click too);
    // `toggle` also fires for the section's own opening and closing.
    this.element.querySelector('summary')!.addEventListener('click', () => {
      this.touched = true;
    });
    this.element.addEventListener('toggle', () => this.renderBacklog());
  }

  get open(): boolean {
    return this.element.open;
  }

  set hidden(hidden: boolean) {
    this.element.hidden = hidden;
  }

  setLabel(text: string): void {
    setText(this.label, text);
  }

  /** Whether the reader opened (true) or closed (false) it, if they chose. */
  get choice(): boolean | undefined {
    return this.touched ? this.element.open : undefined;
  }

  /** The reader's earlier choice (from a saved place). */
  choose(open: boolean): void {
    this.touched = true;
    this.element.open = open;
    this.renderBacklog();
  }

  /** Open or closed as the view's rule says, unless the reader chose. */
  follow(open: boolean): void {
    if (this.touched) return;
    if (this.element.open !== open) this.element.open = open;
    // `toggle` is asynchronous; render the backlog now so the opened section is not empty for a frame.
    this.renderBacklog();
  }

  append(text: string): void {
    if (!text) return;
    if (this.element.open) this.text.append(text);
    else this.backlog += text;
  }

  /**
   * Starts over with `text`: for a new answer (`forgetChoice`), or one that streams again after
   * it had ended, whose last paragraph or formula the new text may go on with.
   */
  reset(text = '', forgetChoice = false): void {
    if (forgetChoice) this.touched = false;
    this.ended = false;
    this.backlog = this.element.open ? '' : text;
    this.text.reset(this.element.open ? text : '');
  }

  /** The thinking is complete: its last block is closed. */
  finish(): void {
    this.ended = true;
    this.text.finish();
  }

  private renderBacklog(): void {
    if (!this.element.open || !this.backlog) return;
    this.text.append(this.backlog);
    this.backlog = '';
    if (this.ended) this.text.finish();
    else this.text.flush();
  }
}
