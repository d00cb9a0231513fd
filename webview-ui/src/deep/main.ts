/**
 * Entry point of the Deep Prove panel's webview (bundled to dist/webview/deep.js and deep.css).
 * Draws the last saved view at once (the panel may be hidden and re-created at any time during an
 * hour-long run), then asks the host for the authoritative view.
 */
import '../panel.css';
import './deep.css';
import { hostToDeep, type DeepToHost } from '../../../src/core/webview/deepProtocol';
import { isPlainObject } from '../../../src/core/webview/schema';
import { DocumentRenderer } from '../documentRenderer';
import { webviewApi } from '../webviewApi';
import { DeepView, type CardsUi, type ViewMessage } from './deepView';

/**
 * What survives the webview being re-created. `version`: a state saved by another layout is not
 * read. `runId`: which run the panel shows, for the host's serializer after a window reload.
 */
interface DeepState {
  version: 1;
  runId?: string;
  message?: ViewMessage;
  cards?: CardsUi;
}

/** A view of 12 candidates with their evaluations is a few hundred KB: saved at most this often. */
const SAVE_INTERVAL_MS = 1000;

const vscode = webviewApi<DeepToHost, DeepState>();
let saveTimer: number | undefined;

function save(): void {
  window.clearTimeout(saveTimer);
  saveTimer = undefined;
  vscode.setState({ version: 1, runId: view.saved?.view.run.runId, message: view.saved, cards: view.cardsUi });
}

const root = document.getElementById('root') ?? document.body;
const view = new DeepView(root, new DocumentRenderer(), {
  post: (message) => vscode.postMessage(message),
  changed: (urgent) => {
    if (urgent) save();
    else saveTimer ??= window.setTimeout(save, SAVE_INTERVAL_MS);
  },
});

// Anything that is not a well-formed message (a foreign or malformed one) is dropped.
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (hostToDeep.is(event.data)) view.handle(event.data);
});

const saved = vscode.getState();
if (saved?.version === 1 && hostToDeep.is(saved.message) && saved.message.type === 'view') {
  view.restore(saved.message, isPlainObject(saved.cards) ? (saved.cards as CardsUi) : {});
}
vscode.postMessage({ type: 'ready' });
