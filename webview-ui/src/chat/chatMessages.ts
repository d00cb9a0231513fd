/**
 * Defensive parsing of what arrives on `window` 'message' in the chat webview: anything that is
 * not a well-formed HostToChat message is dropped, so a malformed or foreign message cannot
 * break the view. Conversations are checked as deeply as the view reads them.
 */
import type { AnswerMeta, ChatSnapshot, HostToChat } from '../../../src/core/chatProtocol';
import type { AssistantAnswer, Conversation, ConversationSummary, Turn } from '../../../src/core/conversation/types';
import type { ChatPlace } from './chatView';
import { isAnchorBlock } from '../hostMessages';

type Fields = Record<string, unknown>;

const ANSWER_STATUSES = ['streaming', 'done', 'stopped', 'error', 'length'];

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const optional = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || check(value);
const isMacros = (value: unknown): boolean => isObject(value) && Object.values(value).every(isString);

/** The fields of an answer other than its text. */
function isAnswerMeta(value: unknown): value is AnswerMeta {
  return (
    isObject(value) &&
    ANSWER_STATUSES.includes(value.status as string) &&
    isCount(value.startedAt) &&
    isCount(value.reasoningTokens) &&
    isCount(value.contentTokens) &&
    optional(value.firstTokenAt, isCount) &&
    optional(value.answerStartedAt, isCount) &&
    optional(value.endedAt, isCount) &&
    optional(value.error, isString) &&
    optional(value.forcedAnswer, (forced) => forced === 'budget' || forced === 'answer-now') &&
    optional(value.pausedMs, isCount) &&
    optional(value.thinkingPausedMs, isCount) &&
    optional(value.usage, (usage) => isObject(usage) && isCount(usage.promptTokens) && isCount(usage.completionTokens))
  );
}

function isAnswer(value: unknown): value is AssistantAnswer {
  return isObject(value) && isString(value.reasoning) && isString(value.content) && isAnswerMeta(value);
}

function isTurn(value: unknown): value is Turn {
  return isObject(value) && isString(value.id) && isString(value.user) && (value.typed === undefined || isString(value.typed)) && isAnswer(value.assistant);
}

function isSummary(value: unknown): value is ConversationSummary {
  return isObject(value) && isString(value.id) && isString(value.title) && isCount(value.createdAt) && isCount(value.updatedAt);
}

export function isConversation(value: unknown): value is Conversation {
  return (
    isObject(value) &&
    isSummary(value) &&
    Array.isArray(value.turns) &&
    value.turns.every(isTurn) &&
    isObject(value.settings) &&
    optional(value.katexMacros, isMacros)
  );
}

export function isChatSnapshot(value: unknown): value is ChatSnapshot {
  return (
    isObject(value) &&
    (value.conversation === undefined || isConversation(value.conversation)) &&
    Array.isArray(value.history) &&
    value.history.every(isSummary) &&
    typeof value.showThinking === 'boolean' &&
    (value.defaultThinkingBudget === null || isCount(value.defaultThinkingBudget)) &&
    optional(value.progress, isString) &&
    optional(value.source, isString) &&
    optional(value.notice, isString) &&
    Array.isArray(value.warnings) &&
    value.warnings.every(isString)
  );
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isIndexAt = (value: unknown): value is Fields => isObject(value) && isCount(value.index) && isNumber(value.top);

/** A place saved by an earlier page (webview state is ours, but may come from an older version). */
export function isChatPlace(value: unknown): value is ChatPlace {
  return (
    isObject(value) &&
    isString(value.conversationId) &&
    typeof value.following === 'boolean' &&
    isNumber(value.scrollTop) &&
    optional(value.turn, isIndexAt) &&
    optional(value.block, isAnchorBlock) &&
    optional(value.thinking, (thinking) => isObject(thinking) && Object.values(thinking).every((open) => typeof open === 'boolean'))
  );
}

export function parseHostToChat(value: unknown): HostToChat | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'snapshot':
      // postMessage drops `undefined` fields but keeps nulls: a missing conversation may arrive as null.
      if (isObject(value.state) && value.state.conversation === null) value.state.conversation = undefined;
      return isChatSnapshot(value.state) ? { type: 'snapshot', state: value.state } : undefined;
    case 'delta':
      return isString(value.conversationId) && isString(value.turnId) && isString(value.reasoning) && isString(value.content) && isAnswerMeta(value.meta)
        ? (value as HostToChat)
        : undefined;
    case 'progress':
      return optional(value.progress, isString) && optional(value.source, isString) ? (value as HostToChat) : undefined;
    case 'quote':
      return isString(value.text) ? { type: 'quote', text: value.text } : undefined;
    default:
      return undefined;
  }
}
