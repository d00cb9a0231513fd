/**
 * The chat's conversations: the open one, the history list and its warnings, and saving. Which
 * answer is being written is the ChatController's; this class only keeps what is said and where.
 */
import * as vscode from 'vscode';
import { ChatWarnings } from '../../core/conversation/chatWarnings';
import { newConversationId, type HistoryStore } from '../../core/conversation/historyStore';
import { CONVERSATION_VERSION, type Conversation, type ConversationSummary, type Turn } from '../../core/conversation/types';
import { errorMessage } from '../errorPresenter';

const CURRENT_KEY = 'qed.chat.currentConversation';
export const INTERRUPTED = 'Interrupted: the window closed or reloaded while this answer was written.';

/** Where a conversation started from a document: its origin and the document's macros. */
export interface ConversationSource {
  origin: NonNullable<Conversation['origin']>;
  katexMacros?: Record<string, string>;
}

export interface ConversationsHost {
  /** What the view shows changed (post a snapshot). */
  changed(): void;
  /** Another conversation is about to be shown: the answer being written is stopped. */
  switching(): void;
}

export class Conversations {
  private conversation: Conversation | undefined;
  private history: ConversationSummary[] = [];
  /** What the last listing left out or moved aside, for the history menu. */
  private historyLeftOut: string[] = [];
  private readonly warnings = new ChatWarnings();
  /** A budget chosen before the conversation's first message. */
  private pendingBudget: number | null | undefined;
  /** Set by Add selection before the first message: the conversation will start from there. */
  private pendingSource: ConversationSource | undefined;
  /** Resolves once the history is listed and the last open conversation read. */
  readonly ready: Promise<void>;

  constructor(
    private readonly store: HistoryStore,
    private readonly memento: vscode.Memento,
    private readonly host: ConversationsHost,
  ) {
    this.ready = this.restore().catch((error: unknown) => {
      this.warnings.add([`The chat history could not be read: ${errorMessage(error)}`]);
    });
  }

  get current(): Conversation | undefined {
    return this.conversation;
  }

  get historyList(): readonly ConversationSummary[] {
    return this.history;
  }

  /** The files the last listing left out or moved aside, one warning each. */
  get historyWarnings(): readonly string[] {
    return this.historyLeftOut;
  }

  get historyFolder(): string {
    return this.store.folder;
  }

  get currentWarnings(): string[] {
    return [...this.warnings.current];
  }

  /** The thinking budget the next conversation starts with; null = unlimited. */
  get defaultThinkingBudget(): number | null {
    if (this.pendingBudget !== undefined) return this.pendingBudget;
    const budget = vscode.workspace.getConfiguration('qed.chat').get<number>('thinkingBudget', 0);
    return budget > 0 ? budget : null;
  }

  /** The open conversation, or a new one titled `title`. */
  currentOrNew(title: string): Conversation {
    if (this.conversation) return this.conversation;
    const now = Date.now();
    const conversation: Conversation = {
      version: CONVERSATION_VERSION,
      id: newConversationId(),
      title,
      createdAt: now,
      updatedAt: now,
      turns: [],
      settings: { thinkingBudget: this.defaultThinkingBudget },
    };
    if (this.pendingSource) {
      conversation.origin = this.pendingSource.origin;
      if (this.pendingSource.katexMacros && Object.keys(this.pendingSource.katexMacros).length) conversation.katexMacros = this.pendingSource.katexMacros;
    }
    this.pendingSource = undefined;
    this.pendingBudget = undefined;
    this.conversation = conversation;
    void this.memento.update(CURRENT_KEY, conversation.id);
    return conversation;
  }

  findTurn(turnId: string): Turn | undefined {
    return this.conversation?.turns.find((turn) => turn.id === turnId);
  }

  setThinkingBudget(budget: number | null): void {
    if (this.conversation) {
      this.conversation.settings.thinkingBudget = budget;
      void this.save(this.conversation);
    } else {
      this.pendingBudget = budget;
    }
    this.host.changed();
  }

  /** The next message starts from this document selection (origin and macros). */
  noteSource(source: ConversationSource): void {
    if (!this.conversation || this.conversation.turns.length === 0) this.pendingSource = source;
    else if (!this.conversation.katexMacros && source.katexMacros) {
      this.conversation.katexMacros = source.katexMacros;
      this.host.changed();
    }
  }

  newConversation(): void {
    this.host.switching();
    this.conversation = undefined;
    this.pendingBudget = undefined;
    void this.memento.update(CURRENT_KEY, undefined);
    this.host.changed();
  }

  async open(id: string): Promise<void> {
    await this.ready;
    if (this.conversation?.id === id) return;
    this.host.switching();
    const loaded = await this.store.load(id);
    this.warnings.add(loaded.warnings);
    if (loaded.conversation) {
      this.conversation = markInterrupted(loaded.conversation);
      void this.memento.update(CURRENT_KEY, id);
    }
    await this.refreshHistory();
  }

  async rename(id: string, title: string): Promise<void> {
    const renamed = await this.store.rename(id, title);
    this.warnings.add(renamed.warnings);
    if (this.conversation?.id === id) this.conversation.title = title;
    await this.refreshHistory();
  }

  async delete(id: string): Promise<void> {
    if (this.conversation?.id === id) this.newConversation();
    await this.store.delete(id);
    await this.refreshHistory();
  }

  async exportMarkdown(id: string): Promise<string | undefined> {
    const conversation = this.conversation?.id === id ? this.conversation : (await this.store.load(id)).conversation;
    return conversation ? this.store.exportMarkdown(conversation) : undefined;
  }

  /** Lists the history again (another window may have changed it). */
  async reloadHistory(): Promise<void> {
    await this.ready;
    await this.refreshHistory();
  }

  dismissWarnings(): void {
    this.warnings.dismiss();
    this.host.changed();
  }

  async save(conversation: Conversation): Promise<void> {
    if (conversation.turns.length === 0) return;
    try {
      await this.store.save(conversation);
    } catch (error) {
      const warning = `QED could not save the conversation “${conversation.title}”: ${errorMessage(error)}`;
      if (this.warnings.add([warning])) this.host.changed();
    }
  }

  /** Lists the history; says so (`changed`) when asked to, or when the listing has news to warn of. */
  async refreshHistory(post = true): Promise<void> {
    let fresh: boolean;
    try {
      const listed = await this.store.list();
      this.history = listed.conversations;
      this.historyLeftOut = listed.warnings;
      fresh = this.warnings.addListed(listed.warnings);
    } catch (error) {
      // The folder itself cannot be read: the list shown stays as it was.
      fresh = this.warnings.add([`The chat history could not be read: ${errorMessage(error)}`]);
    }
    if (post || fresh) this.host.changed();
  }

  /** The history list, and the conversation that was open last time in this workspace. */
  private async restore(): Promise<void> {
    await this.refreshHistory(false);
    const id = this.memento.get<string>(CURRENT_KEY);
    if (!id || !this.history.some((summary) => summary.id === id)) return;
    const loaded = await this.store.load(id);
    this.warnings.add(loaded.warnings);
    if (loaded.conversation) this.conversation = markInterrupted(loaded.conversation);
  }
}

/** A conversation saved while an answer was streaming: that answer ended with the window. */
function markInterrupted(conversation: Conversation): Conversation {
  for (const turn of conversation.turns) {
    if (turn.assistant.status === 'streaming') turn.assistant = interrupted(turn.assistant, turn.assistant.endedAt ?? conversation.updatedAt);
  }
  return conversation;
}

/** An answer the window closed under: stopped there, and it says so. */
export function interrupted(answer: Turn['assistant'], at: number): Turn['assistant'] {
  return { ...answer, status: 'stopped', finishReason: 'cancelled', error: INTERRUPTED, endedAt: at };
}
