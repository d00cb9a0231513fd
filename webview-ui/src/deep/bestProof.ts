/**
 * The top of the Deep Prove panel: the best proof so far, rendered, with its candidate and mean,
 * and Insert best proof / Copy; before any candidate is fully verified, a line saying what the
 * run is doing instead. The proof is rendered again only when the best candidate or its text
 * (or the document's macros) change, which happens a few times in an hour-long run.
 */
import type { RunView } from '../../../src/core/deepProve/runView';
import type { DocumentRenderer } from '../documentRenderer';
import { button, element, setAttribute, setHidden, setText } from '../element';
import { RenderedText } from './renderedText';
import { bestPlaceholder, formatMean, roundLabel } from './runText';

export type BestAction = 'insertBest' | 'copyBest';

export interface BestProofHost {
  act(action: BestAction): void;
  goTo(candidate: string): void;
}

const COPIED_FEEDBACK_MS = 1500;

export class BestProof {
  private readonly heading = element('h2', { class: 'deep-best-heading', id: 'deep-best-label' }, 'Best proof so far');
  private readonly candidateButton = element('button', { type: 'button', class: 'deep-link deep-best-id' });
  private readonly meta = element('span', { class: 'deep-best-meta' });
  private readonly insert = button('Insert best proof', 'Insert the best proof into the document after the statement', 'button');
  private readonly copy = button('Copy', 'Copy the best proof', 'button secondary');
  private readonly actions = element('div', { class: 'toolbar', role: 'group', 'aria-label': 'Best proof actions' }, this.insert, this.copy);
  private readonly placeholder = element('p', { class: 'deep-best-placeholder' });
  private readonly note = element('p', { class: 'deep-proof-note' });
  private readonly text: RenderedText;
  readonly element: HTMLElement;
  private shownId: string | undefined;
  private copiedTimer: number | undefined;

  constructor(renderer: DocumentRenderer, host: BestProofHost) {
    this.text = new RenderedText(renderer, 'deep-best-body');
    this.element = element(
      'section',
      { class: 'deep-best', 'aria-labelledby': 'deep-best-label' },
      element('div', { class: 'deep-best-head' }, element('div', { class: 'deep-best-title' }, this.heading, element('span', { class: 'deep-best-of' }, this.candidateButton, this.meta)), this.actions),
      this.placeholder,
      this.note,
      this.text.element,
    );
    this.insert.addEventListener('click', () => host.act('insertBest'));
    this.copy.addEventListener('click', () => {
      host.act('copyBest');
      this.copy.textContent = 'Copied';
      window.clearTimeout(this.copiedTimer);
      this.copiedTimer = window.setTimeout(() => (this.copy.textContent = 'Copy'), COPIED_FEEDBACK_MS);
    });
    this.candidateButton.addEventListener('click', () => {
      if (this.shownId) host.goTo(this.shownId);
    });
  }

  update(view: RunView, insertable: boolean): void {
    const best = view.best;
    const candidate = best && view.candidates.find((c) => c.id === best.id);
    const final = view.status === 'ended' && (view.end?.reason === 'complete' || view.end?.reason === 'solved');
    setText(this.heading, final ? 'Best proof' : 'Best proof so far');
    const proof = candidate?.proof;
    const shown = !!proof;
    setAttribute(this.element, 'data-state', shown ? 'shown' : 'none');
    setHidden(this.placeholder, shown);
    for (const part of [this.candidateButton, this.meta, this.actions, this.text.element]) setHidden(part, !shown);
    if (!best || !candidate || !proof) {
      this.shownId = undefined;
      setText(this.placeholder, bestPlaceholder(view));
      setHidden(this.note, true);
      return;
    }
    this.shownId = best.id;
    setText(this.candidateButton, best.id);
    setAttribute(this.candidateButton, 'aria-label', `Go to ${best.id}'s card`);
    const verifications = candidate.verifications.length;
    setText(this.meta, ` · mean ${formatMean(best.mean)} over ${verifications} verification${verifications === 1 ? '' : 's'} · ${roundLabel(candidate.round)}`);
    setHidden(this.insert, !insertable);
    setText(this.note, candidate.proofNote ?? '');
    setHidden(this.note, !candidate.proofNote);
    this.text.show(proof);
  }
}
