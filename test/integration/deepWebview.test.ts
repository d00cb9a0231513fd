/**
 * The Deep Prove panel's real bundle (dist/webview/deep.js) in Debian's Chromium, on the page
 * harness of test/helpers/webviewPage.ts (panelHtml's page and CSP, VS Code faked). The host's
 * messages carry views folded from hand-written journals with the real foldJournal, as the host
 * sends them; the test checks what a user sees and what the page posts back.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { LiveCall } from '../../src/core/deepProve/liveCall';
import type { RunView } from '../../src/core/deepProve/runView';
import type { HostToDeep } from '../../src/core/webview/deepProtocol';
import { answer, cutAttempt, JournalWriter, liveCall, proofAnswer, verdictAnswer } from '../helpers/deepJournal';
import { ARTIFACTS, WEBVIEW, WebviewPages, webviewUnavailable, type DeepHarness, type ThemeName } from '../helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const NodeFilter: { SHOW_TEXT: number };
declare const MutationObserver: any;
declare const getComputedStyle: any;

const PROOF = `Suppose, for contradiction, that $\\sqrt{2} = \\frac{p}{q}$ with $p, q \\in \\mathbb{Z}$, $q > 0$ and $\\gcd(p, q) = 1$.

Squaring gives
$$
p^2 = 2q^2,
$$
so $p^2$ is even, hence $p$ is even: write $p = 2k$. Then \\(4k^2 = 2q^2\\), i.e. $q^2 = 2k^2$, and $q$ is even too.

1. Both $p$ and $q$ are even;
2. this contradicts $\\gcd(p, q) = 1$.

Hence $\\sqrt 2 \\notin \\mathbb{Q}$. $\\blacksquare$`;

const WEAK_PROOF = `Since $2$ is prime, $\\sqrt 2$ cannot be a fraction. $\\blacksquare$`;

const EVALUATION_FINE = `The proof is correct and complete.

**Step 1.** The parity argument $p^2 = 2q^2 \\Rightarrow 2 \\mid p$ is justified.

**Step 2.** The descent to $q^2 = 2k^2$ is carried out properly.`;

const EVALUATION_GAP = `The argument is essentially right, but one step is only asserted.

The claim "$p^2$ even implies $p$ even" is used without proof; it follows from
$$
(2m+1)^2 = 4m^2 + 4m + 1,
$$
which the solution should state.`;

const EVALUATION_WRONG = `The solution asserts that $\\sqrt 2$ is not a fraction "since $2$ is prime" without any argument. This is the whole content of the problem.`;

const SUMMARY = `The attempt set $\\sqrt 2 = p/q$ in lowest terms and showed $p$ is even; it was checking whether $q$ must be even when it ran out of room.`;

const T0 = Date.now() - 41 * 60_000;

/**
 * A run 41 minutes in (pool of 4, 4 verifications, 2 rounds), four calls streaming:
 *   c1 done (1, 1, ½, 1) — the best; c2 done (0, ?, ½, 0); c3 done through the reasoning cache
 *   (attempt 1 ran out of room, its summary, attempt 2) (1, ½, ½, 1); c4 done (½, 0, ½, ½);
 *   round 1: c5 refines c1 and is being verified (1, …, …); c6 refines c3, generating;
 *   c7 refines c4, summarising; c8 refines c2, queued.
 */
function midRun(): JournalWriter {
  const j = new JournalWriter(T0, { title: 'Theorem 2 ($\\sqrt 2$ is irrational)', config: { tokenBudget: 1_000_000 } }).start(0, { concurrency: 4 });
  for (const id of ['c1', 'c2', 'c3', 'c4']) j.candidate(id, 5);
  const min = 60_000;
  j.done('c1/a1', 10, 6 * min, proofAnswer(PROOF, 24_000));
  j.done('c2/a1', 10, 5 * min, proofAnswer(WEAK_PROOF, 9_000));
  j.done('c3/a1', 10, 8 * min, cutAttempt(32_768));
  j.done('c4/a1', 10, 7 * min, proofAnswer(`${WEAK_PROOF}\n\nAlso $q$ is odd.`, 15_000));
  j.done('c3/s1', 8 * min, 9 * min, answer(SUMMARY, 1_800));
  const verify = (id: string, from: number, scores: (0 | 0.5 | 1 | null)[]) =>
    scores.forEach((score, k) => {
      const text = score === 1 ? EVALUATION_FINE : score === 0.5 ? EVALUATION_GAP : score === 0 ? EVALUATION_WRONG : 'The proof seems plausible but I am not sure whether';
      j.done(`${id}/v${k + 1}`, from + k * 1000, from + (3 + k) * min, verdictAnswer(score, text, 7_000 + 500 * k));
    });
  verify('c2', 5 * min, [0, null, 0.5, 0]);
  verify('c1', 6 * min, [1, 1, 0.5, 1]);
  verify('c4', 10 * min, [0.5, 0, 0.5, 0.5]);
  j.done('c3/a2', 9 * min, 16 * min, proofAnswer(PROOF.replace('Squaring gives', 'Squaring both sides gives'), 19_000));
  verify('c3', 16 * min, [1, 0.5, 0.5, 1]);
  j.candidate('c5', 22 * min, { round: 1, parent: 'c1', from: [3, 1] });
  j.candidate('c6', 22 * min, { round: 1, parent: 'c3', from: [2, 3] });
  j.candidate('c7', 22 * min, { round: 1, parent: 'c4', from: [2, 1] });
  j.candidate('c8', 22 * min, { round: 1, parent: 'c2', from: [2, 1] });
  j.done('c5/a1', 22 * min, 30 * min, proofAnswer(PROOF.replace('is even too.', 'is even too, by the same parity fact.'), 22_000));
  j.done('c5/v1', 30 * min, 36 * min, verdictAnswer(1, EVALUATION_FINE, 8_000));
  j.call('c5/v2', 30 * min).call('c5/v3', 30 * min);
  j.done('c7/a1', 22 * min, 34 * min, cutAttempt(32_768));
  j.call('c7/s1', 34 * min);
  j.call('c6/a1', 36 * min);
  return j;
}

const LIVE_KEYS = ['c5/v2', 'c5/v3', 'c6/a1', 'c7/s1'];

function live(step: number): LiveCall[] {
  return LIVE_KEYS.map((key, k) => liveCall(key, T0 + 30 * 60_000, 1000 * (k + 1) + 137 * step, key === 'c5/v3' ? 40 + step : 0));
}

function viewMessage(view: RunView, calls: LiveCall[] = [], extra: Partial<Extract<HostToDeep, { type: 'view' }>> = {}): HostToDeep {
  return { type: 'view', view, live: calls, now: Date.now(), insertable: true, ...extra };
}

describe('Deep Prove panel webview (Chromium)', function () {
  this.timeout(120_000);
  let pages: WebviewPages;

  before(async function () {
    const unavailable = webviewUnavailable() ?? (existsSync(join(WEBVIEW, 'deep.js')) ? undefined : 'dist/webview/deep.js is missing: run `npm run build` first');
    if (unavailable?.includes('chromium')) {
      console.warn(`      Skipping the Deep Prove panel browser tests: ${unavailable}.`);
      this.skip();
    }
    assert.equal(unavailable, undefined);
    pages = await WebviewPages.start();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await pages?.close();
  });

  const open = (theme: ThemeName, state?: unknown, viewport?: { width: number; height: number }): Promise<DeepHarness> => pages.openDeep(theme, { state, viewport });

  /** Raw TeX left in the visible text of `selector` (KaTeX's hidden MathML is skipped). */
  function rawTex(page: Page, selector: string): Promise<string[]> {
    return page.evaluate((sel) => {
      const found: string[] = [];
      for (const root of document.querySelectorAll(sel)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest('.katex-mathml')) continue;
          if (/\$|\\\(|\\\)|\\\[|\\\]|\\begin|\\end/.test(node.textContent ?? '')) found.push(node.textContent!);
        }
      }
      return found;
    }, selector);
  }

  /** After two frames, and once every text has rendered (renderedText.ts renders in slices, aria-busy meanwhile). */
  async function settle(h: DeepHarness): Promise<void> {
    await h.frame();
    await h.page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 10_000 });
  }

  /**
   * The whole page: the viewport is made as tall as the page first, since blocks and cards off
   * screen (content-visibility: auto) are left out of a full-page capture.
   */
  async function screenshot(h: DeepHarness, file: string): Promise<void> {
    const viewport = h.page.viewportSize()!;
    for (let pass = 0; pass < 3; pass++) {
      const height = await h.page.evaluate(() => document.documentElement.scrollHeight);
      await h.page.setViewportSize({ width: viewport.width, height });
      await h.frame();
    }
    await h.page.screenshot({ path: join(ARTIFACTS, file) });
    await h.page.setViewportSize(viewport);
  }

  const chips = (page: Page, id: string) => page.locator(`#deep-card-${id} .deep-chip:not(.deep-chip-pending)`);
  const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

  function assertClean(h: DeepHarness): Promise<void> {
    assert.deepEqual(h.errors, []);
    assert.deepEqual(h.dialogs, []);
    assert.deepEqual(h.foreignRequests(), [], 'requests left for another host');
    return h.page.evaluate(() => window.__csp).then((csp: string[]) => assert.deepEqual(csp, [], 'CSP violations'));
  }

  let savedMidRun: unknown;

  it('shows a run mid-way: the best proof rendered, cards by round with chips, lineage and live counts', async () => {
    const h = await open('dark');
    const { page } = h;
    const view = midRun().view();
    await h.send(viewMessage(view, live(0)));
    await settle(h);

    // The header strip.
    assert.match(await text(page, '.deep-title'), /^Theorem 2 \(.+ is irrational\)$/);
    assert.equal(await page.locator('.deep-title .katex').count(), 1, 'the title\'s math is rendered');
    assert.equal(await text(page, '.deep-status'), 'Running · up to 4 calls at a time');
    assert.match(await text(page, '.deep-tokens'), /^[\d,]+ \/ 1,000,000 tokens$/);
    const numbers = await page.locator('.deep-number:not([hidden])').allTextContents();
    assert.equal(numbers.length, 4);
    assert.match(numbers[0]!, /^[\d,.]+ tok\/s$/);
    // The session started at T0 (when this file loaded: other suites may have run since).
    const minutes = Math.floor((Date.now() - T0) / 60_000);
    assert.match(numbers[1]!, new RegExp(`^(${minutes - 1}|${minutes}) min \\d\\d s elapsed$`));
    assert.match(numbers[2]!, /^up to (\d+ h \d\d min|\d+ min) left$/);
    assert.equal(numbers[3], '25 calls done');
    assert.equal(await page.getByRole('button', { name: /^Stop the run/ }).isVisible(), true);
    assert.equal(await page.getByRole('button', { name: /^Resume/ }).isVisible(), false);

    // The best proof, rendered with KaTeX, with its candidate and mean.
    assert.equal(await text(page, '.deep-best-heading'), 'Best proof so far');
    assert.equal(await text(page, '.deep-best-of'), 'c1 · mean 0.875 over 4 verifications · Pool');
    assert.ok((await page.locator('.deep-best-body .katex').count()) >= 12, 'the best proof\'s math is rendered');
    assert.equal(await page.locator('.deep-best-body .katex-display').count(), 1);
    assert.deepEqual(await rawTex(page, '.deep-best-body'), []);
    assert.equal(await page.locator('.deep-best-body ol > li').count(), 2);
    assert.equal(await page.getByRole('button', { name: /^Insert the best proof/ }).isVisible(), true);

    // Cards grouped by round, the best one marked.
    assert.deepEqual(await page.locator('.deep-round > h2').allTextContents(), ['Pool', 'Refinement 1']);
    assert.deepEqual(await page.locator('.deep-round').nth(0).locator('.deep-card-id').allTextContents(), ['c1', 'c2', 'c3', 'c4']);
    assert.deepEqual(await page.locator('.deep-round').nth(1).locator('.deep-card-id').allTextContents(), ['c5', 'c6', 'c7', 'c8']);
    assert.deepEqual(await page.locator('.deep-card-best .deep-card-id').allTextContents(), ['c1']);
    assert.equal(await page.locator('#deep-card-c1 .deep-best-mark').isVisible(), true);
    assert.equal(await text(page, '#deep-card-c1 .deep-mean'), 'mean 0.875');

    // Chips: scores, and "?" for an unreadable one, with the verifier's note, not a 0.
    assert.deepEqual(await chips(page, 'c1').allTextContents(), ['1', '1', '½', '1']);
    assert.deepEqual(await chips(page, 'c2').allTextContents(), ['0', '?', '½', '0']);
    const unreadable = chips(page, 'c2').nth(1);
    assert.equal(await unreadable.getAttribute('data-tone'), 'unreadable');
    assert.match((await unreadable.getAttribute('title')) ?? '', /No score could be read: No \\boxed\{\} score found/);
    assert.match((await unreadable.getAttribute('aria-label')) ?? '', /^Verification 2: no score could be read/);
    assert.equal(await chips(page, 'c2').nth(0).getAttribute('data-tone'), 'fail');

    // The reasoning cache: attempt 1 ran out of room, its summary one click away, attempt 2 from it.
    assert.deepEqual((await page.locator('#deep-card-c3 .deep-attempt').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()), [
      'Attempt 1 · 32,768 tokens · ran out of room → summary · 1,800 tokens',
      'Attempt 2 · from a summary · 19,000 tokens',
    ]);
    await page.locator('#deep-card-c3 .deep-summary-label').click();
    await settle(h);
    assert.ok((await page.locator('#deep-card-c3 .deep-summary-body .katex').count()) >= 2, 'the summary renders its math');

    // Lineage, and the parent's chips the refinement was shown.
    assert.equal(await text(page, '#deep-card-c5 .deep-lineage'), 'Refined from c1 using its verifications 1 and 3');
    assert.deepEqual(await chips(page, 'c1').evaluateAll((nodes) => nodes.map((n) => n.classList.contains('deep-chip-used'))), [true, false, true, false]);
    assert.match((await chips(page, 'c1').nth(2).getAttribute('aria-label')) ?? '', /shown to the refinement c5/);
    assert.equal(await text(page, '#deep-card-c1 .deep-refined-into'), 'Refined into c5, shown verifications 1 and 3 (ringed)');

    // Phases and live counts.
    assert.equal(await text(page, '#deep-card-c5 .deep-phase'), 'verifying');
    assert.deepEqual(await chips(page, 'c5').allTextContents(), ['1', '…1.0k', '…2.0k']);
    assert.equal(await page.locator('#deep-card-c5 .deep-chip-pending').count(), 1);
    assert.equal(await text(page, '#deep-card-c6 .deep-phase'), 'generating');
    assert.equal(await text(page, '#deep-card-c6 .deep-live'), 'thinking · 3,000 tokens');
    assert.equal(await text(page, '#deep-card-c7 .deep-phase'), 'summarising');
    assert.equal(await text(page, '#deep-card-c8 .deep-phase'), 'queued for generating');
    await screenshot(h, 'deep-dark-midrun.png');

    // Live messages touch only the counters: the best proof and the cards' chrome stay as they are.
    await page.evaluate(() => {
      window.__mutations = [];
      new MutationObserver((records: any[]) => {
        for (const record of records) {
          const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
          window.__mutations.push([target.closest('.deep-card')?.id ?? '', target.className || target.tagName]);
        }
      }).observe(document.querySelector('.deep-run'), { subtree: true, childList: true, characterData: true, attributes: true });
    });
    for (let step = 1; step <= 8; step++) await h.send({ type: 'live', runId: view.run.runId, live: live(step), now: Date.now() });
    await settle(h);
    const touched = new Set<string>((await page.evaluate(() => window.__mutations)).map(([, className]: string[]) => className));
    assert.deepEqual([...touched].sort(), ['deep-chip-counter', 'deep-live'], 'only counters changed');
    assert.equal(await text(page, '#deep-card-c6 .deep-live'), `thinking · ${(3000 + 137 * 8).toLocaleString('en-US')} tokens`);
    assert.equal(await text(page, '#deep-card-c7 .deep-live'), `thinking · ${(4000 + 137 * 8).toLocaleString('en-US')} tokens`);

    // A new view where nothing of c1–c4 changed redraws none of them.
    await page.evaluate(() => (window.__mutations = []));
    const next = midRun().result('c5/v2', 40 * 60_000, verdictAnswer(0.5, EVALUATION_GAP)).view();
    await h.send(viewMessage(next, live(9).filter((call) => call.key !== 'c5/v2')));
    await settle(h);
    const redrawn = new Set<string>((await page.evaluate(() => window.__mutations)).map(([card]: string[]) => card));
    assert.deepEqual([...redrawn].sort(), ['deep-card-c5', 'deep-card-c6', 'deep-card-c7'], 'only c5 changed, and the live counters of c6 and c7');
    assert.deepEqual(await chips(page, 'c5').allTextContents(), ['1', '½', '…3.3k']);
    assert.equal(await page.locator('.deep-best-body .katex').count() >= 12, true, 'the best proof is still there');

    // The state says which run is shown, not the run's view (the host sends that to a re-created page).
    assert.deepEqual(await page.evaluate(() => window.__state), { version: 2, runId: 'run-deep', cards: {} });
    // What the reader opens is saved as it is opened.
    await page.locator('#deep-card-c2 .deep-proof-summary').click();
    await chips(page, 'c2').nth(2).click();
    await settle(h);
    savedMidRun = await page.evaluate(() => window.__state);
    assert.deepEqual(savedMidRun, { version: 2, runId: 'run-deep', cards: { c2: { proofOpen: true, evaluation: 3 } } });
    await assertClean(h);
    await page.close();
  });

  it('opens an evaluation from its chip, one at a time, and the proof of a card', async () => {
    const h = await open('light');
    const { page } = h;
    await h.send(viewMessage(midRun().view(), live(0)));
    await settle(h);

    const gap = chips(page, 'c1').nth(2);
    await gap.click();
    await settle(h);
    const panel = page.locator('#deep-evaluation-c1');
    assert.equal(await panel.isVisible(), true);
    assert.equal(await gap.getAttribute('aria-expanded'), 'true');
    assert.equal(await text(page, '#deep-evaluation-c1 .deep-evaluation-heading'), 'Verification 3 of c1 · score ½ · 8,000 tokens');
    assert.ok((await panel.locator('.katex').count()) >= 2, 'the evaluation renders its math');
    assert.equal(await panel.locator('.katex-display').count(), 1);
    assert.deepEqual(await rawTex(page, '#deep-evaluation-c1'), []);

    // Another chip replaces it; the same chip again closes it.
    await chips(page, 'c1').nth(0).click();
    assert.equal(await text(page, '#deep-evaluation-c1 .deep-evaluation-heading'), 'Verification 1 of c1 · score 1 · 7,000 tokens');
    assert.equal(await gap.getAttribute('aria-expanded'), 'false');
    await chips(page, 'c1').nth(0).click();
    assert.equal(await panel.isVisible(), false);

    // The unreadable one says why, in the open.
    await chips(page, 'c2').nth(1).click();
    assert.match(await text(page, '#deep-evaluation-c2'), /no score could be read.*No \\boxed\{\} score found/);

    // A running chip opens nothing.
    await chips(page, 'c5').nth(1).click({ force: true }); // aria-disabled: Playwright would wait for it to be enabled
    assert.equal(await page.locator('#deep-evaluation-c5').isVisible(), false);

    // A card's proof, with Insert and Copy for that candidate (the best's are the best proof's).
    await page.locator('#deep-card-c3 .deep-proof-summary').click();
    await settle(h);
    assert.ok((await page.locator('#deep-card-c3 .deep-proof-body .katex').count()) >= 12);
    await page.locator('#deep-card-c3').getByRole('button', { name: /^Insert c3's proof/ }).click();
    await page.locator('#deep-card-c3').getByRole('button', { name: /^Copy c3's proof/ }).click();
    await page.locator('#deep-card-c1 .deep-proof-summary').click();
    await page.locator('#deep-card-c1').getByRole('button', { name: /^Copy c1's proof/ }).click();
    const runId = 'run-deep';
    assert.deepEqual((await h.posted()).slice(-3), [
      { type: 'insert', runId, candidate: 'c3' },
      { type: 'copy', runId, candidate: 'c3' },
      { type: 'copyBest', runId },
    ]);

    // The lineage link and the best proof's id go to the card.
    await page.locator('#deep-card-c5 .deep-lineage .deep-link').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'deep-card-c1');

    // Every control has an accessible name.
    const names: (string | null)[] = await page.evaluate(() =>
      [...document.querySelectorAll('button, summary')].filter((e: any) => !e.closest('[hidden]')).map((e: any) => e.getAttribute('aria-label') ?? e.textContent),
    );
    assert.ok(names.every((name) => name && name.trim().length > 0), `unnamed controls: ${JSON.stringify(names)}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(h, 'deep-light-evaluation.png');
    await assertClean(h);
    await page.close();
  });

  it('swaps a better proof in for the best one: one layer shown, the other emptied and hidden', async () => {
    const h = await open('dark');
    const { page } = h;
    await h.send(viewMessage(midRun().view()));
    await settle(h);
    // c5 is verified 1, 1, 1, 1: it is the best now, and its proof differs from c1's by a clause.
    const j = midRun().result('c5/v2', 40 * 60_000, verdictAnswer(1, EVALUATION_FINE)).result('c5/v3', 41 * 60_000, verdictAnswer(1, EVALUATION_FINE));
    await h.send(viewMessage(j.done('c5/v4', 41 * 60_000, 44 * 60_000, verdictAnswer(1, EVALUATION_FINE)).view()));
    await settle(h);
    await page.evaluate(() => new Promise((done: (value: unknown) => void) => window.requestAnimationFrame(done)));
    assert.equal(await text(page, '.deep-best-of'), 'c5 · mean 1 over 4 verifications · Refinement 1');
    const layers = await page.locator('.deep-best-body > .deep-text-layer').evaluateAll((nodes) =>
      nodes.map((n: any) => ({ hidden: n.getAttribute('aria-hidden') === 'true', opacity: getComputedStyle(n).opacity, text: n.textContent.includes('by the same parity fact'), blocks: n.childElementCount })),
    );
    const shown = layers.filter((layer) => !layer.hidden);
    assert.equal(shown.length, 1, JSON.stringify(layers));
    assert.deepEqual({ opacity: shown[0]!.opacity, text: shown[0]!.text }, { opacity: '1', text: true });
    assert.deepEqual(layers.filter((layer) => layer.hidden).map((layer) => layer.blocks), [0], 'the old proof is gone');
    assert.deepEqual(await rawTex(page, '.deep-best-body'), []);
    await assertClean(h);
    await page.close();
  });

  it('posts stop; an ended-by-user view offers Resume, which posts resume', async () => {
    const h = await open('dark');
    const { page } = h;
    const j = midRun();
    await h.send(viewMessage(j.view(), live(0)));
    await settle(h);
    const stop = page.getByRole('button', { name: /^Stop the run/ });
    await stop.click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'stop', runId: 'run-deep' });
    assert.equal(await stop.isDisabled(), true);
    assert.equal(await stop.textContent(), 'Stopping…');

    await h.send(viewMessage(j.end(41 * 60_000, 'user').view()));
    await settle(h);
    assert.equal(await text(page, '.deep-status'), 'Stopped by you');
    assert.equal(await stop.isVisible(), false);
    assert.deepEqual(await page.locator('.deep-number:not([hidden])').allTextContents(), ['41 min 00 s elapsed', '25 calls done']);
    assert.equal(await text(page, '#deep-card-c6 .deep-phase'), 'stopped while generating');
    const resume = page.getByRole('button', { name: /^Resume/ });
    assert.equal(await resume.isVisible(), true);
    await resume.click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'resume', runId: 'run-deep' });
    assert.equal(await resume.isDisabled(), true);

    // The resumed session runs: Stop is back and enabled.
    await h.send(viewMessage(j.start(42 * 60_000).view()));
    await settle(h);
    assert.equal(await stop.isVisible(), true);
    assert.equal(await stop.isEnabled(), true);
    assert.equal(await resume.isVisible(), false);

    // Failed, and interrupted: both offer Resume, the error said.
    await h.send(viewMessage(j.end(43 * 60_000, 'error', 'connect ECONNREFUSED 127.0.0.1:8000').view()));
    await settle(h);
    assert.equal(await text(page, '.deep-status'), 'Failed: connect ECONNREFUSED 127.0.0.1:8000');
    assert.equal(await page.locator('.deep-status').getAttribute('data-tone'), 'error');
    assert.equal(await resume.isEnabled(), true);
    const interrupted = j.start(44 * 60_000).view();
    interrupted.status = 'interrupted';
    await h.send(viewMessage(interrupted));
    await settle(h);
    assert.match(await text(page, '.deep-status'), /^Interrupted/);
    assert.equal(await resume.isVisible(), true);
    await assertClean(h);
    await page.close();
  });

  it('shows a placeholder before any candidate is verified, then a finished run; Insert best posts insertBest', async () => {
    const h = await open('dark');
    const { page } = h;
    const early = new JournalWriter(T0).start(0).candidate('c1', 1).candidate('c2', 1).call('c1/a1', 2).call('c2/a1', 2);
    await h.send(viewMessage(early.view(), [liveCall('c1/a1', T0, 500), liveCall('c2/a1', T0, 700)]));
    await settle(h);
    assert.equal(await page.locator('.deep-best').getAttribute('data-state'), 'none');
    assert.match(await text(page, '.deep-best-placeholder'), /^No proof is fully verified yet .* 2 candidates are being written\.$/);
    assert.equal(await page.getByRole('button', { name: /^Insert the best proof/ }).isVisible(), false);

    // The whole run, complete: the best proof is final.
    const j = midRun();
    j.result('c5/v2', 40 * 60_000, verdictAnswer(1, EVALUATION_FINE)).result('c5/v3', 41 * 60_000, verdictAnswer(1, EVALUATION_FINE));
    j.done('c5/v4', 41 * 60_000, 44 * 60_000, verdictAnswer(1, EVALUATION_FINE));
    j.result('c6/a1', 45 * 60_000, proofAnswer(PROOF, 20_000));
    j.result('c7/s1', 35 * 60_000, answer(SUMMARY, 1_500)).done('c7/a2', 35 * 60_000, 44 * 60_000, proofAnswer(WEAK_PROOF, 12_000));
    j.done('c8/a1', 36 * 60_000, 46 * 60_000, proofAnswer(WEAK_PROOF, 10_000));
    const verify = (id: string, scores: (0 | 0.5 | 1)[]) => scores.forEach((score, k) => j.done(`${id}/v${k + 1}`, 46 * 60_000, 50 * 60_000, verdictAnswer(score, score ? EVALUATION_GAP : EVALUATION_WRONG)));
    verify('c6', [1, 0.5, 1, 1]);
    verify('c7', [0, 0, 0.5, 0]);
    verify('c8', [0, 0.5, 0, 0]);
    const finished = j.end(50 * 60_000, 'solved').view();
    await h.send(viewMessage(finished, [], { insertable: true }));
    await settle(h);
    assert.equal(await text(page, '.deep-status'), 'Solved: a candidate scored 1 in every verification');
    assert.equal(await text(page, '.deep-best-heading'), 'Best proof');
    assert.equal(await text(page, '.deep-best-of'), 'c5 · mean 1 over 4 verifications · Refinement 1');
    assert.deepEqual(await page.locator('.deep-card-best .deep-card-id').allTextContents(), ['c5']);
    assert.equal(await page.getByRole('button', { name: /^Resume/ }).isVisible(), false);
    assert.equal(await page.getByRole('button', { name: /^Stop/ }).isVisible(), false);
    await page.getByRole('button', { name: /^Insert the best proof/ }).click();
    await page.getByRole('button', { name: 'Copy the best proof' }).click();
    assert.deepEqual((await h.posted()).slice(-2), [{ type: 'insertBest', runId: 'run-deep' }, { type: 'copyBest', runId: 'run-deep' }]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(h, 'deep-dark-finished.png');

    // Not insertable (no document to insert into): no Insert anywhere.
    await h.send(viewMessage(finished, [], { insertable: undefined }));
    await settle(h);
    assert.equal(await page.getByRole('button', { name: /^Insert/ }).count(), 0);
    await assertClean(h);
    await page.close();
  });

  it('re-created, asks the host for the view and opens again what the reader had open; then takes the host\'s view', async () => {
    assert.ok(savedMidRun, 'the mid-run test saved a state');
    const h = await open('dark', savedMidRun);
    const { page } = h;
    // Nothing sent yet: the page posted ready and waits for the host's view.
    assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
    assert.equal(await page.locator('.deep-empty').isVisible(), true);
    await h.send(viewMessage(midRun().result('c5/v2', 40 * 60_000, verdictAnswer(0.5, EVALUATION_GAP)).view(), live(9).filter((call) => call.key !== 'c5/v2')));
    await settle(h);
    assert.equal(await page.locator('#deep-card-c2 .deep-proof').getAttribute('open'), '');
    assert.ok((await page.locator('#deep-card-c2 .deep-proof-body .katex').count()) > 0, 'the open proof is rendered');
    assert.equal(await text(page, '#deep-evaluation-c2 .deep-evaluation-heading'), 'Verification 3 of c2 · score ½ · 8,000 tokens');
    assert.deepEqual(await page.evaluate(() => window.__state), savedMidRun, 'the state is unchanged');
    assert.equal(await text(page, '.deep-best-of'), 'c1 · mean 0.875 over 4 verifications · Pool');
    assert.ok((await page.locator('.deep-best-body .katex').count()) >= 12);
    assert.deepEqual(await chips(page, 'c2').allTextContents(), ['0', '?', '½', '0']);
    assert.deepEqual(await chips(page, 'c5').evaluateAll((nodes) => nodes.map((n) => n.textContent!.replace(/….*/, '…'))), ['1', '½', '…']);
    assert.equal(await text(page, '.deep-status'), 'Running · up to 4 calls at a time');
    assert.match(await text(page, '#deep-card-c6 .deep-live'), /^thinking · [\d,]+ tokens$/);

    // Malformed messages and a live message for another run change nothing (the latter asks for a view, once).
    await page.evaluate(() => {
      for (const bad of [null, 42, 'view', { type: 'view', view: { run: {} } }, { type: 'live', runId: 'run-deep', live: [{ key: 1 }], now: 1 }]) window.postMessage(bad, '*');
      window.postMessage({ type: 'live', runId: 'elsewhere', live: [], now: 1 }, '*');
      window.postMessage({ type: 'live', runId: 'elsewhere', live: [], now: 2 }, '*');
    });
    await settle(h);
    assert.deepEqual(await h.posted(), [{ type: 'ready' }, { type: 'ready' }]);
    assert.equal(await text(page, '.deep-best-of'), 'c1 · mean 0.875 over 4 verifications · Pool');

    // The host's view of another run replaces it all.
    const other = new JournalWriter(T0, { runId: 'run-other', title: 'Lemma 4' }).start(0).candidate('c1', 1).call('c1/a1', 2).view();
    await h.send(viewMessage(other, [liveCall('c1/a1', T0, 10)]));
    await settle(h);
    assert.equal(await text(page, '.deep-title'), 'Lemma 4');
    assert.deepEqual(await page.locator('.deep-card-id').allTextContents(), ['c1']);
    assert.equal(await page.locator('.deep-best').getAttribute('data-state'), 'none');
    await assertClean(h);
    await page.close();
  });

  it('re-created from a state saved by version 1 (with its whole view), opens again what the reader had open', async () => {
    const view = midRun().view();
    const h = await open('light', { version: 1, runId: 'run-deep', message: viewMessage(view), cards: { c1: { proofOpen: true } } });
    const { page } = h;
    assert.deepEqual(await h.posted(), [{ type: 'ready' }]);
    await h.send(viewMessage(view, live(0)));
    await settle(h);
    assert.equal(await page.locator('#deep-card-c1 .deep-proof').getAttribute('open'), '');
    assert.deepEqual(await page.evaluate(() => window.__state), { version: 2, runId: 'run-deep', cards: { c1: { proofOpen: true } } });
    await assertClean(h);
    await page.close();
  });

  it('reads at a narrow width', async () => {
    const h = await open('light', undefined, { width: 380, height: 900 });
    const { page } = h;
    await h.send(viewMessage(midRun().view(), live(3)));
    await settle(h);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await page.screenshot({ path: join(ARTIFACTS, 'deep-light-narrow.png'), fullPage: false });
    await assertClean(h);
    await page.close();
  });
});
