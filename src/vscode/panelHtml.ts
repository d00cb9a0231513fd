/**
 * The Proof panel webview's HTML. Pure (no `vscode` import) so tests can serve the same page.
 *
 * CSP: scripts only with this page's nonce; styles, fonts and images only from the webview's
 * own resources (`cspSource`); nothing remote, no inline script.
 * `style-src` deliberately lacks 'unsafe-inline' (VS Code's Markdown preview allows it, for
 * KaTeX among others): KaTeX's inline sizing styles are applied through CSSOM instead (see
 * webview-ui/src/render/dom.ts), which CSP does not restrict, so math lays out exactly while
 * the text a model writes can never bring its own styles.
 */
import { escapeHtml } from '../core/html';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh per page, e.g. 16 random bytes in base64. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
  katexStyleUri: string;
  title: string;
}

export function panelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri, katexStyleUri, title } = options;
  // Neither can contain these; refusing them keeps a bad value from widening the policy, and
  // lets the policy go into the attribute as is.
  if (!/^(?:'self'|[^\s;,'"<>&]+)(?: (?:'self'|[^\s;,'"<>&]+))*$/.test(cspSource) || !/^[A-Za-z0-9+/=_-]+$/.test(nonce)) {
    throw new Error('panelHtml: invalid cspSource or nonce');
  }
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(katexStyleUri)}">
<link rel="stylesheet" href="${escapeHtml(styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
