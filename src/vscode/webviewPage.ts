/**
 * The HTML of one of QED's webview pages (the Proof panel, the chat, the Deep Prove panel): its
 * bundle's script and style from dist/webview, KaTeX's stylesheet, and a fresh nonce, under the
 * one policy panelHtml.ts writes.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { panelHtml } from './panelHtml';

export function webviewPage(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: 'panel' | 'chat' | 'deep', title: string): string {
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', ...segments)).toString();
  return panelHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    scriptUri: asset(`${bundle}.js`),
    styleUri: asset(`${bundle}.css`),
    katexStyleUri: asset('katex', 'katex.min.css'),
    title,
  });
}
