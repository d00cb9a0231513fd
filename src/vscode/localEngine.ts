/**
 * The local engine as the extension sees it: the supervisor's process, with a cancellable
 * progress notification while the model loads and logs in the "QED Engine" channel. The
 * process dies with the window because it is disposed with the extension's subscriptions, and
 * because the engine exits when its IPC channel to the extension host disconnects.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineSupervisor, type EngineConnection, type EngineLaunchSettings } from '../engine/supervisor';

export class LocalEngine implements vscode.Disposable {
  private readonly supervisor: EngineSupervisor;

  constructor(cliPath: string, connectionFile: string, log: vscode.LogOutputChannel) {
    this.supervisor = new EngineSupervisor(cliPath, log, connectionFile);
  }

  async connect(settings: EngineLaunchSettings): Promise<EngineConnection> {
    const existing = this.supervisor.existing(settings);
    if (existing) return existing;
    return vscode.window.withProgress(
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
          },
        });
      },
    );
  }

  stop(): void {
    this.supervisor.stop();
  }

  dispose(): void {
    this.supervisor.stop();
  }
}
