/**
 * The Proof panel's real bundle (dist/webview) in Debian's Chromium, on the page harness of
 * test/helpers/webviewPage.ts (panelHtml's page and CSP, VS Code faked). Hostile model output
 * and the CSP are tested in webviewSecurity.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { metaOf } from '../../src/core/answer/answer';
import type { RunSnapshot } from '../../src/core/webview/panelProtocol';
import { BlockSplitter } from '../../webview-ui/src/render/blocks';
import { createMarkdownRenderer } from '../../webview-ui/src/render/markdown';
import { proofText } from '../helpers/proofText';
import { animationFrames, ARTIFACTS, snapshot, tokens, WebviewPages, webviewUnavailable, type Harness, type ThemeName } from '../helpers/webviewPage';

// page.evaluate callbacks run in the browser, but this file is type-checked without the DOM lib
// (tsconfig.json is the Node one), so the few browser globals they touch are declared loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (callback: () => void) => number;
declare const NodeFilter: { SHOW_TEXT: number };
declare const MutationObserver: any;
type HTMLDetailsElement = { open: boolean };
type HTMLElement = {
  style: { height: string };
  closest(selector: string): unknown;
  classList: { contains(name: string): boolean };
  getBoundingClientRect(): { top: number; bottom: number };
  querySelectorAll(selector: string): { length: number };
};

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

describe('Proof panel webview (Chromium)', function () {
  this.timeout(120_000);
  let pages: WebviewPages;

  before(async function () {
    const unavailable = webviewUnavailable();
    if (unavailable?.includes('chromium')) {
      console.warn(`      Skipping the Proof panel browser tests: ${unavailable}.`);
      this.skip();
    }
    assert.equal(unavailable, undefined);
    pages = await WebviewPages.start();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await pages?.close();
  });

  const open = (theme: ThemeName, state?: unknown): Promise<Harness> => pages.open(theme, { state });

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
    assert.deepEqual(harness.foreignRequests(), [], 'requests left for another host');
  }

  let finishedState: unknown;

  it('streams thinking and a proof, renders all math, and reports tokens and speed', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-1';
    const startedAt = Date.now() - 2500;
    await h.send({ type: 'snapshot', run: snapshot({ runId, startedAt, status: 'streaming', progress: 'Loading model…' }) });
    await h.frame();
    assert.equal(await page.locator('.status-phase').textContent(), 'Loading model…');
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isVisible(), true);
    await h.progress(runId);

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
    await h.update(runId, { status: 'done', finishReason: 'stop', usage: { promptTokens: 80, completionTokens: total }, endedAt: Date.now() });
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
    assert.equal(state.run.answer.content, PROOF);
    assert.equal(state.run.answer.reasoning, REASONING);
    assert.equal(state.run.answer.status, 'done');
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
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'streaming', content: 'Partial $x$', contentTokens: 3, firstTokenAt: Date.now() }) });
    await h.frame();

    await page.getByRole('button', { name: 'Stop generating' }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'stop', runId });
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: /^Retry/ }).isDisabled(), true, 'no retry while running');

    await page.getByRole('button', { name: /^Copy/ }).focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await h.posted()).at(-1), { type: 'copy', runId });

    await h.update(runId, { status: 'stopped', finishReason: 'cancelled', endedAt: Date.now() });
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
    const elsewhere = snapshot({ runId: 'elsewhere' }).answer;
    await h.send({ type: 'delta', runId: 'elsewhere', delta: { reasoning: '', content: 'x', meta: metaOf({ ...elsewhere, contentTokens: 1 }) } });
    await h.send({ type: 'delta', runId: 'elsewhere', delta: { reasoning: '', content: 'y', meta: metaOf({ ...elsewhere, contentTokens: 2 }) } });
    await h.frame();
    assert.equal((await h.posted()).filter((m) => m.type === 'ready').length, readies + 1);
    // Malformed messages are ignored.
    await page.evaluate(() => {
      const meta = { status: 'streaming', startedAt: 1, reasoningTokens: 0, contentTokens: 1 };
      for (const bad of [
        null,
        42,
        'snapshot',
        { type: 'snapshot', run: { runId: 1 } },
        { type: 'delta', runId: 'run-buttons', content: 5 },
        { type: 'delta', runId: 'run-buttons', delta: { reasoning: '', content: 5, meta } },
        { type: 'delta', runId: 'run-buttons', delta: { reasoning: '', content: '', meta: { ...meta, status: 'weird' } } },
        { type: 'progress', runId: 'run-buttons', progress: 7 },
        // An older host's delta, and its 'status' message.
        { type: 'delta', runId: 'run-buttons', reasoning: '', content: 'x', reasoningChunks: 0, contentChunks: 1 },
        { type: 'status', runId: 'run-buttons', status: 'running' },
      ]) {
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
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'streaming' }) });
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
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'streaming', firstTokenAt: Date.now() }) });
    let text = '';
    for (let i = 0; text.length < 200_000; i++) text += PROOF.replace(/\\sqrt\{2\}/g, `\\sqrt{${i + 2}}`) + '\n';
    const pieces = tokens(text);
    // As the host streams it: every delta carries the answer's fields, the token count growing.
    const meta = metaOf({ ...h.answer(runId), answerStartedAt: Date.now() });
    const timings = await page.evaluate(async ({ runId, pieces, meta }) => {
      const quarters: number[] = [];
      let started = performance.now();
      let chunks = 0;
      for (let i = 0; i < pieces.length; i++) {
        chunks++;
        window.postMessage({ type: 'delta', runId, delta: { reasoning: '', content: pieces[i], meta: { ...meta, contentTokens: chunks } } }, '*');
        // Let a frame render every 200 pieces (a real stream gets one every few tokens; this test cannot wait that long).
        if (i % 200 === 199) await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
        if (i + 1 === Math.round(((quarters.length + 1) * pieces.length) / 4)) {
          quarters.push(performance.now() - started);
          started = performance.now();
        }
      }
      return quarters;
    }, { runId, pieces, meta });
    await h.update(runId, { ...meta, status: 'done', finishReason: 'stop', contentTokens: pieces.length, endedAt: Date.now() });
    await h.frame();
    assert.ok(pieces.length > 50_000);
    assert.ok(timings[3]! < timings[0]! * 2.5 + 500, `later quarters are not slower: ${timings.map((t) => t.toFixed(0)).join(', ')} ms`);
    assert.ok((await page.locator('.proof-body .katex').count()) > 21 * 100);
    assert.equal(await page.locator('.katex-error, .math-source').count(), 0);
    assert.deepEqual(h.errors, []);
    console.log(`      50k-token stream: quarters took ${timings.map((t) => (t / 1000).toFixed(1)).join(' / ')} s`);
    await page.close();
  });

  it('keeps the items of a list being written in the page, and re-creates only the item that grows', async () => {
    const h = await open('dark');
    const { page } = h;
    const runId = 'run-list';
    await h.send({ type: 'snapshot', run: snapshot({ runId, status: 'streaming', firstTokenAt: Date.now() }) });
    const counts = { reasoning: 0, content: 0 };
    await h.stream(runId, 'content', 'Three cases:\n\n1. If $n = 0$, then $n^2 = 0$.\n2. If $n > 0$, ', counts);
    await h.frame();
    await page.waitForFunction(() => document.querySelectorAll('.proof-body .md-tail li').length === 2 && document.querySelectorAll('.proof-body .md-tail .katex').length === 3);
    await page.evaluate(() => {
      const w = window as { __firstItem: unknown; __removed: string[] };
      w.__firstItem = document.querySelector('.proof-body .md-tail li');
      w.__removed = [];
      new MutationObserver((records: { removedNodes: { nodeType: number; nodeName: string }[] }[]) => {
        for (const record of records) for (const node of record.removedNodes) if (node.nodeType === 1) w.__removed.push(node.nodeName);
      }).observe(document.querySelector('.proof-body .md-tail'), { childList: true, subtree: true });
    });
    await h.stream(runId, 'content', 'then $n^2 > 0$.\n3. If $n < 0$, then $n^2 = (-n)^2 > 0$.', counts);
    await page.waitForFunction(() => document.querySelectorAll('.proof-body .md-tail li').length === 3 && document.querySelectorAll('.proof-body .md-tail .katex').length === 6);
    const tail = await page.evaluate(() => {
      const w = window as { __firstItem: unknown; __removed: string[] };
      const items: unknown[] = [...document.querySelectorAll('.proof-body .md-tail li')];
      return { items: items.length, firstKept: items[0] === w.__firstItem, removed: [...new Set(w.__removed)] };
    });
    assert.equal(tail.items, 3);
    assert.equal(tail.firstKept, true, 'the finished first item stayed in the page');
    assert.ok(!tail.removed.includes('LI') && !tail.removed.includes('OL'), `no item or list was re-created: removed ${tail.removed.join(', ')}`);
    assert.deepEqual(await rawTex(page, '.proof-body'), []);

    await h.update(runId, { status: 'done', finishReason: 'stop', endedAt: Date.now() });
    await h.frame();
    assert.equal(await page.locator('.proof-body ol > li').count(), 3);
    assert.equal(await page.locator('.proof-body .katex').count(), 6);
    assert.equal(await page.locator('.proof-body ol > li').nth(1).evaluate((item) => item.querySelectorAll('.katex').length), 2, 'the grown item holds both its formulas');
    assert.deepEqual(h.errors, []);
    await page.close();
  });

  it('warns when a limit cut the proof, naming the limit, and shows errors', async () => {
    const h = await open('light');
    const { page } = h;
    const status = async () => (await page.locator('.status').textContent()) ?? '';
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-length', status: 'streaming', content: 'Since $a$', contentTokens: 4, firstTokenAt: Date.now() - 1000 }) });
    await h.update('run-length', { status: 'length', finishReason: 'length', endedAt: Date.now() });
    await h.frame();
    assert.equal(await page.locator('.status').getAttribute('data-tone'), 'warning');
    assert.match(await status(), /^Cut by the server’s token limit: the proof may be incomplete/);

    // The local engine's plan: an attempt holds 65,536 tokens; the user set no answer limit.
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-room', status: 'streaming', content: 'Since $a$', contentTokens: 4, firstTokenAt: Date.now() - 1000, limits: { contextTokens: 65_536 } }) });
    await h.update('run-room', { status: 'length', finishReason: 'length', usage: { promptTokens: 300, completionTokens: 65_236 }, endedAt: Date.now() });
    await h.frame();
    assert.match(await status(), /^Cut by this machine’s context \(65,536 tokens per attempt, prompt included\): the proof may be incomplete/);

    // An answer limit the user set, reached before the context was full.
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-max', status: 'streaming', reasoning: 'Hmm.', reasoningTokens: 3, firstTokenAt: Date.now() - 1000, limits: { maxTokens: 8000, contextTokens: 65_536 } }) });
    await h.update('run-max', { status: 'length', finishReason: 'length', usage: { promptTokens: 300, completionTokens: 8000 }, endedAt: Date.now() });
    await h.frame();
    assert.match(await status(), /^Cut while thinking by the token limit qed\.generation\.maxTokens \(8,000 tokens\): no proof yet\./);

    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-error', status: 'error', error: 'Could not reach http://localhost:8000/v1: connection refused.', endedAt: Date.now() }) });
    await h.frame();
    assert.equal(await page.locator('.status').getAttribute('data-tone'), 'error');
    assert.match((await page.locator('.status').textContent()) ?? '', /connection refused/);
    await page.screenshot({ path: join(ARTIFACTS, 'panel-light-error.png'), fullPage: true });
    await page.close();
  });

  it('offers Answer now while thinking and after a cut, Continue after a Stop or a cut, and goes on in the same run', async () => {
    const h = await open('dark');
    const { page } = h;
    const answerNow = page.getByRole('button', { name: /^Answer now/ });
    const continueButton = page.getByRole('button', { name: /^Continue this run/ });
    const status = async () => (await page.locator('.status').textContent()) ?? '';
    const runId = 'run-resume';
    const startedAt = Date.now() - 3000;
    await h.send({ type: 'snapshot', run: snapshot({ runId, startedAt, status: 'streaming', reasoning: 'Consider $n$ even. ', reasoningTokens: 6, firstTokenAt: startedAt + 300 }) });
    await h.frame();
    assert.equal(await answerNow.isVisible(), true, 'Answer now while the model thinks');
    assert.equal(await continueButton.isVisible(), false, 'no Continue while running');
    await answerNow.click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerNow', runId });
    assert.equal(await answerNow.isDisabled(), true, 'pressed once');

    // The host closed the thinking: the panel says so until the answer starts.
    await h.update(runId, { forcedAnswer: 'answer-now' });
    await h.frame();
    assert.equal(await answerNow.isVisible(), false);
    assert.match(await status(), /^Answer now: the thinking is closed, the answer comes next…/);
    assert.match((await page.locator('.thinking-summary').textContent()) ?? '', / · closed by Answer now$/);
    await h.update(runId, { reasoningTokens: 6, contentTokens: 9, answerStartedAt: Date.now() }, { content: 'Write $n = 2k$, so that the square' });
    await h.update(runId, { status: 'stopped', finishReason: 'cancelled', forcedAnswer: 'answer-now', endedAt: Date.now() });
    await h.frame();
    assert.equal(await continueButton.isVisible(), true, 'Continue after a Stop');
    assert.equal(await continueButton.getAttribute('aria-label'), 'Continue this run where it stopped');
    assert.equal(await answerNow.isVisible(), false, 'the answer had begun: nothing to force');
    await continueButton.focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await h.posted()).at(-1), { type: 'continue', runId });

    // The run goes on: the paragraph that was cut is continued, not started anew.
    // What said how it ended no longer holds.
    await h.progress(runId, { progress: 'Preparing the model…' });
    await h.update(runId, { status: 'streaming', finishReason: undefined, endedAt: undefined, forcedAnswer: 'answer-now' });
    await h.progress(runId);
    await h.update(runId, { reasoningTokens: 6, contentTokens: 17 }, { content: ' $n^2 = 4k^2$ is even.' });
    await h.frame();
    assert.equal(await continueButton.isVisible(), false, 'no Continue while it goes on');
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isVisible(), true);
    await h.update(runId, { status: 'length', finishReason: 'length', usage: { promptTokens: 20, completionTokens: 23 }, forcedAnswer: 'answer-now', endedAt: Date.now() });
    await h.frame();
    const paragraphs = await page.locator('.proof-body p').allTextContents();
    assert.equal(paragraphs.length, 1, `one paragraph: ${JSON.stringify(paragraphs)}`);
    assert.match(paragraphs[0]!, /so that the square n/);
    assert.equal(await page.locator('.proof-body .katex').count(), 2, 'the math of both parts rendered');
    assert.equal(await continueButton.getAttribute('aria-label'), 'Continue this run where it was cut off');
    assert.match(await status(), /^Cut by the server’s token limit: the proof may be incomplete/);

    // Cut while still thinking: both ways on are offered, and the status line says what they do.
    // It had been stopped for a minute and continued: the minute is neither thinking nor generating time.
    const t = Date.now() - 100_000;
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-cut', status: 'length', finishReason: 'length', reasoning: 'Suppose not.', reasoningTokens: 12, startedAt: t, firstTokenAt: t + 1000, endedAt: t + 64_000, pausedMs: 60_000, thinkingPausedMs: 60_000 }) });
    await h.frame();
    assert.match(await status(), /^Cut while thinking by the server’s token limit: no proof yet\. Answer now writes it from the thinking; Continue thinks on; Continue past the limit starts anew from a summary of it · 12 tokens · 4\.0 s · 4\.0 tok\/s$/);
    assert.equal(await page.locator('.thinking-summary').textContent(), 'Thinking · 12 tokens · 3.0 s · 4.0 tok/s');
    assert.equal(await answerNow.isVisible(), true);
    assert.equal(await continueButton.isVisible(), true);
    // The reasoning cache: a new attempt from a summary of the thinking, at most three times.
    const pastLimit = page.getByRole('button', { name: /^Continue past the limit/ });
    assert.equal(await pastLimit.isVisible(), true, 'Continue past the limit when cut while thinking');
    await page.screenshot({ path: join(ARTIFACTS, 'panel-dark-cut-while-thinking.png'), fullPage: true });
    await pastLimit.click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'continuePastLimit', runId: 'run-cut' });
    assert.equal(await pastLimit.isDisabled(), true, 'pressed once');
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-cut-4', attempt: 4, status: 'length', finishReason: 'length', reasoning: 'Suppose not.', reasoningTokens: 12, startedAt: t, firstTokenAt: t + 1000, endedAt: t + 4000 }) });
    await h.frame();
    assert.equal(await pastLimit.isVisible(), false, 'not past the third restart');
    assert.equal(await continueButton.isVisible(), true);

    // Restored after a window reload, the run has no request behind it: nothing to continue or retry.
    await h.send({ type: 'snapshot', run: snapshot({ runId: 'run-restored', status: 'stopped', error: 'Interrupted when the window reloaded.', reasoning: 'Suppose not.', reasoningTokens: 4, content: 'Then', contentTokens: 1, firstTokenAt: startedAt, endedAt: Date.now(), detached: true, insertable: true }) });
    await h.frame();
    for (const name of [/^Answer now/, /^Continue this run/, /^Retry/, /^Insert the proof/]) {
      assert.equal(await page.getByRole('button', { name }).isVisible(), false, `${name} after a reload`);
    }
    assert.equal(await page.getByRole('button', { name: /^Copy/ }).isVisible(), true, 'Copy still works');
    assert.deepEqual(h.errors, []);
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

  /** The proof's blocks, and those in view: how many, how many are placeholders, their formulas. */
  function proofView(page: Page): Promise<{ blocks: number; placeholders: number; inView: number; inViewPlaceholders: number; inViewFormulas: number; scrollHeight: number; atBottom: boolean }> {
    return page.evaluate(() => {
      const blocks: HTMLElement[] = [...document.querySelectorAll('.proof-body .md-page > .md-block')];
      const inView = blocks.filter((block) => {
        const box = block.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      });
      const isPlaceholder = (block: HTMLElement) => block.classList.contains('md-placeholder');
      const page = document.documentElement;
      return {
        blocks: blocks.length,
        placeholders: blocks.filter(isPlaceholder).length,
        inView: inView.length,
        inViewPlaceholders: inView.filter(isPlaceholder).length,
        inViewFormulas: inView.reduce((sum, block) => sum + block.querySelectorAll('.katex').length, 0),
        scrollHeight: page.scrollHeight,
        atBottom: window.scrollY + window.innerHeight >= page.scrollHeight - 60,
      };
    });
  }

  /** What the whole text renders to, block by block, in Node. */
  function expectedRendering(text: string): { blocks: number; formulas: number } {
    const splitter = new BlockSplitter();
    const blocks = [...splitter.push(text), ...splitter.end()];
    const renderer = createMarkdownRenderer();
    const formulas = blocks.reduce((sum, block) => sum + (renderer.render(block).match(/<span class="katex">/g) ?? []).length, 0);
    return { blocks: blocks.length, formulas };
  }

  it('reopens a 200 KB answer with the part in view rendered, renders the rest when scrolled to, and keeps it', async () => {
    const content = proofText(200_000);
    const expected = expectedRendering(content);
    const run = snapshot({ runId: 'run-reopen', status: 'done', finishReason: 'stop', content, contentTokens: 50_000, firstTokenAt: Date.now() - 250_000, endedAt: Date.now() });
    const h = await open('dark', { run });
    const { page } = h;
    await h.frame();

    const first = await proofView(page);
    assert.equal(first.blocks, expected.blocks, 'a block (or placeholder) for every block of the text');
    assert.ok(first.inView >= 3, `blocks in view: ${first.inView}`);
    assert.equal(first.inViewPlaceholders, 0, 'everything in view is rendered');
    assert.ok(first.inViewFormulas > 0);
    assert.ok(first.placeholders > expected.blocks / 2, `most blocks wait until they are needed: ${first.placeholders} placeholders`);

    // The middle of the answer: a placeholder until scrolled to.
    const middle = Math.floor(expected.blocks / 2);
    const placeholderAtMiddle = await page.evaluate((index) => document.querySelectorAll('.proof-body .md-page > .md-block')[index].classList.contains('md-placeholder'), middle);
    assert.equal(placeholderAtMiddle, true);
    await page.evaluate(() => {
      window.__firstBlockContent = document.querySelector('.proof-body .md-page > .md-block').firstElementChild;
    });
    await page.evaluate((index) => document.querySelectorAll('.proof-body .md-page > .md-block')[index].scrollIntoView(), middle);
    await page.waitForFunction(() => {
      const inView = [...document.querySelectorAll('.proof-body .md-page > .md-block')].filter((block: HTMLElement) => {
        const box = block.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      });
      return inView.length > 0 && inView.every((block: HTMLElement) => !block.classList.contains('md-placeholder'));
    });
    const atMiddle = await proofView(page);
    assert.ok(atMiddle.inViewFormulas > 0);
    assert.deepEqual(await rawTexInView(page), [], 'the math in view is typeset');
    const middleTop = () => page.evaluate((index) => Math.round(document.querySelectorAll('.proof-body .md-page > .md-block')[index].getBoundingClientRect().top), middle);
    const readingAt = await middleTop();

    // Idle time renders the rest, above the view too, without moving what is being read; the
    // page's height was estimated well from the start.
    await page.waitForFunction(() => document.querySelectorAll('.proof-body .md-placeholder').length === 0, undefined, { timeout: 60_000 });
    assert.ok(Math.abs((await middleTop()) - readingAt) <= 2, `the block being read moved from ${readingAt} px to ${await middleTop()} px`);
    const done = await proofView(page);
    assert.ok(Math.abs(done.scrollHeight - first.scrollHeight) < done.scrollHeight * 0.15, `estimated height ${first.scrollHeight} px, rendered ${done.scrollHeight} px`);
    assert.equal(await page.locator('.proof-body .katex').count(), expected.formulas);
    assert.equal(await page.locator('.proof-body .katex-error, .proof-body .math-source').count(), 0);
    assert.deepEqual(await rawTex(page, '.proof-body'), []);

    // Scrolling back shows the blocks rendered before: the same nodes, not a new rendering.
    await page.evaluate(() => window.scrollTo(0, 0));
    await h.frame();
    assert.equal(await page.evaluate(() => window.__firstBlockContent === document.querySelector('.proof-body .md-page > .md-block').firstElementChild && window.__firstBlockContent.isConnected), true);
    assert.deepEqual(h.errors, []);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    await page.close();
  });

  it('opens a re-created webview where the reader was in a long answer', async () => {
    const content = proofText(200_000);
    const run = snapshot({ runId: 'run-place', status: 'done', finishReason: 'stop', content, contentTokens: 50_000, firstTokenAt: Date.now() - 250_000, endedAt: Date.now() });
    const blockAt = (page: Page, index: number) =>
      page.evaluate((index) => {
        const block = document.querySelectorAll('.proof-body .md-page > .md-block')[index] as HTMLElement;
        return { top: Math.round(block.getBoundingClientRect().top), placeholder: block.classList.contains('md-placeholder') };
      }, index);
    const first = await open('dark', { run });
    const target = Math.floor(expectedRendering(content).blocks * 0.7);
    // The reader scrolls to a block deep in the answer, a little past its top, and stops there.
    await first.page.evaluate((index) => {
      document.querySelectorAll('.proof-body .md-page > .md-block')[index].scrollIntoView();
      window.scrollBy(0, 7);
    }, target);
    // Blocks above render in idle time meanwhile; the place is saved at most 300 ms after the page last moved:
    // once nothing is left to render, wait for the save that describes where the page came to rest.
    await first.page.waitForFunction(() => document.querySelectorAll('.proof-body .md-placeholder').length === 0, undefined, { timeout: 60_000 });
    await first.page.waitForFunction(
      () => {
        const saved = window.__state?.scroll?.block;
        const block = saved && document.querySelectorAll('.proof-body .md-page > .md-block')[saved.index];
        return block !== undefined && Math.abs(block.getBoundingClientRect().top - saved.top) < 1;
      },
      undefined,
      { timeout: 10_000 },
    );
    const readingAt = (await blockAt(first.page, target)).top;
    const saved = await first.page.evaluate(() => window.__state);
    await first.page.close();
    assert.equal(saved.scroll.block.section, 'proof');

    const again = await open('dark', saved);
    // Held while the blocks around it render, and still there after: once every block has rendered
    // and the hold has let go (it lasts 8 frames), nothing is left to move the page.
    await again.page.waitForFunction(() => document.querySelectorAll('.proof-body .md-placeholder').length === 0, undefined, { timeout: 60_000 });
    await animationFrames(again.page, 10);
    const now = await blockAt(again.page, target);
    assert.ok(Math.abs(now.top - readingAt) <= 2, `the block read last is at ${now.top} px, was at ${readingAt} px`);
    assert.equal(now.placeholder, false, 'and it is rendered');
    assert.deepEqual(again.errors, []);
    await again.page.close();
  });

  it('reopens a long answer that is still streaming at its end, and goes on following it', async () => {
    const content = proofText(200_000);
    const runId = 'run-reopen-streaming';
    const run = snapshot({ runId, status: 'streaming', content, contentTokens: 50_000, firstTokenAt: Date.now() - 250_000 });
    const h = await open('dark', { run });
    const { page } = h;
    await page.waitForFunction(() => {
      const inView = [...document.querySelectorAll('.proof-body .md-page > .md-block')].filter((block: HTMLElement) => {
        const box = block.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      });
      return inView.length > 0 && inView.every((block: HTMLElement) => !block.classList.contains('md-placeholder'));
    });
    let view = await proofView(page);
    assert.equal(view.atBottom, true, 'the end is in view');
    assert.ok(view.placeholders > 0, 'the beginning is not rendered yet');

    const counts = { reasoning: 0, content: 50_000 };
    await h.stream(runId, 'content', '\nFinally, $x^2 \\ge 0$ for every real $x$.\n', counts);
    await page.waitForFunction(() => document.querySelectorAll('.proof-body .md-tail .katex').length === 2);
    await h.frame();
    view = await proofView(page);
    assert.equal(view.atBottom, true, 'still following');
    assert.match((await page.locator('.proof-body .md-tail').textContent()) ?? '', /^Finally, /);
    assert.deepEqual(h.errors, []);
    await page.close();
  });

  /** Raw TeX left in the visible text of the proof's blocks in view. */
  function rawTexInView(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const found: string[] = [];
      for (const block of document.querySelectorAll('.proof-body .md-page > .md-block')) {
        const box = block.getBoundingClientRect();
        if (box.bottom <= 0 || box.top >= window.innerHeight) continue;
        const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest('.katex-mathml')) continue;
          if (/\$|\\\(|\\\)|\\\[|\\\]|\\begin|\\end/.test(node.textContent ?? '')) found.push(node.textContent!);
        }
      }
      return found;
    });
  }
});
