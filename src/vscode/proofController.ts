/**
 * Runs requests to the model (prove, critique, repair): streams the answer from the chosen
 * backend into a RunRecorder and forwards it to the Proof panel in small batches. One run at a
 * time: a new one stops the old. A run that ended early (stopped, or cut at the token limit) can
 * be continued, or have its thinking closed and its answer written (Answer now), in the same
 * run. Whoever started a run hears when it ends (to insert the proof, or to turn a critique into
 * diagnostics).
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChatBackend, ChatMessage, ChatRequest } from '../core/chat';
import { canAnswerNow, endedEarly, stillThinking } from '../core/conversation/answerState';
import { continueTurn, runTurn, type TurnOptions } from '../core/conversation/turnRunner';
import type { AssistantAnswer } from '../core/conversation/types';
import type { RunKind, RunSnapshot } from '../core/panelProtocol';
import type { TheoremEnvironment } from '../core/theorems/types';
import { formatPrompt } from '../core/promptText';
import { RunRecorder } from '../core/runRecorder';
import type { BackendProvider, ResolvedBackend } from './backendProvider';
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
  /** Files outside the workspace folder that the prompt quotes, named in the panel's Prompt section. */
  outsideContextFiles?: string[];
  macros?: Record<string, string>;
  /** Where the statement lives, for Insert proof and critique findings. */
  origin?: RunOrigin;
}

export interface FinishedRun {
  request: RunRequest;
  run: RunSnapshot;
}

/** Where the request behind the panel's run is kept, so the run can go on after a window reload. */
const SHOWN_REQUEST_KEY = 'qed.proofPanel.request';

/** A RunRequest as JSON: the document's URI as a string. */
type StoredRequest = Omit<RunRequest, 'origin'> & { origin?: Omit<RunOrigin, 'uri'> & { uri: string } };

function storedRequest(request: RunRequest): StoredRequest {
  const { origin, ...rest } = request;
  return origin ? { ...rest, origin: { ...origin, uri: origin.uri.toString() } } : rest;
}

function requestFrom(stored: StoredRequest): RunRequest {
  const { origin, ...rest } = stored;
  return origin ? { ...rest, origin: { ...origin, uri: vscode.Uri.parse(origin.uri) } } : rest;
}

/** A run the panel shows: what was asked, and the run as it stands. */
interface ShownRun {
  request: RunRequest;
  recorder: RunRecorder;
}

interface ActiveRun extends ShownRun {
  abort: AbortController;
  answerNow: AbortController;
}

export class ProofController implements vscode.Disposable {
  private readonly panel: ProofPanel;
  private active: ActiveRun | undefined;
  private running: Promise<void> = Promise.resolve();
  /** The run the panel shows with its request (for Retry, Continue and Insert proof). */
  private shown: ShownRun | undefined;
  private readonly finished = new vscode.EventEmitter<FinishedRun>();
  readonly onDidFinishRun = this.finished.event;
  private readonly insertRequested = new vscode.EventEmitter<FinishedRun>();
  /** The user pressed Insert proof in the panel. */
  readonly onDidRequestInsert = this.insertRequested.event;

  constructor(
    extensionUri: vscode.Uri,
    private readonly backends: BackendProvider,
    /** The workspace's memento: the shown run's request outlives a window reload. */
    private readonly state: vscode.Memento,
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
            if (this.shown) void this.start(this.shown.request);
            break;
          case 'insert':
            if (this.shown) this.insertRequested.fire({ request: this.shown.request, run });
            break;
          case 'answerNow':
            void this.answerNow();
            break;
          case 'continue':
            void this.continueRun();
            break;
        }
      },
      () => this.stop(),
      (run) => this.adoptRestored(run),
    );
  }

  /** A run the panel drew again after a window reload: with its request it can go on. */
  private adoptRestored(run: RunSnapshot): boolean {
    const stored = this.state.get<{ runId: string; request: StoredRequest }>(SHOWN_REQUEST_KEY);
    if (stored?.runId !== run.runId || this.active) return false;
    this.shown = { request: requestFrom(stored.request), recorder: RunRecorder.restored(run) };
    return true;
  }

  /** The run the panel shows (for tests and the extension API). */
  get currentRun(): RunSnapshot | undefined {
    return this.panel.visibleRun;
  }

  /** The run the panel shows with the request that started it (this window started it, or restored it with its request). */
  get currentRequest(): FinishedRun | undefined {
    const run = this.panel.visibleRun;
    return run && this.shown ? { request: this.shown.request, run } : undefined;
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

  /**
   * Closes the thinking of the shown run and has the model write its answer: at once while it
   * thinks, or as a continuation of a run that was stopped or cut while thinking. Resolves when
   * the run has ended; says why when there is nothing to do.
   */
  answerNow(): Promise<void> {
    const active = this.active;
    if (active) {
      if (stillThinking(active.recorder.answer())) active.answerNow.abort();
      else void vscode.window.showInformationMessage('QED: the model is already writing its answer.');
      return this.running;
    }
    const shown = this.shown;
    if (!shown || !canAnswerNow(shown.recorder.answer())) {
      void vscode.window.showInformationMessage('QED: Answer now applies to a run that is thinking, or that was stopped or cut while thinking.');
      return this.running;
    }
    this.running = this.resume(shown, true);
    return this.running;
  }

  /** Goes on from where the shown run was stopped or cut, in the same run; resolves when it has ended. */
  continueRun(): Promise<void> {
    const shown = this.shown;
    if (this.active || !shown || !endedEarly(shown.recorder.answer())) {
      void vscode.window.showInformationMessage('QED: only a run that was stopped or cut at the token limit can be continued.');
      return this.running;
    }
    this.running = this.resume(shown, false);
    return this.running;
  }

  private async run(request: RunRequest): Promise<void> {
    const recorder = new RunRecorder({
      runId: randomUUID(),
      kind: request.kind,
      title: request.title,
      statement: request.statement,
      proof: request.proof,
      prompt: formatPrompt(request.messages),
      contextSummary: request.contextSummary,
      outsideContextFiles: request.outsideContextFiles?.length ? request.outsideContextFiles : undefined,
      macros: request.macros,
      insertable: request.origin !== undefined && request.kind !== 'critique',
      insertsAs: request.kind !== 'critique' ? request.origin?.format : undefined,
      source: '',
      startedAt: Date.now(),
    });
    const run: ActiveRun = { request, recorder, abort: new AbortController(), answerNow: new AbortController() };
    this.shown = run;
    void this.state.update(SHOWN_REQUEST_KEY, { runId: recorder.snapshot.runId, request: storedRequest(request) });
    this.active = run;
    try {
      this.panel.showRun(recorder.snapshot);
    } catch (error) {
      // A panel that cannot be drawn is reported like any other failure, not as a command crash.
      this.active = undefined;
      void showError(error);
      return;
    }
    await this.generate(run, runTurn);
  }

  /** Continues the shown run (it ended early) in the same panel run. */
  private async resume(shown: ShownRun, answerAtOnce: boolean): Promise<void> {
    const run: ActiveRun = { ...shown, abort: new AbortController(), answerNow: new AbortController() };
    if (answerAtOnce) run.answerNow.abort();
    const previous = shown.recorder.answer();
    run.recorder.update({ ...previous, finishReason: undefined });
    this.shown = run;
    this.active = run;
    this.panel.showRun(run.recorder.snapshot);
    await this.generate(run, (backend, chat, options, onUpdate) => continueTurn(backend, chat, previous, options, onUpdate));
  }

  private async generate(
    run: ActiveRun,
    turn: (backend: ChatBackend, chat: ChatRequest, options: TurnOptions, onUpdate: (answer: AssistantAnswer) => void) => Promise<AssistantAnswer>,
  ): Promise<void> {
    const { recorder } = run;
    const post = this.panel.post.bind(this.panel);
    post(recorder.setStatus('loading', Date.now(), { progress: 'Preparing the model…' }));

    const backend = readSettings().backend;
    let resolved: ResolvedBackend;
    try {
      resolved = await this.backends.resolve((progress) => post(recorder.setStatus('loading', Date.now(), { progress })));
    } catch (error) {
      const stopped = isCancellation(error) || run.abort.signal.aborted;
      this.finish(run, stopped ? 'stopped' : 'error', errorMessage(error));
      void showError(error, backend);
      return;
    }
    if (run.abort.signal.aborted) return this.finish(run, 'stopped');

    post(recorder.setStatus('running', Date.now(), { source: resolved.source, limits: { maxTokens: resolved.settings.sampling.maxTokens, contextTokens: resolved.contextTokens } }));
    const flush = setInterval(() => this.flush(run), FLUSH_INTERVAL_MS);
    try {
      const chat: ChatRequest = { ...resolved.settings.sampling, messages: run.request.messages };
      let failure: unknown;
      const options: TurnOptions = { thinkingBudget: null, signal: run.abort.signal, answerNow: run.answerNow.signal, onError: (error) => (failure = error) };
      const answer = await turn(resolved.backend, chat, options, (update) => {
        const forcedNow = update.forcedAnswer !== recorder.snapshot.forcedAnswer;
        recorder.update(update);
        // Answer now shows at once (the status line says the answer was asked for).
        if (forcedNow) {
          this.flush(run);
          post(recorder.setStatus('running', Date.now()));
        }
      });
      recorder.update(answer);
      if (answer.status === 'error') {
        // The partial answer stays in the panel; the error is shown under it.
        this.finish(run, 'error', answer.error);
        void showError(failure ?? new Error(answer.error), backend);
      } else {
        this.finish(run, answer.status === 'stopped' ? 'stopped' : 'done');
      }
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
