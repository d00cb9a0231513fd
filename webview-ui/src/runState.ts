/**
 * The Proof panel's state: the run the host last described, with each message folded in. Pure:
 * it says what changed, and the view draws that.
 */
import { isStreaming } from '../../src/core/answer/answer';
import { applyDelta, deltaFrom } from '../../src/core/answer/answerDelta';
import type { HostToPanel, RunSnapshot } from '../../src/core/webview/panelProtocol';

export type RunChange =
  /** Another run, or none: draw it from scratch. */
  | { kind: 'new' }
  /**
   * The same run went on: text was appended to its answer (`resumed`: an answer that had ended
   * streams again, so its text is drawn anew), or its state changed (`ended`).
   */
  | { kind: 'answer'; reasoning: string; content: string; resumed: boolean; ended: boolean; statusChanged: boolean }
  /** Only the header changed (progress, source, limits). */
  | { kind: 'header' }
  /** A message about a run this page does not show: the page should ask for the host's snapshot. */
  | { kind: 'unknown'; runId: string };

export function reduceRun(run: RunSnapshot | undefined, message: HostToPanel): { run: RunSnapshot | undefined; change: RunChange } {
  switch (message.type) {
    case 'snapshot': {
      const next = message.run ?? undefined;
      // The same run again (the webview was shown again): only what is new needs drawing. A run
      // that had ended and streams again is drawn anew (see `resumed`).
      const delta = run && next?.runId === run.runId && (isStreaming(run.answer) || !isStreaming(next.answer)) ? deltaFrom(run.answer, next.answer) : undefined;
      if (!run || !next || !delta) return { run: next, change: { kind: 'new' } };
      const { reasoning, content } = delta;
      const ended = isStreaming(run.answer) && !isStreaming(next.answer);
      return { run: next, change: { kind: 'answer', reasoning, content, resumed: false, ended, statusChanged: ended } };
    }
    case 'delta': {
      if (run?.runId !== message.runId) return { run, change: { kind: 'unknown', runId: message.runId } };
      const answer = applyDelta(run.answer, message.delta);
      const was = isStreaming(run.answer);
      const now = isStreaming(answer);
      const { reasoning, content } = message.delta;
      return {
        run: { ...run, answer },
        change: { kind: 'answer', reasoning, content, resumed: !was && now, ended: was && !now, statusChanged: run.answer.status !== answer.status || run.answer.forcedAnswer !== answer.forcedAnswer },
      };
    }
    case 'progress': {
      if (run?.runId !== message.runId) return { run, change: { kind: 'unknown', runId: message.runId } };
      const next = { ...run, progress: message.progress };
      if (message.source) next.source = message.source;
      if (message.limits) next.limits = message.limits;
      return { run: next, change: { kind: 'header' } };
    }
  }
}
