/**
 * The webviews' real bundles (dist/webview: the Proof panel and the chat) in Debian's Chromium,
 * on a page shaped exactly like panelHtml's output (same CSP), with VS Code's webview API and
 * theme variables faked by an inline script of the test page only. A loopback server serves
 * everything, so any request for another origin is something the page tried on its own.
 *
 * Shared by the webview tests (test/integration/webview*.test.ts, panelDocument, chatWebview)
 * and the rendering benchmark.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ChatToHost, HostToChat } from '../../src/core/webview/chatProtocol';
import type { DeepToHost, HostToDeep } from '../../src/core/webview/deepProtocol';
import { metaOf, type AssistantAnswer } from '../../src/core/answer/answer';
import { applyDelta } from '../../src/core/answer/answerDelta';
import { runSnapshot, type HostToPanel, type PanelToHost, type RunSnapshot, type TokenLimits } from '../../src/core/webview/panelProtocol';
import { panelHtml } from '../../src/vscode/panelHtml';

// page.evaluate callbacks run in the browser, but this file is type-checked without the DOM lib
// (tsconfig.json is the Node one), so the few browser globals they touch are declared loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const requestAnimationFrame: (callback: () => void) => number;

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '..', '..');
export const WEBVIEW = join(ROOT, 'dist', 'webview');
export const ARTIFACTS = join(ROOT, 'test', 'e2e', 'artifacts');
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

const FONTS = {
  '--vscode-font-family': 'system-ui, "Segoe UI", Ubuntu, "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
};

/** The variables VS Code sets on a webview's <html>, for three built-in themes. */
export const THEMES = {
  dark: {
    kind: 'vscode-dark',
    vars: {
      ...FONTS,
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
      '--vscode-sideBar-background': '#181818',
      '--vscode-input-background': '#313131',
      '--vscode-input-foreground': '#cccccc',
      '--vscode-input-border': '#3c3c3c',
      '--vscode-dropdown-background': '#313131',
      '--vscode-dropdown-foreground': '#cccccc',
    },
  },
  light: {
    kind: 'vscode-light',
    vars: {
      ...FONTS,
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
      '--vscode-sideBar-background': '#f8f8f8',
      '--vscode-input-background': '#ffffff',
      '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-border': '#cecece',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-foreground': '#3b3b3b',
    },
  },
  'high-contrast': {
    kind: 'vscode-high-contrast',
    vars: {
      ...FONTS,
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
      '--vscode-sideBar-background': '#000000',
      '--vscode-input-background': '#000000',
      '--vscode-input-border': '#6fc3df',
    },
  },
} as const;

export type ThemeName = keyof typeof THEMES;

/** Token-like pieces: 1–6 characters, so every delimiter gets cut somewhere. */
export function tokens(text: string, seed = 7): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const size = 1 + (seed % 6);
    pieces.push(text.slice(i, i + size));
    i += size;
  }
  return pieces;
}

/** A run for `snapshot`: header fields and the answer's fields side by side (the answer's flat, for brevity). */
export type RunFields = { runId: string } & Partial<Omit<RunSnapshot, 'runId' | 'answer'>> & Partial<AssistantAnswer>;

/** Drops the fields whose value is undefined: what the page would get after postMessage and the host's own objects. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * A run as the host sends it. The answer streams (status 'streaming') unless told otherwise;
 * `progress` set (even '') means the backend is still being prepared (the old 'loading').
 */
export function snapshot(run: RunFields): RunSnapshot {
  const {
    reasoning, content, status, finishReason, usage, error, startedAt, firstTokenAt, answerStartedAt, endedAt,
    reasoningTokens, contentTokens, forcedAnswer, pausedMs, thinkingPausedMs, ...header
  } = run;
  const answer: AssistantAnswer = defined({
    reasoning: reasoning ?? '',
    content: content ?? '',
    status: status ?? 'streaming',
    startedAt: startedAt ?? Date.now(),
    reasoningTokens: reasoningTokens ?? 0,
    contentTokens: contentTokens ?? 0,
    finishReason,
    usage,
    error,
    firstTokenAt,
    answerStartedAt,
    endedAt,
    forcedAnswer,
    pausedMs,
    thinkingPausedMs,
  });
  return defined({
    kind: 'prove',
    title: 'sqrt2.tex:12',
    statement: 'Prove that $\\sqrt{2}$ is irrational.',
    prompt: '',
    source: 'local engine · qed-nano-q4_k_m.gguf',
    ...header,
    answer,
  } as RunSnapshot);
}

/** The webview bundles: the Proof panel (an editor tab), the chat (a side-bar view) and the Deep Prove panel (an editor tab). */
const BUNDLES = {
  panel: { script: 'panel.js', style: 'panel.css', title: 'QED Proof', viewport: { width: 880, height: 1000 } },
  chat: { script: 'chat.js', style: 'chat.css', title: 'QED', viewport: { width: 420, height: 900 } },
  deep: { script: 'deep.js', style: 'deep.css', title: 'QED Deep Prove', viewport: { width: 880, height: 1000 } },
} as const;
type Bundle = keyof typeof BUNDLES;

export interface OpenOptions {
  /** What `getState()` returns: the saved state of a re-created webview. */
  state?: unknown;
  viewport?: { width: number; height: number };
  /**
   * Extra code for the page's inline head script, run before the bundle (e.g. observers a
   * benchmark needs from the first frame). Test pages only: the real page has no inline script.
   */
  headScript?: string;
}

/** A webview page of either bundle, with the scripted host's side of its protocol. */
interface PageHarness<ToPage, FromPage> {
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  dialogs: string[];
  /** Uncaught exceptions and console errors. */
  errors: string[];
  /** Resolves after two animation frames: whatever was scheduled has rendered. */
  frame(): Promise<void>;
  /** Requests that went to another origin than the harness's own server. */
  foreignRequests(): string[];
  /** Posts host messages with a pause between them, so animation frames render partial text. */
  postSpaced(messages: ToPage[]): Promise<void>;
  send(message: ToPage): Promise<void>;
  /** What the page posted to its host, in order. */
  posted(): Promise<FromPage[]>;
}

/** The chat view's page. */
export type ChatHarness = PageHarness<HostToChat, ChatToHost>;

/** The Deep Prove panel's page. */
export type DeepHarness = PageHarness<HostToDeep, DeepToHost>;

/** Text appended to an answer. */
export interface AnswerText {
  reasoning?: string;
  content?: string;
}

/**
 * The Proof panel's page, with a scripted host that keeps the answer it last sent for each run
 * (from the snapshots it sends, and the page's saved run), since every delta carries all of the
 * answer's fields but its text.
 */
export interface Harness extends PageHarness<HostToPanel, PanelToHost> {
  /** The answer of `runId` as the page has been sent it. */
  answer(runId: string): AssistantAnswer;
  /**
   * Changes the answer of `runId` as the host would and returns the one delta that says so (not
   * sent): `fields` replace the answer's (a field given as undefined is removed, as when a run
   * goes on after a Stop), `text` is appended. Like the turn runner, the first text sets
   * `firstTokenAt` and the first answer text `answerStartedAt`, unless given.
   */
  delta(runId: string, fields?: Partial<AssistantAnswer>, text?: AnswerText): Extract<HostToPanel, { type: 'delta' }>;
  /** Sends `delta(runId, fields, text)`. */
  update(runId: string, fields?: Partial<AssistantAnswer>, text?: AnswerText): Promise<void>;
  /** The header's progress: `progress` undefined once the backend is ready (no longer loading). */
  progress(runId: string, header?: { progress?: string; source?: string; limits?: TokenLimits }): Promise<void>;
  /** Streams `text` into one field as token-like pieces, one delta each, counting them in `counts` (the token counts sent). */
  stream(runId: string, field: 'reasoning' | 'content', text: string, counts: { reasoning: number; content: number }, extra?: Partial<AssistantAnswer>): Promise<void>;
}

/** JSON that can sit inside an inline <script>: a `</script>` in the saved text must not end it. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** panelHtml's page, plus this harness's stand-in for VS Code (inline, with the page's nonce). */
function testPage(origin: string, bundle: Bundle, theme: ThemeName, state: unknown, headScript: string): string {
  const { kind, vars } = THEMES[theme];
  const fake = `<script nonce="${NONCE}">
// tsx compiles page.evaluate callbacks with esbuild's keepNames, which calls __name() on named functions.
window.__name = (target) => target;
(() => {
  window.__posted = [];
  window.__state = ${inlineJson(state ?? null)} ?? undefined;
  window.__pwned = false;
  window.__csp = [];
  window.__mathErrors = 0;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => {
        window.__gotStateAt ??= performance.now();
        return window.__state;
      },
      setState: (value) => { window.__state = JSON.parse(JSON.stringify(value)); },
    };
  };
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  const vars = ${inlineJson(vars)};
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
${headScript}
</script>`;
  const html = panelHtml({
    cspSource: origin,
    nonce: NONCE,
    scriptUri: `${origin}/webview/${BUNDLES[bundle].script}`,
    styleUri: `${origin}/webview/${BUNDLES[bundle].style}`,
    katexStyleUri: `${origin}/webview/katex/katex.min.css`,
    title: BUNDLES[bundle].title,
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

/** Why the browser harness cannot run here, or undefined if it can. */
/**
 * Resolves after `count` animation frames of `page`: a restored reading place is held for a few
 * frames (scrollAnchor.ts HOLD_FRAMES) while the blocks around it render, and then let go.
 */
export function animationFrames(page: Page, count: number): Promise<void> {
  return page.evaluate(
    (count) =>
      new Promise<void>((done) => {
        const next = () => (--count <= 0 ? done() : requestAnimationFrame(next));
        requestAnimationFrame(next);
      }),
    count,
  );
}

export function webviewUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (!['panel.js', 'chat.js', join('katex', 'katex.min.css')].every((file) => existsSync(join(WEBVIEW, file)))) {
    return 'dist/webview is missing: run `npm run build` first';
  }
  return undefined;
}

/** One Chromium and one loopback server; `open` makes a fresh panel page. */
export class WebviewPages {
  private constructor(
    private readonly browser: Browser,
    private readonly server: Server,
    /** The pages the server serves, by path: `open` adds one per page. */
    private readonly pages: Map<string, string>,
    readonly origin: string,
  ) {}

  static async start(): Promise<WebviewPages> {
    const pages = new Map<string, string>();
    const server = await startServer(pages);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    return new WebviewPages(browser, server, pages, origin);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise((done) => this.server.close(done));
  }

  /** A Proof panel page. */
  async open(theme: ThemeName, options: OpenOptions = {}): Promise<Harness> {
    const base = await this.load<HostToPanel, PanelToHost>('panel', theme, options);
    const answers = new Map<string, AssistantAnswer>();
    const remember = (run: unknown) => {
      if (runSnapshot.is(run)) answers.set(run.runId, run.answer);
    };
    remember((options.state as { run?: unknown } | undefined)?.run);
    const answerOf = (runId: string): AssistantAnswer => {
      const answer = answers.get(runId);
      if (!answer) throw new Error(`the scripted host has sent no snapshot of ${runId}`);
      return answer;
    };
    const delta = (runId: string, fields: Partial<AssistantAnswer> = {}, text: AnswerText = {}): Extract<HostToPanel, { type: 'delta' }> => {
      const before = answerOf(runId);
      const reasoning = text.reasoning ?? '';
      const content = text.content ?? '';
      const meta = defined({ ...metaOf(before), ...fields });
      const now = Date.now();
      if (reasoning || content) meta.firstTokenAt ??= now;
      if (content) meta.answerStartedAt ??= now;
      const message = { type: 'delta' as const, runId, delta: { reasoning, content, meta } };
      answers.set(runId, applyDelta(before, message.delta));
      return message;
    };
    const send = (message: HostToPanel) => {
      if (message.type === 'snapshot') remember(message.run);
      return base.send(message);
    };
    return {
      ...base,
      send,
      answer: answerOf,
      delta,
      update: (runId, fields, text) => send(delta(runId, fields, text)),
      progress: (runId, header = {}) => send({ type: 'progress', runId, ...header }),
      stream(runId, field, text, counts, extra = {}) {
        const deltas: HostToPanel[] = tokens(text).map((piece) => {
          counts[field]++;
          return delta(runId, { ...extra, reasoningTokens: counts.reasoning, contentTokens: counts.content }, { [field]: piece });
        });
        return base.postSpaced(deltas);
      },
    };
  }

  /** A chat view page. */
  openChat(theme: ThemeName, options: OpenOptions = {}): Promise<ChatHarness> {
    return this.load<HostToChat, ChatToHost>('chat', theme, options);
  }

  /** A Deep Prove panel page. */
  openDeep(theme: ThemeName, options: OpenOptions = {}): Promise<DeepHarness> {
    return this.load<HostToDeep, DeepToHost>('deep', theme, options);
  }

  private async load<ToPage, FromPage>(bundle: Bundle, theme: ThemeName, options: OpenOptions): Promise<PageHarness<ToPage, FromPage>> {
    const path = `/${bundle}.html?theme=${theme}&n=${this.pages.size}`;
    this.pages.set(path, testPage(this.origin, bundle, theme, options.state, options.headScript ?? ''));
    const page = await this.browser.newPage({ viewport: options.viewport ?? BUNDLES[bundle].viewport, deviceScaleFactor: 1 });
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
    await page.goto(this.origin + path);
    await page.waitForFunction(() => (window.__posted as { type: string }[]).some((m) => m.type === 'ready'));
    const origin = this.origin;
    return {
      page,
      requests,
      dialogs,
      errors,
      send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
      posted: () => page.evaluate(() => window.__posted as FromPage[]),
      frame: () => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))),
      foreignRequests: () => requests.filter((url) => !url.startsWith(origin + '/') && !url.startsWith('data:')),
      postSpaced: (messages) =>
        page.evaluate(async (all) => {
          for (const message of all) {
            window.postMessage(message, '*');
            await new Promise((done) => setTimeout(done, 2));
          }
        }, messages),
    };
  }
}
