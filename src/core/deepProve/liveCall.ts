/**
 * A call streaming now: what the live view shows between journal entries. Its own module, free
 * of the run's Node imports, so the Deep Prove panel's page (a browser bundle) can name it.
 */
import type { CallKind } from './journal';

export interface LiveCall {
  /** `c3/a1`, `c3/s1`, `c3/v2`: see runView.ts's parseKey. */
  key: string;
  kind: CallKind;
  startedAt: number;
  reasoningTokens: number;
  contentTokens: number;
}
