/**
 * The words and numbers the Proof panel shows about a run: the status line and the Thinking
 * summary. Pure, so the wording lives in one place.
 */
import type { RunSnapshot } from '../../src/core/panelProtocol';

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

export function isActive(run: RunSnapshot): boolean {
  return run.status === 'loading' || run.status === 'running';
}

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

/** All generated tokens: the server's count once known, the streamed chunks until then. */
export function generatedTokens(run: RunSnapshot): number {
  return run.usage?.completionTokens ?? run.reasoningChunks + run.contentChunks;
}

/** When the run stopped producing tokens, or `now` while it still does. */
function endOf(run: RunSnapshot, now: number): number {
  return isActive(run) ? now : run.endedAt ?? now;
}

export function statusLine(run: RunSnapshot, now: number): StatusLine {
  const count = generatedTokens(run);
  // A run continued after a Stop or a cut leaves out the time it stood still.
  const paused = run.pausedMs ?? 0;
  const generating = run.firstTokenAt === undefined ? 0 : endOf(run, now) - run.firstTokenAt - paused;
  const totals = join([tokens(count), seconds(endOf(run, now) - run.startedAt - paused), rate(count, generating)]);
  switch (run.status) {
    case 'loading':
      return { phase: run.progress || 'Loading model…', detail: '', tone: 'progress' };
    case 'running':
      if (run.forcedAnswer && !run.content) return { phase: 'Answer now: the thinking is closed, the answer comes next…', detail: totals, tone: 'progress' };
      if (run.firstTokenAt === undefined) return { phase: run.progress || 'Generating…', detail: '', tone: 'progress' };
      return { phase: 'Generating…', detail: totals, tone: 'progress' };
    case 'stopped':
      return { phase: join([run.error || 'Stopped by you', count > 0 ? tokens(count) : undefined]), detail: '', tone: 'neutral' };
    case 'done':
      if (run.finishReason === 'length' && !run.content) {
        return {
          phase: `Cut while thinking by ${cutBy(run)}: no ${run.kind === 'critique' ? 'evaluation' : 'proof'} yet. Answer now writes it from the thinking; Continue thinks on`,
          detail: totals,
          tone: 'warning',
        };
      }
      if (run.finishReason === 'length') {
        return {
          phase: `Cut by ${cutBy(run)}: the proof may be incomplete`,
          detail: totals,
          tone: 'warning',
        };
      }
      if (run.finishReason === 'cancelled') return { phase: join(['Stopped by you', tokens(count)]), detail: '', tone: 'neutral' };
      return { phase: join(['Finished', totals]), detail: '', tone: 'success' };
    case 'error':
      return { phase: run.error || 'The run failed.', detail: '', tone: 'error' };
  }
}

/**
 * Which limit cut a run (finish_reason length): the answer limit the user set, the room of an
 * attempt on this machine (the local engine's context, prompt included), or the server's.
 */
export function cutBy(run: RunSnapshot): string {
  const { maxTokens, contextTokens } = run.limits ?? {};
  if (maxTokens !== undefined && generatedTokens(run) >= maxTokens) return `the token limit qed.generation.maxTokens (${tokens(maxTokens)})`;
  if (contextTokens !== undefined) return `this machine’s context (${tokens(contextTokens)} per attempt, prompt included)`;
  return 'the server’s token limit';
}

/** "Thinking · 1,234 tokens · 12.3 s · 45.6 tok/s"; thinking ends where the answer starts. */
export function thinkingSummary(run: RunSnapshot, now: number): string {
  if (run.reasoningChunks === 0 && !run.reasoning) return isActive(run) ? 'Thinking…' : 'Thinking';
  const start = run.firstTokenAt ?? run.startedAt;
  const end = run.answerStartedAt ?? endOf(run, now);
  const ms = end - start - (run.thinkingPausedMs ?? 0);
  const closed = run.forcedAnswer === 'answer-now' ? 'closed by Answer now' : run.forcedAnswer === 'budget' ? 'closed at its budget' : undefined;
  return join(['Thinking', tokens(run.reasoningChunks), seconds(ms), rate(run.reasoningChunks, ms), closed]);
}
