/**
 * Deep Prove in the window: starts runs (each in its own folder of global storage, with its
 * journal), runs each with one DeepProveRun at a time, stops and resumes them, shows them in their
 * panels and in the status bar, and puts a candidate's proof back into the document it came from.
 *
 * How many calls a run has in flight follows the backend: the local engine's sequences, or
 * qed.deepProve.endpointConcurrency; while a single Prove or a chat answer is written on the same
 * backend, one fewer (capacity.ts). A window that closes stops its runs: their journals hold every
 * finished call, and Resume goes on from there, in this window or after a reload.
 */
import * as vscode from 'vscode';
import { CallSlots } from '../../core/deepProve/callSlots';
import { DeepProveRun, type LiveCall } from '../../core/deepProve/deepProveRun';
import type { FileJournal } from '../../core/deepProve/journalFile';
import { JournalInUseError, lockJournal } from '../../core/deepProve/journalLock';
import { candidateOf, foldJournal, type RunView } from '../../core/deepProve/runView';
import type { DeepToHost } from '../../core/webview/deepProtocol';
import type { AnswerActivity } from '../answerActivity';
import type { BackendProvider } from '../backendProvider';
import { errorMessage, isCancellation, showError } from '../errorPresenter';
import type { RunOrigin } from '../proofController';
import { readDeepProveSettings, readSettings } from '../settings';
import { candidateCritique } from './candidateCritique';
import { runCapacity } from './capacity';
import { DEFAULT_ENDPOINT_CONCURRENCY } from './deepProveSettings';
import { DeepProvePanels, type DeepPanelContent } from './deepProvePanels';
import { DeepProveStatus, type RunningRun } from './deepProveStatus';
import { hostDataFrom, storedHostData, type HostData } from './hostData';
import { RunStore, RUNS_FOLDER } from './runStore';

/** What to prove, from the editor (with its document context) or the chat. */
export interface DeepRequest {
  title: string;
  statement: string;
  /** The document's notation and results, as Prove puts them in its prompt. */
  contextText?: string;
  macros?: Record<string, string>;
  /** Where the statement lives: where Insert best proof puts it. */
  origin?: RunOrigin;
  /** The same as the journal records it (file path, 1-based line, label), for the CLI and the runs list. */
  source?: { file: string; line: number; label?: string };
}

/** Where a candidate's proof goes, with the verifiers' findings on it (TheoremActions). */
export interface ProofDestination {
  insertProof(origin: RunOrigin, proof: string, findings?: { statement: string; critique: NonNullable<ReturnType<typeof candidateCritique>> }): Promise<boolean>;
}

/** A run going in this window. */
interface Going {
  runId: string;
  /** Set once the backend is ready. */
  run?: DeepProveRun;
  slots?: CallSlots;
  /** The backend it runs on, and how many answers that backend writes at once. */
  backendKind: 'local' | 'endpoint';
  sequences: number;
  progress?: string;
  /** Stop pressed before the backend was ready. */
  stopped: boolean;
  done: Promise<void>;
}

export class DeepProveController implements vscode.Disposable {
  readonly store: RunStore;
  private readonly panels: DeepProvePanels;
  private readonly status = new DeepProveStatus();
  private readonly going = new Map<string, Going>();
  /** The latest view of each run this window has shown. */
  private readonly views = new Map<string, RunView>();
  private readonly hosts = new Map<string, HostData>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    globalStorage: vscode.Uri,
    private readonly backends: Pick<BackendProvider, 'resolve'>,
    private readonly answers: AnswerActivity,
    private readonly destination: ProofDestination,
    workspaceState: vscode.Memento,
  ) {
    this.store = new RunStore(vscode.Uri.joinPath(globalStorage, RUNS_FOLDER).fsPath);
    this.panels = new DeepProvePanels(extensionUri, { content: (runId) => this.content(runId), message: (runId, message) => this.onMessage(runId, message) }, workspaceState);
    this.disposables.push(
      this.panels,
      this.status,
      answers.onDidChange(() => this.shareBackend()),
    );
  }

  /** Starts a new run with the qed.deepProve.* settings and opens its panel; its id, or undefined if it could not start. */
  async start(request: DeepRequest): Promise<string | undefined> {
    const settings = readDeepProveSettings();
    if (!settings.ok) {
      void showSettingsProblems(settings.problems, settings.settings);
      return undefined;
    }
    const host: HostData = { origin: request.origin, macros: request.macros };
    let journal: FileJournal;
    try {
      journal = await this.store.create(
        {
          title: request.title,
          statement: request.statement,
          ...(request.contextText?.trim() && { contextText: request.contextText }),
          ...(request.source && { source: request.source }),
          config: settings.settings.config,
        },
        storedHostData(host),
      );
    } catch (error) {
      void vscode.window.showErrorMessage(`QED: could not save a new Deep Prove run in ${this.store.root}: ${errorMessage(error)}`);
      return undefined;
    }
    const runId = foldJournal(journal.entries).run.runId;
    this.hosts.set(runId, host);
    this.views.set(runId, foldJournal(journal.entries));
    this.go(runId, journal, lockJournal(this.store.folderOf(runId)));
    await this.panels.show(runId);
    return runId;
  }

  /** Goes on with a saved run from its journal: finished calls are not made again. */
  async resume(runId: string): Promise<void> {
    if (this.going.has(runId)) return this.panels.show(runId);
    let journal: FileJournal;
    let unlock: () => void;
    try {
      // Locked before it is read: another window may be writing it.
      unlock = lockJournal(this.store.folderOf(runId));
    } catch (error) {
      const why = error instanceof JournalInUseError ? 'this Deep Prove run is going in another window or terminal (stop it there first)' : errorMessage(error);
      return void vscode.window.showErrorMessage(`QED: cannot resume: ${why}.`);
    }
    try {
      journal = await this.store.open(runId);
    } catch (error) {
      unlock();
      return void vscode.window.showErrorMessage(`QED: ${errorMessage(error)}`);
    }
    const view = foldJournal(journal.entries);
    this.views.set(runId, view);
    if (view.end?.reason === 'complete' || view.end?.reason === 'solved') {
      unlock();
      return void vscode.window.showInformationMessage('QED: this Deep Prove run has finished; there is nothing to resume.');
    }
    this.go(runId, journal, unlock);
    await this.panels.show(runId);
  }

  /** Stops the run's calls in flight; what finished stays in its journal. Resolves when it has stopped. */
  async stop(runId: string): Promise<void> {
    const going = this.going.get(runId);
    if (!going) return;
    going.stopped = true;
    await going.run?.stop();
    await going.done;
  }

  /** Opens a saved run's panel (its journal read from disk if this window has not shown it). */
  open(runId: string): Promise<void> {
    return this.panels.show(runId);
  }

  /** Deletes a saved run: its folder and its panel. A run going now is stopped first. */
  async remove(runId: string): Promise<void> {
    await this.stop(runId);
    this.panels.close(runId);
    this.views.delete(runId);
    this.hosts.delete(runId);
    await this.store.remove(runId);
  }

  /** The run as this window shows it (a run whose session did not end, and that is not going here, was interrupted). */
  viewOf(runId: string): RunView | undefined {
    const view = this.views.get(runId);
    if (!view || this.going.has(runId) || view.status !== 'running') return view;
    return { ...view, status: 'interrupted' };
  }

  isRunning(runId: string): boolean {
    return this.going.has(runId);
  }

  /** How many calls the run may have in flight now (undefined: not going, or its backend not ready yet). */
  capacityOf(runId: string): number | undefined {
    return this.going.get(runId)?.slots?.capacity;
  }

  isPanelOpen(runId: string): boolean {
    return this.panels.isOpen(runId);
  }

  /** Resolves when the run is not going (any more). */
  async whenStopped(runId: string): Promise<void> {
    await this.going.get(runId)?.done;
  }

  /** Inserts a candidate's proof (the best, by default) where the run's statement came from, with its verifiers' findings. */
  async insert(runId: string, candidateId?: string): Promise<boolean> {
    const view = await this.load(runId);
    const id = candidateId ?? view?.best?.id;
    const candidate = view && id !== undefined ? candidateOf(view, id) : undefined;
    if (!view || !candidate?.proof) {
      void vscode.window.showWarningMessage(candidateId ? 'QED: that candidate has no proof to insert.' : 'QED: this run has no verified proof yet; insert one once a candidate has all its verifications.');
      return false;
    }
    const origin = this.hosts.get(runId)?.origin;
    if (!origin) {
      void vscode.window.showWarningMessage('QED: this run’s statement did not come from a document (or its place was not saved), so there is nowhere to insert the proof. Use Copy instead.');
      return false;
    }
    const critique = candidateCritique(candidate);
    return this.destination.insertProof(origin, candidate.proof, critique && { statement: view.run.statement, critique });
  }

  async copy(runId: string, candidateId?: string): Promise<void> {
    const view = await this.load(runId);
    const id = candidateId ?? view?.best?.id;
    const proof = view && id !== undefined ? candidateOf(view, id)?.proof : undefined;
    if (!proof) return void vscode.window.showWarningMessage('QED: there is no proof to copy yet.');
    await vscode.env.clipboard.writeText(proof);
  }

  dispose(): void {
    // The window is closing: stop what runs. Its journal holds every finished call; an end entry
    // that does not make it to disk leaves the run 'interrupted', which Resume continues alike.
    for (const going of this.going.values()) {
      going.stopped = true;
      void going.run?.stop();
    }
    for (const disposable of this.disposables) disposable.dispose();
  }

  private onMessage(runId: string, message: Exclude<DeepToHost, { type: 'ready' }>): void {
    switch (message.type) {
      case 'stop':
        void this.stop(runId);
        break;
      case 'resume':
        void this.resume(runId);
        break;
      case 'insertBest':
        void this.insert(runId);
        break;
      case 'copyBest':
        void this.copy(runId);
        break;
      case 'insert':
        void this.insert(runId, message.candidate);
        break;
      case 'copy':
        void this.copy(runId, message.candidate);
        break;
    }
  }

  /** What the run's panel shows; loads a saved run this window has not seen. */
  private async content(runId: string): Promise<DeepPanelContent | undefined> {
    const view = await this.load(runId);
    if (!view) return undefined;
    const host = this.hosts.get(runId);
    return { view: this.viewOf(runId)!, live: this.going.get(runId)?.run?.liveCalls ?? [], macros: host?.macros, insertable: host?.origin !== undefined };
  }

  /** The run's view, read from its journal the first time; undefined (and the user told why) if it cannot be read. */
  private async load(runId: string): Promise<RunView | undefined> {
    const known = this.views.get(runId);
    if (known) return known;
    try {
      // Read, not opened for appending: the run may be going in another window.
      const view = foldJournal(await this.store.read(runId));
      this.views.set(runId, view);
      const host = hostDataFrom(await this.store.host(runId));
      if (host) this.hosts.set(runId, host);
      return view;
    } catch (error) {
      void vscode.window.showErrorMessage(`QED: could not open the Deep Prove run: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** Runs a session of the run on the backend the settings choose, until it ends or is stopped. */
  private go(runId: string, journal: FileJournal, unlock: () => void): void {
    const backendKind = readSettings().backend;
    const going: Going = { runId, backendKind, sequences: 1, stopped: false, done: Promise.resolve() };
    this.going.set(runId, going);
    going.done = this.session(going, journal).finally(() => {
      unlock();
      this.going.delete(runId);
      this.shareBackend();
      this.showStatus();
      void this.panels.postView(runId);
    });
  }

  private async session(going: Going, journal: FileJournal): Promise<void> {
    const { runId } = going;
    this.showStatus();
    let resolved;
    try {
      resolved = await this.backends.resolve((progress) => {
        going.progress = progress;
        this.showStatus();
      });
    } catch (error) {
      void showError(error, going.backendKind);
      // Said in the run's journal too, so its panel shows why it did not start, and offers Resume.
      const end = isCancellation(error) ? { reason: 'user' as const } : { reason: 'error' as const, error: errorMessage(error) };
      await journal.append({ type: 'end', at: Date.now(), ...end }).catch(() => undefined);
      this.views.set(runId, foldJournal(journal.entries));
      return;
    }
    going.progress = undefined;
    if (going.stopped) return;
    const settings = readDeepProveSettings();
    going.sequences = resolved.sequences ?? (settings.ok ? settings.settings.endpointConcurrency : DEFAULT_ENDPOINT_CONCURRENCY);
    going.slots = new CallSlots(1);
    this.shareBackend();
    // A resumed run keeps its configuration; its limits are today's settings (Resume after the
    // budget ran out goes on only with a larger one).
    const limits = settings.ok ? { tokenBudget: settings.settings.config.tokenBudget, timeLimitMs: settings.settings.config.timeLimitMs } : {};
    const view = this.views.get(runId) ?? foldJournal(journal.entries);
    if (limits.tokenBudget !== undefined && view.tokens >= limits.tokenBudget) {
      void showSettingsProblems([`The run used its token budget (${view.tokens.toLocaleString('en-US')} tokens): raise qed.deepProve.tokenBudget to go on.`], ['qed.deepProve.tokenBudget']);
      return;
    }
    going.run = new DeepProveRun(
      { backend: resolved.backend, journal, slots: going.slots, ...limits },
      {
        changed: (changed) => {
          this.views.set(runId, changed);
          void this.panels.postView(runId);
          this.showStatus();
        },
        live: (calls) => this.onLive(runId, calls),
      },
    );
    this.views.set(runId, going.run.view);
    const ended = await going.run.run();
    if (ended.end?.reason === 'error') void vscode.window.showErrorMessage(`QED: Deep Prove stopped on an error: ${ended.end.error ?? 'unknown'}. Resume goes on from the calls that finished.`);
  }

  private liveTimer: ReturnType<typeof setTimeout> | undefined;

  private onLive(runId: string, calls: readonly LiveCall[]): void {
    this.panels.postLive(runId, calls);
    // The status bar's token count moves with the streams, at the panel's pace.
    this.liveTimer ??= setTimeout(() => {
      this.liveTimer = undefined;
      this.showStatus();
    }, 250);
  }

  /** Applies the capacity rule to every run going: runs on a backend share it, and leave room for an answer being written there. */
  private shareBackend(): void {
    const backendNow = readSettings().backend;
    const started = [...this.going.values()].filter((going) => going.slots);
    for (const going of started) {
      const runs = started.filter((other) => other.backendKind === going.backendKind).length;
      // The single Prove and the chat answer on whatever the settings choose now.
      const otherAnswers = going.backendKind === backendNow ? this.answers.count : 0;
      going.slots!.setCapacity(runCapacity({ sequences: going.sequences, runs, otherAnswers }));
    }
  }

  private showStatus(): void {
    const running: RunningRun[] = [...this.going.values()].map((going) => {
      const view = this.views.get(going.runId);
      return {
        runId: going.runId,
        title: view?.run.title ?? 'Deep Prove',
        best: view?.best?.mean ?? null,
        tokens: going.run?.tokensUsed ?? view?.tokens ?? 0,
        tokenBudget: view?.tokenBudget ?? 0,
        progress: going.progress,
      };
    });
    this.status.show(running);
  }
}

/** The settings' problems in one notification, with the way to them. */
async function showSettingsProblems(problems: string[], settings: string[]): Promise<void> {
  const picked = await vscode.window.showErrorMessage(`QED: Deep Prove cannot start: ${problems.join(' ')}`, 'Open Settings');
  if (picked) await vscode.commands.executeCommand('workbench.action.openSettings', settings.length === 1 ? settings[0] : 'qed.deepProve');
}
