/**
 * The "QED" webview view in the side bar. It is not kept alive when hidden
 * (`retainContextWhenHidden: false`): each time it is shown it loads again, paints the state it
 * saved, and asks the controller, which owns the conversations, for the real snapshot.
 */
import * as vscode from 'vscode';
import { chatToHost, type ChatToHost, type HostToChat } from '../../core/webview/chatProtocol';
import { webviewPage } from '../webviewPage';

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
    view.webview.html = webviewPage(view.webview, this.extensionUri, 'chat', 'QED');
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
