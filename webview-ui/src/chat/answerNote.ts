/** The one line the chat shows under an answer that is being written or ended early. */
import type { AnswerMeta } from '../../../src/core/answer/answer';

export type AnswerTone = 'progress' | 'warning' | 'error' | 'neutral' | 'success';

/** The line under an answer; empty for a plain finished one. */
export function answerNote(answer: AnswerMeta, hasContent: boolean): { text: string; tone: AnswerTone } {
  const forced = answer.forcedAnswer === 'budget' ? 'Thinking budget reached: answer requested.' : answer.forcedAnswer === 'answer-now' ? 'Answer requested before the thinking ended.' : '';
  const join = (...parts: string[]) => parts.filter(Boolean).join(' ');
  switch (answer.status) {
    case 'streaming':
      return { text: join(hasContent || answer.forcedAnswer ? 'Answering…' : answer.firstTokenAt === undefined ? 'Waiting for the model…' : 'Thinking…', forced), tone: 'progress' };
    case 'done':
      return { text: forced, tone: forced ? 'neutral' : 'success' };
    case 'length':
      return { text: join(forced, 'Cut off at the length limit (finish_reason length).'), tone: 'warning' };
    case 'stopped':
      return { text: join(forced, answer.error || 'Stopped by you.'), tone: 'neutral' };
    case 'error':
      return { text: answer.error || 'The answer failed.', tone: 'error' };
  }
}
