/**
 * A Deep Prove run's journal: an append-only list of what happened, one JSON object per line.
 * The run's definition comes first; then every model call's request when it starts and its
 * result when it finishes. A run is resumed by reading it back: a call with a recorded result is
 * never made again, so a crash loses at most the calls that were in flight. The run's view is a
 * fold of the same entries (`runView.ts`), so a reloaded window shows exactly what was done.
 */
import { assistantAnswer } from '../answer/answer';
import { array, count, literal, messages, nullable, number, object, optional, positiveInteger, string, type Infer } from '../webview/schema';
import { deepProveConfig } from './config';
import { JsonLinesError, parseJsonLines, type LineKind } from '../jsonLines';

export const JOURNAL_VERSION = 1;

export const callKind = literal('attempt', 'summary', 'verify');
export type CallKind = Infer<typeof callKind>;

/** Why a run stopped: it finished, stopped early on a perfect score, or was stopped. */
export const endReason = literal('complete', 'solved', 'user', 'budget', 'time', 'error');
export type EndReason = Infer<typeof endReason>;

/** A chat message as journals and eval records keep it. */
export const chatMessage = object({ role: literal('system', 'user', 'assistant'), content: string });

export const callRequest = object({
  messages: array(chatMessage),
  temperature: number,
  topP: number,
  topK: optional(positiveInteger),
  minP: optional(number),
  maxTokens: optional(positiveInteger),
  seed: count,
});
export type CallRequest = Infer<typeof callRequest>;

export const runEntry = object({
  type: literal('run'),
  version: literal(JOURNAL_VERSION),
  runId: string,
  createdAt: count,
  /** What the run is called in lists and the panel, e.g. "Theorem 3 (Cauchy–Schwarz)". */
  title: string,
  statement: string,
  contextText: optional(string),
  /** Where the statement came from, to insert the best proof there. */
  source: optional(object({ file: string, line: count, label: optional(string) })),
  config: deepProveConfig,
  /** Each call's seed derives from it and the call's key, so a repeated call samples the same. */
  seed: count,
});
export type RunEntry = Infer<typeof runEntry>;

/** A candidate, when the run decides to make it: its place in the lineage. */
export const candidateEntry = object({
  type: literal('candidate'),
  id: string,
  /** 0 for the first pool, then the refinement round that made it. */
  round: count,
  parent: nullable(string),
  /** The parent's verifications (1-based) the refinement was shown. */
  fromVerifications: array(positiveInteger),
  at: count,
});
export const startEntry = object({ type: literal('start'), at: count, concurrency: positiveInteger, tokenBudget: positiveInteger, timeLimitMs: nullable(positiveInteger) });
export const callEntry = object({ type: literal('call'), key: string, kind: callKind, at: count, request: callRequest });
export const resultEntry = object({ type: literal('result'), key: string, at: count, answer: assistantAnswer });
export const endEntry = object({ type: literal('end'), at: count, reason: endReason, error: optional(string) });

export const journalEntry = messages(runEntry, candidateEntry, startEntry, callEntry, resultEntry, endEntry);
export type JournalEntry = Infer<typeof journalEntry>;
export type CandidateEntry = Infer<typeof candidateEntry>;
export type StartEntry = Infer<typeof startEntry>;
export type CallEntry = Infer<typeof callEntry>;
export type ResultEntry = Infer<typeof resultEntry>;
export type EndEntry = Infer<typeof endEntry>;

/** Where a run's entries are kept. `append` resolves once the entry is written. */
export interface RunJournal {
  readonly entries: readonly JournalEntry[];
  append(entry: JournalEntry): Promise<void>;
}

export class JournalError extends Error {}

export const JOURNAL_LINE: LineKind<JournalEntry> = { schema: journalEntry, what: 'a Deep Prove journal entry' };

/**
 * The entries of a journal file's text (a last line cut short is dropped: see jsonLines.ts).
 * Anything else that cannot be read is an error that says where, since going on would repeat or
 * lose finished calls.
 */
export function parseJournal(text: string, where = 'the journal'): JournalEntry[] {
  let entries: JournalEntry[];
  try {
    entries = parseJsonLines(text, JOURNAL_LINE, where);
  } catch (error) {
    throw error instanceof JsonLinesError ? new JournalError(error.message) : error;
  }
  const first = entries[0];
  if (first && first.type !== 'run') throw new JournalError(`${where} does not start with the run's definition.`);
  if (entries.some((entry, index) => index > 0 && entry.type === 'run')) throw new JournalError(`${where} holds more than one run.`);
  return entries;
}

/** The run's definition: the first entry. */
export function runOf(entries: readonly JournalEntry[]): RunEntry {
  const first = entries[0];
  if (!first || first.type !== 'run') throw new JournalError('The journal does not start with the run\'s definition.');
  return first;
}

/** Each finished call's result by key. */
export function resultsOf(entries: readonly JournalEntry[]): Map<string, ResultEntry> {
  const results = new Map<string, ResultEntry>();
  for (const entry of entries) if (entry.type === 'result') results.set(entry.key, entry);
  return results;
}
