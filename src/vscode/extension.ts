/**
 * The VS Code entry point: registers commands and wires the adapters together. Nothing heavy
 * happens here: the engine starts, and the model loads, on the first request.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSnapshot } from '../core/webview/panelProtocol';
import { BackendProvider, ENDPOINT_KEY_SECRET } from './backendProvider';
import { CONNECT_SERVER_COMMAND, connectServer } from './connectServer';
import { CritiqueDiagnostics, REPAIR_COMMAND } from './critiqueDiagnostics';
import { CudaBackend, INSTALL_CUDA_COMMAND } from './cudaBackend';
import { ENGINE_MENU_COMMAND, EngineStatusBar, showEngineMenu } from './engineStatusBar';
import { LocalEngine } from './localEngine';
import { CHOOSE_MODEL_COMMAND, ModelPicker } from './modelPicker';
import { ModelStore } from './modelStore';
import { openSample } from './sample';
import { ProofController } from './proofController';
import type { ServerWizardUi } from './serverWizard';
import { AnswerActivity } from './answerActivity';
import { registerChat } from './chat/registerChat';
import { chatDeepProve, registerDeepProve } from './deepProve/registerDeepProve';
import { DeepProveController } from './deepProve/deepProveController';
import { TheoremActions } from './theoremActions';
import { THEOREM_DOCUMENTS, TheoremIndex } from './theoremIndex';

/** What the extension exports: enough for its own extension-host tests to observe a run. */
export interface QedApi {
  currentRun(): RunSnapshot | undefined;
  whenIdle(): Promise<void>;
  /** Our share of activation: evaluating the bundle, then `activate()` itself (ms). */
  activation: { bundleMs?: number; activateMs: number };
}

/** Set by the bundle's banner and footer (scripts/build.mjs); absent when the sources run unbundled. */
declare const __qedBundleStarted: number | undefined;
declare const __qedBundleEvaluated: number | undefined;

export function activate(context: vscode.ExtensionContext): QedApi {
  const activateStarted = performance.now();
  const log = vscode.window.createOutputChannel('QED Engine', { log: true });
  const cliPath = path.join(context.extensionPath, 'dist', 'cli.js');
  const storage = context.globalStorageUri;
  const engine = new LocalEngine(cliPath, path.join(storage.fsPath, 'engine.json'), log);
  const models = new ModelStore(storage, cliPath, log);
  const cuda = new CudaBackend(context.extensionPath, storage.fsPath, cliPath, log, engine, context.globalState);
  const backends = new BackendProvider(engine, models, context.secrets, cuda);
  const picker = new ModelPicker(models, engine, cliPath, log);
  const answers = new AnswerActivity();
  const proofs = new ProofController(context.extensionUri, backends, context.workspaceState, answers);
  const index = new TheoremIndex(log);
  const diagnostics = new CritiqueDiagnostics();
  const theorems = new TheoremActions(index, proofs, diagnostics);
  const deep = new DeepProveController(context.extensionUri, storage, backends, answers, theorems, context.workspaceState);

  context.subscriptions.push(
    log,
    engine,
    answers,
    deep,
    new EngineStatusBar(engine),
    proofs,
    index,
    diagnostics,
    theorems,
    vscode.languages.registerCodeLensProvider(THEOREM_DOCUMENTS, theorems.lenses),
    vscode.languages.registerDocumentSymbolProvider(THEOREM_DOCUMENTS, theorems.lenses, { label: 'QED theorems' }),
    vscode.languages.registerCodeActionsProvider(THEOREM_DOCUMENTS, diagnostics, { providedCodeActionKinds: CritiqueDiagnostics.providedCodeActionKinds }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('qed.codeLens')) theorems.lenses.refresh();
    }),
    vscode.commands.registerCommand('qed.proveSelection', () => theorems.proveSelection()),
    vscode.commands.registerCommand('qed.critiqueProof', () => theorems.critiqueAtCursor()),
    vscode.commands.registerCommand('qed.clearCritique', () => diagnostics.clear(vscode.window.activeTextEditor?.document.uri)),
    vscode.commands.registerCommand('qed.insertProof', () => theorems.insertCurrent()),
    vscode.commands.registerCommand('qed.proveAt', (uri: string, offset: number) => theorems.proveAt(uri, offset, false)),
    vscode.commands.registerCommand('qed.reproveAt', (uri: string, offset: number) => theorems.proveAt(uri, offset, true)),
    vscode.commands.registerCommand('qed.critiqueAt', (uri: string, offset: number) => theorems.critiqueAt(uri, offset)),
    vscode.commands.registerCommand('qed.insertProofAt', (uri: string, offset: number) => theorems.insertAt(uri, offset)),
    registerDeepProve(deep, theorems),
    vscode.commands.registerCommand(REPAIR_COMMAND, (uri: string, id: number) => theorems.repair(uri, id)),
    vscode.commands.registerCommand('qed.stop', () => proofs.stop()),
    vscode.commands.registerCommand('qed.answerNow', () => proofs.answerNow()),
    vscode.commands.registerCommand('qed.continueRun', () => proofs.continueRun()),
    vscode.commands.registerCommand('qed.continuePastLimit', () => proofs.continuePastLimit()),
    vscode.commands.registerCommand('qed.showEngineLog', () => log.show()),
    vscode.commands.registerCommand(ENGINE_MENU_COMMAND, () => showEngineMenu(engine, cuda)),
    vscode.commands.registerCommand(INSTALL_CUDA_COMMAND, () => cuda.install()),
    engine.onDidChangeState((state) => {
      if (state.kind === 'ready') void cuda.maybeOffer(state.info);
    }),
    vscode.commands.registerCommand('qed.restartEngine', () => {
      engine.stop();
      void vscode.window.showInformationMessage('QED: the engine will start again on the next request.');
    }),
    vscode.commands.registerCommand('qed.setEndpointApiKey', () => setEndpointApiKey(context.secrets)),
    vscode.commands.registerCommand(CHOOSE_MODEL_COMMAND, () => picker.choose()),
    vscode.commands.registerCommand('qed.openSample', () => openSample(context.extensionPath, storage.fsPath)),
    // Tests pass the answers to the wizard's questions (a ServerWizardUi) as the argument.
    vscode.commands.registerCommand(CONNECT_SERVER_COMMAND, (ui?: ServerWizardUi) => connectServer(context.secrets, ui)),
  );
  context.subscriptions.push(registerChat(context, backends, answers, (statement, editor) => chatDeepProve(deep, theorems, statement, editor)));
  const activation = {
    bundleMs: typeof __qedBundleStarted === 'number' && typeof __qedBundleEvaluated === 'number' ? __qedBundleEvaluated - __qedBundleStarted : undefined,
    activateMs: performance.now() - activateStarted,
  };
  return { currentRun: () => proofs.currentRun, whenIdle: () => proofs.whenIdle().then(() => theorems.whenSettled()), activation };
}

export function deactivate(): void {
  // Subscriptions (including the engine process) are disposed by VS Code.
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
