/**
 * Entry point of the Deep Prove panel's webview (bundled to dist/webview/deep.js and deep.css).
 * The panel may be hidden and re-created at any time during an hour-long run: the page saves
 * which run it shows and what the reader opened, and asks the host for the run's view at once.
 */
import '../panel.css';
import './deep.css';
import { hostToDeep, type DeepToHost } from '../../../src/core/webview/deepProtocol';
import { isPlainObject } from '../../../src/core/webview/schema';
import { DocumentRenderer } from '../documentRenderer';
import { webviewApi } from '../webviewApi';
import { DeepView, type CardsUi } from './deepView';

/**
 * What survives the webview being re-created: a few hundred bytes, saved whenever it changes.
 * `runId`: which run the panel shows, for the host's serializer after a window reload (the host
 * sends that run's view when the page is ready). `cards`: what the reader opened.
 * Version 1 also held the last view (~350 KB): its run and cards are still read.
 */
interface DeepState {
  version: 2;
  runId?: string;
  cards?: CardsUi;
}

const vscode = webviewApi<DeepToHost, DeepState>();

/**
 * Rendered once before the page asks for its view: the first Markdown and the first formula a page
 * renders cost 10–50 ms more than the next ones (its code is compiled then), which the frame
 * drawing the first view paid. Nothing is on screen yet to be held up.
 */
const WARM_UP = 'A *warm-up* with $x_i^2 \\le \\mathbb{Q}_{>0}$ and\n\n$$\\sum_{i=1}^{n} \\frac{a_i}{b_i}$$';

const renderer = new DocumentRenderer();
renderer.render(WARM_UP);
const root = document.getElementById('root') ?? document.body;
const view = new DeepView(root, renderer, {
  post: (message) => vscode.postMessage(message),
  changed: () => vscode.setState({ version: 2, runId: view.runId, cards: view.cardsUi }),
});

// Anything that is not a well-formed message (a foreign or malformed one) is dropped.
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (hostToDeep.is(event.data)) view.handle(event.data);
});

const saved: unknown = vscode.getState();
const runId = savedRunId(saved);
if (runId !== undefined && isPlainObject(saved)) view.restore(runId, isPlainObject(saved.cards) ? (saved.cards as CardsUi) : {});
vscode.postMessage({ type: 'ready' });

function savedRunId(state: unknown): string | undefined {
  if (!isPlainObject(state)) return undefined;
  if (state.version === 2 && typeof state.runId === 'string') return state.runId;
  // Saved by version 1: the run of its view.
  const message = state.version === 1 && isPlainObject(state.message) ? state.message : undefined;
  const runView = message && isPlainObject(message.view) ? message.view : undefined;
  const run = runView && isPlainObject(runView.run) ? runView.run : undefined;
  return typeof run?.runId === 'string' ? run.runId : undefined;
}
