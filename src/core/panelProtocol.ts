/**
 * Messages between the extension host and the Proof panel's webview, typed both ways.
 * The host owns the authoritative run state (so a hidden or reloaded webview can be restored
 * from a snapshot); the webview only renders and reports user intent.
 */
import type { FinishReason, Usage } from './chat';
import type { AssistantAnswer } from './conversation/types';

type ForcedAnswer = AssistantAnswer['forcedAnswer'];

export type RunStatus = 'loading' | 'running' | 'done' | 'stopped' | 'error';

export interface TokenLimits {
  /** qed.generation.maxTokens, when set. */
  maxTokens?: number;
  /** Tokens of one attempt's context on the local engine (prompt included), from its memory plan. */
  contextTokens?: number;
}

/** prove: write a proof; critique: grade a proof; repair: rewrite a proof given a critique. */
export type RunKind = 'prove' | 'critique' | 'repair';

/** Everything needed to draw one proof run from scratch. */
export interface RunSnapshot {
  runId: string;
  kind: RunKind;
  title: string;
  statement: string;
  /** The proof under review (critique and repair runs). */
  proof?: string;
  /** Exactly what the model was sent, role by role, for the panel's "Prompt" section. */
  prompt: string;
  /** What document context went into the prompt and what the budget left out, in one line. */
  contextSummary?: string;
  /** Files outside the project (workspace folder) that the prompt quotes, named in the Prompt section. */
  outsideContextFiles?: string[];
  /** The document's macros for KaTeX, so its notation renders. */
  macros?: Record<string, string>;
  /** The answer can be inserted into the document it came from (Insert proof). */
  insertable?: boolean;
  /** What Insert proof writes: LaTeX into a .tex file, Markdown into a .md file. */
  insertsAs?: 'latex' | 'markdown';
  /** Where the answer came from, e.g. "local engine · qed-nano-q4_k_m.gguf" or an endpoint URL. */
  source: string;
  /** The limits that can cut the answer: what a cut run names. */
  limits?: TokenLimits;
  status: RunStatus;
  reasoning: string;
  content: string;
  /** Streamed chunks so far, an estimate of tokens until the final usage arrives. */
  reasoningChunks: number;
  contentChunks: number;
  startedAt: number;
  /** Time the first token arrived (for time to first token and tokens/s). */
  firstTokenAt?: number;
  /** Time the first answer (non-reasoning) token arrived: where Thinking ends. */
  answerStartedAt?: number;
  endedAt?: number;
  finishReason?: FinishReason;
  usage?: Usage;
  error?: string;
  /** Status line while the engine starts or the model loads. */
  progress?: string;
  /** The thinking was closed for the model before it ended it (the panel has no budget: Answer now). */
  forcedAnswer?: ForcedAnswer;
  /** Time spent stopped or cut before a Continue or Answer now, and the part of it before the answer began. */
  pausedMs?: number;
  thinkingPausedMs?: number;
  /** Restored after a window reload: the request behind it is gone, so it can only be read. */
  detached?: boolean;
}

export type HostToPanel =
  | { type: 'snapshot'; run: RunSnapshot | undefined }
  /** Text appended since the previous message; the chunk counts are totals so far. */
  | { type: 'delta'; runId: string; reasoning: string; content: string; reasoningChunks: number; contentChunks: number; firstTokenAt?: number; answerStartedAt?: number; pausedMs?: number; thinkingPausedMs?: number }
  | { type: 'status'; runId: string; status: RunStatus; progress?: string; finishReason?: FinishReason; usage?: Usage; endedAt?: number; error?: string; source?: string; limits?: TokenLimits; forcedAnswer?: ForcedAnswer; pausedMs?: number; thinkingPausedMs?: number };

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'stop'; runId: string }
  | { type: 'copy'; runId: string }
  | { type: 'retry'; runId: string }
  | { type: 'insert'; runId: string }
  /** Close the thinking and write the answer from it: now while thinking, or after a Stop or a cut. */
  | { type: 'answerNow'; runId: string }
  /** Go on from where a stopped or cut run ended, in the same run. */
  | { type: 'continue'; runId: string };

export function isPanelToHost(value: unknown): value is PanelToHost {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { type?: unknown; runId?: unknown };
  switch (message.type) {
    case 'ready':
      return true;
    case 'stop':
    case 'copy':
    case 'retry':
    case 'insert':
    case 'answerNow':
    case 'continue':
      return typeof message.runId === 'string';
    default:
      return false;
  }
}
