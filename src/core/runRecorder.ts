/**
 * Folds a stream of chat events into the Proof panel's run snapshot, and hands out the text
 * that arrived since the last flush as one delta message, so the host can post to the webview
 * a few times per frame instead of once per token.
 */
import type { ChatStreamEvent } from './chat';
import type { HostToPanel, RunSnapshot, RunStatus } from './panelProtocol';

export class RunRecorder {
  readonly snapshot: RunSnapshot;
  private pendingReasoning = '';
  private pendingContent = '';

  constructor(init: Pick<RunSnapshot, 'runId' | 'kind' | 'title' | 'statement' | 'prompt' | 'source' | 'startedAt'> & Partial<Pick<RunSnapshot, 'proof' | 'contextSummary' | 'macros' | 'insertable'>>) {
    this.snapshot = { ...init, status: 'loading', reasoning: '', content: '', reasoningChunks: 0, contentChunks: 0 };
  }

  apply(event: ChatStreamEvent, now: number): void {
    const run = this.snapshot;
    if (event.type === 'done') {
      run.finishReason = event.finishReason;
      run.usage = event.usage ?? run.usage;
      return;
    }
    if (!event.text) return;
    run.firstTokenAt ??= now;
    if (event.type === 'reasoning') {
      run.reasoning += event.text;
      run.reasoningChunks++;
      this.pendingReasoning += event.text;
    } else {
      run.answerStartedAt ??= now;
      run.content += event.text;
      run.contentChunks++;
      this.pendingContent += event.text;
    }
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
    };
    this.pendingReasoning = '';
    this.pendingContent = '';
    return delta;
  }

  setStatus(status: RunStatus, now: number, details: { progress?: string; error?: string; source?: string } = {}): HostToPanel {
    const run = this.snapshot;
    run.status = status;
    run.progress = details.progress;
    if (details.source) run.source = details.source;
    if (details.error !== undefined) run.error = details.error;
    if (status === 'done' || status === 'stopped' || status === 'error') run.endedAt = now;
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
    };
  }
}
