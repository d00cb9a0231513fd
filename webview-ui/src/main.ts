/**
 * Entry point of the Proof panel's webview (bundled to dist/webview/panel.js).
 * Draws the last saved run at once, then asks the host for the authoritative snapshot.
 */
import './panel.css';
import { hostToPanel, savedRun, type PanelToHost, type RunSnapshot } from '../../src/core/webview/panelProtocol';
import { PanelView } from './panelView';
import { DocumentRenderer } from './documentRenderer';
import { scrollAnchorSchema, type ScrollAnchor } from './scrollAnchor';
import { Throttle } from './throttle';
import { webviewApi } from './webviewApi';

/** What survives the webview being re-created; proofPanel.ts reads `run` in its serializer. */
interface PanelState {
  run?: RunSnapshot;
  scroll?: ScrollAnchor;
}

/** Saving a 50,000-token run on every delta would cost more than rendering it. */
const SAVE_INTERVAL_MS = 1000;
const PLACE_SAVE_INTERVAL_MS = 300;

const vscode = webviewApi<PanelToHost, PanelState>();
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

// Anything that is not a well-formed message (a foreign or malformed one) is dropped.
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (hostToPanel.is(event.data)) view.handle(event.data);
});

const saved = vscode.getState();
const savedRunShown = savedRun(saved?.run);
if (savedRunShown) {
  view.showSnapshot(savedRunShown);
  if (scrollAnchorSchema.is(saved?.scroll)) view.restoreScroll(saved.scroll);
}
vscode.postMessage({ type: 'ready' });
