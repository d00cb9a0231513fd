/**
 * What the model writes is untrusted. Hostile answers go through the Proof panel's real bundle in
 * Chromium (test/helpers/webviewPage.ts: panelHtml's page and CSP) as the statement, the
 * thinking and the proof, streamed and then reopened from saved state. For each: no script runs
 * (a `window.__pwned` sentinel, no dialog, no CSP violation), no request leaves for anything but
 * the harness's own files, nothing active reaches the DOM, and the page stays responsive with
 * the renderer done. Also the CSP string panelHtml writes.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { panelHtml } from '../../src/vscode/panelHtml';
import { snapshot, WebviewPages, webviewUnavailable, type Harness } from '../helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (callback: () => void) => number;

const SENTINEL = (how: string) => `window.__pwned='${how}'`;

interface HostileCase {
  name: string;
  text: string;
  /** A piece of the text that must show, as text, in the proof. */
  shows?: RegExp;
}

const CASES: HostileCase[] = [
  {
    name: 'raw HTML: script, event handlers, iframe, svg, style, meta, base, object, form',
    text: [
      `<script>${SENTINEL('script')}</script>`,
      `<img src=x onerror="${SENTINEL('img')}"> <iframe src="http://evil.example/" onload="${SENTINEL('iframe')}"></iframe>`,
      `<svg onload="${SENTINEL('svg')}"><script>${SENTINEL('svg-script')}</script></svg> <math><mtext><img src=x onerror="${SENTINEL('math')}"></mtext></math>`,
      `<style>body{background:url(http://evil.example/style.png)}</style> <link rel="stylesheet" href="http://evil.example/x.css">`,
      `<meta http-equiv="refresh" content="0;url=javascript:${SENTINEL('meta')}"> <base href="http://evil.example/">`,
      `<object data="http://evil.example/x.swf"></object> <embed src="http://evil.example/x"> <video src=x onerror="${SENTINEL('video')}" poster="http://evil.example/p.png"></video>`,
      `<form action="http://evil.example/"><input autofocus onfocus="${SENTINEL('input')}"></form> <details open ontoggle="${SENTINEL('details')}">x</details>`,
      `<a href="javascript:${SENTINEL('a')}">raw link</a> &lt;script&gt; &#60;img src=x onerror=alert(1)&#62;`,
    ].join('\n\n'),
    shows: /<script>window.__pwned='script'<\/script>/,
  },
  {
    name: 'javascript:, data: and other links and images in Markdown',
    text: [
      `[click](javascript:${SENTINEL('link')}) [case](JaVaScRiPt:${SENTINEL('case')}) [entity](&#106;avascript:${SENTINEL('entity')}) [space]( javascript:${SENTINEL('space')})`,
      `[data](data:text/html,<script>${SENTINEL('data')}</script>) [vb](vbscript:msgbox) [file](file:///etc/passwd) <javascript:${SENTINEL('autolink')}>`,
      `![pixel](http://evil.example/pixel.png) ![svg](data:image/svg+xml,<svg onload="${SENTINEL('data-svg')}"/>) [![nested](http://evil.example/n.png)](javascript:${SENTINEL('nested')})`,
      `[reference][r] and ![image][r]\n[r]: javascript:${SENTINEL('reference')}`,
      'A fine link: [KaTeX](https://katex.org) and <https://example.org/ok>.',
    ].join('\n\n'),
    shows: /A fine link: KaTeX/,
  },
  {
    name: 'KaTeX commands that link, load or style: \\href, \\url, \\includegraphics, \\htmlClass, \\htmlData, \\htmlId, \\htmlStyle',
    text: [
      `$\\href{javascript:${SENTINEL('href')}}{x}$ and \\(\\url{javascript:${SENTINEL('url')}}\\) and $\\url{http://evil.example/}$`,
      `$$\\includegraphics[height=1em]{http://evil.example/a.png}$$`,
      `\\[\\htmlClass{run-title}{y} + \\htmlId{root}{z}\\]`,
      `\\begin{align*}\n\\htmlData{foo=bar, onclick=${SENTINEL('data')}}{w} &= 1 \\\\\n\\htmlStyle{background:url(http://evil.example/b.png)}{v} &= 2\n\\end{align*}`,
      `$\\textcolor{red;background:url(http://evil.example/c.png)}{u}$ and $\\color{url(http://evil.example/d.png)} t$`,
      'Plain $\\frac{1}{2}$ still renders.',
    ].join('\n\n'),
    shows: /Plain .* still renders/,
  },
  {
    name: 'KaTeX macro bombs: recursion, exponential fan-out, huge bodies, \\edef doubling',
    text: [
      '$\\def\\a{\\a\\a}\\a$',
      '$\\def\\a{\\a\\a\\a\\a}\\a$',
      '$\\def\\d{\\c\\c\\c\\c\\c\\c\\c\\c}\\def\\c{\\b\\b\\b\\b\\b\\b\\b\\b}\\def\\b{\\a\\a\\a\\a\\a\\a\\a\\a}\\def\\a{xxxxxxxx}\\d\\d\\d\\d$',
      `$\\def\\a{${'x'.repeat(1000)}}${'\\a'.repeat(900)}$`,
      `$\\def\\a{${'\\frac{x}{y}+'.repeat(100)}}${'\\a'.repeat(900)}$`,
      `$\\def\\a{xx}${'\\edef\\a{\\a\\a}'.repeat(40)}\\a$`,
      '$\\newcommand{\\r}{\\r x}\\r$ and $\\gdef\\g{\\g\\g}\\g$',
      `$$\\pmb{\\pmb{\\pmb{\\pmb{\\pmb{${'x'.repeat(3000)}}}}}}$$`,
      'After the bombs, $x^2$ renders.',
    ].join('\n\n'),
    shows: /After the bombs/,
  },
  {
    name: 'a 100 kB formula, inline and displayed',
    text: `Inline $${'x_{1}+'.repeat(17_000)}y$ and then\n\n$$\n${'a^{2}+'.repeat(17_000)}b\n$$\n\nafter it, $z$.`,
    shows: /after it/,
  },
  {
    name: 'unterminated $$, \\[ and align* followed by a long answer',
    text: [
      'Start $$ x = 1 and then never closed.',
      `$$\n${'x + y \\\\\n'.repeat(3000)}`,
      `\\[\n${'a = b, '.repeat(3000)}`,
      `\\begin{align*}\n${'p &= q \\\\\n'.repeat(3000)}`,
      `${'More prose with $m$ and $n$. '.repeat(300)}`,
    ].join('\n\n'),
    shows: /More prose/,
  },
  {
    name: 'deep nesting: \\frac, braces, \\left, \\sqrt, environments, blockquotes, lists, brackets',
    text: [
      `$${'\\frac{1}{'.repeat(5000)}x${'}'.repeat(5000)}$`,
      `$${'\\frac{1}{'.repeat(300)}x${'}'.repeat(300)}$`,
      `$${'{'.repeat(20_000)}x${'}'.repeat(20_000)}$`,
      `$${'\\left('.repeat(2000)}x${'\\right)'.repeat(2000)}$`,
      `$$${'\\begin{matrix}'.repeat(400)}x${'\\end{matrix}'.repeat(400)}$$`,
      `${'>'.repeat(20_000)} quoted`,
      Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i * 2)}- item`).join('\n'),
      `${'['.repeat(50_000)}x${'](x)'.repeat(20_000)}`,
      `${'*a'.repeat(50_000)} ${'_b'.repeat(50_000)} ${'`c'.repeat(30_000)}`,
      'Still here: $y$.',
    ].join('\n\n'),
    shows: /Still here/,
  },
  {
    name: 'a 1 MB line without spaces (plain, dollars, backslash delimiters)',
    text: [
      'a'.repeat(1_000_000),
      '$x$'.repeat(333_333),
      '\\('.repeat(250_000) + '\\['.repeat(250_000),
      '\\begin{align}'.repeat(40_000),
      'The end: $e^{i\\pi}+1=0$.',
    ].join('\n\n'),
    shows: /The end:/,
  },
];

/** Elements that could run script, load something or navigate, if any got through. */
const ACTIVE = 'script, img, iframe, frame, object, embed, video, audio, source, form, input, button, style, link, meta, base, svg:not(.katex *), math:not(.katex *), details';

describe('Proof panel webview: hostile model output (Chromium)', function () {
  this.timeout(180_000);
  let pages: WebviewPages;

  before(async function () {
    const unavailable = webviewUnavailable();
    if (unavailable?.includes('chromium')) {
      console.warn(`      Skipping the hostile-output browser tests: ${unavailable}.`);
      this.skip();
    }
    assert.equal(unavailable, undefined);
    pages = await WebviewPages.start();
  });

  after(async () => {
    await pages?.close();
  });

  /** Streams `text` in about 150 pieces (token-sized for short texts), with pauses so frames render. */
  async function stream(h: Harness, runId: string, field: 'reasoning' | 'content', text: string, counts: { reasoning: number; content: number }): Promise<void> {
    const size = Math.max(5, Math.ceil(text.length / 150));
    const deltas = [];
    for (let i = 0; i < text.length; i += size) {
      counts[field]++;
      deltas.push(h.delta(runId, { reasoningTokens: counts.reasoning, contentTokens: counts.content }, { [field]: text.slice(i, i + size) }));
    }
    await h.page.evaluate(async (messages) => {
      for (const message of messages) {
        window.postMessage(message, '*');
        await new Promise((done) => setTimeout(done, 4));
      }
    }, deltas);
  }

  /** Liveness, not speed: the page answers within a generous time and the renderer has finished. */
  async function assertResponsive(page: Page): Promise<void> {
    const answered = await Promise.race([
      page.evaluate(() => new Promise<boolean>((done) => requestAnimationFrame(() => done(true)))),
      new Promise<boolean>((done) => setTimeout(() => done(false), 10_000)),
    ]);
    assert.equal(answered, true, 'the page answered within 10 s');
    await page.waitForFunction(() => document.querySelectorAll('.md-placeholder').length === 0, undefined, { timeout: 60_000 });
  }

  async function assertHarmless(h: Harness, label: string): Promise<void> {
    const { page } = h;
    // Whatever is clickable would be clicked: links go only to the web or to mail.
    const hrefs: string[] = await page.evaluate(() => [...document.querySelectorAll('a')].map((a: any) => a.getAttribute('href') ?? ''));
    for (const href of hrefs) assert.match(href, /^(https?:|mailto:)/, `${label}: link to ${href}`);
    const handlers: string[] = await page.evaluate(() =>
      [...document.querySelectorAll('.run-header *, .markdown *')].flatMap((element: any) => [...element.attributes].map((a: any) => a.name).filter((name: string) => name.startsWith('on'))),
    );
    assert.deepEqual(handlers, [], `${label}: event handler attributes`);
    assert.equal(await page.locator(`.markdown :is(${ACTIVE})`).count(), 0, `${label}: active elements in rendered text`);
    await page.evaluate(() => new Promise((done) => setTimeout(done, 200)));
    assert.equal(await page.evaluate(() => window.__pwned), false, `${label}: script ran`);
    assert.deepEqual(await page.evaluate(() => window.__csp), [], `${label}: CSP violations`);
    assert.deepEqual(h.dialogs, [], `${label}: dialogs`);
    assert.deepEqual(h.errors, [], `${label}: errors`);
    const own = h.requests.filter((url) => !url.startsWith(`${pages.origin}/panel.html?`) && !url.startsWith(`${pages.origin}/webview/`));
    assert.deepEqual(own, [], `${label}: requests other than the harness's own files`);
  }

  for (const hostile of CASES) {
    it(`renders ${hostile.name} as text or refused math, and runs and fetches nothing`, async () => {
      const runId = 'run-hostile';
      const title = `<img src=x onerror="${SENTINEL('title')}">`;
      const h = await pages.open('dark');
      const { page } = h;
      await h.send({ type: 'snapshot', run: snapshot({ runId, title, statement: hostile.text, status: 'streaming', firstTokenAt: Date.now() }) });
      const counts = { reasoning: 0, content: 0 };
      await stream(h, runId, 'reasoning', hostile.text, counts);
      await stream(h, runId, 'content', hostile.text, counts);
      await assertResponsive(page);
      await h.update(runId, { status: 'done', finishReason: 'stop', endedAt: Date.now() });
      await page.locator('.thinking-summary').click();
      await h.frame();
      await assertResponsive(page);
      assert.equal(await page.locator('.run-title').textContent(), title, 'the title is text');
      if (hostile.shows) assert.match((await page.locator('.proof-body').textContent()) ?? '', hostile.shows);
      await assertHarmless(h, 'streamed');
      const saved = await page.evaluate(() => window.__state);
      await page.close();

      // The same run again in a re-created webview, drawn from its saved state.
      const reopened = await pages.open('light', { state: saved });
      await assertResponsive(reopened.page);
      if (hostile.shows) assert.match((await reopened.page.locator('.proof-body').textContent()) ?? '', hostile.shows);
      await assertHarmless(reopened, 'reopened');
      await reopened.page.close();
    });
  }
});

describe('panelHtml', () => {
  const options = { nonce: 'abc', scriptUri: 'https://s/p.js', styleUri: 'https://s/p.css', katexStyleUri: 'https://s/k.css', title: 'QED' };

  function policy(cspSource: string): Map<string, string[]> {
    const html = panelHtml({ ...options, cspSource });
    const content = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    return new Map(content.split(';').map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
  }

  it('escapes the title and loads only its one nonce-bearing script', () => {
    const html = panelHtml({ ...options, cspSource: 'https://*.vscode-cdn.net', title: '</title><script>alert(1)</script>' });
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;\/title&gt;/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abc" src="https:\/\/s\/p.js"><\/script>/);
    assert.throws(() => panelHtml({ ...options, cspSource: "x; script-src 'unsafe-inline'" }));
    assert.throws(() => panelHtml({ ...options, cspSource: 'https://a.example', nonce: "abc' 'unsafe-inline" }));
  });

  for (const cspSource of ['https://*.vscode-cdn.net', 'vscode-webview://4f1c8a2e']) {
    it(`allows no inline script and no remote source (cspSource ${cspSource})`, () => {
      const csp = policy(cspSource);
      assert.deepEqual(csp.get('default-src'), ["'none'"]);
      assert.deepEqual(csp.get('script-src'), ["'nonce-abc'"], 'scripts only by nonce');
      assert.deepEqual(csp.get('base-uri'), ["'none'"]);
      assert.deepEqual(csp.get('form-action'), ["'none'"]);
      // Anything not listed falls back to default-src 'none': no connect, frame, worker, media, object.
      assert.deepEqual([...csp.keys()].sort(), ['base-uri', 'default-src', 'font-src', 'form-action', 'img-src', 'script-src', 'style-src']);
      for (const [directive, sources] of csp) {
        for (const source of sources) {
          assert.doesNotMatch(source, /unsafe-|strict-dynamic|wasm/, `${directive} ${source}`);
          const allowed = source === cspSource || source === "'none'" || source === "'nonce-abc'" || (directive === 'img-src' && source === 'data:');
          assert.ok(allowed, `${directive} allows ${source}`);
        }
      }
    });
  }
});
