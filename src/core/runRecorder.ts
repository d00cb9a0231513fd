/**
 * Folds the answer of a run (as the turn runner reports it, growing) into the Proof panel's run
 * snapshot, and hands out the text that arrived since the last flush as one delta message, so the
 * host can post to the webview a few times per frame instead of once per token.
 */
import type { AnswerStatus, AssistantAnswer } from './conversation/types';
import type { HostToPanel, RunSnapshot, RunStatus, TokenLimits } from './panelProtocol';

export class RunRecorder {
  readonly snapshot: RunSnapshot;
  private pendingReasoning = '';
  private pendingContent = '';

  constructor(init: Pick<RunSnapshot, 'runId' | 'kind' | 'title' | 'statement' | 'prompt' | 'source' | 'startedAt'> & Partial<Pick<RunSnapshot, 'proof' | 'contextSummary' | 'outsideContextFiles' | 'macros' | 'insertable' | 'insertsAs'>>) {
    this.snapshot = { ...init, status: 'loading', reasoning: '', content: '', reasoningChunks: 0, contentChunks: 0 };
  }

  /** A recorder that goes on from a run drawn before (restored after a window reload). */
  static restored(run: RunSnapshot): RunRecorder {
    const recorder = new RunRecorder(run);
    Object.assign(recorder.snapshot, run);
    return recorder;
  }

  /** The answer as it stands now. It only ever grows (a continued answer goes on from its text). */
  update(answer: AssistantAnswer): void {
    const run = this.snapshot;
    this.pendingReasoning += answer.reasoning.slice(run.reasoning.length);
    this.pendingContent += answer.content.slice(run.content.length);
    run.reasoning = answer.reasoning;
    run.content = answer.content;
    run.reasoningChunks = answer.reasoningTokens;
    run.contentChunks = answer.contentTokens;
    run.firstTokenAt = answer.firstTokenAt;
    run.answerStartedAt = answer.answerStartedAt;
    run.finishReason = answer.finishReason;
    run.usage = answer.usage;
    run.forcedAnswer = answer.forcedAnswer;
    run.pausedMs = answer.pausedMs;
    run.thinkingPausedMs = answer.thinkingPausedMs;
  }

  /** The delta since the previous call, or undefined when nothing new arrived. */
  takeDelta(): HostToPanel | undefined {
    if (!this.pendingReasoning && !this.pendingContent) return undefined;
    const run = this.snapshot;
    const delta: HostToPanel = {
      type: 'delta',
      runId: run.runId,
      reasoning: this.pendingReasoning,
      content: this.pendingContent,
      reasoningChunks: run.reasoningChunks,
      contentChunks: run.contentChunks,
      firstTokenAt: run.firstTokenAt,
      answerStartedAt: run.answerStartedAt,
      pausedMs: run.pausedMs,
      thinkingPausedMs: run.thinkingPausedMs,
    };
    this.pendingReasoning = '';
    this.pendingContent = '';
    return delta;
  }

  /** The run's answer as the turn runner sees it, to continue a run that ended early. */
  answer(): AssistantAnswer {
    return answerOf(this.snapshot);
  }

  setStatus(status: RunStatus, now: number, details: { progress?: string; error?: string; source?: string; limits?: TokenLimits } = {}): HostToPanel {
    const run = this.snapshot;
    run.status = status;
    run.progress = details.progress;
    if (details.source) run.source = details.source;
    if (details.limits) run.limits = details.limits;
    run.error = details.error;
    if (status === 'done' || status === 'stopped' || status === 'error') run.endedAt = now;
    else run.endedAt = undefined;
    return {
      type: 'status',
      runId: run.runId,
      status,
      progress: run.progress,
      finishReason: run.finishReason,
      usage: run.usage,
      endedAt: run.endedAt,
      error: run.error,
      source: run.source,
      limits: run.limits,
      forcedAnswer: run.forcedAnswer,
      pausedMs: run.pausedMs,
      thinkingPausedMs: run.thinkingPausedMs,
    };
  }
}

/** A run as the turn runner's answer: its status in the runner's terms (a cut run is 'length'). */
export function answerOf(run: RunSnapshot): AssistantAnswer {
  const status: AnswerStatus =
    run.status === 'stopped' ? 'stopped' : run.status === 'error' ? 'error' : run.status === 'done' ? (run.finishReason === 'length' ? 'length' : 'done') : 'streaming';
  return {
    reasoning: run.reasoning,
    content: run.content,
    status,
    finishReason: run.finishReason,
    usage: run.usage,
    error: run.error,
    startedAt: run.startedAt,
    firstTokenAt: run.firstTokenAt,
    answerStartedAt: run.answerStartedAt,
    endedAt: run.endedAt,
    reasoningTokens: run.reasoningChunks,
    contentTokens: run.contentChunks,
    forcedAnswer: run.forcedAnswer,
    pausedMs: run.pausedMs,
    thinkingPausedMs: run.thinkingPausedMs,
  };
}
