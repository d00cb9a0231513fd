/**
 * Messages between the extension host and the Deep Prove panel's webview. The host owns the run:
 * it sends the whole view (a fold of the run's journal) whenever an entry is written, and the
 * calls streaming now, often, in between. The page draws and reports what the user asked for.
 */
import type { LiveCall } from '../deepProve/liveCall';
import type { RunView } from '../deepProve/runView';
import { array, count, isPlainObject, literal, messages, object, optional, record, string, type Infer, type Schema } from './schema';

/** The view is the host's own fold of a journal; the page checks its outline and trusts the rest. */
const runView: Schema<RunView> = {
  is: (value: unknown): value is RunView =>
    isPlainObject(value) && isPlainObject(value.run) && typeof value.run.runId === 'string' && Array.isArray(value.candidates) && typeof value.status === 'string',
};

const liveCall: Schema<LiveCall> = object({ key: string, kind: literal('attempt', 'summary', 'verify'), startedAt: count, reasoningTokens: count, contentTokens: count });

export const hostToDeep = messages(
  /** `now`: the host's clock, so elapsed times agree with the host's. `macros`: the document's, for KaTeX. */
  object({ type: literal('view'), view: runView, live: array(liveCall), now: count, macros: optional(record(string)), insertable: optional(literal(true)) }),
  object({ type: literal('live'), runId: string, live: array(liveCall), now: count }),
);
export type HostToDeep = Infer<typeof hostToDeep>;

export const deepToHost = messages(
  object({ type: literal('ready') }),
  /** stop: end the session, keeping what finished; resume: go on from the journal. */
  object({ type: literal('stop', 'resume', 'insertBest', 'copyBest'), runId: string }),
  /** A candidate other than the best, by id. */
  object({ type: literal('insert', 'copy'), runId: string, candidate: string }),
);
export type DeepToHost = Infer<typeof deepToHost>;
