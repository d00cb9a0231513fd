/**
 * The warning above a finished proof whose LaTeX, as Insert proof would write it, holds commands
 * that read or write files, run programs, end the document or change how it is read. The panel
 * renders math, so a `\write18` inside a formula is easy to miss; this lists each one as source,
 * before the user inserts. Insert proof then asks, and inserts them commented out by default.
 */
import type { RunSnapshot } from '../../src/core/webview/panelProtocol';
import { proofBlock } from '../../src/core/proofToLatex';
import { findRiskyTex } from '../../src/core/riskyTex';
import { element, replaceChildrenWith } from './element';

/** Findings listed one by one; the rest are counted. */
const LISTED = 10;

export class RiskyTexView {
  readonly element = element('section', { class: 'risky-tex', role: 'note', 'aria-label': 'TeX commands with side effects' });
  /** Which run and answer length is checked, so the 1 s status tick does not redo it. */
  private shown = '';

  constructor() {
    this.element.hidden = true;
  }

  clear(): void {
    this.shown = '';
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  /** The run's answer as Insert proof would write it into a .tex file. */
  show(run: RunSnapshot): void {
    const key = `${run.runId}:${run.answer.content.length}`;
    if (key === this.shown) return;
    this.shown = key;
    const found = findRiskyTex(proofBlock(run.answer.content, 'latex'));
    if (found.length === 0) {
      this.element.hidden = true;
      this.element.replaceChildren();
      return;
    }
    const count = found.length === 1 ? 'One TeX command' : `${found.length} TeX commands`;
    const heading = element('p', { class: 'risky-tex-heading' }, `${count} in this proof ${found.length === 1 ? 'does' : 'do'} more than typeset: read or write files, run programs, end the document or change how it is read.`);
    // The command is shown as its TeX source (a text node, never rendered): that is what would run.
    const items = found.slice(0, LISTED).map((finding) =>
      element('li', {}, element('code', {}, finding.excerpt), ` (line ${finding.line} of the LaTeX): ${finding.reason}`),
    );
    if (found.length > LISTED) items.push(element('li', {}, `and ${found.length - LISTED} more`));
    const note = element('p', { class: 'risky-tex-note' }, 'Insert proof asks first, and by default inserts these commented out (% QED: commented out …).');
    const list = element('ul', { class: 'risky-tex-list' });
    replaceChildrenWith(list, items);
    this.element.replaceChildren(heading, list, note);
    this.element.hidden = false;
  }
}
