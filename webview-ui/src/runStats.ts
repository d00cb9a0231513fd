/**
 * The words and numbers the pages show about an answer: the Proof panel's status line, and the
 * Thinking summary of both pages. Pure, so the wording lives in one place.
 */
import { REASONING_CACHE_RESTARTS } from '../../src/core/deepProve/config';
import { isStreaming, type AssistantAnswer } from '../../src/core/answer/answer';
import type { RunSnapshot } from '../../src/core/webview/panelProtocol';

export type Tone = 'progress' | 'success' | 'warning' | 'error' | 'neutral';

export interface StatusLine {
  /** Announced to screen readers when it changes. */
  phase: string;
  /** Counters that tick while running: shown, not announced. */
  detail: string;
  tone: Tone;
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function tokens(count: number): string {
  return `${numberFormat.format(count)} ${count === 1 ? 'token' : 'tokens'}`;
}

function seconds(ms: number): string {
  return `${decimalFormat.format(Math.max(0, ms) / 1000)} s`;
}

/** Tokens per second, or undefined while the interval is too short to mean anything. */
function rate(count: number, ms: number): string | undefined {
  if (count <= 0 || ms < 250) return undefined;
  return `${decimalFormat.format(count / (ms / 1000))} tok/s`;
}

function join(parts: (string | undefined)[]): string {
  return parts.filter((part): part is string => !!part).join(' · ');
}

/** All generated tokens: the server's count once known, the streamed estimate until then. */
export function generatedTokens(answer: AssistantAnswer): number {
  return answer.usage?.completionTokens ?? answer.reasoningTokens + answer.contentTokens;
}

/** When the answer stopped producing tokens, or `now` while it still does. */
function endOf(answer: AssistantAnswer, now: number): number {
  return isStreaming(answer) ? now : answer.endedAt ?? now;
}

export function statusLine(run: RunSnapshot, now: number): StatusLine {
  const { answer } = run;
  const count = generatedTokens(answer);
  // A run continued after a Stop or a cut leaves out the time it stood still.
  const paused = answer.pausedMs ?? 0;
  const generating = answer.firstTokenAt === undefined ? 0 : endOf(answer, now) - answer.firstTokenAt - paused;
  const totals = join([tokens(count), seconds(endOf(answer, now) - answer.startedAt - paused), rate(count, generating)]);
  switch (answer.status) {
    case 'streaming':
      if (run.progress !== undefined) return { phase: run.progress || 'Loading model…', detail: '', tone: 'progress' };
      if (answer.forcedAnswer && !answer.content) return { phase: 'Answer now: the thinking is closed, the answer comes next…', detail: totals, tone: 'progress' };
      if (answer.firstTokenAt === undefined) return { phase: 'Generating…', detail: '', tone: 'progress' };
      return { phase: 'Generating…', detail: totals, tone: 'progress' };
    case 'stopped':
      return { phase: join([answer.error || 'Stopped by you', count > 0 ? tokens(count) : undefined]), detail: '', tone: 'neutral' };
    case 'length':
      if (!answer.content) {
        return {
          phase: `Cut while thinking by ${cutBy(run)}: no ${run.kind === 'critique' ? 'evaluation' : 'proof'} yet. Answer now writes it from the thinking; Continue thinks on${
            run.kind === 'prove' && (run.attempt ?? 1) <= REASONING_CACHE_RESTARTS ? '; Continue past the limit starts anew from a summary of it' : ''
          }`,
          detail: totals,
          tone: 'warning',
        };
      }
      return { phase: `Cut by ${cutBy(run)}: the proof may be incomplete`, detail: totals, tone: 'warning' };
    case 'done':
      return { phase: join(['Finished', totals]), detail: '', tone: 'success' };
    case 'error':
      return { phase: answer.error || 'The run failed.', detail: '', tone: 'error' };
  }
}

/**
 * Which limit cut a run (finish_reason length): the answer limit the user set, the room of an
 * attempt on this machine (the local engine's context, prompt included), or the server's.
 */
export function cutBy(run: RunSnapshot): string {
  const { maxTokens, contextTokens } = run.limits ?? {};
  if (maxTokens !== undefined && generatedTokens(run.answer) >= maxTokens) return `the token limit qed.generation.maxTokens (${tokens(maxTokens)})`;
  if (contextTokens !== undefined) return `this machine’s context (${tokens(contextTokens)} per attempt, prompt included)`;
  return 'the server’s token limit';
}

/** "Thinking · 1,234 tokens · 12.3 s · 45.6 tok/s"; thinking ends where the answer starts. */
export function thinkingSummary(answer: AssistantAnswer, now: number): string {
  if (answer.reasoningTokens === 0 && !answer.reasoning) return isStreaming(answer) ? 'Thinking…' : 'Thinking';
  const start = answer.firstTokenAt ?? answer.startedAt;
  const end = answer.answerStartedAt ?? endOf(answer, now);
  const ms = end - start - (answer.thinkingPausedMs ?? 0);
  const closed = answer.forcedAnswer === 'answer-now' ? 'closed by Answer now' : answer.forcedAnswer === 'budget' ? 'closed at its budget' : undefined;
  return join(['Thinking', tokens(answer.reasoningTokens), seconds(ms), rate(answer.reasoningTokens, ms), closed]);
}
