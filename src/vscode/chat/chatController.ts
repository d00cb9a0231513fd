/**
 * The chat's answers: sends a message (slash commands expanded) and writes its answer through an
 * AnswerSession on the backend the settings choose, with the conversation's earlier turns that
 * fit the context; Stop, Answer now, Continue and Regenerate act on the last answer. Streams to
 * the view as deltas; the view may come and go (it is not kept alive when hidden): everything it
 * shows is in `snapshot()`. The conversations themselves are kept by `Conversations`.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { pendingAnswer, type AssistantAnswer } from '../../core/answer/answer';
import { AnswerSession, type AnswerSink } from '../../core/answer/answerSession';
import { canAnswerNow, endedEarly } from '../../core/answer/answerState';
import type { ChatSnapshot, HostToChat } from '../../core/webview/chatProtocol';
import type { HistoryStore } from '../../core/conversation/historyStore';
import { buildMessages } from '../../core/conversation/promptBuilder';
import type { Conversation, Turn } from '../../core/conversation/types';
import type { AnswerActivity } from '../answerActivity';
import type { BackendProvider, ResolvedBackend } from '../backendProvider';
import { isCancellation, showError } from '../errorPresenter';
import { readSettings } from '../settings';
import { expandMessage } from '../../core/composer/slashCommands';
import { Conversations, interrupted } from './conversations';

/** How often a streaming answer is saved, so a reload or crash loses at most this much. */
const SAVE_INTERVAL_MS = 3000;
/** QED-Nano's context when the backend's own is not known (an endpoint). */
const DEFAULT_CONTEXT_TOKENS = 65_536;
/** Room kept for the answer when earlier turns must be left out and no token limit is set. */
const ANSWER_RESERVE_TOKENS = 32_768;
/** Context kept for the prompt (question and earlier turns) when maxTokens is larger than the context. */
const MIN_PROMPT_TOKENS = 4096;

export interface ChatViewPort {
  post(message: HostToChat): void;
}

/** The answer being written, and where it goes. */
interface Answering {
  conversation: Conversation;
  turn: Turn;
  done: Promise<void>;
}

export class ChatController implements vscode.Disposable {
  readonly conversations: Conversations;
  private readonly session: AnswerSession<ResolvedBackend>;
  private answering: Answering | undefined;
  private progress: string | undefined;
  private source: string | undefined;
  /** The prompt builder's notice for the latest turn. */
  private notice: string | undefined;
  private port: ChatViewPort | undefined;

  constructor(
    store: HistoryStore,
    backends: Pick<BackendProvider, 'resolve'>,
    memento: vscode.Memento,
    /** Where the answers being written are counted (others on the same backend make room for them). */
    private readonly activity?: AnswerActivity,
    /** `/deep`: starts Deep Prove on the statement (undefined: the editor's selection or theorem); says what it started, or why not (undefined: it said so itself). */
    private readonly deepProve?: (statement: string | undefined) => Promise<{ started: string } | { problem: string | undefined }>,
  ) {
    this.session = new AnswerSession({ resolve: (onProgress) => backends.resolve(onProgress), isCancellation });
    this.conversations = new Conversations(store, memento, {
      changed: () => this.postSnapshot(),
      switching: () => {
        this.stop();
        this.notice = undefined;
      },
    });
  }

  /** The view that shows the chat now (undefined: none is open). */
  attach(port: ChatViewPort | undefined): void {
    this.port = port;
    if (port) void this.conversations.ready.then(() => this.postSnapshot());
  }

  snapshot(): ChatSnapshot {
    return {
      conversation: this.conversations.current,
      history: [...this.conversations.historyList],
      showThinking: vscode.workspace.getConfiguration('qed.chat').get<boolean>('showThinking', true),
      defaultThinkingBudget: this.conversations.defaultThinkingBudget,
      progress: this.progress,
      source: this.source,
      notice: this.notice,
      warnings: this.conversations.currentWarnings,
    };
  }

  get busy(): boolean {
    return this.answering !== undefined;
  }

  /** Resolves when no answer is being written. */
  async whenIdle(): Promise<void> {
    await this.conversations.ready;
    while (this.answering) await this.answering.done;
  }

  postSnapshot(): void {
    this.port?.post({ type: 'snapshot', state: this.snapshot() });
    // The snapshot carries the answer so far: later deltas start after it.
    this.session.resync();
  }

  /** Sends a message (slash commands expanded). Resolves when its answer has ended. */
  async send(text: string): Promise<void> {
    await this.conversations.ready;
    if (this.answering) {
      void vscode.window.showInformationMessage('QED: an answer is still being written. Stop it, or wait for it.');
      return;
    }
    const expanded = expandMessage(text, this.conversations.current?.turns ?? []);
    if (!expanded.ok) {
      void vscode.window.showWarningMessage(`QED: ${expanded.problem}`);
      return;
    }
    if ('deepProve' in expanded) return this.startDeepProve(expanded.deepProve.statement);
    const conversation = this.conversations.currentOrNew(expanded.title);
    const typed = text.trim();
    const turn: Turn = { id: randomUUID(), user: expanded.user, ...(typed !== expanded.user ? { typed } : {}), assistant: pendingAnswer(Date.now()) };
    conversation.turns.push(turn);
    await this.answer(conversation, turn);
  }

  stop(): void {
    this.session.stop();
  }

  /** `/deep`: the run goes on in its own panel; the chat only says so (nothing goes into the conversation). */
  private async startDeepProve(statement: string | undefined): Promise<void> {
    if (!this.deepProve) return void vscode.window.showWarningMessage('QED: Deep Prove is not available here.');
    const outcome = await this.deepProve(statement);
    if ('problem' in outcome) {
      // undefined: whoever could not start it has said why.
      if (outcome.problem) void vscode.window.showWarningMessage(`QED: ${outcome.problem}`);
      return;
    }
    this.notice = `Deep Prove started on “${outcome.started}”: it runs in the Deep Prove panel.`;
    this.postSnapshot();
  }

  /** Answer now: ends the thinking of the answer being written, or of the last one if it was stopped or cut while thinking. */
  async answerNow(turnId: string): Promise<void> {
    if (this.answering) return void this.session.answerNow();
    await this.rerun(turnId, 'answerNow');
  }

  /**
   * Continue (an answer cut at the token limit or stopped), Answer now (one stopped or cut while
   * still thinking: its thinking is closed and the answer written from it), or Regenerate/Retry:
   * the last turn only.
   */
  async rerun(turnId: string, mode: 'continue' | 'answerNow' | 'regenerate'): Promise<void> {
    await this.conversations.ready;
    const conversation = this.conversations.current;
    const turn = conversation?.turns.at(-1);
    if (!conversation || !turn || turn.id !== turnId || this.answering) return;
    if (mode === 'continue' && !endedEarly(turn.assistant)) return;
    if (mode === 'answerNow' && !canAnswerNow(turn.assistant)) return;
    if (mode === 'regenerate') turn.assistant = pendingAnswer(Date.now());
    await this.answer(conversation, turn, mode === 'answerNow');
  }

  dispose(): void {
    const answering = this.answering;
    if (!answering) return;
    // The window is going away: what was written so far is kept, marked as interrupted.
    this.stop();
    answering.turn.assistant = interrupted(answering.turn.assistant, Date.now());
    void this.conversations.save(answering.conversation);
  }

  /** Writes the turn's answer: a new one, or the one that ended early, continued in place. */
  private async answer(conversation: Conversation, turn: Turn, answerAtOnce = false): Promise<void> {
    let finished!: () => void;
    const answering: Answering = { conversation, turn, done: new Promise((resolve) => (finished = resolve)) };
    this.answering = answering;
    const backendKind = readSettings().backend;
    const sink: AnswerSink<ResolvedBackend> = {
      progress: (progress) => this.setProgress(progress),
      resolved: (resolved) => {
        this.progress = undefined;
        this.source = resolved.source;
        this.port?.post({ type: 'progress', progress: undefined, source: resolved.source });
      },
      changed: (answer: AssistantAnswer) => {
        turn.assistant = answer;
      },
      delta: (delta) => this.port?.post({ type: 'delta', conversationId: conversation.id, turnId: turn.id, delta }),
      // A bad setting gets its notification with the fix (Choose Model File…, Open Settings…);
      // a failed answer says so under it.
      failed: (error, stage) => {
        if (stage === 'backend') void showError(error, backendKind);
      },
    };
    conversation.updatedAt = Date.now();
    this.postSnapshot();
    const session = this.session.run({
      answer: turn.assistant,
      answerAtOnce,
      thinkingBudget: conversation.settings.thinkingBudget,
      request: (resolved) => ({ ...resolved.settings.sampling, messages: this.messagesFor(conversation, turn, resolved) }),
      sink,
    });
    const written = this.activity ? this.activity.during(session) : session;
    const autosave = setInterval(() => void this.conversations.save(conversation), SAVE_INTERVAL_MS);
    try {
      await this.conversations.save(conversation);
      await this.conversations.refreshHistory(false);
      await written;
    } finally {
      clearInterval(autosave);
      this.progress = undefined;
      this.answering = undefined;
      conversation.updatedAt = Date.now();
      await this.conversations.save(conversation);
      await this.conversations.refreshHistory(false);
      this.postSnapshot();
      finished();
    }
  }

  /** The turn's prompt with the earlier turns that fit the backend's context. */
  private messagesFor(conversation: Conversation, turn: Turn, resolved: ResolvedBackend) {
    const earlier = conversation.turns.slice(0, conversation.turns.indexOf(turn));
    const contextTokens = resolved.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
    // An answer cannot outgrow the context whatever maxTokens says: a larger setting must not
    // leave the prompt no room at all.
    const maxAnswerTokens = Math.min(resolved.settings.sampling.maxTokens ?? ANSWER_RESERVE_TOKENS, contextTokens - MIN_PROMPT_TOKENS);
    const built = buildMessages({ turns: earlier }, turn.user, { contextTokens, maxAnswerTokens });
    this.notice = built.notice ?? undefined;
    if (built.notice) this.postSnapshot();
    return built.messages;
  }

  private setProgress(progress: string | undefined): void {
    this.progress = progress;
    this.port?.post({ type: 'progress', progress });
  }
}
