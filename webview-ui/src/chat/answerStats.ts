/**
 * The words the chat shows about an answer: its Thinking summary (shared with the Proof panel
 * through runStats.ts) and the one line under an answer that ended early.
 */
import type { RunSnapshot } from '../../../src/core/panelProtocol';
import type { AnswerMeta } from '../../../src/core/chatProtocol';
import { thinkingSummary } from '../runStats';

export function isStreaming(answer: AnswerMeta): boolean {
  return answer.status === 'streaming';
}

/** The answer in the shape runStats reads (token estimates in place of chunk counts). */
function asRun(answer: AnswerMeta, reasoning: string): RunSnapshot {
  return {
    runId: '',
    kind: 'prove',
    title: '',
    statement: '',
    prompt: '',
    source: '',
    status: answer.status === 'streaming' ? 'running' : answer.status === 'error' ? 'error' : answer.status === 'stopped' ? 'stopped' : 'done',
    reasoning,
    content: '',
    reasoningChunks: answer.reasoningTokens,
    contentChunks: answer.contentTokens,
    startedAt: answer.startedAt,
    firstTokenAt: answer.firstTokenAt,
    answerStartedAt: answer.answerStartedAt,
    endedAt: answer.endedAt,
    pausedMs: answer.pausedMs,
    thinkingPausedMs: answer.thinkingPausedMs,
  };
}

/** "Thinking · 1,234 tokens · 12.3 s · 45.6 tok/s". */
export function answerThinkingSummary(answer: AnswerMeta, reasoning: string, now: number): string {
  return thinkingSummary(asRun(answer, reasoning), now);
}

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
      return { text: join(forced, 'Stopped by you.'), tone: 'neutral' };
    case 'error':
      return { text: answer.error || 'The answer failed.', tone: 'error' };
  }
}
