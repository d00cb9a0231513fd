/**
 * Defensive parsing of what arrives on `window` 'message' (and of the saved state): anything that
 * is not a well-formed HostToPanel message is dropped, so a malformed or foreign message cannot
 * break the panel.
 */
import type { FinishReason, Usage } from '../../src/core/chat';
import type { HostToPanel, RunKind, RunSnapshot, RunStatus, TokenLimits } from '../../src/core/panelProtocol';
import type { ScrollAnchor } from './scrollAnchor';

type Fields = Record<string, unknown>;

const STATUSES: readonly RunStatus[] = ['loading', 'running', 'done', 'stopped', 'error'];
const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'cancelled'];
const KINDS: readonly RunKind[] = ['prove', 'critique', 'repair'];

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const optional = <T>(value: unknown, check: (value: unknown) => value is T): value is T | undefined =>
  value === undefined || check(value);
const isStatus = (value: unknown): value is RunStatus => STATUSES.includes(value as RunStatus);
const isFinishReason = (value: unknown): value is FinishReason => FINISH_REASONS.includes(value as FinishReason);
const isKind = (value: unknown): value is RunKind => KINDS.includes(value as RunKind);
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isForcedAnswer = (value: unknown): value is 'budget' | 'answer-now' => value === 'budget' || value === 'answer-now';
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isInsertFormat = (value: unknown): value is 'latex' | 'markdown' => value === 'latex' || value === 'markdown';
const isMacros = (value: unknown): value is Record<string, string> =>
  isObject(value) && Object.values(value).every(isString);
const isUsage = (value: unknown): value is Usage =>
  isObject(value) && isCount(value.promptTokens) && isCount(value.completionTokens);

/** Runs saved by an older version lack the newer fields; they are filled in, not dropped. */
export function isRunSnapshot(value: unknown): value is RunSnapshot {
  if (isObject(value)) {
    value.kind ??= 'prove';
    value.prompt ??= '';
  }
  return (
    isObject(value) &&
    isString(value.runId) &&
    isKind(value.kind) &&
    isString(value.prompt) &&
    optional(value.proof, isString) &&
    optional(value.contextSummary, isString) &&
    optional(value.outsideContextFiles, isStrings) &&
    optional(value.macros, isMacros) &&
    optional(value.insertable, isBoolean) &&
    optional(value.insertsAs, isInsertFormat) &&
    isString(value.title) &&
    isString(value.statement) &&
    isString(value.source) &&
    optional(value.limits, isTokenLimits) &&
    isStatus(value.status) &&
    isString(value.reasoning) &&
    isString(value.content) &&
    isCount(value.reasoningChunks) &&
    isCount(value.contentChunks) &&
    isCount(value.startedAt) &&
    optional(value.firstTokenAt, isCount) &&
    optional(value.answerStartedAt, isCount) &&
    optional(value.endedAt, isCount) &&
    optional(value.finishReason, isFinishReason) &&
    optional(value.usage, isUsage) &&
    optional(value.error, isString) &&
    optional(value.progress, isString) &&
    optional(value.forcedAnswer, isForcedAnswer) &&
    optional(value.pausedMs, isCount) &&
    optional(value.thinkingPausedMs, isCount) &&
    optional(value.detached, isBoolean)
  );
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A saved anchor block (scrollAnchor.ts), in the panel's and the chat's saved places. */
export function isAnchorBlock(block: unknown): block is NonNullable<ScrollAnchor['block']> {
  return isObject(block) && isString(block.section) && isCount(block.index) && isFiniteNumber(block.top);
}

/** The saved reading place (scrollAnchor.ts); an older or damaged one is ignored. */
export function isScrollAnchor(value: unknown): value is ScrollAnchor {
  return (
    isObject(value) &&
    isString(value.runId) &&
    isBoolean(value.following) &&
    isFiniteNumber(value.scrollY) &&
    optional(value.thinkingOpen, isBoolean) &&
    optional(value.block, isAnchorBlock)
  );
}

export function parseHostMessage(value: unknown): HostToPanel | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'snapshot':
      return value.run === undefined || value.run === null || isRunSnapshot(value.run)
        ? { type: 'snapshot', run: value.run ?? undefined }
        : undefined;
    case 'delta':
      return isString(value.runId) &&
        isString(value.reasoning) &&
        isString(value.content) &&
        isCount(value.reasoningChunks) &&
        isCount(value.contentChunks) &&
        optional(value.firstTokenAt, isCount) &&
        optional(value.answerStartedAt, isCount) &&
        optional(value.pausedMs, isCount) &&
        optional(value.thinkingPausedMs, isCount)
        ? (value as HostToPanel)
        : undefined;
    case 'status':
      return isString(value.runId) &&
        isStatus(value.status) &&
        optional(value.progress, isString) &&
        optional(value.finishReason, isFinishReason) &&
        optional(value.usage, isUsage) &&
        optional(value.endedAt, isCount) &&
        optional(value.error, isString) &&
        optional(value.source, isString) &&
        optional(value.limits, isTokenLimits) &&
        optional(value.forcedAnswer, isForcedAnswer) &&
        optional(value.pausedMs, isCount) &&
        optional(value.thinkingPausedMs, isCount)
        ? (value as HostToPanel)
        : undefined;
    default:
      return undefined;
  }
}

function isTokenLimits(value: unknown): value is TokenLimits {
  return isObject(value) && optional(value.maxTokens, isCount) && optional(value.contextTokens, isCount);
}
