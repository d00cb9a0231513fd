/**
 * A saved run in a line of the list of runs: what "QED: Open Deep Prove Run…" shows of it. A
 * journal holds every call's request and answer, thinking included: tens of MB for a real run,
 * so the list keeps each run's summary beside its journal (runStore.ts) and folds a journal only
 * when it has changed since.
 */
import { count, literal, nullable, number, object, optional, string, type Infer } from '../webview/schema';
import { endReason } from './journal';
import type { RunView } from './runView';

export const runSummary = object({
  title: string,
  createdAt: count,
  status: literal('new', 'running', 'ended', 'interrupted'),
  end: optional(endReason),
  bestMean: nullable(number),
  candidates: count,
  tokens: count,
});
export type RunSummary = Infer<typeof runSummary>;

export function summarizeRun(view: RunView): RunSummary {
  return {
    title: view.run.title,
    createdAt: view.run.createdAt,
    status: view.status,
    ...(view.end ? { end: view.end.reason } : {}),
    bestMean: view.best?.mean ?? null,
    candidates: view.candidates.length,
    tokens: view.tokens,
  };
}
