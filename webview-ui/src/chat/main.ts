/**
 * Entry point of the chat webview (bundled to dist/webview/chat.js). Draws the last saved state
 * at once (a fast first paint), then asks the host, which owns the conversations, for its snapshot.
 */
import '../panel.css';
import './chat.css';
import { chatSnapshot, hostToChat, type ChatSnapshot, type ChatToHost } from '../../../src/core/webview/chatProtocol';
import { DocumentRenderer } from '../documentRenderer';
import { chatPlaceSchema, ChatView, type ChatPlace } from './chatView';
import { Throttle } from '../throttle';
import { webviewApi } from '../webviewApi';

/** Only a fast first paint: the host owns the conversations and sends the real snapshot. */
interface ChatState {
  snapshot?: ChatSnapshot;
  /** What the user was typing. */
  draft?: string;
  /** Where the reader was in the conversation. */
  place?: ChatPlace;
}

/** Saving a long conversation on every delta would cost more than rendering it. */
const SAVE_INTERVAL_MS = 1000;
const PLACE_SAVE_INTERVAL_MS = 300;

const vscode = webviewApi<ChatToHost, ChatState>();
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

// Anything that is not a well-formed message (a foreign or malformed one) is dropped.
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (hostToChat.is(event.data)) view.handle(event.data);
});

const saved = vscode.getState();
if (chatSnapshot.is(saved?.snapshot)) {
  view.showSnapshot(saved.snapshot);
  if (chatPlaceSchema.is(saved?.place)) view.restorePlace(saved.place);
}
if (typeof saved?.draft === 'string') view.composer.setDraft(saved.draft);
vscode.postMessage({ type: 'ready' });
view.composer.focus();
