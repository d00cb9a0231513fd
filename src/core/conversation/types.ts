/**
 * A chat conversation as the side panel shows it and the history store saves it. Times are
 * milliseconds since the epoch; token counts are estimates until the server reports usage.
 */
import type { FinishReason, Usage } from '../chat';

export const CONVERSATION_VERSION = 1;

export interface Conversation {
  version: typeof CONVERSATION_VERSION;
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  turns: Turn[];
  /** The selection the conversation started from, for "go to source". */
  origin?: { file: string; startLine: number; endLine: number };
  /** KaTeX macros from the source document, so its math renders here too. */
  katexMacros?: Record<string, string>;
  settings: ConversationSettings;
}

export interface ConversationSettings {
  /** Reasoning tokens before the answer is forced; null = unlimited. */
  thinkingBudget: number | null;
}

export interface Turn {
  id: string;
  /** What the model was sent for this turn. */
  user: string;
  /** What the user typed, when the model was sent more: a slash command and its expanded prompt. */
  typed?: string;
  assistant: AssistantAnswer;
}

/**
 * - streaming: being generated;  done: the model finished;  length: cut by max tokens (Continue);
 * - stopped: the user stopped it;  error: the backend failed (`error` says how).
 * Stopped, error and length keep the partial text.
 */
export type AnswerStatus = 'streaming' | 'done' | 'stopped' | 'error' | 'length';

export interface AssistantAnswer {
  reasoning: string;
  content: string;
  status: AnswerStatus;
  finishReason?: FinishReason;
  /** Summed over the requests of the answer (a forced or continued answer takes several). */
  usage?: Usage;
  /** The backend's one-line message, when status is 'error'. */
  error?: string;
  startedAt: number;
  firstTokenAt?: number;
  answerStartedAt?: number;
  endedAt?: number;
  reasoningTokens: number;
  contentTokens: number;
  /** Why the thinking was closed for the model: its budget ran out, or the user asked. */
  forcedAnswer?: 'budget' | 'answer-now';
  /** Time between early ends and their continuations: not generating, so not in its speed. */
  pausedMs?: number;
  /** The part of `pausedMs` before the answer began, which is not thinking time either. */
  thinkingPausedMs?: number;
}

/** What the history list shows, read without loading the turns. */
export interface ConversationSummary {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  origin?: Conversation['origin'];
}
