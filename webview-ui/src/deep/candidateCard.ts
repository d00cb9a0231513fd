/**
 * One candidate of a Deep Prove run, as a card: its id, whether it is the best, its phase with the
 * live token count of its running attempt or summary, its lineage, its attempts (with each
 * summary one click away), its verification chips (each opening its evaluation), its mean, and
 * its proof behind a disclosure with Insert and Copy.
 *
 * `update` redraws the card's chrome only when its model (cardModel.ts) changed, and the long
 * texts only while open and when their text changed; `setLive` touches nothing but counters.
 */
import type { LiveCall } from '../../../src/core/deepProve/liveCall';
import type { CandidateView } from '../../../src/core/deepProve/runView';
import type { DocumentRenderer } from '../documentRenderer';
import { button, element, replaceChildrenWith, setText } from '../element';
import { liveText, type AttemptModel, type CardModel } from './cardModel';
import { RenderedText } from './renderedText';
import { ScoreChips } from './scoreChips';

export type CardAction = 'insert' | 'copy';

export interface CardHost {
  act(action: CardAction, candidate: string): void;
  /** Brings another candidate's card into view (the parent, from the lineage line). */
  goTo(candidate: string): void;
  /** The reader opened or closed something worth restoring after a reload. */
  uiChanged(): void;
}

const COPIED_FEEDBACK_MS = 1500;

export class CandidateCard {
  readonly element: HTMLLIElement;
  private readonly title = element('h3', { class: 'deep-card-id' });
  private readonly bestMark = element('span', { class: 'deep-best-mark' }, '★ Best');
  private readonly phase = element('span', { class: 'deep-phase' });
  /** The running attempt's or summary's tokens. */
  private readonly live = element('span', { class: 'deep-live' });
  private readonly mean = element('span', { class: 'deep-mean' });
  private readonly lineageText = element('span');
  private readonly parentButton = element('button', { type: 'button', class: 'deep-link' });
  private readonly lineage = element('p', { class: 'deep-lineage' });
  private readonly attempts = element('ol', { class: 'deep-attempts' });
  private readonly refinedInto = element('p', { class: 'deep-refined-into' });
  private readonly chips: ScoreChips;
  private readonly proofNote = element('p', { class: 'deep-proof-note' });
  private readonly proofDetails: HTMLDetailsElement;
  private readonly proofText: RenderedText;
  private readonly selfEvaluation: RenderedText;
  private readonly selfEvaluationSection: HTMLElement;
  private readonly insert: HTMLButtonElement;
  private readonly copy: HTMLButtonElement;
  private readonly summaries = new Map<number, { details: HTMLDetailsElement; text: RenderedText }>();
  private candidate: CandidateView | undefined;
  private modelKey = '';
  /** The element showing each running call's live count, by call key. */
  private counters = new Map<string, HTMLElement>();
  private copiedTimer: number | undefined;

  constructor(
    readonly id: string,
    private readonly renderer: DocumentRenderer,
    host: CardHost,
  ) {
    this.chips = new ScoreChips(id, renderer, () => host.uiChanged());
    this.proofText = new RenderedText(renderer, 'deep-proof-body');
    this.selfEvaluation = new RenderedText(renderer, 'deep-self-evaluation-body');
    this.selfEvaluationSection = element('div', { class: 'deep-self-evaluation' }, element('p', { class: 'deep-subheading' }, 'The solver’s own evaluation'), this.selfEvaluation.element);
    this.insert = button('Insert', `Insert ${id}'s proof into the document after the statement`, 'button');
    this.copy = button('Copy', `Copy ${id}'s proof`, 'button secondary');
    this.insert.addEventListener('click', () => host.act('insert', id));
    this.copy.addEventListener('click', () => {
      host.act('copy', id);
      this.copy.textContent = 'Copied';
      window.clearTimeout(this.copiedTimer);
      this.copiedTimer = window.setTimeout(() => (this.copy.textContent = 'Copy'), COPIED_FEEDBACK_MS);
    });
    this.proofDetails = element(
      'details',
      { class: 'deep-proof' },
      element('summary', { class: 'deep-proof-summary' }, 'Proof'),
      element('div', { class: 'toolbar deep-proof-actions', role: 'group', 'aria-label': `Actions on ${id}'s proof` }, this.insert, this.copy),
      this.proofText.element,
      this.selfEvaluationSection,
    );
    this.proofDetails.addEventListener('toggle', () => {
      this.drawProof();
      host.uiChanged();
    });
    this.parentButton.addEventListener('click', () => {
      if (this.candidate?.parent) host.goTo(this.candidate.parent);
    });
    this.element = element(
      'li',
      { class: 'deep-card', id: `deep-card-${id}`, tabindex: '-1', 'aria-labelledby': `deep-card-title-${id}` },
      element('div', { class: 'deep-card-head' }, this.title, this.bestMark, this.phase, this.live, this.mean),
      this.lineage,
      this.attempts,
      this.chips.element,
      this.refinedInto,
      this.chips.panel,
      this.proofNote,
      this.proofDetails,
    );
    this.title.id = `deep-card-title-${id}`;
    setText(this.title, id);
  }

  /** What the reader opened, for the saved state. */
  get ui(): { proofOpen: boolean; evaluation?: number } {
    return { proofOpen: this.proofDetails.open, ...(this.chips.open !== undefined && { evaluation: this.chips.open }) };
  }

  restoreUi(ui: { proofOpen?: boolean; evaluation?: number }): void {
    if (ui.proofOpen) this.proofDetails.open = true;
    if (ui.evaluation !== undefined && this.chips.open === undefined) this.chips.toggle(ui.evaluation);
  }

  update(model: CardModel, candidate: CandidateView, insertable: boolean): void {
    this.candidate = candidate;
    const key = `${JSON.stringify(model)}|${insertable}`;
    if (key !== this.modelKey) {
      this.modelKey = key;
      this.drawChrome(model, insertable);
    }
    // The chips' evaluation and the open texts compare their own text.
    this.chips.update(model.chips, model.pendingChips, candidate.verifications);
    this.counters = this.chips.counters();
    const running = model.attempts.flatMap((attempt) => [attempt.running ? attempt.key : undefined, attempt.summary?.running ? attempt.summary.key : undefined]).find(Boolean);
    if (running) this.counters.set(running, this.live);
    else setText(this.live, '');
    this.drawProof();
    for (const attempt of candidate.attempts) {
      const summary = this.summaries.get(attempt.index);
      if (summary?.details.open) summary.text.show(attempt.summary?.text ?? '');
    }
  }

  /** Counters only: four times a second with four calls streaming. */
  setLive(calls: readonly LiveCall[]): void {
    for (const [key, counter] of this.counters) {
      const call = calls.find((c) => c.key === key);
      if (counter === this.live) setText(counter, call ? liveText(call) : 'starting…');
      else this.chips.setLive(counter, call && call.reasoningTokens + call.contentTokens);
    }
  }

  private drawChrome(model: CardModel, insertable: boolean): void {
    this.element.dataset.phase = model.phase;
    this.element.dataset.active = String(model.active);
    this.element.classList.toggle('deep-card-best', model.best);
    this.bestMark.hidden = !model.best;
    setText(this.phase, model.phaseText);
    this.phase.dataset.phase = model.phase;
    setText(this.mean, model.mean === null ? '' : `mean ${model.mean}`);
    this.mean.hidden = model.mean === null;

    this.lineage.hidden = !model.lineage;
    if (model.lineage) {
      // "Refined from [c2] using its verifications 3 and 4": the parent's id is a link to its card.
      const [before, after] = splitOnce(model.lineage.text, model.lineage.parent);
      setText(this.parentButton, model.lineage.parent);
      this.parentButton.setAttribute('aria-label', `Go to ${model.lineage.parent}, the candidate this one refines`);
      setText(this.lineageText, after);
      if (this.lineage.firstChild?.textContent !== before || this.lineage.childNodes.length !== 3) this.lineage.replaceChildren(before, this.parentButton, this.lineageText);
    }

    setText(this.refinedInto, model.refinedInto ?? '');
    this.refinedInto.hidden = !model.refinedInto;
    this.drawAttempts(model.attempts);
    setText(this.proofNote, model.proofNote ?? '');
    this.proofNote.hidden = !model.proofNote;
    this.proofDetails.hidden = !model.hasProof;
    this.insert.hidden = !insertable;
  }

  /** The attempts list, each summary behind its own disclosure (kept across redraws, with its open state). */
  private drawAttempts(attempts: readonly AttemptModel[]): void {
    this.attempts.hidden = attempts.length === 0;
    const items = attempts.map((attempt) => {
      const item = element('li', { class: 'deep-attempt', 'data-running': String(attempt.running) }, element('span', { class: 'deep-attempt-label' }, attempt.label), ` · ${attempt.detail}`);
      if (attempt.summary) {
        if (attempt.summary.hasText) {
          const summary = this.summaryOf(attempt.index);
          setText(summary.details.querySelector('summary')!, attempt.summary.label);
          item.append(' → ', summary.details);
        } else {
          item.append(element('span', { class: 'deep-attempt-summary' }, ` → ${attempt.summary.label}`));
        }
      }
      return item;
    });
    replaceChildrenWith(this.attempts, items);
  }

  private summaryOf(index: number): { details: HTMLDetailsElement; text: RenderedText } {
    let summary = this.summaries.get(index);
    if (!summary) {
      const text = new RenderedText(this.renderer, 'deep-summary-body');
      const label = element('summary', { class: 'deep-summary-label', title: `The summary of attempt ${index} that attempt ${index + 1} started from` });
      const details = element('details', { class: 'deep-summary' }, label, text.element);
      const shown = { details, text };
      details.addEventListener('toggle', () => {
        if (details.open) text.show(this.candidate?.attempts.find((a) => a.index === index)?.summary?.text ?? '');
      });
      this.summaries.set(index, shown);
      summary = shown;
    }
    return summary;
  }

  /** The proof renders when opened (most cards stay closed), and again only if its text changed. */
  private drawProof(): void {
    const candidate = this.candidate;
    if (!this.proofDetails.open || !candidate?.proof) return;
    this.proofText.show(candidate.proof);
    this.selfEvaluationSection.hidden = !candidate.selfEvaluation;
    if (candidate.selfEvaluation) this.selfEvaluation.show(candidate.selfEvaluation);
  }

  /** Brings the card into view and gives it the focus (from a lineage link or the best proof's id). */
  reveal(): void {
    this.element.scrollIntoView({ block: 'nearest' });
    this.element.focus({ preventScroll: true });
  }
}

function splitOnce(text: string, part: string): [string, string] {
  const at = text.indexOf(part);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + part.length)];
}
