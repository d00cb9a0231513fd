/**
 * Turns failures into one notification with the action that fixes them (choose a model file,
 * open the right settings, set the API key), so a bad setting is never a dead end.
 */
import * as vscode from 'vscode';
import { BackendError } from '../client/backendError';
import { EngineStartError } from '../engineHost/supervisor';
import { ModelDownloadError } from './modelStore';
import { NotConfiguredError } from './backendProvider';
import { RunDeclinedError } from './cpuNotice';

type Action = { title: string; run: () => unknown };

const chooseModelFile: Action = {
  title: 'Choose Model File…',
  run: async () => {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GGUF model': ['gguf'] }, openLabel: 'Use this model' });
    if (picked?.[0]) await vscode.workspace.getConfiguration('qed').update('model.path', picked[0].fsPath, vscode.ConfigurationTarget.Global);
  },
};
const chooseModel: Action = { title: 'Choose Model…', run: () => vscode.commands.executeCommand('qed.chooseModel') };
const openSettings = (query: string): Action => ({ title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', query) });
const useEndpoint: Action = { title: 'Connect to a Server…', run: () => vscode.commands.executeCommand('qed.connectServer') };
const setApiKey: Action = { title: 'Set API Key', run: () => vscode.commands.executeCommand('qed.setEndpointApiKey') };
const showLog: Action = { title: 'Show Engine Log', run: () => vscode.commands.executeCommand('qed.showEngineLog') };

/** One line for the panel; the same text goes into the notification. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

export function isCancellation(error: unknown): boolean {
  return (error instanceof EngineStartError && error.code === 'cancelled') || (error instanceof ModelDownloadError && error.cancelled) || error instanceof RunDeclinedError;
}

export async function showError(error: unknown, backend: 'local' | 'endpoint' = 'local'): Promise<void> {
  const message = errorMessage(error);
  if (isCancellation(error)) {
    // Declined at the CPU notice: the user just answered, there is nothing to tell them.
    if (!(error instanceof RunDeclinedError)) void vscode.window.showInformationMessage(`QED: ${message}`);
    return;
  }
  const actions = actionsFor(error, backend);
  const picked = await vscode.window.showErrorMessage(`QED: ${message}`, ...actions.map((action) => action.title));
  await actions.find((action) => action.title === picked)?.run();
}

function actionsFor(error: unknown, backend: 'local' | 'endpoint'): Action[] {
  if (error instanceof EngineStartError) {
    switch (error.code) {
      case 'model_not_found':
      case 'invalid_model':
      case 'load_failed':
        return [chooseModelFile, openSettings('qed.model.path'), useEndpoint];
      default:
        return [showLog, openSettings('qed.engine')];
    }
  }
  if (error instanceof ModelDownloadError) return [chooseModel, chooseModelFile, useEndpoint];
  if (error instanceof NotConfiguredError) return [openSettings('qed.endpoint')];
  if (error instanceof BackendError && backend === 'endpoint') {
    switch (error.kind) {
      case 'auth':
        return [setApiKey, openSettings('qed.endpoint')];
      case 'notFound':
      case 'model':
      case 'connection':
        return [openSettings('qed.endpoint')];
      default:
        return [];
    }
  }
  return [showLog];
}
