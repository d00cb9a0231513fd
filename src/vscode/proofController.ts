/**
 * Runs requests to the model (prove, critique, repair): streams the answer from the chosen
 * backend into a RunRecorder and forwards it to the Proof panel in small batches. One run at a
 * time: a new one stops the old. Whoever started a run hears when it ends (to insert the
 * proof, or to turn a critique into diagnostics).
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChatBackend, ChatMessage } from '../core/chat';
import type { RunKind, RunSnapshot } from '../core/panelProtocol';
import type { TheoremEnvironment } from '../core/theorems/types';
import { formatPrompt } from '../core/promptText';
import { RunRecorder } from '../core/runRecorder';
import type { BackendProvider } from './backendProvider';
import { errorMessage, isCancellation, showError } from './errorPresenter';
import { ProofPanel } from './proofPanel';
import { readSettings } from './settings';

/** How often streamed text is posted to the webview; it renders at most once per frame anyway. */
const FLUSH_INTERVAL_MS = 50;

/** Where a run's statement lives in a document: where its proof goes back to. */
export interface RunOrigin {
  uri: vscode.Uri;
  format: 'latex' | 'markdown';
  /** The environment as scanned when the run started; absent for a plain selection. */
  environment?: TheoremEnvironment;
  /** The statement's source text, to find it again after edits. */
  statementSource: string;
  /** Offset after which the proof goes, valid for `version`. */
  anchor: number;
  version: number;
  /** Re-prove or repair: the new proof may replace the existing one (the user is asked). */
  replacesProof: boolean;
}

export interface RunRequest {
  kind: RunKind;
  title: string;
  /** The statement as shown in the panel. */
  statement: string;
  messages: ChatMessage[];
  proof?: string;
  contextSummary?: string;
  macros?: Record<string, string>;
  /** Where the statement lives, for Insert proof and critique findings. */
  origin?: RunOrigin;
}

export interface FinishedRun {
  request: RunRequest;
  run: RunSnapshot;
}

interface ActiveRun {
  request: RunRequest;
  recorder: RunRecorder;
  abort: AbortController;
}

export class ProofController implements vscode.Disposable {
  private readonly panel: ProofPanel;
  private active: ActiveRun | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The request behind the run the panel shows (for Retry and Insert proof). */
  private shown: RunRequest | undefined;
  private readonly finished = new vscode.EventEmitter<FinishedRun>();
  readonly onDidFinishRun = this.finished.event;
  private readonly insertRequested = new vscode.EventEmitter<FinishedRun>();
  /** The user pressed Insert proof in the panel. */
  readonly onDidRequestInsert = this.insertRequested.event;

  constructor(
    extensionUri: vscode.Uri,
    private readonly backends: BackendProvider,
  ) {
    this.panel = new ProofPanel(
      extensionUri,
      (message) => {
        const run = this.panel.visibleRun;
        if (run?.runId !== message.runId) return;
        switch (message.type) {
          case 'stop':
            if (this.active?.recorder.snapshot.runId === message.runId) this.stop();
            break;
          case 'copy':
            void vscode.env.clipboard.writeText(run.content);
            break;
          case 'retry':
            if (this.shown) void this.start(this.shown);
            break;
          case 'insert':
            if (this.shown) this.insertRequested.fire({ request: this.shown, run });
            break;
        }
      },
      () => this.stop(),
    );
  }

  /** The run the panel shows (for tests and the extension API). */
  get currentRun(): RunSnapshot | undefined {
    return this.panel.visibleRun;
  }

  /** The run the panel shows with the request that started it, if this window started it. */
  get currentRequest(): FinishedRun | undefined {
    const run = this.panel.visibleRun;
    return run && this.shown ? { request: this.shown, run } : undefined;
  }

  /** Resolves when the current run, if any, has ended. */
  whenIdle(): Promise<void> {
    return this.running;
  }

  stop(): void {
    this.active?.abort.abort();
  }

  /** Starts a run (stopping the current one); resolves when it has ended. */
  start(request: RunRequest): Promise<void> {
    this.stop();
    this.running = this.run(request);
    return this.running;
  }

  private async run(request: RunRequest): Promise<void> {
    this.shown = request;
    const recorder = new RunRecorder({
      runId: randomUUID(),
      kind: request.kind,
      title: request.title,
      statement: request.statement,
      proof: request.proof,
      prompt: formatPrompt(request.messages),
      contextSummary: request.contextSummary,
      macros: request.macros,
      insertable: request.origin !== undefined && request.kind !== 'critique',
      source: '',
      startedAt: Date.now(),
    });
    const run: ActiveRun = { request, recorder, abort: new AbortController() };
    this.active = run;
    try {
      this.panel.showRun(recorder.snapshot);
    } catch (error) {
      // A panel that cannot be drawn is reported like any other failure, not as a command crash.
      this.active = undefined;
      void showError(error);
      return;
    }
    const post = this.panel.post.bind(this.panel);
    post(recorder.setStatus('loading', Date.now(), { progress: 'Preparing the model…' }));

    const backend = readSettings().backend;
    let resolved: { backend: ChatBackend; source: string; settings: ReturnType<typeof readSettings> };
    try {
      resolved = await this.backends.resolve((progress) => post(recorder.setStatus('loading', Date.now(), { progress })));
    } catch (error) {
      this.finish(run, isCancellation(error) ? 'stopped' : 'error', errorMessage(error));
      void showError(error, backend);
      return;
    }
    if (run.abort.signal.aborted) return this.finish(run, 'stopped');

    post(recorder.setStatus('running', Date.now(), { source: resolved.source }));
    const flush = setInterval(() => this.flush(run), FLUSH_INTERVAL_MS);
    try {
      const chat = { ...resolved.settings.sampling, messages: request.messages };
      for await (const event of resolved.backend.stream(chat, run.abort.signal)) recorder.apply(event, Date.now());
      this.finish(run, run.abort.signal.aborted ? 'stopped' : 'done');
    } catch (error) {
      // The partial answer stays in the panel; the error is shown under it.
      this.finish(run, 'error', errorMessage(error));
      void showError(error, backend);
    } finally {
      clearInterval(flush);
    }
  }

  private flush(run: ActiveRun): void {
    const delta = run.recorder.takeDelta();
    if (delta) this.panel.post(delta);
  }

  private finish(run: ActiveRun, status: 'done' | 'stopped' | 'error', error?: string): void {
    this.flush(run);
    this.panel.post(run.recorder.setStatus(status, Date.now(), { error }));
    if (this.active === run) this.active = undefined;
    this.finished.fire({ request: run.request, run: run.recorder.snapshot });
  }

  dispose(): void {
    this.stop();
    this.panel.dispose();
    this.finished.dispose();
    this.insertRequested.dispose();
  }
}
