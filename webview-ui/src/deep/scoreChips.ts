/**
 * A candidate's verification scores as chips (1, ½, 0, ? for unreadable, … while running), each a
 * button that opens its evaluation below the row: the verdict line, the verifier's notes (why a
 * "?" is one), the evaluation as rendered Markdown and its findings. One evaluation is open at a
 * time per card; it is rendered when opened, and again only if its text changes.
 *
 * Chips are updated in place, keyed by index, so a journal entry arriving while the reader's focus
 * is on a chip does not take the focus away.
 */
import type { VerificationView } from '../../../src/core/deepProve/runView';
import { findingsList } from '../critiqueView';
import type { DocumentRenderer } from '../documentRenderer';
import { element, replaceChildrenWith, setAttribute, setHidden, setText } from '../element';
import { scoreLabel, type ChipModel } from './cardModel';
import { RenderedText } from './renderedText';
import { compactTokens, tokensText } from './runText';

interface Chip {
  button: HTMLButtonElement;
  label: HTMLSpanElement;
  /** A running verification's token count (live). */
  counter: HTMLSpanElement;
  model?: ChipModel;
}

export class ScoreChips {
  private readonly list = element('span', { class: 'deep-chip-list' });
  readonly element = element('div', { class: 'deep-chips', role: 'group' }, element('span', { class: 'deep-chips-label' }, 'Verifications'), this.list);
  /** Where the open chip's evaluation shows: the card places it. */
  readonly panel: HTMLElement;
  private readonly panelHeading = element('p', { class: 'deep-evaluation-heading' });
  private readonly panelNotes = element('div', { class: 'deep-evaluation-notes' });
  private readonly panelText: RenderedText;
  private readonly panelFindings = element('div', { class: 'deep-evaluation-findings' });
  private readonly chips = new Map<number, Chip>();
  private readonly pending: HTMLSpanElement[] = [];
  private verifications: readonly VerificationView[] = [];
  /** The index of the verification whose evaluation is open. */
  private openIndex: number | undefined;
  /** The findings the panel shows (as JSON: each view message brings new objects), so an unchanged view does not rebuild them. */
  private shownIssues = '';

  constructor(
    private readonly candidate: string,
    private readonly renderer: DocumentRenderer,
    private readonly openChanged: () => void,
  ) {
    this.element.setAttribute('aria-label', `Verifications of ${candidate}`);
    this.panelText = new RenderedText(renderer, 'deep-evaluation-text');
    this.panel = element('section', { class: 'deep-evaluation', id: `deep-evaluation-${candidate}`, 'aria-live': 'off' }, this.panelHeading, this.panelNotes, this.panelText.element, this.panelFindings);
    this.panel.hidden = true;
  }

  /** The index of the open evaluation, if any (saved with the page's state). */
  get open(): number | undefined {
    return this.openIndex;
  }

  update(chips: readonly ChipModel[], pendingChips: number, verifications: readonly VerificationView[]): void {
    this.verifications = verifications;
    for (const model of chips) this.updateChip(this.chipAt(model.index), model);
    // Placeholders for the verifications still to come, after the chips, so the row's width does not jump.
    while (this.pending.length < pendingChips) this.pending.push(this.list.appendChild(element('span', { class: 'deep-chip deep-chip-pending', 'aria-hidden': 'true' })));
    while (this.pending.length > pendingChips) this.pending.pop()!.remove();
    setHidden(this.element, chips.length === 0 && pendingChips === 0);
    this.drawPanel();
  }

  /** The live counter of a running verification, by call key. */
  counters(): Map<string, HTMLElement> {
    const counters = new Map<string, HTMLElement>();
    for (const chip of this.chips.values()) if (chip.model?.tone === 'running') counters.set(chip.model.key, chip.counter);
    return counters;
  }

  setLive(counter: HTMLElement, tokens: number | undefined): void {
    setText(counter, tokens === undefined ? '' : compactTokens(tokens));
  }

  /** Opens the evaluation of verification `index` (or closes it, if it is the open one). */
  toggle(index: number | undefined): void {
    this.openIndex = index === this.openIndex ? undefined : index;
    this.drawPanel();
    this.openChanged();
  }

  private chipAt(index: number): Chip {
    let chip = this.chips.get(index);
    if (!chip) {
      const label = element('span', { class: 'deep-chip-label' });
      const counter = element('span', { class: 'deep-chip-counter' });
      const button = element('button', { type: 'button', class: 'deep-chip', 'aria-controls': this.panel.id }, label, counter);
      button.addEventListener('click', () => {
        if (chip!.model?.opens) this.toggle(index);
      });
      chip = { button, label, counter };
      this.chips.set(index, chip);
      // Verifications come in index order: the new chip goes after the others, before the placeholders.
      const next = [...this.chips.entries()].filter(([other]) => other > index).sort(([a], [b]) => a - b)[0];
      this.list.insertBefore(button, next?.[1].button ?? this.pending[0] ?? null);
    }
    return chip;
  }

  private updateChip(chip: Chip, model: ChipModel): void {
    const before = chip.model;
    chip.model = model;
    if (before && before.label === model.label && before.tone === model.tone && before.ariaLabel === model.ariaLabel && before.title === model.title) return;
    setText(chip.label, model.label);
    if (model.tone !== 'running') setText(chip.counter, '');
    chip.button.dataset.tone = model.tone;
    chip.button.classList.toggle('deep-chip-used', model.usedBy.length > 0);
    chip.button.setAttribute('aria-label', model.ariaLabel);
    chip.button.title = model.title;
    chip.button.setAttribute('aria-disabled', String(!model.opens));
  }

  private drawPanel(): void {
    const verification = this.openIndex === undefined ? undefined : this.verifications.find((v) => v.index === this.openIndex && v.status === 'done');
    for (const [index, chip] of this.chips) setAttribute(chip.button, 'aria-expanded', String(verification !== undefined && index === this.openIndex));
    setHidden(this.panel, !verification);
    if (!verification) return;
    const score = verification.score === null ? 'no score could be read' : `score ${scoreLabel(verification.score)}`;
    setText(this.panelHeading, `Verification ${verification.index} of ${this.candidate} · ${score} · ${tokensText(verification.tokens)}`);
    setAttribute(this.panel, 'aria-label', `Evaluation: verification ${verification.index} of ${this.candidate}`);
    setAttribute(this.panel, 'data-unreadable', String(verification.score === null));
    // Notes say what could not be read (no score, cut off): for a "?" they are the point.
    const notes = verification.notes.map((note) => element('p', { class: 'deep-evaluation-note' }, note));
    if (notes.length !== this.panelNotes.childElementCount || notes.some((note, i) => note.textContent !== this.panelNotes.children[i]?.textContent)) replaceChildrenWith(this.panelNotes, notes);
    this.panelText.show(verification.evaluation || '*The verifier wrote no evaluation.*');
    const issues = JSON.stringify(verification.issues);
    if (this.shownIssues !== issues) {
      this.shownIssues = issues;
      if (verification.issues.length) this.panelFindings.replaceChildren(findingsList(verification.issues, this.renderer));
      else this.panelFindings.replaceChildren();
    }
  }
}
