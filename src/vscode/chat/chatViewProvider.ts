/**
 * The "QED" webview view in the side bar. It is not kept alive when hidden
 * (`retainContextWhenHidden: false`): each time it is shown it loads again, paints the state it
 * saved, and asks the controller, which owns the conversations, for the real snapshot.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { chatToHost, type ChatToHost, type HostToChat } from '../../core/webview/chatProtocol';
import { panelHtml } from '../panelHtml';

export const CHAT_VIEW_ID = 'qed.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    /** Every message from the page, including 'ready'. */
    private readonly onMessage: (message: ChatToHost) => void,
    /** The page is gone (hidden or closed): nobody to post to. */
    private readonly onGone: () => void,
  ) {}

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  post(message: HostToChat): void {
    void this.view?.webview.postMessage(message);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    const asset = (...segments: string[]) => view.webview.asWebviewUri(vscode.Uri.joinPath(root, ...segments)).toString();
    view.webview.html = panelHtml({
      cspSource: view.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: asset('chat.js'),
      styleUri: asset('chat.css'),
      katexStyleUri: asset('katex', 'katex.min.css'),
      title: 'QED',
    });
    view.webview.onDidReceiveMessage((message: unknown) => {
      if (chatToHost.is(message)) this.onMessage(message);
    });
    view.onDidDispose(() => {
      if (this.view !== view) return;
      this.view = undefined;
      this.onGone();
    });
  }
}
