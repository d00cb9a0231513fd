/**
 * The chat view: a header (conversation title, thinking budget, New, History), warnings and
 * notices, the turns, and the composer. It mirrors the host's ChatSnapshot and folds streamed
 * deltas into it; message views are kept per turn, so a snapshot of the same conversation
 * renders only what is new.
 */
import { applyDelta } from '../../../src/core/answer/answerDelta';
import type { ChatSnapshot, ChatToHost, HostToChat } from '../../../src/core/webview/chatProtocol';
import { boolean, count, number, object, optional, record, string, type Infer } from '../../../src/core/webview/schema';
import type { DocumentRenderer } from '../documentRenderer';
import { Composer } from './composer';
import { elementScroller, FollowScroll } from '../followScroll';
import { setRenderedHtml } from '../render/dom';
import { button, element, replaceChildrenWith, setText } from '../element';
import { MessageView, type MessageViewHost } from './messageView';
import { anchorBlock, anchorBlockSchema, anchoredBlock, elementViewport, holdScroll, offsetToShow } from '../scrollAnchor';

type Delta = Extract<HostToChat, { type: 'delta' }>;

export interface ChatViewHost {
  post(message: ChatToHost): void;
  /** The mirrored state changed; `urgent` for changes worth saving at once. */
  stateChanged(urgent: boolean): void;
  /** The reader scrolled: `place` has changed. */
  placeChanged(): void;
}

/**
 * Where the reader is, so that the view (re-created each time it is shown) opens there again.
 * The first block of text in view is the best anchor (scrollAnchor.ts); where no answer text is
 * in view, the first turn in view; the pixel offset is the last resort. Saved with the page's
 * state, which may come from an older version: checked against this schema.
 */
export const chatPlaceSchema = object({
  conversationId: string,
  /** At the end, following new text. */
  following: boolean,
  scrollTop: number,
  turn: optional(object({ index: count, top: number })),
  block: optional(anchorBlockSchema),
  /** Thinking sections the reader opened or closed, by turn id. */
  thinking: optional(record(boolean)),
});
export type ChatPlace = Infer<typeof chatPlaceSchema>;

const BUDGET_CHOICES = [1000, 2000, 4000, 8000, 16000, 32000];
const numberFormat = new Intl.NumberFormat('en-US');

export class ChatView {
  private state: ChatSnapshot | undefined;
  private views = new Map<string, MessageView>();
  private shownConversationId: string | undefined;
  private readonly follow: FollowScroll;
  private timer: number | undefined;
  private readonly resyncRequested = new Set<string>();

  private readonly title = element('h1', { class: 'chat-title markdown' });
  private readonly budget = element('select', { class: 'budget-select', 'aria-label': 'Thinking budget for this conversation', title: 'Thinking budget: when the model has thought this long, it is asked for its answer' });
  private readonly warnings = element('div', { class: 'chat-warnings', role: 'alert' });
  private readonly notice = element('p', { class: 'chat-notice', role: 'status' });
  private readonly progress = element('p', { class: 'chat-progress status', role: 'status', 'aria-live': 'polite', 'data-tone': 'progress' }, element('span', { class: 'status-phase' }));
  private readonly source = element('p', { class: 'chat-source' });
  private readonly turns = element('div', { class: 'turns', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'off' });
  private readonly empty = element(
    'div',
    { class: 'chat-empty' },
    element('p', {}, 'Ask QED-Nano about a statement or a proof. Math in $…$ and \\[…\\] is rendered.'),
    element('p', {}, 'Commands: /prove statement · /deep · /critique · /explain · /latex. “Add selection” quotes the editor’s selection with its file and lines.'),
  );
  private readonly scroller = element('main', { class: 'chat-scroller' }, this.warnings, this.empty, this.turns, this.notice, this.progress);
  readonly composer: Composer;

  constructor(
    root: HTMLElement,
    private readonly renderer: DocumentRenderer,
    private readonly host: ChatViewHost,
  ) {
    this.composer = new Composer({
      send: (text) => host.post({ type: 'send', text }),
      addSelection: () => host.post({ type: 'addSelection' }),
      dropText: (text) => host.post({ type: 'dropText', text }),
      draftChanged: () => host.stateChanged(false),
    });
    const header = element(
      'header',
      { class: 'chat-header' },
      element('div', { class: 'chat-heading' }, this.title, this.source),
      // New conversation and History are the view's title-bar actions (VS Code draws them).
      element('label', { class: 'budget' }, 'Thinking budget ', this.budget),
    );
    root.replaceChildren(header, this.scroller, this.composer.element);
    this.budget.addEventListener('change', () => {
      const value = Number(this.budget.value);
      host.post({ type: 'setThinkingBudget', budget: value > 0 ? value : null });
    });
    this.follow = new FollowScroll(elementScroller(this.scroller), () => host.placeChanged());
    this.render();
  }

  get snapshot(): ChatSnapshot | undefined {
    return this.state;
  }

  get place(): ChatPlace | undefined {
    const conversationId = this.state?.conversation?.id;
    if (!conversationId) return undefined;
    const thinking: Record<string, boolean> = {};
    for (const [id, view] of this.views) if (view.thinking.choice !== undefined) thinking[id] = view.thinking.choice;
    const place = { conversationId, following: this.follow.isFollowing, scrollTop: this.scroller.scrollTop, thinking };
    // At the end, the end is the place: no layout reads (this runs with every save while streaming).
    if (this.follow.isFollowing) return place;
    const viewport = elementViewport(this.scroller);
    const viewTop = viewport.top();
    const turns = [...this.turns.children] as HTMLElement[];
    const index = turns.findIndex((turn) => turn.getBoundingClientRect().bottom > viewTop);
    return {
      ...place,
      turn: index >= 0 ? { index, top: turns[index]!.getBoundingClientRect().top - viewTop } : undefined,
      block: anchorBlock(this.scrollSections(), viewport),
    };
  }

  /** Back to where the reader was (after `showSnapshot` of the same conversation). */
  restorePlace(place: ChatPlace): void {
    if (place.conversationId !== this.state?.conversation?.id) return;
    for (const [id, open] of Object.entries(place.thinking ?? {})) this.views.get(id)?.thinking.choose(open);
    this.follow.set(place.following);
    if (place.following) return this.keepFollowing();
    const viewport = elementViewport(this.scroller);
    const sections = this.scrollSections();
    holdScroll(viewport, () => {
      const block = place.block && anchoredBlock(sections, place.block);
      if (block) return offsetToShow(viewport, block, place.block!.top);
      const turn = place.turn && (this.turns.children[place.turn.index] as HTMLElement | undefined);
      return turn ? offsetToShow(viewport, turn, place.turn!.top) : place.scrollTop;
    });
  }

  /** The text that can anchor a place, in page order (keys that are not integers keep their order). */
  private scrollSections(): Record<string, HTMLElement> {
    const sections: Record<string, HTMLElement> = {};
    [...this.turns.children].forEach((node, index) => {
      const view = this.views.get((node as HTMLElement).dataset.turnId ?? '');
      if (!view) return;
      sections[`turn${index}.thinking`] = view.thinking.body;
      sections[`turn${index}.answer`] = view.answerBody;
    });
    return sections;
  }

  handle(message: HostToChat): void {
    switch (message.type) {
      case 'snapshot':
        this.showSnapshot(message.state);
        break;
      case 'delta':
        this.applyDelta(message);
        break;
      case 'progress':
        if (!this.state) return;
        this.state.progress = message.progress;
        if (message.source) this.state.source = message.source;
        this.renderChrome();
        break;
      case 'quote':
        this.composer.insertQuote(message.text);
        break;
    }
  }

  showSnapshot(state: ChatSnapshot): void {
    this.state = state;
    this.render();
    this.host.stateChanged(true);
  }

  private applyDelta(delta: Delta): void {
    const conversation = this.state?.conversation;
    const turn = conversation?.id === delta.conversationId ? conversation.turns.find((candidate) => candidate.id === delta.turnId) : undefined;
    // A delta for something this page does not show: ask for the host's snapshot, once.
    if (!turn) {
      if (!this.resyncRequested.has(delta.turnId)) this.host.post({ type: 'ready' });
      this.resyncRequested.add(delta.turnId);
      return;
    }
    turn.assistant = applyDelta(turn.assistant, delta.delta);
    this.views.get(turn.id)?.apply(delta.delta);
    if (delta.delta.meta.status !== 'streaming') {
      this.renderChrome();
      this.host.stateChanged(true);
    } else {
      this.host.stateChanged(false);
    }
    this.keepFollowing();
  }

  private render(): void {
    const conversation = this.state?.conversation;
    const macrosChanged = this.renderer.setMacros(conversation?.katexMacros);
    if (macrosChanged || conversation?.id !== this.shownConversationId) {
      this.views = new Map();
      this.turns.replaceChildren();
      this.shownConversationId = conversation?.id;
      this.follow.set(true);
    }
    this.renderTurns(conversation);
    this.renderChrome();
    this.keepFollowing();
  }

  private renderTurns(conversation: ChatSnapshot['conversation']): void {
    const turns = conversation?.turns ?? [];
    const keep = new Set(turns.map((turn) => turn.id));
    for (const [id, view] of this.views) {
      if (keep.has(id)) continue;
      view.element.remove();
      this.views.delete(id);
    }
    const messageHost: MessageViewHost = {
      action: (action, turnId) => this.host.post({ type: 'answerAction', action, turnId }),
      copyText: (text) => this.host.post({ type: 'copyText', text }),
      rendered: () => this.keepFollowing(),
    };
    turns.forEach((turn, index) => {
      let view = this.views.get(turn.id);
      if (view) view.update(turn);
      else {
        view = new MessageView(turn, this.renderer, messageHost);
        this.views.set(turn.id, view);
      }
      // Appended in order (a no-op for views already in place).
      if (this.turns.children[index] !== view.element) this.turns.insertBefore(view.element, this.turns.children[index] ?? null);
      view.setShowThinking(this.state?.showThinking ?? true);
      view.setLast(index === turns.length - 1);
    });
  }

  /** Everything but the turns: header, budget, notices, composer state, the 1 s tick. */
  private renderChrome(): void {
    const state = this.state;
    const conversation = state?.conversation;
    this.renderTitle(conversation?.title || 'New conversation');
    document.title = conversation?.title ? `QED · ${conversation.title}` : 'QED';
    setText(this.source, state?.source ?? '');
    this.source.hidden = !state?.source;
    this.renderBudget(conversation ? conversation.settings.thinkingBudget : state?.defaultThinkingBudget ?? null);
    this.empty.hidden = !!conversation?.turns.length;

    replaceChildrenWith(this.warnings, (state?.warnings ?? []).map((warning) => element('p', { class: 'chat-warning' }, warning)));
    if (state?.warnings.length) {
      const dismiss = button('Dismiss', 'Dismiss these warnings');
      dismiss.addEventListener('click', () => this.host.post({ type: 'dismissWarnings' }));
      this.warnings.append(dismiss);
    }
    this.warnings.hidden = !state?.warnings.length;
    setText(this.notice, state?.notice ?? '');
    this.notice.hidden = !state?.notice;
    setText(this.progress.firstElementChild as HTMLElement, state?.progress ?? '');
    this.progress.hidden = !state?.progress;

    const streaming = [...this.views.values()].some((view) => view.streaming);
    this.composer.setBusy(streaming || !!state?.progress);
    this.setTicking(streaming);
  }

  /** Titles often hold math (the statement's first line): rendered like the messages. */
  private renderTitle(title: string): void {
    if (this.title.dataset.source === title) return;
    this.title.dataset.source = title;
    // Only a title that renders as one paragraph (not a list or heading: "1. …", "# …").
    const html = this.renderer.render(title).trim();
    if (/^<p>[\s\S]*<\/p>$/.test(html) && html.indexOf('<p>', 1) === -1) setRenderedHtml(this.title, html);
    else this.title.textContent = title;
    this.title.title = title;
  }

  private renderBudget(budget: number | null): void {
    const choices = budget !== null && !BUDGET_CHOICES.includes(budget) ? [...BUDGET_CHOICES, budget].sort((a, b) => a - b) : BUDGET_CHOICES;
    const wanted = ['0', ...choices.map(String)].join(',');
    if (this.budget.dataset.choices !== wanted) {
      this.budget.dataset.choices = wanted;
      replaceChildrenWith(this.budget, [
        element('option', { value: '0' }, 'unlimited'),
        ...choices.map((choice) => element('option', { value: String(choice) }, `${numberFormat.format(choice)} tokens`)),
      ]);
    }
    this.budget.value = String(budget ?? 0);
  }

  private keepFollowing(): void {
    this.follow.keep();
  }

  private setTicking(on: boolean): void {
    if (on && this.timer === undefined) {
      this.timer = window.setInterval(() => {
        for (const view of this.views.values()) if (view.streaming) view.refresh();
      }, 1000);
    } else if (!on && this.timer !== undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
