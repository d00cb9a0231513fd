/**
 * Messages between the extension host and the Proof panel's webview, each direction defined once
 * as a schema (the type and the webview's and host's run-time checks come from it). The host
 * owns the run (so a hidden or reloaded webview is redrawn from a snapshot); the webview renders
 * and reports what the user asked for.
 */
import { assistantAnswer, type AssistantAnswer } from '../answer/answer';
import { answerDelta } from '../answer/answerDelta';
import { array, boolean, count, isPlainObject, literal, messages, nullable, object, optional, record, string, type Infer } from './schema';

/** prove: write a proof; critique: grade a proof; repair: rewrite a proof given a critique. */
export const runKind = literal('prove', 'critique', 'repair');
export type RunKind = Infer<typeof runKind>;

/** The limits that can cut an answer: what a cut run names. */
export const tokenLimits = object({
  /** qed.generation.maxTokens, when set. */
  maxTokens: optional(count),
  /** Tokens of one attempt's context on the local engine (prompt included), from its memory plan. */
  contextTokens: optional(count),
});
export type TokenLimits = Infer<typeof tokenLimits>;

const headerFields = {
  runId: string,
  kind: runKind,
  title: string,
  statement: string,
  /** The proof under review (critique and repair runs). */
  proof: optional(string),
  /** Exactly what the model was sent, role by role, for the panel's "Prompt" section. */
  prompt: string,
  /** What document context went into the prompt and what the budget left out, in one line. */
  contextSummary: optional(string),
  /** Files outside the project (workspace folder) that the prompt quotes, named in the Prompt section. */
  outsideContextFiles: optional(array(string)),
  /** The document's macros for KaTeX, so its notation renders. */
  macros: optional(record(string)),
  /** The answer can be inserted into the document it came from (Insert proof). */
  insertable: optional(boolean),
  /** What Insert proof writes: LaTeX into a .tex file, Markdown into a .md file. */
  insertsAs: optional(literal('latex', 'markdown')),
  /** Where the answer came from, e.g. "local engine · qed-nano-q4_k_m.gguf" or an endpoint URL. */
  source: string,
  limits: optional(tokenLimits),
  /** What the backend is doing while it is prepared (the engine starts, the model loads). */
  progress: optional(string),
  /** Restored after a window reload without the request behind it: it can only be read. */
  detached: optional(boolean),
  /** A Prove continued past its limit: the attempt this is (2 or more), started from a summary of the last. */
  attempt: optional(count),
};

/** A run: what was asked (its header) and the answer. Everything needed to draw it from scratch. */
export const runSnapshot = object({ ...headerFields, answer: assistantAnswer });
export type RunSnapshot = Infer<typeof runSnapshot>;

export const hostToPanel = messages(
  // postMessage keeps null: "no run" may arrive as null.
  object({ type: literal('snapshot'), run: optional(nullable(runSnapshot)) }),
  object({ type: literal('delta'), runId: string, delta: answerDelta }),
  /** The backend's preparation, and where the answer comes from once it is ready. */
  object({ type: literal('progress'), runId: string, progress: optional(string), source: optional(string), limits: optional(tokenLimits) }),
);
export type HostToPanel = Infer<typeof hostToPanel>;

export const panelToHost = messages(
  object({ type: literal('ready') }),
  /**
   * answerNow: close the thinking and write the answer from it (now while thinking, or after a
   * Stop or a cut); continue: go on from where a stopped or cut run ended, in the same run;
   * continuePastLimit: a new attempt from a summary of the thinking of a Prove cut while thinking.
   */
  object({ type: literal('stop', 'copy', 'retry', 'insert', 'answerNow', 'continue', 'continuePastLimit'), runId: string }),
);
export type PanelToHost = Infer<typeof panelToHost>;

/**
 * A run saved in the webview's state, by this version or an older one (whose runs were flat,
 * with `reasoningChunks` and a loading/running/done status): read as a RunSnapshot, or undefined.
 */
export function savedRun(value: unknown): RunSnapshot | undefined {
  if (runSnapshot.is(value)) return value;
  if (!isPlainObject(value) || 'answer' in value) return undefined;
  const { status, reasoningChunks, contentChunks, progress, ...rest } = value;
  const answerFields = ['reasoning', 'content', 'finishReason', 'usage', 'error', 'startedAt', 'firstTokenAt', 'answerStartedAt', 'endedAt', 'forcedAnswer', 'pausedMs', 'thinkingPausedMs'];
  const header = Object.fromEntries(Object.entries(rest).filter(([key]) => !answerFields.includes(key)));
  const answer = {
    ...Object.fromEntries(Object.entries(rest).filter(([key]) => answerFields.includes(key))),
    status: status === 'loading' || status === 'running' ? 'streaming' : status === 'done' && rest.finishReason === 'length' ? 'length' : status,
    reasoningTokens: reasoningChunks,
    contentTokens: contentChunks,
  } as AssistantAnswer;
  const run = { kind: 'prove', prompt: '', ...header, progress: status === 'loading' ? progress : undefined, answer };
  return runSnapshot.is(run) ? run : undefined;
}
