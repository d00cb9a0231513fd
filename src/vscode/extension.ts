/**
 * The VS Code entry point: registers commands and wires the adapters together. Nothing heavy
 * happens here: the engine starts, and the model loads, on the first request.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSnapshot } from '../core/panelProtocol';
import { BackendProvider, ENDPOINT_KEY_SECRET } from './backendProvider';
import { LocalEngine } from './localEngine';
import { ModelStore } from './modelStore';
import { ProofController } from './proofController';

/** What the extension exports: enough for its own extension-host tests to observe a run. */
export interface QedApi {
  currentRun(): RunSnapshot | undefined;
  whenIdle(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): QedApi {
  const log = vscode.window.createOutputChannel('QED Engine', { log: true });
  const cliPath = path.join(context.extensionPath, 'dist', 'cli.js');
  const storage = context.globalStorageUri;
  const engine = new LocalEngine(cliPath, path.join(storage.fsPath, 'engine.json'), log);
  const models = new ModelStore(storage, cliPath, log);
  const proofs = new ProofController(context.extensionUri, new BackendProvider(engine, models, context.secrets));

  context.subscriptions.push(
    log,
    engine,
    proofs,
    vscode.commands.registerCommand('qed.proveSelection', () => proveSelection(proofs)),
    vscode.commands.registerCommand('qed.stop', () => proofs.stop()),
    vscode.commands.registerCommand('qed.showEngineLog', () => log.show()),
    vscode.commands.registerCommand('qed.restartEngine', () => {
      engine.stop();
      void vscode.window.showInformationMessage('QED: the engine will start again on the next request.');
    }),
    vscode.commands.registerCommand('qed.setEndpointApiKey', () => setEndpointApiKey(context.secrets)),
  );
  return { currentRun: () => proofs.currentRun, whenIdle: () => proofs.whenIdle() };
}

export function deactivate(): void {
  // Subscriptions (including the engine process) are disposed by VS Code.
}

async function proveSelection(proofs: ProofController): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const statement = editor?.document.getText(editor.selection).trim();
  if (!editor || !statement) {
    void vscode.window.showWarningMessage('QED: select the statement to prove first (the text of the theorem or problem).');
    return;
  }
  const line = editor.selection.start.line + 1;
  await proofs.prove(statement, `${path.basename(editor.document.fileName)}:${line}`);
}

async function setEndpointApiKey(secrets: vscode.SecretStorage): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: 'QED: API key for the endpoint (qed.endpoint.url)',
    prompt: 'Stored in VS Code’s secret storage, never in settings.json. Leave empty to remove the key.',
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim()) await secrets.store(ENDPOINT_KEY_SECRET, key.trim());
  else await secrets.delete(ENDPOINT_KEY_SECRET);
  void vscode.window.showInformationMessage(key.trim() ? 'QED: endpoint API key saved.' : 'QED: endpoint API key removed.');
}
