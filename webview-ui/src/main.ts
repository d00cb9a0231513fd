/**
 * Entry point of the Proof panel's webview (bundled to dist/webview/panel.js).
 * Draws the last saved run at once, then asks the host for the authoritative snapshot.
 */
import './panel.css';
import { isRunSnapshot, isScrollAnchor, parseHostMessage } from './hostMessages';
import { PanelView } from './panelView';
import { DocumentRenderer } from './documentRenderer';
import { Throttle } from './throttle';
import { vscodeApi } from './vscodeApi';
import type { RunSnapshot } from '../../src/core/panelProtocol';

/** Saving a 50,000-token run on every delta would cost more than rendering it. */
const SAVE_INTERVAL_MS = 1000;
const PLACE_SAVE_INTERVAL_MS = 300;

const vscode = vscodeApi();
let saveTimer: number | undefined;

function save(run: RunSnapshot | undefined): void {
  window.clearTimeout(saveTimer);
  saveTimer = undefined;
  vscode.setState({ run, scroll: view.scrollAnchor });
}

const root = document.getElementById('root') ?? document.body;
// Where the reader is, as the webview may be re-created at any time. Throttled, not debounced:
// blocks rendering in idle time keep moving the page for seconds.
const placeSave = new Throttle(() => save(view.snapshot), PLACE_SAVE_INTERVAL_MS);
const view = new PanelView(root, new DocumentRenderer(), {
  post: (message) => vscode.postMessage(message),
  runChanged: (run, urgent) => {
    if (urgent) save(run);
    else saveTimer ??= window.setTimeout(() => save(view.snapshot), SAVE_INTERVAL_MS);
  },
  placeChanged: () => placeSave.schedule(),
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) view.handle(message);
});


const saved = vscode.getState();
if (isRunSnapshot(saved?.run)) {
  view.showSnapshot(saved.run);
  if (isScrollAnchor(saved.scroll)) view.restoreScroll(saved.scroll);
}
vscode.postMessage({ type: 'ready' });
