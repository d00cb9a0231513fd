/**
 * Before a run on the CPU backend, when this machine's measured decode speed makes a typical
 * proof attempt long, QED says how long and lets the user go on, switch to a server, or cancel:
 * once per window, or never again once they say so (`qed.engine.warnWhenSlow`).
 */
import * as vscode from 'vscode';
import { slowCpuNotice } from '../engineShared/engineLabels';
import type { EngineInfo } from '../engineShared/ipcProtocol';

/** The user chose not to run on the slow CPU; the run ends as stopped, with nothing to report. */
export class RunDeclinedError extends Error {
  constructor() {
    super('Not run: the CPU is slow for this model.');
  }
}

const CONTINUE = 'Continue on the CPU';
const USE_SERVER = 'Use a Server…';
const NEVER = 'Continue, Don’t Ask Again';

export class CpuNotice {
  private askedThisWindow = false;
  private pending: Promise<void> | undefined;

  /** Resolves when the run may go on; throws RunDeclinedError when the user declines. */
  confirm(info: EngineInfo): Promise<void> {
    if (info.gpu !== 'cpu' || this.askedThisWindow) return Promise.resolve();
    if (!vscode.workspace.getConfiguration('qed').get<boolean>('engine.warnWhenSlow', true)) return Promise.resolve();
    const message = slowCpuNotice(info.decodeTokensPerSecond);
    if (!message) return Promise.resolve();
    // A chat answer and a Prove started together get one question.
    this.pending ??= this.ask(message).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async ask(message: string): Promise<void> {
    const picked = await vscode.window.showWarningMessage(message, { modal: true, detail: 'QED asks once per window.' }, CONTINUE, USE_SERVER, NEVER);
    if (picked === CONTINUE || picked === NEVER) {
      this.askedThisWindow = true;
      if (picked === NEVER) await vscode.workspace.getConfiguration('qed').update('engine.warnWhenSlow', false, vscode.ConfigurationTarget.Global);
      return;
    }
    if (picked === USE_SERVER) void vscode.commands.executeCommand('qed.connectServer');
    throw new RunDeclinedError();
  }
}
