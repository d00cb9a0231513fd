/**
 * Runs requests to the model (prove, critique, repair) through an AnswerSession and shows them
 * in the Proof panel: the run's header, then its answer as it streams. One run at a time: a new
 * one stops the old. A run that ended early (stopped, or cut at the token limit) can
 * be continued, or have its thinking closed and its answer written (Answer now), in the same
 * run. Whoever started a run hears when it ends (to insert the proof, or to turn a critique into
 * diagnostics).
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { ChatMessage } from '../core/chat';
import { pendingAnswer, type AssistantAnswer } from '../core/answer/answer';
import { AnswerSession, type AnswerSink } from '../core/answer/answerSession';
import { canAnswerNow, canContinuePastLimit, endedEarly } from '../core/answer/answerState';
import { REASONING_CACHE_RESTARTS } from '../core/deepProve/config';
import { proveFromSummaryMessages, type DeepProblem } from '../core/deepProve/prompts';
import { summariseAttempt } from '../core/deepProve/reasoningCache';
import type { RunKind, RunSnapshot } from '../core/webview/panelProtocol';
import type { TheoremEnvironment } from '../core/theorems/types';
import { formatPrompt } from '../core/promptText';
import type { AnswerActivity } from './answerActivity';
import type { BackendProvider, ResolvedBackend } from './backendProvider';
import { isCancellation, showError } from './errorPresenter';
import { ProofPanel } from './proofPanel';
import { readSettings } from './settings';

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
  /** A Prove's problem as the model was given it: what Continue past the limit starts again from. */
  problem?: DeepProblem;
  /** Past the limit: this attempt (2 or more) and the summary it started from. */
  attempt?: number;
  summary?: string;
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
  run: RunSnapshot;
  /** Stopped before its answer began (it waited for the run before it to end). */
  stopped?: boolean;
  /** Stops the summary a run past the limit starts from, while it is written. */
  summarising?: AbortController;
}

export class ProofController implements vscode.Disposable {
  private readonly panel: ProofPanel;
  private readonly session: AnswerSession<ResolvedBackend>;
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
    /** Where the answers being written are counted (others on the same backend make room for them). */
    private readonly activity?: AnswerActivity,
  ) {
    this.session = new AnswerSession({ resolve: (onProgress) => backends.resolve(onProgress), isCancellation });
    this.panel = new ProofPanel(
      extensionUri,
      (message) => {
        const run = this.panel.visibleRun;
        if (run?.runId !== message.runId) return;
        switch (message.type) {
          case 'stop':
            if (this.session.busy && this.shown?.run === run) this.stop();
            break;
          case 'copy':
            void vscode.env.clipboard.writeText(run.answer.content);
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
          case 'continuePastLimit':
            void this.continuePastLimit();
            break;
        }
      },
      () => this.stop(),
      (run) => this.adoptRestored(run),
      () => this.session.resync(),
    );
  }

  /** A run the panel drew again after a window reload: with its request it can go on. */
  private adoptRestored(run: RunSnapshot): boolean {
    const stored = this.state.get<{ runId: string; request: StoredRequest }>(SHOWN_REQUEST_KEY);
    if (stored?.runId !== run.runId || this.session.busy) return false;
    this.shown = { request: requestFrom(stored.request), run };
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
    this.session.stop();
    if (this.shown) {
      this.shown.stopped = true;
      this.shown.summarising?.abort();
    }
  }

  /** Starts a run (stopping the current one); resolves when it has ended. */
  start(request: RunRequest): Promise<void> {
    this.stop();
    this.running = this.run(request, this.running);
    return this.running;
  }

  /**
   * Closes the thinking of the shown run and has the model write its answer: at once while it
   * thinks, or as a continuation of a run that was stopped or cut while thinking. Resolves when
   * the run has ended; says why when there is nothing to do.
   */
  answerNow(): Promise<void> {
    if (this.session.busy) {
      if (!this.session.answerNow()) void vscode.window.showInformationMessage('QED: Answer now applies once the model is thinking, and until it writes its answer.');
      return this.running;
    }
    const shown = this.shown;
    if (!shown || !canAnswerNow(shown.run.answer)) {
      void vscode.window.showInformationMessage('QED: Answer now applies to a run that is thinking, or that was stopped or cut while thinking.');
      return this.running;
    }
    this.running = this.resume(shown, true);
    return this.running;
  }

  /** Goes on from where the shown run was stopped or cut, in the same run; resolves when it has ended. */
  continueRun(): Promise<void> {
    const shown = this.shown;
    if (this.session.busy || !shown || !endedEarly(shown.run.answer)) {
      void vscode.window.showInformationMessage('QED: only a run that was stopped or cut at the token limit can be continued.');
      return this.running;
    }
    this.running = this.resume(shown, false);
    return this.running;
  }

  /**
   * The reasoning cache on a single Prove: the shown run ran out of room while thinking, so its
   * thinking is summarised and a new run, attempt n + 1, starts from the problem and the summary.
   * Resolves when the new run has ended.
   */
  continuePastLimit(): Promise<void> {
    const shown = this.shown;
    const attempt = shown?.request.attempt ?? 1;
    if (this.session.busy || !shown || shown.request.kind !== 'prove' || !shown.request.problem || !canContinuePastLimit(shown.run.answer)) {
      void vscode.window.showInformationMessage('QED: Continue past the limit applies to a Prove that was cut at its limit while thinking.');
      return this.running;
    }
    if (attempt > REASONING_CACHE_RESTARTS) {
      void vscode.window.showInformationMessage(`QED: this Prove already went past its limit ${REASONING_CACHE_RESTARTS} times. Try Deep Prove, or raise the limit (qed.generation.maxTokens, or a larger context for the engine).`);
      return this.running;
    }
    const title = shown.request.title.replace(/ \(attempt \d+\)$/, '');
    const request: RunRequest = { ...shown.request, title: `${title} (attempt ${attempt + 1})`, attempt: attempt + 1 };
    this.running = this.runPastLimit(request, shown.run.answer.reasoning, this.running);
    return this.running;
  }

  private async runPastLimit(request: RunRequest, reasoning: string, previous: Promise<void>): Promise<void> {
    const problem = request.problem!;
    const summarising = new AbortController();
    const shown: ShownRun = { request, run: this.newRun(request), summarising };
    shown.run.prompt = `(Being prepared: a summary of the thinking of attempt ${request.attempt! - 1}, then the proving prompt with it.)`;
    this.shown = shown;
    if (!this.show(shown)) return;
    await previous;
    const progress = (text: string) => {
      shown.run.progress = text;
      this.panel.post({ type: 'progress', runId: shown.run.runId, progress: text });
    };
    let summary: AssistantAnswer;
    try {
      const resolved = await this.backends.resolve(progress);
      progress(`Summarising the thinking of attempt ${request.attempt! - 1} to go on past the limit…`);
      summary = await this.counted(summariseAttempt(resolved.backend, {
        problem,
        previousSummary: request.summary,
        reasoning,
        // The summary's room is its own, whatever limit cut the attempt.
        sampling: { ...resolved.settings.sampling, maxTokens: undefined },
        signal: summarising.signal,
        onUpdate: (answer) => progress(`Summarising the thinking of attempt ${request.attempt! - 1} to go on past the limit… (${(answer.reasoningTokens + answer.contentTokens).toLocaleString('en-US')} tokens)`),
      }));
    } catch (error) {
      summary = { ...pendingAnswer(Date.now()), status: 'error', error: error instanceof Error ? error.message : String(error) };
      if (!isCancellation(error)) void showError(error);
    }
    const text = summary.content.trim();
    if (summarising.signal.aborted || summary.status === 'stopped') return this.endUnanswered(shown);
    if (text === '') return this.endUnanswered(shown, `The summary of attempt ${request.attempt! - 1} could not be written: ${summary.error ?? 'the summariser wrote none'}.`);
    shown.summarising = undefined;
    request.summary = text;
    request.messages = proveFromSummaryMessages(problem, text);
    shown.run.prompt = formatPrompt(request.messages);
    void this.state.update(SHOWN_REQUEST_KEY, { runId: shown.run.runId, request: storedRequest(request) });
    if (this.shown === shown) this.panel.showRun(shown.run);
    return this.write(shown, false);
  }

  /** Shows the new run at once; its answer is written once the stopped one has ended (one answer at a time). */
  private async run(request: RunRequest, previous: Promise<void>): Promise<void> {
    const run = this.newRun(request);
    const shown: ShownRun = { request, run };
    this.shown = shown;
    void this.state.update(SHOWN_REQUEST_KEY, { runId: run.runId, request: storedRequest(request) });
    if (!this.show(shown)) return;
    await previous;
    if (!shown.stopped) return this.write(shown, false);
    this.endUnanswered(shown);
  }

  /** Ends a run whose answer never started: stopped by the user, or failed with `error`. */
  private endUnanswered(shown: ShownRun, error?: string): void {
    const { run } = shown;
    run.progress = undefined;
    run.answer = error ? { ...run.answer, status: 'error', error, endedAt: Date.now() } : { ...run.answer, status: 'stopped', finishReason: 'cancelled', endedAt: Date.now() };
    if (this.shown === shown) this.panel.showRun(run);
    this.finished.fire({ request: shown.request, run });
  }

  private newRun(request: RunRequest): RunSnapshot {
    return {
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
      attempt: request.attempt,
      answer: pendingAnswer(Date.now()),
    };
  }

  /** Shows the run (its answer about to be written) in the panel; false if the panel cannot be drawn. */
  private show({ run }: ShownRun): boolean {
    run.progress = 'Preparing the model…';
    try {
      this.panel.showRun(run);
      return true;
    } catch (error) {
      // A panel that cannot be drawn is reported like any other failure, not as a command crash.
      void showError(error);
      return false;
    }
  }

  /** Goes on with the shown run, which ended early: Continue, or Answer now (`answerAtOnce`). */
  private async resume(shown: ShownRun, answerAtOnce: boolean): Promise<void> {
    shown.stopped = false;
    if (this.show(shown)) await this.write(shown, answerAtOnce);
  }

  /** Writes the shown run's answer: a new one, or the one that ended early, continued in place. */
  private async write(shown: ShownRun, answerAtOnce: boolean): Promise<void> {
    const { run } = shown;
    const backendKind = readSettings().backend;
    const post = this.panel.post.bind(this.panel);
    const sink: AnswerSink<ResolvedBackend> = {
      progress: (progress) => {
        run.progress = progress;
        post({ type: 'progress', runId: run.runId, progress });
      },
      resolved: (resolved) => {
        run.progress = undefined;
        run.source = resolved.source;
        run.limits = { maxTokens: resolved.settings.sampling.maxTokens, contextTokens: resolved.contextTokens };
        post({ type: 'progress', runId: run.runId, source: run.source, limits: run.limits });
      },
      changed: (answer: AssistantAnswer) => {
        run.answer = answer;
      },
      delta: (delta) => post({ type: 'delta', runId: run.runId, delta }),
      failed: (error) => void showError(error, backendKind),
    };
    const written = this.session.run({
      answer: run.answer,
      answerAtOnce,
      // The panel has no thinking budget: Answer now is the user's.
      thinkingBudget: null,
      request: (resolved) => ({ ...resolved.settings.sampling, messages: shown.request.messages }),
      sink,
    });
    await this.counted(written);
    if (run.progress !== undefined) {
      // Ended before the backend was ready: the page's status says how, not what was loading.
      run.progress = undefined;
      post({ type: 'progress', runId: run.runId });
    }
    this.finished.fire({ request: shown.request, run });
  }

  /** An answer (or a summary) being written on the backend, counted while it is. */
  private counted<T>(work: Promise<T>): Promise<T> {
    return this.activity ? this.activity.during(work) : work;
  }

  dispose(): void {
    this.stop();
    this.panel.dispose();
    this.finished.dispose();
    this.insertRequested.dispose();
  }
}
