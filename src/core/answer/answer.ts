/**
 * The one answer model: what the model wrote for a request and how that went, as the Proof
 * panel, the chat (and its history files) and the agent all keep it. Times are milliseconds since
 * the epoch; token counts are estimates while streaming and the server's once it reports usage.
 */
import { count, literal, object, optional, string, type Infer } from '../webview/schema';

/**
 * - streaming: being generated (or the backend is being prepared for it);
 * - done: the model finished;  length: cut by a token limit (Continue goes on);
 * - stopped: the user stopped it, or the window closed under it (`error` then says so);
 * - error: the backend failed (`error` says how).
 * All but done keep the partial text.
 */
export const answerStatus = literal('streaming', 'done', 'length', 'stopped', 'error');
export type AnswerStatus = Infer<typeof answerStatus>;

export const finishReason = literal('stop', 'length', 'cancelled');
export const usage = object({ promptTokens: count, completionTokens: count });
/** Why the thinking was closed for the model: its budget ran out, or the user asked (Answer now). */
export const forcedAnswer = literal('budget', 'answer-now');

const metaFields = {
  status: answerStatus,
  finishReason: optional(finishReason),
  /** Summed over the requests of the answer (a forced or continued answer takes several). */
  usage: optional(usage),
  /** Why it failed (status error) or what ended it other than the user (status stopped). */
  error: optional(string),
  startedAt: count,
  firstTokenAt: optional(count),
  /** When the first answer (non-reasoning) token arrived: where Thinking ends. */
  answerStartedAt: optional(count),
  endedAt: optional(count),
  reasoningTokens: count,
  contentTokens: count,
  forcedAnswer: optional(forcedAnswer),
  /** Time between early ends and their continuations: not generating, so not in its speed. */
  pausedMs: optional(count),
  /** The part of `pausedMs` before the answer began, which is not thinking time either. */
  thinkingPausedMs: optional(count),
};

/** An answer's fields other than its text (which travels in deltas). */
export const answerMeta = object(metaFields);
export type AnswerMeta = Infer<typeof answerMeta>;

export const assistantAnswer = object({ reasoning: string, content: string, ...metaFields });
export type AssistantAnswer = Infer<typeof assistantAnswer>;

/** An answer that has been asked for and has nothing yet. */
export function pendingAnswer(now: number): AssistantAnswer {
  return { reasoning: '', content: '', status: 'streaming', startedAt: now, reasoningTokens: 0, contentTokens: 0 };
}

export function metaOf(answer: AssistantAnswer): AnswerMeta {
  const { reasoning: _reasoning, content: _content, ...meta } = answer;
  return meta;
}

export function isStreaming(answer: Pick<AssistantAnswer, 'status'>): boolean {
  return answer.status === 'streaming';
}
