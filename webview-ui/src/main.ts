/**
 * Entry point of the Proof panel's webview (bundled to dist/webview/panel.js).
 * Draws the last saved run at once, then asks the host for the authoritative snapshot.
 */
import './panel.css';
import { isRunSnapshot, parseHostMessage } from './hostMessages';
import { PanelView } from './panelView';
import { DocumentRenderer } from './documentRenderer';
import { vscodeApi } from './vscodeApi';
import type { RunSnapshot } from '../../src/core/panelProtocol';

/** Saving a 50,000-token run on every delta would cost more than rendering it. */
const SAVE_INTERVAL_MS = 1000;

const vscode = vscodeApi();
let saveTimer: number | undefined;

function save(run: RunSnapshot | undefined): void {
  window.clearTimeout(saveTimer);
  saveTimer = undefined;
  vscode.setState({ run });
}

const root = document.getElementById('root') ?? document.body;
const view = new PanelView(root, new DocumentRenderer(), {
  post: (message) => vscode.postMessage(message),
  runChanged: (run, urgent) => {
    if (urgent) save(run);
    else saveTimer ??= window.setTimeout(() => save(view.snapshot), SAVE_INTERVAL_MS);
  },
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) view.handle(message);
});

const saved = vscode.getState()?.run;
if (isRunSnapshot(saved)) view.showSnapshot(saved);
vscode.postMessage({ type: 'ready' });
