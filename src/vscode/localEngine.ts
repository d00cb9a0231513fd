/**
 * The local engine as the extension sees it: the supervisor's process, with a cancellable
 * progress notification while the model loads and logs in the "QED Engine" channel. The
 * process dies with the window because it is disposed with the extension's subscriptions, and
 * because the engine exits when its IPC channel to the extension host disconnects.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineState } from '../engineShared/engineLabels';
import { EngineStartError, EngineSupervisor, type EngineConnection, type EngineLaunchSettings } from '../engineHost/supervisor';

export class LocalEngine implements vscode.Disposable {
  private readonly supervisor: EngineSupervisor;
  private readonly stateChanged = new vscode.EventEmitter<EngineState>();
  /** What the status bar shows: stopped, loading, ready (with the running engine) or failed. */
  readonly onDidChangeState = this.stateChanged.event;
  private current: EngineState = { kind: 'stopped' };
  private connected: EngineConnection | undefined;
  private loadedModel: string | undefined;

  constructor(cliPath: string, connectionFile: string, log: vscode.LogOutputChannel) {
    this.supervisor = new EngineSupervisor(cliPath, log, connectionFile, {
      onExit: () => {
        log.info('The next request starts a new engine.');
        this.connected = undefined;
        this.loadedModel = undefined;
        this.setState({ kind: 'stopped' });
      },
    });
  }

  get state(): EngineState {
    return this.current;
  }

  /** The model file the engine has loaded or is loading: not to be deleted under it. */
  get modelPath(): string | undefined {
    return this.loadedModel;
  }

  /** The running engine, if one is ready. */
  get connection(): EngineConnection | undefined {
    return this.connected;
  }

  async connect(settings: EngineLaunchSettings): Promise<EngineConnection> {
    const existing = this.supervisor.existing(settings);
    if (existing) return existing;
    this.connected = undefined;
    this.loadedModel = settings.modelPath;
    this.setState({ kind: 'loading', fraction: 0 });
    const connecting = vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `QED: loading ${path.basename(settings.modelPath)}`, cancellable: true },
      (progress, cancellation) => {
        const abort = new AbortController();
        cancellation.onCancellationRequested(() => abort.abort());
        let reported = 0;
        return this.supervisor.connect(settings, {
          signal: abort.signal,
          onProgress: (fraction) => {
            const percent = Math.round(fraction * 100);
            progress.report({ message: `${percent}%`, increment: percent - reported });
            reported = percent;
            this.setState({ kind: 'loading', fraction });
          },
        });
      },
    );
    try {
      const connection = await connecting;
      this.connected = connection;
      this.setState({ kind: 'ready', info: connection.info });
      return connection;
    } catch (error) {
      const cancelled = error instanceof EngineStartError && error.code === 'cancelled';
      this.loadedModel = undefined;
      this.setState(cancelled ? { kind: 'stopped' } : { kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  stop(): void {
    this.supervisor.stop();
    this.connected = undefined;
    this.loadedModel = undefined;
    this.setState({ kind: 'stopped' });
  }

  dispose(): void {
    this.supervisor.stop();
    this.stateChanged.dispose();
  }

  private setState(state: EngineState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }
}
