/**
 * The Proof panel's real bundle (dist/webview) in Debian's Chromium, on a page shaped exactly
 * like panelHtml's output (same CSP), with VS Code's webview API and theme variables faked by
 * an inline script of this test page only. A loopback server serves everything.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostToPanel, PanelToHost, RunSnapshot } from '../../src/core/panelProtocol';
import { panelHtml } from '../../src/vscode/panelHtml';

// page.evaluate callbacks run in the browser, but this file is type-checked without the DOM lib
// (tsconfig.json is the Node one), so the few browser globals they touch are declared loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (callback: () => void) => number;
declare const NodeFilter: { SHOW_TEXT: number };
type HTMLDetailsElement = { open: boolean };
type HTMLElement = { style: { height: string }; closest(selector: string): unknown };

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '..', '..');
const WEBVIEW = join(ROOT, 'dist', 'webview');
const ARTIFACTS = join(ROOT, 'test', 'e2e', 'artifacts');
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

/** The variables VS Code sets on a webview's <html>, for three built-in themes. */
const THEMES = {
  dark: {
    kind: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, "Droid Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
      '--vscode-editor-font-size': '14px',
      '--vscode-foreground': '#cccccc',
      '--vscode-editor-foreground': '#cccccc',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-textLink-foreground': '#4daafc',
      '--vscode-textLink-activeForeground': '#4daafc',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-border': '#ffffff12',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-button-secondaryHoverBackground': '#3c3c3c',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-widget-border': '#313131',
      '--vscode-textBlockQuote-background': '#2b2b2b',
      '--vscode-textBlockQuote-border': '#616161',
      '--vscode-textCodeBlock-background': '#2b2b2b',
      '--vscode-textPreformat-foreground': '#d0d0d0',
      '--vscode-errorForeground': '#f85149',
      '--vscode-editorWarning-foreground': '#cca700',
      '--vscode-inputValidation-errorBackground': '#5a1d1d',
      '--vscode-inputValidation-warningBackground': '#352a05',
      '--vscode-progressBar-background': '#0078d4',
    },
  },
  light: {
    kind: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, "Droid Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
      '--vscode-editor-font-size': '14px',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-editor-background': '#ffffff',
      '--vscode-descriptionForeground': '#6f6f6f',
      '--vscode-textLink-foreground': '#005fb8',
      '--vscode-textLink-activeForeground': '#005fb8',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-border': '#0000001a',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-widget-border': '#e5e5e5',
      '--vscode-textBlockQuote-background': '#f8f8f8',
      '--vscode-textBlockQuote-border': '#e5e5e5',
      '--vscode-textCodeBlock-background': '#f8f8f8',
      '--vscode-textPreformat-foreground': '#3b3b3b',
      '--vscode-errorForeground': '#f85149',
      '--vscode-editorWarning-foreground': '#bf8803',
      '--vscode-inputValidation-errorBackground': '#f2dede',
      '--vscode-inputValidation-warningBackground': '#f6f5d2',
      '--vscode-progressBar-background': '#005fb8',
    },
  },
  'high-contrast': {
    kind: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, "Droid Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
      '--vscode-editor-font-size': '14px',
      '--vscode-foreground': '#ffffff',
      '--vscode-editor-foreground': '#ffffff',
      '--vscode-editor-background': '#000000',
      '--vscode-descriptionForeground': '#ffffffb3',
      '--vscode-textLink-foreground': '#21a6ff',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-focusBorder': '#f38518',
      '--vscode-textBlockQuote-background': '#000000',
      '--vscode-textBlockQuote-border': '#ffffff',
      '--vscode-textCodeBlock-background': '#000000',
      '--vscode-errorForeground': '#f48771',
    },
  },
} as const;

type ThemeName = keyof typeof THEMES;

const STATEMENT = 'Prove that $\\sqrt{2}$ is irrational.';

const REASONING = `We need to show $\\sqrt 2$ is irrational. Standard approach: assume $\\sqrt2 = p/q$ in lowest terms.

Then $p^2 = 2q^2$, so $p$ is even. Let me double-check the parity step: if $p$ is odd, $p = 2m+1$, then
$$p^2 = 4m^2 + 4m + 1$$
is odd. Good.

So write $p = 2k$; then $4k^2 = 2q^2$, i.e. $q^2 = 2k^2$ and $q$ is even too. Contradiction with $\\gcd(p,q)=1$.
`;

const PROOF = `**Claim.** $\\sqrt{2}$ is irrational.

*Proof.* Suppose, for contradiction, that \\(\\sqrt{2}\\) is rational. Then we can write $\\sqrt{2} = \\frac{p}{q}$ with $p, q \\in \\mathbb{Z}$, $q > 0$ and $\\gcd(p, q) = 1$.

Squaring both sides gives
$$
2 = \\frac{p^2}{q^2}, \\qquad\\text{so}\\qquad p^2 = 2q^2.
$$

Hence $p^2$ is even. Since the square of an odd number is odd, $p$ must be even; write $p = 2k$ with $k \\in \\mathbb{Z}$. Substituting,
\\begin{align*}
(2k)^2 &= 2q^2 \\\\
4k^2 &= 2q^2 \\\\
q^2 &= 2k^2.
\\end{align*}

So $q^2$ is even, and by the same argument $q$ is even. Therefore
\\[
2 \\mid p \\quad\\text{and}\\quad 2 \\mid q,
\\]
which contradicts \\(\\gcd(p, q) = 1\\). Hence $\\sqrt{2} \\notin \\mathbb{Q}$. $\\blacksquare$

The parity facts used:

1. for every integer $n$, $n^2 \\equiv n \\pmod 2$;
2. consequently $2 \\mid n^2 \\implies 2 \\mid n$.
`;

const HOSTILE = `<script>window.__pwned = 'script'</script>

<img src=x onerror="window.__pwned = 'img'"> <iframe src="http://evil.example/"></iframe>

[click](javascript:window.__pwned='link') and [data](data:text/html,<script>alert(1)</script>) and ![pixel](http://evil.example/pixel.png)

$\\href{javascript:window.__pwned='href'}{x}$ and $\\url{http://evil.example/}$ and $\\includegraphics{http://evil.example/a.png}$ and $\\htmlStyle{background:url(http://evil.example/b.png)}{y}$

<svg onload="window.__pwned='svg'"></svg> <a href="javascript:alert(1)">raw</a> $\\unknownmacro{z}$ is fine.
`;

/** Token-like pieces: 1–6 characters, so every delimiter gets cut somewhere. */
function tokens(text: string): string[] {
  const pieces: string[] = [];
  let seed = 7;
  for (let i = 0; i < text.length; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const size = 1 + (seed % 6);
    pieces.push(text.slice(i, i + size));
    i += size;
  }
  return pieces;
}

function snapshot(run: Partial<RunSnapshot> & { runId: string }): RunSnapshot {
  return {
    title: 'sqrt2.tex:12',
    statement: STATEMENT,
    source: 'local engine · qed-nano-q4_k_m.gguf',
    status: 'loading',
    reasoning: '',
    content: '',
    reasoningChunks: 0,
    contentChunks: 0,
    startedAt: Date.now(),
    ...run,
  };
}

/** panelHtml's page, plus this test's stand-in for VS Code (inline, with the page's nonce). */
function testPage(origin: string, theme: ThemeName, state: unknown): string {
  const { kind, vars } = THEMES[theme];
  const fake = `<script nonce="${NONCE}">
(() => {
  window.__posted = [];
  window.__state = ${JSON.stringify(state ?? null)} ?? undefined;
  window.__pwned = false;
  window.__csp = [];
  window.__mathErrors = 0;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => window.__state,
      setState: (value) => { window.__state = JSON.parse(JSON.stringify(value)); },
    };
  };
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  const vars = ${JSON.stringify(vars)};
  for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add(${JSON.stringify(kind)});
    document.body.dataset.vscodeThemeKind = ${JSON.stringify(kind)};
    // Records a KaTeX error or an unrendered formula even if it shows for a single frame.
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) {
        if (node instanceof Element && (node.matches('.katex-error, .math-source') || node.querySelector('.katex-error, .math-source'))) window.__mathErrors++;
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
</script>`;
  const html = panelHtml({
    cspSource: origin,
    nonce: NONCE,
    scriptUri: `${origin}/webview/panel.js`,
    styleUri: `${origin}/webview/panel.css`,
    katexStyleUri: `${origin}/webview/katex/katex.min.css`,
    title: 'QED Proof',
  });
  // A function, not a string: the saved state contains `$$`, which a replacement string would mangle.
  return html.replace('<link rel="stylesheet"', () => `${fake}\n<link rel="stylesheet"`);
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

function startServer(pages: Map<string, string>): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const page = pages.get(url.pathname + url.search);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    if (url.pathname.startsWith('/webview/')) {
      const file = normalize(join(WEBVIEW, decodeURIComponent(url.pathname.slice('/webview/'.length))));
      if (file.startsWith(WEBVIEW + sep)) {
        try {
          const body = await readFile(file);
          res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
          res.end(body);
          return;
        } catch {
          // fall through to 404
        }
      }
    }
    res.writeHead(404).end();
  });
  return new Promise((resolveServer) => server.listen(0, '127.0.0.1', () => resolveServer(server)));
}

describe('Proof panel webview (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: Server;
  let origin: string;
  const pages = new Map<string, string>();

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`      Skipping the Proof panel browser tests: ${CHROMIUM} is not installed (apt-get install chromium).`);
      this.skip();
    }
    assert.ok(existsSync(join(WEBVIEW, 'panel.js')), 'dist/webview/panel.js is missing: run `npm run build` first');
    assert.ok(existsSync(join(WEBVIEW, 'katex', 'katex.min.css')), 'dist/webview/katex is missing: run `npm run build` first');
    server = await startServer(pages);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  });

  interface Harness {
    page: Page;
    requests: string[];
    dialogs: string[];
    errors: string[];
    send(message: HostToPanel): Promise<void>;
    stream(runId: string, field: 'reasoning' | 'content', text: string, counts: { reasoning: number; content: number }, extra?: Partial<Extract<HostToPanel, { type: 'delta' }>>): Promise<void>;
    posted(): Promise<PanelToHost[]>;
    frame(): Promise<void>;
  }

  async function open(theme: ThemeName, state?: unknown): Promise<Harness> {
    const path = `/panel.html?theme=${theme}&n=${pages.size}`;
    pages.set(path, testPage(origin, theme, state));
    const page = await browser.newPage({ viewport: { width: 880, height: 1000 }, deviceScaleFactor: 1 });
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(origin + path);
    await page.waitForFunction(() => (window as unknown as { __posted: PanelToHost[] }).__posted.some((m) => m.type === 'ready'));
    const harness: Harness = {
      page,
      requests,
      dialogs,
      errors,
      send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
      async stream(runId, field, text, counts, extra = {}) {
        const deltas: HostToPanel[] = tokens(text).map((piece) => {
          counts[field]++;
          return {
            type: 'delta',
            runId,
            reasoning: field === 'reasoning' ? piece : '',
            content: field === 'content' ? piece : '',
            reasoningChunks: counts.reasoning,
            contentChunks: counts.content,
            ...extra,
          };
        });
        // Posted with a pause between them so animation frames render partial text.
        await page.evaluate(async (messages) => {
          for (const message of messages) {
            window.postMessage(message, '*');
            await new Promise((done) => setTimeout(done, 2));
          }
        }, deltas);
      },
      posted: () => page.evaluate(() => (window as unknown as { __posted: PanelToHost[] }).__posted),
      frame: () => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))),
    };
    return harness;
  }

  /** Raw TeX left in the visible text of `selector` (KaTeX's hidden MathML is skipped). */
  function rawTex(page: Page, selector: string): Promise<string[]> {
    return page.evaluate((sel) => {
      const found: string[] = [];
      const root = document.querySelector(sel)!;
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest('.katex-mathml')) continue;
        if (/\$|\\\(|\\\)|\\\[|\\\]|\\begin|\\end/.test(node.textContent ?? '')) found.push(node.textContent!);
      }
      return found;
    }, selector);
  }

  function assertOnlyLocalRequests(harness: Harness): void {
    const foreign = harness.requests.filter((url) => !url.startsWith(origin + '/') && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'requests left for another host');
  }

  let finishedState: unknown;

  it('streams thinking and a proof, renders all math, and reports tokens and speed', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-1';
    const startedAt = Date.now() - 2500;
    await h.send({ type: 'snapshot', run: snapshot({ runId, startedAt, status: 'loading', progress: 'Loading model…' }) });
    await h.frame();
    assert.equal(await page.locator('.status-phase').textContent(), 'Loading model…');
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isVisible(), true);
    await h.send({ type: 'status', runId, status: 'running' });

    const counts = { reasoning: 0, content: 0 };
    await h.stream(runId, 'reasoning', REASONING, counts, { firstTokenAt: startedAt + 400 });
    await h.frame();
    assert.equal(await page.locator('details.thinking').evaluate((d) => (d as HTMLDetailsElement).open), true, 'Thinking is open while only reasoning streams');
    assert.match((await page.locator('.thinking-summary').textContent()) ?? '', /^Thinking · \d+ tokens · \d+\.\d s · \d+\.\d tok\/s$/);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-dark-thinking.png'), fullPage: true });

    await h.stream(runId, 'content', PROOF.slice(0, 400), counts, { firstTokenAt: startedAt + 400 });
    await h.frame();
    assert.equal(await page.locator('details.thinking').evaluate((d) => (d as HTMLDetailsElement).open), false, 'Thinking collapses when the answer starts');
    assert.match((await page.locator('.status').textContent()) ?? '', /^Generating… · [\d,]+ tokens · /);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-dark-streaming.png'), fullPage: true });

    await h.stream(runId, 'content', PROOF.slice(400), counts, { firstTokenAt: startedAt + 400 });
    const total = counts.reasoning + counts.content;
    await h.send({ type: 'status', runId, status: 'done', finishReason: 'stop', usage: { promptTokens: 80, completionTokens: total }, endedAt: Date.now() });
    await h.frame();
    await page.evaluate(() => document.fonts.ready);

    assert.equal(await page.locator('.proof-body .katex').count(), 21, 'every formula of the proof rendered');
    assert.equal(await page.locator('.proof-body .katex-display').count(), 3);
    assert.equal(await page.locator('.katex-error').count(), 0);
    assert.equal(await page.locator('.math-source').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __mathErrors: number }).__mathErrors), 0, 'no formula ever showed as an error while streaming');
    assert.deepEqual(await rawTex(page, '.proof-body'), []);
    assert.deepEqual(await rawTex(page, '.statement-body'), []);
    assert.equal(await page.locator('.proof-body ol > li').count(), 2);

    // KaTeX's sizing reached the elements through CSSOM, and its fonts loaded.
    assert.ok(await page.locator('.proof-body .katex .vlist').first().evaluate((e) => (e as HTMLElement).style.height !== ''));
    assert.equal(await page.locator('[data-katex-style]').count(), 0);
    assert.ok(await page.evaluate(() => document.fonts.check('16px KaTeX_Main')), 'KaTeX_Main font loaded');
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), [], 'CSP violations');

    assert.equal(await page.locator('details.thinking').evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.match((await page.locator('.thinking-summary').textContent()) ?? '', /^Thinking · \d+ tokens · \d+\.\d s · \d+\.\d tok\/s$/);
    assert.match((await page.locator('.status').textContent()) ?? '', new RegExp(`^Finished · ${total} tokens · \\d+\\.\\d s · \\d+\\.\\d tok/s$`));
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isVisible(), false, 'Stop only while running');

    // The user opens Thinking: its text renders then, as Markdown with math.
    await page.locator('.thinking-summary').click();
    await h.frame();
    assert.ok((await page.locator('.thinking-body .katex').count()) >= 8);
    assert.deepEqual(await rawTex(page, '.thinking-body'), []);

    const state = await page.evaluate(() => (window as unknown as { __state: { run: RunSnapshot } }).__state);
    assert.equal(state.run.content, PROOF);
    assert.equal(state.run.reasoning, REASONING);
    assert.equal(state.run.status, 'done');
    finishedState = state;

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'panel-dark.png'), fullPage: true });
    assert.deepEqual(h.dialogs, []);
    assert.deepEqual(h.errors, []);
    assertOnlyLocalRequests(h);
    await page.close();
  });

  it('posts stop, copy and retry, and the buttons work from the keyboard', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-buttons';
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'running', content: 'Partial $x$', contentChunks: 3, firstTokenAt: Date.now() }) });
    await h.frame();

    await page.getByRole('button', { name: 'Stop generating' }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'stop', runId });
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: /^Retry/ }).isDisabled(), true, 'no retry while running');

    await page.getByRole('button', { name: /^Copy/ }).focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await h.posted()).at(-1), { type: 'copy', runId });

    await h.send({ type: 'status', runId, status: 'stopped', finishReason: 'cancelled', endedAt: Date.now() });
    await h.frame();
    assert.match((await page.locator('.status').textContent()) ?? '', /^Stopped by you/);
    await page.getByRole('button', { name: /^Retry/ }).focus();
    await page.keyboard.press('Space');
    assert.deepEqual((await h.posted()).at(-1), { type: 'retry', runId });

    // Every control is reachable with Tab and has an accessible name.
    const names = await page.evaluate(() =>
      [...document.querySelectorAll('button, summary')].filter((e) => !(e as HTMLElement).closest('[hidden]')).map((e) => e.getAttribute('aria-label') ?? e.textContent),
    );
    assert.ok(names.every((name) => name && name.trim().length > 0));

    // A delta for a run this page does not know asks the host for a snapshot, once.
    const readies = (await h.posted()).filter((m) => m.type === 'ready').length;
    await h.send({ type: 'delta', runId: 'elsewhere', reasoning: '', content: 'x', reasoningChunks: 0, contentChunks: 1 });
    await h.send({ type: 'delta', runId: 'elsewhere', reasoning: '', content: 'y', reasoningChunks: 0, contentChunks: 2 });
    await h.frame();
    assert.equal((await h.posted()).filter((m) => m.type === 'ready').length, readies + 1);
    // Malformed messages are ignored.
    await page.evaluate(() => {
      for (const bad of [null, 42, 'snapshot', { type: 'snapshot', run: { runId: 1 } }, { type: 'delta', runId: 'run-buttons', content: 5 }, { type: 'status', runId: 'run-buttons', status: 'weird' }]) {
        window.postMessage(bad, '*');
      }
    });
    await h.frame();
    assert.match((await page.locator('.status').textContent()) ?? '', /^Stopped by you/);
    assert.deepEqual(h.errors, []);
    await page.close();
  });

  it('leaves Thinking open when the user chose so, and follows the end of the text', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-toggle';
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'running' }) });
    const counts = { reasoning: 0, content: 0 };
    await h.stream(runId, 'reasoning', REASONING, counts, { firstTokenAt: Date.now() });
    const summary = page.locator('.thinking-summary');
    await summary.focus();
    await page.keyboard.press('Enter'); // closes
    await page.keyboard.press('Enter'); // and opens again: the user's choice now
    await h.stream(runId, 'content', PROOF + PROOF + PROOF, counts);
    await h.frame();
    assert.equal(await page.locator('details.thinking').evaluate((d) => (d as HTMLDetailsElement).open), true);
    const { scrollY, innerHeight, height } = await page.evaluate(() => ({ scrollY: window.scrollY, innerHeight: window.innerHeight, height: document.documentElement.scrollHeight }));
    assert.ok(height > innerHeight && scrollY + innerHeight >= height - 60, `the page follows the streamed text: ${scrollY} + ${innerHeight} of ${height}`);
    await page.close();
  });

  it('streams a 50,000-token answer in time linear in its length', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-long';
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'running', firstTokenAt: Date.now() }) });
    let text = '';
    for (let i = 0; text.length < 200_000; i++) text += PROOF.replace(/\\sqrt\{2\}/g, `\\sqrt{${i + 2}}`) + '\n';
    const pieces = tokens(text);
    const timings = await page.evaluate(async ({ runId, pieces }) => {
      const quarters: number[] = [];
      let started = performance.now();
      let chunks = 0;
      for (let i = 0; i < pieces.length; i++) {
        chunks++;
        window.postMessage({ type: 'delta', runId, reasoning: '', content: pieces[i], reasoningChunks: 0, contentChunks: chunks }, '*');
        // Let a frame render every 200 pieces (a real stream gets one every few tokens; this test cannot wait that long).
        if (i % 200 === 199) await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        if (i + 1 === Math.round(((quarters.length + 1) * pieces.length) / 4)) {
          quarters.push(performance.now() - started);
          started = performance.now();
        }
      }
      return quarters;
    }, { runId, pieces });
    await h.send({ type: 'status', runId, status: 'done', finishReason: 'stop', endedAt: Date.now() });
    await h.frame();
    assert.ok(pieces.length > 50_000);
    assert.ok(timings[3] < timings[0] * 2.5 + 500, `later quarters are not slower: ${timings.map((t) => t.toFixed(0)).join(', ')} ms`);
    assert.ok((await page.locator('.proof-body .katex').count()) > 21 * 100);
    assert.equal(await page.locator('.katex-error, .math-source').count(), 0);
    assert.deepEqual(h.errors, []);
    console.log(`      50k-token stream: quarters took ${timings.map((t) => (t / 1000).toFixed(1)).join(' / ')} s`);
    await page.close();
  });

  it('warns when the token limit cut the proof, and shows errors', async () => {
    const h = await open('light');
    const { page } = h;
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-length', status: 'running', content: 'Since $a$', contentChunks: 4, firstTokenAt: Date.now() - 1000 }) });
    await h.send({ type: 'status', runId: 'run-length', status: 'done', finishReason: 'length', endedAt: Date.now() });
    await h.frame();
    assert.equal(await page.locator('.status').getAttribute('data-tone'), 'warning');
    assert.match((await page.locator('.status').textContent()) ?? '', /Stopped at the token limit \(finish_reason length\): the proof may be incomplete/);

    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-error', status: 'error', error: 'Could not reach http://localhost:8000/v1: connection refused.', endedAt: Date.now() }) });
    await h.frame();
    assert.equal(await page.locator('.status').getAttribute('data-tone'), 'error');
    assert.match((await page.locator('.status').textContent()) ?? '', /connection refused/);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-light-error.png'), fullPage: true });
    await page.close();
  });

  it('redraws a re-created webview from its saved state before the host answers (light theme)', async () => {
    assert.ok(finishedState, 'needs the streaming test');
    const h = await open('light', finishedState);
    const { page } = h;
    // No message sent: what shows comes from getState().
    await page.evaluate(() => document.fonts.ready);
    assert.equal(await page.locator('.proof-body .katex').count(), 21);
    assert.equal(await page.locator('.proof-body .katex-display').count(), 3);
    assert.deepEqual(await rawTex(page, '.proof-body'), []);
    assert.match((await page.locator('.status').textContent()) ?? '', /^Finished/);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-light.png'), fullPage: true });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), []);
    await page.close();

    const hc = await open('high-contrast', finishedState);
    await hc.page.evaluate(() => document.fonts.ready);
    await hc.page.screenshot({ path: join(ARTIFACTS, 'panel-high-contrast.png'), fullPage: true });
    await hc.page.close();
  });

  it('runs nothing and fetches nothing from hostile Markdown', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-hostile';
    const title = '<img src=x onerror="window.__pwned=\'title\'">';
    await h.send({ type: 'snapshot', run: snapshot({ runId, title, statement: HOSTILE, status: 'running', firstTokenAt: Date.now() }) });
    const counts = { reasoning: 0, content: 0 };
    await h.stream(runId, 'reasoning', HOSTILE, counts);
    await h.stream(runId, 'content', HOSTILE, counts);
    await h.send({ type: 'status', runId, status: 'done', finishReason: 'stop', endedAt: Date.now() });
    await page.locator('.thinking-summary').click();
    await h.frame();
    // Whatever is clickable gets clicked.
    for (const link of await page.locator('.run a').all()) {
      assert.match((await link.getAttribute('href')) ?? '', /^(https?:|mailto:)/);
    }
    await page.evaluate(() => new Promise((done) => setTimeout(done, 300)));

    assert.equal(await page.evaluate(() => (window as unknown as { __pwned: unknown }).__pwned), false);
    assert.deepEqual(h.dialogs, []);
    assertOnlyLocalRequests(h);
    assert.equal(await page.locator('.run script, .run img, .run iframe, .run svg:not(.katex *)').count(), 0);
    assert.equal(await page.locator('.run-title').textContent(), title, 'the title is text');
    assert.match((await page.locator('.proof-body').textContent()) ?? '', /<script>window.__pwned = 'script'<\/script>/);
    assert.ok((await page.locator('.proof-body .math-source').count()) >= 4, 'refused KaTeX commands show as source');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-dark-hostile.png'), fullPage: true });
    await page.close();
  });
});

describe('panelHtml', () => {
  it('escapes the title and sets a strict CSP', () => {
    const html = panelHtml({ cspSource: 'https://*.vscode-cdn.net', nonce: 'abc', scriptUri: 'https://s/p.js', styleUri: 'https://s/p.css', katexStyleUri: 'https://s/k.css', title: '</title><script>alert(1)</script>' });
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;\/title&gt;/);
    const csp = /content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc'(;|$)/);
    assert.match(csp, /style-src https:\/\/\*\.vscode-cdn\.net(;|$)/);
    assert.doesNotMatch(csp, /unsafe-(inline|eval)|https?:(;| |$)/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.throws(() => panelHtml({ cspSource: "x; script-src 'unsafe-inline'", nonce: 'a', scriptUri: '', styleUri: '', katexStyleUri: '', title: '' }));
  });
});
