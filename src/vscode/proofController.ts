/**
 * Runs "Prove" requests: streams the answer from the chosen backend into a RunRecorder and
 * forwards it to the Proof panel in small batches. One run at a time: a new one stops the old.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChatBackend } from '../core/chat';
import { proveMessages } from '../core/prompts';
import type { RunSnapshot } from '../core/panelProtocol';
import { RunRecorder } from '../core/runRecorder';
import type { BackendProvider } from './backendProvider';
import { errorMessage, isCancellation, showError } from './errorPresenter';
import { ProofPanel } from './proofPanel';
import { readSettings } from './settings';

/** How often streamed text is posted to the webview; it renders at most once per frame anyway. */
const FLUSH_INTERVAL_MS = 50;

interface ActiveRun {
  recorder: RunRecorder;
  abort: AbortController;
}

export class ProofController implements vscode.Disposable {
  private readonly panel: ProofPanel;
  private active: ActiveRun | undefined;
  private running: Promise<void> = Promise.resolve();
  private last: { statement: string; title: string } | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly backends: BackendProvider,
  ) {
    this.panel = new ProofPanel(
      extensionUri,
      (message) => {
        switch (message.type) {
          case 'stop':
            if (this.active?.recorder.snapshot.runId === message.runId) this.stop();
            break;
          case 'copy': {
            const run = this.panel.visibleRun;
            if (run?.runId === message.runId) void vscode.env.clipboard.writeText(run.content);
            break;
          }
          case 'retry':
            if (this.last) void this.prove(this.last.statement, this.last.title);
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

  /** Resolves when the current run, if any, has ended. */
  whenIdle(): Promise<void> {
    return this.running;
  }

  stop(): void {
    this.active?.abort.abort();
  }

  prove(statement: string, title: string): Promise<void> {
    this.stop();
    this.running = this.run(statement, title);
    return this.running;
  }

  private async run(statement: string, title: string): Promise<void> {
    this.last = { statement, title };
    const recorder = new RunRecorder({ runId: randomUUID(), title, statement, source: '', startedAt: Date.now() });
    const run: ActiveRun = { recorder, abort: new AbortController() };
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
      const request = { ...resolved.settings.sampling, messages: proveMessages(statement) };
      for await (const event of resolved.backend.stream(request, run.abort.signal)) recorder.apply(event, Date.now());
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
  }

  dispose(): void {
    this.stop();
    this.panel.dispose();
  }
}
