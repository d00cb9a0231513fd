/**
 * The messages for the next turn of a conversation, following QED-Nano's rules for multi-turn
 * prompts: earlier answers go back without their thinking, and when the conversation outgrows the
 * context the oldest turns are left out whole, never the new message.
 */
import type { ChatMessage } from '../chat';
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS } from './tokenEstimate';
import type { Conversation } from './types';

export interface PromptLimits {
  /** Tokens the model's context holds (prompt and answer together). */
  contextTokens: number;
  /** Tokens kept free for the answer (the request's max tokens). */
  maxAnswerTokens: number;
  systemPrompt?: string;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** Earlier turns left out to fit the context. */
  droppedTurns: number;
  /** A sentence for the view when something was left out or may not fit; null otherwise. */
  notice: string | null;
}

/** `<|im_start|>assistant\n<think>\n`, which the template appends to every prompt. */
const GENERATION_PROMPT_TOKENS = 5;

/**
 * Turns whose answer is empty (stopped or failed while thinking, or cut before `</think>`) are
 * skipped: the model never saw an answer, and a question left hanging would only confuse it. They
 * do not count as dropped. A partial answer (stopped, failed or cut mid-answer) goes back as it is,
 * since the user saw it and may refer to it.
 */
export function buildMessages(conversation: Pick<Conversation, 'turns'>, nextUser: string, limits: PromptLimits): BuiltPrompt {
  const system: ChatMessage[] = limits.systemPrompt ? [{ role: 'system', content: limits.systemPrompt }] : [];
  const next: ChatMessage = { role: 'user', content: nextUser };
  const fixedTokens = [...system, next].reduce((sum, message) => sum + messageTokens(message), GENERATION_PROMPT_TOKENS);
  let room = limits.contextTokens - limits.maxAnswerTokens - fixedTokens;

  const answered = conversation.turns.filter((turn) => turn.assistant.content.trim() !== '');
  const kept: ChatMessage[] = [];
  let keptTurns = 0;
  // Newest first, stopping at the first turn that does not fit: a gap in the middle of a
  // conversation would read as if the model had forgotten something it was told.
  for (let i = answered.length - 1; i >= 0; i--) {
    const turn = answered[i]!;
    const user: ChatMessage = { role: 'user', content: turn.user };
    const assistant: ChatMessage = { role: 'assistant', content: turn.assistant.content };
    const cost = messageTokens(user) + messageTokens(assistant);
    if (cost > room) break;
    room -= cost;
    kept.unshift(user, assistant);
    keptTurns++;
  }

  const droppedTurns = answered.length - keptTurns;
  return { messages: [...system, ...kept, next], droppedTurns, notice: noticeFor(droppedTurns, room) };
}

function messageTokens(message: ChatMessage): number {
  return estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}

function noticeFor(droppedTurns: number, room: number): string | null {
  if (room < 0) {
    const without = droppedTurns > 0 ? ` even without the ${plural(droppedTurns, 'earlier turn')}` : '';
    return `The message may not fit the context${without}: shorten it, or lower the answer length.`;
  }
  if (droppedTurns === 0) return null;
  return `${plural(droppedTurns, 'earlier turn')} left out to fit the context.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
