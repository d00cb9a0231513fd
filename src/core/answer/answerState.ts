/**
 * What can still be done with an answer, decided in one place for the hosts (which act) and the
 * pages (which offer the buttons): Continue and Answer now.
 */
import type { AssistantAnswer } from './answer';

type AnswerState = Pick<AssistantAnswer, 'status' | 'reasoning' | 'content' | 'forcedAnswer'>;

/** Stopped, or cut at the token limit, with something written: the model can go on from there (Continue). */
export function endedEarly(answer: AnswerState): boolean {
  return (answer.status === 'stopped' || answer.status === 'length') && (answer.reasoning !== '' || answer.content !== '');
}

/** Still in its thinking, and not yet told to answer. */
export function stillThinking(answer: AnswerState): boolean {
  return answer.content === '' && answer.forcedAnswer === undefined;
}

/**
 * Continue past the limit applies (the reasoning cache): the answer was cut at its limit while the
 * model was still thinking, so only a new attempt, started from a summary of that thinking, can
 * go further.
 */
export function canContinuePastLimit(answer: AnswerState): boolean {
  return answer.status === 'length' && stillThinking(answer) && answer.reasoning !== '';
}

/**
 * Answer now applies: the model is thinking (it has begun: before its first token there is
 * nothing to answer from), or it was stopped or cut while thinking.
 */
export function canAnswerNow(answer: AnswerState): boolean {
  return stillThinking(answer) && answer.reasoning !== '' && (answer.status === 'streaming' || endedEarly(answer));
}
