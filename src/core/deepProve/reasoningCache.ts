/**
 * The reasoning cache's one step that is not a proof attempt: summarising the thinking of an
 * attempt that ran out of room, so the next attempt can start from the problem and the summary.
 * Deep Prove journals these calls itself; a single Prove's "Continue past the limit" makes them
 * here. The summariser is a thinking model too: it is asked for its summary halfway through its
 * room, so that it cannot spend it all thinking.
 */
import type { AssistantAnswer } from '../answer/answer';
import type { ChatBackend, SamplingOptions } from '../chat';
import { runTurn, type AnswerListener } from '../conversation/turnRunner';
import { summaryMessages, type DeepProblem } from './prompts';

/** The summariser's room: two paragraphs need far less; its thinking gets half. */
export const SUMMARY_TOKENS = 8192;

export function summaryLimits(maxTokensPerCall: number | null | undefined): { maxTokens: number; thinkingBudget: number } {
  const maxTokens = Math.min(SUMMARY_TOKENS, maxTokensPerCall ?? SUMMARY_TOKENS);
  return { maxTokens, thinkingBudget: Math.floor(maxTokens / 2) };
}

export interface SummaryRequest {
  problem: DeepProblem;
  /** The summary the attempt started from, whose content the new one keeps. */
  previousSummary?: string;
  /** The thinking of the attempt that ran out of room. */
  reasoning: string;
  sampling: SamplingOptions;
  signal: AbortSignal;
  onUpdate?: AnswerListener;
}

/** The summariser's answer; its `content` is the summary ('' if it wrote none: see status). */
export function summariseAttempt(backend: ChatBackend, request: SummaryRequest): Promise<AssistantAnswer> {
  const { maxTokens, thinkingBudget } = summaryLimits(request.sampling.maxTokens);
  return runTurn(
    backend,
    { ...request.sampling, maxTokens, messages: summaryMessages(request.problem, request.previousSummary, request.reasoning) },
    { thinkingBudget, signal: request.signal },
    request.onUpdate ?? (() => undefined),
  );
}
