/**
 * Messages between the extension host and the side-panel chat's webview, typed both ways, in
 * the style of panelProtocol.ts: the host owns the conversations, so a webview that was hidden
 * or reloaded is redrawn from a snapshot; streaming answers arrive as appended text; the webview
 * only renders and reports what the user asked for.
 */
import type { AssistantAnswer, Conversation, ConversationSummary } from './conversation/types';

/** Everything the chat view draws, from scratch. */
export interface ChatSnapshot {
  /** The open conversation; undefined before the first message of a new one. */
  conversation: Conversation | undefined;
  history: ConversationSummary[];
  /** The Thinking sections are shown (setting `qed.chat.showThinking`). */
  showThinking: boolean;
  /** The thinking budget new conversations start with (setting `qed.chat.thinkingBudget`); null = unlimited. */
  defaultThinkingBudget: number | null;
  /** Status line while the engine starts or the model loads. */
  progress?: string;
  /** Where answers come from, e.g. "local engine · qed-nano-q4_k_m.gguf". */
  source?: string;
  /** The prompt builder's notice for the latest turn (earlier turns left out to fit the context). */
  notice?: string;
  /** History files that could not be read (kept aside), shown once as a warning. */
  warnings: string[];
}

/** An answer's fields other than its text, which travels in deltas. */
export type AnswerMeta = Omit<AssistantAnswer, 'reasoning' | 'content'>;

export type HostToChat =
  | { type: 'snapshot'; state: ChatSnapshot }
  /** Text appended to the answer of `turnId` since the previous message, with the answer's other fields now. */
  | { type: 'delta'; conversationId: string; turnId: string; reasoning: string; content: string; meta: AnswerMeta }
  | { type: 'progress'; progress: string | undefined; source?: string }
  /** Text for the composer: a quoted selection (Add selection, or a drop). */
  | { type: 'quote'; text: string };

export type AnswerAction = 'stop' | 'answerNow' | 'continue' | 'regenerate' | 'copy' | 'insert';

export type ChatToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'answerAction'; action: AnswerAction; turnId: string }
  /** Copy exactly this text (e.g. a formula's LaTeX source). */
  | { type: 'copyText'; text: string }
  | { type: 'addSelection' }
  /** Text dropped on the composer; the host adds the file and lines when it is the editor's selection. */
  | { type: 'dropText'; text: string }
  | { type: 'setThinkingBudget'; budget: number | null }
  | { type: 'dismissWarnings' };

const ANSWER_ACTIONS: readonly AnswerAction[] = ['stop', 'answerNow', 'continue', 'regenerate', 'copy', 'insert'];

/** Text the webview may send: bounded, so a runaway page cannot make the host hold megabytes per message. */
const MAX_TEXT = 1_000_000;

const isText = (value: unknown): value is string => typeof value === 'string' && value.length <= MAX_TEXT;

export function isChatToHost(value: unknown): value is ChatToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
    case 'addSelection':
    case 'dismissWarnings':
      return true;
    case 'send':
    case 'copyText':
    case 'dropText':
      return isText(message.text);
    case 'answerAction':
      return ANSWER_ACTIONS.includes(message.action as AnswerAction) && typeof message.turnId === 'string';
    case 'setThinkingBudget':
      return message.budget === null || (typeof message.budget === 'number' && Number.isInteger(message.budget) && message.budget > 0);
    default:
      return false;
  }
}
