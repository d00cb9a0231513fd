/**
 * What can still be done with an answer, decided in one place for the host (which acts) and the
 * Proof panel's page (which offers the buttons).
 */
import type { AssistantAnswer } from './types';

type AnswerState = Pick<AssistantAnswer, 'status' | 'reasoning' | 'content' | 'forcedAnswer'>;

/** Stopped, or cut at the token limit, with something written: the model can go on from there (Continue). */
export function endedEarly(answer: AnswerState): boolean {
  return (answer.status === 'stopped' || answer.status === 'length') && (answer.reasoning !== '' || answer.content !== '');
}

/** Still in its thinking, and not yet told to answer. */
export function stillThinking(answer: AnswerState): boolean {
  return answer.content === '' && answer.forcedAnswer === undefined;
}

/** Answer now applies: the model is thinking, or it was stopped or cut while thinking. */
export function canAnswerNow(answer: AnswerState): boolean {
  return stillThinking(answer) && (answer.status === 'streaming' || (endedEarly(answer) && answer.reasoning !== ''));
}
