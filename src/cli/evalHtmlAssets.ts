/**
 * KaTeX's style sheet with its fonts inlined as data: URLs, so that the eval report is one file
 * that renders its math offline and makes no request at all.
 *
 * The assets are the ones the build copies for the webviews (dist/webview/katex, woff2 only),
 * found next to the CLI bundle (dist/cli.js); run from source (tsx: tests), the katex package
 * itself. Both are the KaTeX version the renderer is bundled with.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Where the assets may be, in order: next to dist/cli.js, then from src/cli to node_modules. */
function candidateFolders(): string[] {
  return [path.join(__dirname, 'webview', 'katex'), path.resolve(__dirname, '..', '..', 'node_modules', 'katex', 'dist')];
}

export class KatexAssetsMissing extends Error {}

let cached: string | undefined;

/** katex.min.css with every font as an inline woff2; throws KatexAssetsMissing if it cannot. */
export function inlineKatexCss(): string {
  cached ??= buildInlineCss(findKatexFolder());
  return cached;
}

function findKatexFolder(): string {
  const folders = candidateFolders();
  const found = folders.find((folder) => existsSync(path.join(folder, 'katex.min.css')));
  if (!found) {
    throw new KatexAssetsMissing(`KaTeX's style sheet was not found (looked for katex.min.css in ${folders.join(' and ')}); the HTML report needs it. Rebuild QED (npm run build).`);
  }
  return found;
}

/**
 * Each @font-face's `src` lists woff2, woff and ttf; only woff2 is kept (the build ships no
 * other, and every browser reads it), as a data: URL.
 */
function buildInlineCss(folder: string): string {
  const css = readFileSync(path.join(folder, 'katex.min.css'), 'utf8');
  return css.replace(/src:([^;}]*)/g, (declaration: string, sources: string) => {
    const woff2 = /url\(["']?(fonts\/[^"')]+\.woff2)["']?\)/.exec(sources)?.[1];
    if (!woff2) return declaration;
    return `src:url(data:font/woff2;base64,${readFont(folder, woff2)}) format("woff2")`;
  });
}

function readFont(folder: string, file: string): string {
  const fontPath = path.join(folder, file);
  if (!existsSync(fontPath)) throw new KatexAssetsMissing(`KaTeX's font ${fontPath} is missing; the HTML report needs it. Rebuild QED (npm run build).`);
  return readFileSync(fontPath).toString('base64');
}
