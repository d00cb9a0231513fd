/**
 * The Deep Prove panel's page: the header strip, the statement, the best proof so far, and the
 * candidates as cards grouped by round. The host sends the whole run view on every journal entry
 * and the live calls in between (every ~250 ms); both are cheap to take:
 *
 *   - `view`: every card's model (cardModel.ts) is compared with the one it drew and only changed
 *     cards are touched; long texts render only when shown and only when their text changed;
 *   - `live`: only counters change (the header's and each running call's).
 */
import type { LiveCall } from '../../../src/core/deepProve/liveCall';
import type { DeepToHost, HostToDeep } from '../../../src/core/webview/deepProtocol';
import type { DocumentRenderer } from '../documentRenderer';
import { element, setHidden } from '../element';
import { BestProof } from './bestProof';
import { CandidateCard } from './candidateCard';
import { cardModel, liveByCandidate } from './cardModel';
import { RenderedText } from './renderedText';
import { RunHeader } from './runHeader';
import { roundLabel } from './runText';

export type ViewMessage = Extract<HostToDeep, { type: 'view' }>;

/** What the reader opened, by candidate: restored with the saved view. */
export type CardsUi = Record<string, { proofOpen?: boolean; evaluation?: number }>;

export interface DeepViewHost {
  post(message: DeepToHost): void;
  /** The run shown or what the reader opened changed: worth saving (see `runId` and `cardsUi`). */
  changed(): void;
}

const TICK_MS = 1000;

export class DeepView {
  private message: ViewMessage | undefined;
  private live: readonly LiveCall[] = [];
  /** The host's clock minus the page's: elapsed times count on the host's clock. */
  private clockOffset = 0;
  private readonly header: RunHeader;
  private readonly statementText: RenderedText;
  private readonly statement: HTMLDetailsElement;
  private readonly best: BestProof;
  private readonly roundsElement = element('div', { class: 'deep-rounds' });
  private readonly empty = element('p', { class: 'deep-empty' }, 'Waiting for the run…');
  private readonly main: HTMLElement;
  private readonly cards = new Map<string, CandidateCard>();
  private readonly rounds = new Map<number, HTMLOListElement>();
  private readonly resyncRequested = new Set<string>();
  /** What the reader had open before the page was re-created, applied to the first view of that run. */
  private restoring: { runId: string; ui: CardsUi } | undefined;
  private timer: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly renderer: DocumentRenderer,
    private readonly host: DeepViewHost,
  ) {
    this.header = new RunHeader(renderer, (type) => this.post(type));
    this.statementText = new RenderedText(renderer, 'deep-statement-body');
    this.statement = element('details', { class: 'deep-statement' }, element('summary', { class: 'deep-statement-summary' }, 'Statement'), this.statementText.element);
    this.statement.addEventListener('toggle', () => this.drawStatement());
    this.best = new BestProof(renderer, { act: (type) => this.post(type), goTo: (id) => this.goTo(id) });
    this.main = element('main', { class: 'deep-run' }, this.statement, this.best.element, this.roundsElement);
    root.replaceChildren(this.header.element, this.main, this.empty);
    this.main.hidden = this.header.element.hidden = true;
  }

  /** The run shown, if any. */
  get runId(): string | undefined {
    return this.message?.view.run.runId ?? this.restoring?.runId;
  }

  /** What the reader opened, by card (saved for a re-created page). */
  get cardsUi(): CardsUi {
    if (!this.message) return this.restoring?.ui ?? {};
    const ui: CardsUi = {};
    for (const [id, card] of this.cards) {
      const { proofOpen, evaluation } = card.ui;
      if (proofOpen || evaluation !== undefined) ui[id] = card.ui;
    }
    return ui;
  }

  handle(message: HostToDeep): void {
    if (message.type === 'view') return this.drawView(message);
    const runId = this.message?.view.run.runId;
    if (message.runId !== runId) return this.resync(message.runId);
    this.clockOffset = message.now - Date.now();
    this.live = message.live;
    this.drawLive();
  }

  /**
   * What the reader had open when this page was last saved, for the run it showed: reopened when
   * the host's view of that run arrives (the page asks for it at once). The view itself is not
   * saved: a whole run's view is a few hundred KB, and saving it took 45 ms of script a second.
   */
  restore(runId: string, ui: CardsUi): void {
    this.restoring = { runId, ui };
  }

  private drawView(message: ViewMessage): void {
    const before = this.message;
    const { view } = message;
    if (before?.view.run.runId !== view.run.runId) this.clear();
    this.message = message;
    this.live = message.live;
    this.clockOffset = message.now - Date.now();
    // New macros: everything rendered is rendered again (RenderedText compares the renderer's key).
    this.renderer.setMacros(message.macros);
    const insertable = message.insertable === true;

    setHidden(this.empty, true);
    setHidden(this.main, false);
    setHidden(this.header.element, false);
    this.header.update(view, this.live, this.now());
    this.drawStatement();
    this.best.update(view, insertable);
    const live = liveByCandidate(this.live);
    for (const candidate of view.candidates) {
      const card = this.cardOf(candidate.id, candidate.round);
      card.update(cardModel(view, candidate), candidate, insertable);
      card.setLive(live.get(candidate.id) ?? []);
    }
    this.setTicking(view.status === 'running');
    if (this.restoring?.runId === view.run.runId) {
      for (const [id, shown] of Object.entries(this.restoring.ui)) this.cards.get(id)?.restoreUi(shown);
    }
    this.restoring = undefined;
    if (before?.view.run.runId !== view.run.runId) this.host.changed();
  }

  private drawLive(): void {
    const view = this.message!.view;
    this.header.tick(view, this.live, this.now());
    const live = liveByCandidate(this.live);
    // Every card, not only those in `live`: a call that just ended leaves the message before its result arrives.
    for (const card of this.cards.values()) card.setLive(live.get(card.id) ?? []);
  }

  private drawStatement(): void {
    if (this.statement.open && this.message) this.statementText.show(this.message.view.run.statement);
  }

  private cardOf(id: string, round: number): CandidateCard {
    let card = this.cards.get(id);
    if (!card) {
      card = new CandidateCard(id, this.renderer, {
        act: (action, candidate) => this.actOn(action, candidate),
        goTo: (other) => this.goTo(other),
        uiChanged: () => this.host.changed(),
      });
      this.cards.set(id, card);
      this.roundList(round).append(card.element);
    }
    return card;
  }

  private roundList(round: number): HTMLOListElement {
    let list = this.rounds.get(round);
    if (!list) {
      const headingId = `deep-round-${round}`;
      list = element('ol', { class: 'deep-cards' });
      const section = element('section', { class: 'deep-round', 'aria-labelledby': headingId }, element('h2', { class: 'section-label', id: headingId }, roundLabel(round)), list);
      // Rounds come in order, but a resumed view may bring several at once: keep them sorted.
      const after = [...this.rounds.keys()].filter((other) => other > round).sort((a, b) => a - b)[0];
      this.roundsElement.insertBefore(section, after === undefined ? null : this.rounds.get(after)!.parentElement);
      this.rounds.set(round, list);
    }
    return list;
  }

  private clear(): void {
    this.cards.clear();
    this.rounds.clear();
    this.roundsElement.replaceChildren();
    this.statement.open = false;
  }

  private goTo(id: string): void {
    this.cards.get(id)?.reveal();
  }

  private post(type: 'stop' | 'resume' | 'insertBest' | 'copyBest'): void {
    if (this.message) this.host.post({ type, runId: this.message.view.run.runId });
  }

  /** The best candidate's own Insert and Copy are the best proof's. */
  private actOn(action: 'insert' | 'copy', candidate: string): void {
    if (!this.message) return;
    const runId = this.message.view.run.runId;
    if (this.message.view.best?.id === candidate) this.host.post({ type: action === 'insert' ? 'insertBest' : 'copyBest', runId });
    else this.host.post({ type: action, runId, candidate });
  }

  /** A message about a run this page does not show: ask once for the host's view. */
  private resync(runId: string): void {
    if (this.resyncRequested.has(runId)) return;
    this.resyncRequested.add(runId);
    this.host.post({ type: 'ready' });
  }

  private now(): number {
    return Date.now() + this.clockOffset;
  }

  /** Elapsed time and the estimate tick between messages while the run runs. */
  private setTicking(on: boolean): void {
    if (on && this.timer === undefined) {
      this.timer = window.setInterval(() => this.message && this.header.tick(this.message.view, this.live, this.now()), TICK_MS);
    } else if (!on && this.timer !== undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

