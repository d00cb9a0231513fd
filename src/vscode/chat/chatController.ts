/**
 * The chat's host side: owns the open conversation and the history list, runs one answer at a
 * time through the conversation core (prompt builder, turn runner) on the backend the settings
 * choose, streams it to the view as deltas, and saves conversations as they change. The view may
 * come and go (it is not kept alive when hidden): every state it shows is in `snapshot()`.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChatRequest } from '../../core/chat';
import type { AnswerMeta, ChatSnapshot, HostToChat } from '../../core/chatProtocol';
import { ChatWarnings } from '../../core/conversation/chatWarnings';
import { newConversationId, type HistoryStore } from '../../core/conversation/historyStore';
import { buildMessages } from '../../core/conversation/promptBuilder';
import { continueTurn, runTurn, type TurnOptions } from '../../core/conversation/turnRunner';
import { CONVERSATION_VERSION, type AssistantAnswer, type Conversation, type ConversationSummary, type Turn } from '../../core/conversation/types';
import type { BackendProvider } from '../backendProvider';
import { errorMessage, isCancellation, showError } from '../errorPresenter';
import { readSettings } from '../settings';
import { expandMessage } from '../../core/composer/slashCommands';

/** How often streamed text is posted to the view; it renders at most once per frame anyway. */
const FLUSH_INTERVAL_MS = 50;
/** How often a streaming answer is saved, so a reload or crash loses at most this much. */
const SAVE_INTERVAL_MS = 3000;
/** QED-Nano's context when the backend's own is not known (an endpoint). */
const DEFAULT_CONTEXT_TOKENS = 65_536;
/** Room kept for the answer when earlier turns must be left out and no token limit is set. */
const ANSWER_RESERVE_TOKENS = 32_768;
/** Context kept for the prompt (question and earlier turns) when maxTokens is larger than the context. */
const MIN_PROMPT_TOKENS = 4096;
const CURRENT_KEY = 'qed.chat.currentConversation';
export const INTERRUPTED = 'Interrupted: the window closed or reloaded while this answer was written.';

export interface ChatViewPort {
  post(message: HostToChat): void;
}

/** Where a conversation started from a document: its origin and the document's macros. */
export interface ConversationSource {
  origin: NonNullable<Conversation['origin']>;
  katexMacros?: Record<string, string>;
}

interface ActiveAnswer {
  conversation: Conversation;
  turn: Turn;
  abort: AbortController;
  answerNow: AbortController;
  /** The answer as it ended, for Continue (the turn shows it as streaming meanwhile). */
  previous: AssistantAnswer;
  /** Text lengths already posted to the view. */
  sent: { reasoning: number; content: number };
  /** The answer's other fields as last posted (JSON), so unchanged ones are not posted again. */
  lastMeta?: string;
  done: Promise<void>;
}

export class ChatController implements vscode.Disposable {
  private conversation: Conversation | undefined;
  private history: ConversationSummary[] = [];
  /** What the last listing left out or moved aside, for the history menu. */
  private historyLeftOut: string[] = [];
  private readonly warnings = new ChatWarnings();
  private progress: string | undefined;
  private source: string | undefined;
  private notice: string | undefined;
  /** A budget chosen before the conversation's first message. */
  private pendingBudget: number | null | undefined;
  /** Set by Add selection before the first message: the conversation will start from there. */
  private pendingSource: ConversationSource | undefined;
  private active: ActiveAnswer | undefined;
  private port: ChatViewPort | undefined;
  private readonly ready: Promise<void>;

  constructor(
    private readonly store: HistoryStore,
    private readonly backends: Pick<BackendProvider, 'resolve'>,
    private readonly memento: vscode.Memento,
  ) {
    this.ready = this.restore().catch((error: unknown) => {
      this.warnings.add([`The chat history could not be read: ${errorMessage(error)}`]);
    });
  }

  /** The view that shows the chat now (undefined: none is open). */
  attach(port: ChatViewPort | undefined): void {
    this.port = port;
    if (port) void this.ready.then(() => this.postSnapshot());
  }

  snapshot(): ChatSnapshot {
    const config = vscode.workspace.getConfiguration('qed.chat');
    const budget = config.get<number>('thinkingBudget', 0);
    return {
      conversation: this.conversation,
      history: this.history,
      showThinking: config.get<boolean>('showThinking', true),
      defaultThinkingBudget: this.pendingBudget !== undefined ? this.pendingBudget : budget > 0 ? budget : null,
      progress: this.progress,
      source: this.source,
      notice: this.notice,
      warnings: [...this.warnings.current],
    };
  }

  get currentConversation(): Conversation | undefined {
    return this.conversation;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Resolves when no answer is being written. */
  async whenIdle(): Promise<void> {
    await this.ready;
    while (this.active) await this.active.done;
  }

  postSnapshot(): void {
    const active = this.active;
    if (active) {
      // The snapshot carries the answer so far: later deltas start after it.
      const answer = active.turn.assistant;
      active.sent = { reasoning: answer.reasoning.length, content: answer.content.length };
      active.lastMeta = JSON.stringify(metaOf(answer));
    }
    this.port?.post({ type: 'snapshot', state: this.snapshot() });
  }

  /** Sends a message (slash commands expanded). Resolves when its answer has ended. */
  async send(text: string): Promise<void> {
    await this.ready;
    if (this.active) {
      void vscode.window.showInformationMessage('QED: an answer is still being written. Stop it, or wait for it.');
      return;
    }
    const expanded = expandMessage(text, this.conversation?.turns ?? []);
    if (!expanded.ok) {
      void vscode.window.showWarningMessage(`QED: ${expanded.problem}`);
      return;
    }
    const conversation = this.conversation ?? this.startConversation(expanded.title);
    const typed = text.trim();
    const turn: Turn = { id: randomUUID(), user: expanded.user, ...(typed !== expanded.user ? { typed } : {}), assistant: pendingAnswer() };
    conversation.turns.push(turn);
    await this.answer(conversation, turn, 'new');
  }

  stop(): void {
    this.active?.abort.abort();
  }

  /** Answer now: ends the thinking of the answer being written, or of the last one if it was stopped while thinking. */
  async answerNow(turnId: string): Promise<void> {
    if (this.active) return void this.active.answerNow.abort();
    await this.rerun(turnId, 'answerNow');
  }

  /**
   * Continue (an answer cut at the token limit or stopped), Answer now (one stopped while still
   * thinking: its thinking is closed and the answer written from it), or Regenerate/Retry: the
   * last turn only.
   */
  async rerun(turnId: string, mode: 'continue' | 'answerNow' | 'regenerate'): Promise<void> {
    await this.ready;
    const conversation = this.conversation;
    const turn = conversation?.turns.at(-1);
    if (!conversation || !turn || turn.id !== turnId || this.active) return;
    const ended = turn.assistant.status !== 'done' && turn.assistant.status !== 'streaming';
    if (mode === 'continue' && !ended) return;
    if (mode === 'answerNow' && !(ended && turn.assistant.content === '')) return;
    if (mode === 'regenerate') turn.assistant = pendingAnswer();
    await this.answer(conversation, turn, mode === 'regenerate' ? 'new' : 'continue', mode === 'answerNow');
  }

  setThinkingBudget(budget: number | null): void {
    if (this.conversation) {
      this.conversation.settings.thinkingBudget = budget;
      void this.save(this.conversation);
    } else {
      this.pendingBudget = budget;
    }
    this.postSnapshot();
  }

  /** The next message starts from this document selection (origin and macros). */
  noteSource(source: ConversationSource): void {
    if (!this.conversation || this.conversation.turns.length === 0) this.pendingSource = source;
    else if (!this.conversation.katexMacros && source.katexMacros) {
      this.conversation.katexMacros = source.katexMacros;
      this.postSnapshot();
    }
  }

  newConversation(): void {
    if (this.active) this.stop();
    this.conversation = undefined;
    this.notice = undefined;
    this.pendingBudget = undefined;
    void this.memento.update(CURRENT_KEY, undefined);
    this.postSnapshot();
  }

  async open(id: string): Promise<void> {
    await this.ready;
    if (this.conversation?.id === id) return;
    if (this.active) this.stop();
    const loaded = await this.store.load(id);
    this.warnings.add(loaded.warnings);
    if (loaded.conversation) {
      this.conversation = markInterrupted(loaded.conversation);
      this.notice = undefined;
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

  /** Lists the history again (another window may have changed it). */
  async reloadHistory(): Promise<void> {
    await this.ready;
    await this.refreshHistory();
  }

  dismissWarnings(): void {
    this.warnings.dismiss();
    this.postSnapshot();
  }

  findTurn(turnId: string): Turn | undefined {
    return this.conversation?.turns.find((turn) => turn.id === turnId);
  }

  dispose(): void {
    const active = this.active;
    if (!active) return;
    // The window is going away: what was written so far is kept, marked as interrupted.
    active.abort.abort();
    active.turn.assistant = { ...active.turn.assistant, status: 'error', error: INTERRUPTED, endedAt: Date.now() };
    void this.save(active.conversation);
  }

  private startConversation(title: string): Conversation {
    const config = vscode.workspace.getConfiguration('qed.chat');
    const budget = config.get<number>('thinkingBudget', 0);
    const now = Date.now();
    const conversation: Conversation = {
      version: CONVERSATION_VERSION,
      id: newConversationId(),
      title,
      createdAt: now,
      updatedAt: now,
      turns: [],
      settings: { thinkingBudget: this.pendingBudget !== undefined ? this.pendingBudget : budget > 0 ? budget : null },
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

  private async answer(conversation: Conversation, turn: Turn, mode: 'new' | 'continue', answerAtOnce = false): Promise<void> {
    let finished!: () => void;
    const active: ActiveAnswer = {
      conversation,
      turn,
      abort: new AbortController(),
      answerNow: new AbortController(),
      previous: turn.assistant,
      sent: { reasoning: turn.assistant.reasoning.length, content: turn.assistant.content.length },
      done: new Promise((resolve) => (finished = resolve)),
    };
    if (answerAtOnce) active.answerNow.abort();
    this.active = active;
    if (mode === 'continue') turn.assistant = { ...turn.assistant, status: 'streaming', error: undefined, endedAt: undefined };
    conversation.updatedAt = Date.now();
    this.postSnapshot();
    const flush = setInterval(() => this.flush(active), FLUSH_INTERVAL_MS);
    const autosave = setInterval(() => void this.save(conversation), SAVE_INTERVAL_MS);
    try {
      await this.save(conversation);
      await this.refreshHistory(false);
      turn.assistant = await this.generate(active, mode);
    } finally {
      clearInterval(flush);
      clearInterval(autosave);
      this.progress = undefined;
      this.active = undefined;
      conversation.updatedAt = Date.now();
      this.flush(active);
      await this.save(conversation);
      await this.refreshHistory(false);
      this.postSnapshot();
      finished();
    }
  }

  private async generate(active: ActiveAnswer, mode: 'new' | 'continue'): Promise<AssistantAnswer> {
    const { conversation, turn } = active;
    const backendKind = readSettings().backend;
    let resolved: Awaited<ReturnType<BackendProvider['resolve']>>;
    try {
      resolved = await this.backends.resolve((progress) => this.setProgress(progress));
    } catch (error) {
      this.setProgress(undefined);
      // A bad setting gets its notification with the fix (Choose Model File…, Open Settings…).
      if (!active.abort.signal.aborted) void showError(error, backendKind);
      const stopped = active.abort.signal.aborted || isCancellation(error);
      return { ...turn.assistant, status: stopped ? 'stopped' : 'error', error: stopped ? undefined : errorMessage(error), endedAt: Date.now() };
    }
    this.progress = undefined;
    this.source = resolved.source;
    this.port?.post({ type: 'progress', progress: undefined, source: resolved.source });
    if (active.abort.signal.aborted) return { ...turn.assistant, status: 'stopped', finishReason: 'cancelled', endedAt: Date.now() };

    const earlier = conversation.turns.slice(0, conversation.turns.indexOf(turn));
    const contextTokens = resolved.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
    // An answer cannot outgrow the context whatever maxTokens says: a larger setting must not
    // leave the prompt no room at all.
    const maxAnswerTokens = Math.min(resolved.settings.sampling.maxTokens ?? ANSWER_RESERVE_TOKENS, contextTokens - MIN_PROMPT_TOKENS);
    const built = buildMessages({ turns: earlier }, turn.user, { contextTokens, maxAnswerTokens });
    this.notice = built.notice ?? undefined;
    if (built.notice) this.postSnapshot();
    const request: ChatRequest = { ...resolved.settings.sampling, messages: built.messages };
    const options: TurnOptions = { thinkingBudget: conversation.settings.thinkingBudget, signal: active.abort.signal, answerNow: active.answerNow.signal };
    const onUpdate = (answer: AssistantAnswer) => {
      turn.assistant = answer;
    };
    return mode === 'new'
      ? runTurn(resolved.backend, request, options, onUpdate)
      : continueTurn(resolved.backend, request, active.previous, options, onUpdate);
  }

  /** Posts the text written since the last flush, with the answer's other fields. */
  private flush(active: ActiveAnswer): void {
    const answer = active.turn.assistant;
    const reasoning = answer.reasoning.slice(active.sent.reasoning);
    const content = answer.content.slice(active.sent.content);
    const metaChanged = JSON.stringify(metaOf(answer)) !== active.lastMeta;
    if (!reasoning && !content && !metaChanged) return;
    active.sent = { reasoning: answer.reasoning.length, content: answer.content.length };
    active.lastMeta = JSON.stringify(metaOf(answer));
    this.port?.post({ type: 'delta', conversationId: active.conversation.id, turnId: active.turn.id, reasoning, content, meta: metaOf(answer) });
  }

  private setProgress(progress: string | undefined): void {
    this.progress = progress;
    this.port?.post({ type: 'progress', progress });
  }

  private async save(conversation: Conversation): Promise<void> {
    if (conversation.turns.length === 0) return;
    try {
      await this.store.save(conversation);
    } catch (error) {
      const warning = `QED could not save the conversation “${conversation.title}”: ${errorMessage(error)}`;
      if (this.warnings.add([warning])) this.postSnapshot();
    }
  }

  private async refreshHistory(post = true): Promise<void> {
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
    if (post || fresh) this.postSnapshot();
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

function metaOf(answer: AssistantAnswer): AnswerMeta {
  const { reasoning: _reasoning, content: _content, ...meta } = answer;
  return meta;
}

/** An answer about to be written (the turn runner replaces it with its own). */
function pendingAnswer(): AssistantAnswer {
  return { reasoning: '', content: '', status: 'streaming', startedAt: Date.now(), reasoningTokens: 0, contentTokens: 0 };
}

/** A conversation saved while an answer was streaming: that answer ended with the window. */
function markInterrupted(conversation: Conversation): Conversation {
  for (const turn of conversation.turns) {
    if (turn.assistant.status === 'streaming') turn.assistant = { ...turn.assistant, status: 'error', error: INTERRUPTED, endedAt: turn.assistant.endedAt ?? conversation.updatedAt };
  }
  return conversation;
}
