/**
 * Entry point of the chat webview (bundled to dist/webview/chat.js). Draws the last saved state
 * at once (a fast first paint), then asks the host, which owns the conversations, for its snapshot.
 */
import '../panel.css';
import './chat.css';
import { DocumentRenderer } from '../documentRenderer';
import { chatApi } from './chatApi';
import { isChatPlace, isChatSnapshot, parseHostToChat } from './chatMessages';
import { ChatView } from './chatView';
import { Throttle } from '../throttle';

/** Saving a long conversation on every delta would cost more than rendering it. */
const SAVE_INTERVAL_MS = 1000;
const PLACE_SAVE_INTERVAL_MS = 300;

const vscode = chatApi();
let saveTimer: number | undefined;

function save(): void {
  window.clearTimeout(saveTimer);
  saveTimer = undefined;
  vscode.setState({ snapshot: view.snapshot, draft: view.composer.draft, place: view.place });
}

const root = document.getElementById('root') ?? document.body;
// Throttled, not debounced: blocks rendering in idle time keep moving the text for seconds.
const placeSave = new Throttle(save, PLACE_SAVE_INTERVAL_MS);
const view = new ChatView(root, new DocumentRenderer(), {
  post: (message) => vscode.postMessage(message),
  stateChanged: (urgent) => {
    if (urgent) save();
    else saveTimer ??= window.setTimeout(save, SAVE_INTERVAL_MS);
  },
  placeChanged: () => placeSave.schedule(),
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostToChat(event.data);
  if (message) view.handle(message);
});

const saved = vscode.getState();
if (isChatSnapshot(saved?.snapshot)) {
  view.showSnapshot(saved.snapshot);
  if (isChatPlace(saved.place)) view.restorePlace(saved.place);
}
if (typeof saved?.draft === 'string') view.composer.setDraft(saved.draft);
vscode.postMessage({ type: 'ready' });
view.composer.focus();
