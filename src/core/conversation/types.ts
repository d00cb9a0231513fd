/**
 * A chat conversation as the side panel shows it and the history store saves it. Defined as
 * schemas: the chat's webview checks the conversations it is sent against them.
 */
import { assistantAnswer } from '../answer/answer';
import { count, nullable, number, object, optional, record, string, array, type Infer } from '../webview/schema';

export const CONVERSATION_VERSION = 1;

export const turn = object({
  id: string,
  /** What the model was sent for this turn. */
  user: string,
  /** What the user typed, when the model was sent more: a slash command and its expanded prompt. */
  typed: optional(string),
  assistant: assistantAnswer,
});
export type Turn = Infer<typeof turn>;

/** Where a conversation started: the selection, for "go to source". */
const origin = object({ file: string, startLine: count, endLine: count });

const summaryFields = { id: string, title: string, createdAt: count, updatedAt: count, origin: optional(origin) };

/** What the history list shows, read without loading the turns. */
export const conversationSummary = object(summaryFields);
export type ConversationSummary = Infer<typeof conversationSummary>;

export const conversationSettings = object({
  /** Reasoning tokens before the answer is forced; null = unlimited. */
  thinkingBudget: nullable(number),
});
export type ConversationSettings = Infer<typeof conversationSettings>;

export const conversation = object({
  ...summaryFields,
  version: number,
  turns: array(turn),
  /** KaTeX macros from the source document, so its math renders here too. */
  katexMacros: optional(record(string)),
  settings: conversationSettings,
});
export type Conversation = Omit<Infer<typeof conversation>, 'version'> & { version: typeof CONVERSATION_VERSION };
