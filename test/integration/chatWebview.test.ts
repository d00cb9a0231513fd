/**
 * The chat view's real bundle (dist/webview/chat.js) in Debian's Chromium, on the page harness
 * the Proof panel's tests use (test/helpers/webviewPage.ts), with a scripted host.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ChatSnapshot, HostToChat } from '../../src/core/webview/chatProtocol';
import type { AnswerMeta, AssistantAnswer } from '../../src/core/answer/answer';
import type { Conversation, Turn } from '../../src/core/conversation/types';
import { proofText } from '../helpers/proofText';
import { animationFrames, ARTIFACTS, tokens, WebviewPages, webviewUnavailable, type ChatHarness, type ThemeName } from '../helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const NodeFilter: { SHOW_TEXT: number };

const QUESTION = 'Prove that $\\sqrt{2}$ is irrational.';
const REASONING = 'Assume $\\sqrt2 = p/q$ in lowest terms. Then $p^2 = 2q^2$, so $p$ is even.\n\nWrite $p = 2k$; then $q^2 = 2k^2$.\n';
const ANSWER = `Suppose \\(\\sqrt{2} = \\frac{p}{q}\\) with $\\gcd(p, q) = 1$. Squaring,
$$
p^2 = 2q^2.
$$

So $p$ is even; write $p = 2k$. Then
\\begin{align*}
4k^2 &= 2q^2 \\\\
q^2 &= 2k^2,
\\end{align*}
so $q$ is even too, contradicting \\(\\gcd(p,q)=1\\). Hence
\\[
\\sqrt{2} \\notin \\mathbb{Q}. \\qquad \\blacksquare
\\]
`;
const HOSTILE = `<script>window.__pwned = 'script'</script> <img src=x onerror="window.__pwned = 'img'">
[click](javascript:window.__pwned='link') ![pixel](http://evil.example/pixel.png) $\\href{javascript:window.__pwned='href'}{x}$`;

function meta(answer: Partial<AssistantAnswer> = {}): AnswerMeta {
  const { reasoning: _r, content: _c, ...fields } = { status: 'streaming', startedAt: Date.now() - 3000, reasoningTokens: 0, contentTokens: 0, ...answer } as AssistantAnswer;
  return fields;
}

function turn(id: string, user: string, answer: Partial<AssistantAnswer> = {}): Turn {
  return { id, user, assistant: { reasoning: '', content: '', ...meta(answer), ...answer } as AssistantAnswer };
}

function conversation(turns: Turn[], extra: Partial<Conversation> = {}): Conversation {
  return { version: 1, id: 'c1', title: 'sqrt 2', createdAt: 1, updatedAt: 2, turns, settings: { thinkingBudget: null }, ...extra };
}

function chatState(extra: Partial<ChatSnapshot> = {}): ChatSnapshot {
  return { conversation: undefined, history: [], showThinking: true, defaultThinkingBudget: null, warnings: [], ...extra };
}

describe('Chat view webview (Chromium)', function () {
  this.timeout(120_000);
  let pages: WebviewPages;

  before(async function () {
    const unavailable = webviewUnavailable();
    if (unavailable) {
      console.warn(`      Skipping the chat browser tests: ${unavailable}.`);
      this.skip();
    }
    pages = await WebviewPages.start();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await pages?.close();
  });

  type Harness = ChatHarness & {
    /** Streams `text` into one field of a turn's answer as the host would, updating `answer`. */
    stream(turnId: string, field: 'reasoning' | 'content', text: string, answer: AssistantAnswer): Promise<void>;
  };

  async function open(theme: ThemeName, state?: unknown, viewport?: { width: number; height: number }): Promise<Harness> {
    const h = await pages.openChat(theme, { state, viewport });
    return {
      ...h,
      stream(turnId, field, text, answer) {
        const deltas: HostToChat[] = tokens(text, 11).map((piece) => {
          answer[field] += piece;
          if (field === 'reasoning') answer.reasoningTokens++;
          else {
            answer.contentTokens++;
            answer.answerStartedAt ??= Date.now();
          }
          answer.firstTokenAt ??= Date.now() - 2000;
          return { type: 'delta', conversationId: 'c1', turnId, delta: { reasoning: field === 'reasoning' ? piece : '', content: field === 'content' ? piece : '', meta: meta(answer) } };
        });
        return h.postSpaced(deltas);
      },
    };
  }

  /** Raw TeX left in the visible text of `selector` (KaTeX's hidden MathML is skipped). */
  function rawTex(page: Page, selector: string): Promise<string[]> {
    return page.evaluate((sel) => {
      const found: string[] = [];
      for (const root of document.querySelectorAll(sel)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest('.katex-mathml')) continue;
          if (/\$|\\\(|\\\)|\\\[|\\\]|\\begin|\\end/.test(node.textContent ?? '')) found.push(node.textContent);
        }
      }
      return found;
    }, selector);
  }

  function assertOnlyLocal(h: Harness): void {
    assert.deepEqual(h.foreignRequests(), [], 'requests left for another host');
  }

  it('streams Thinking live, collapses it when the answer starts, and renders every formula with Copy LaTeX', async () => {
    const h = await open('dark');
    const { page } = h;
    const answer = turn('t1', QUESTION).assistant;
    await h.send({ type: 'snapshot', state: chatState({ conversation: conversation([turn('t1', QUESTION)]), source: 'local engine · qed-tiny.gguf' }) });
    await h.frame();
    assert.equal(await page.locator('.chat-title').textContent(), 'sqrt 2');
    await h.send({ type: 'snapshot', state: chatState({ conversation: conversation([turn('t1', QUESTION)], { title: '$\\sqrt{2}$ is irrational.' }), source: 'local engine · qed-tiny.gguf' }) });
    await h.frame();
    assert.equal(await page.locator('.chat-title .katex').count(), 1, 'math in the title is rendered');
    assert.equal(await page.locator('.chat-title').getAttribute('title'), '$\\sqrt{2}$ is irrational.');
    assert.equal(await page.locator('.answer-note').textContent(), 'Waiting for the model…');
    assert.equal(await page.getByRole('button', { name: 'Send the message' }).isDisabled(), true, 'no second message while one is answered');

    await h.stream('t1', 'reasoning', REASONING, answer);
    await h.frame();
    assert.equal(await page.locator('details.thinking').evaluate((d: any) => d.open), true, 'Thinking is open while only reasoning streams');
    // Counters are updated four times a second while streaming.
    await page.locator('.thinking-summary', { hasText: /^Thinking · \d+ tokens · \d+\.\d s · \d+\.\d tok\/s$/ }).waitFor({ timeout: 2000 });
    assert.equal(await page.getByRole('button', { name: /^Answer now/ }).isVisible(), true);
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isVisible(), true);
    await page.screenshot({ path: join(ARTIFACTS, 'chat-dark-thinking.png') });

    await h.stream('t1', 'content', ANSWER, answer);
    await h.frame();
    assert.equal(await page.locator('details.thinking').evaluate((d: any) => d.open), false, 'Thinking collapses when the answer starts');
    assert.equal(await page.getByRole('button', { name: /^Answer now/ }).isVisible(), false, 'no Answer now once answering');
    answer.status = 'done';
    answer.endedAt = Date.now();
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 't1', delta: { reasoning: '', content: '', meta: meta(answer) } });
    await h.frame();
    await page.evaluate(() => document.fonts.ready);

    assert.equal(await page.locator('.answer-body .katex').count(), 9, 'every formula of the answer rendered');
    assert.equal(await page.locator('.user-body .katex').count(), 1, 'the question’s math rendered');
    assert.equal(await page.locator('.math-source, .katex-error').count(), 0);
    assert.deepEqual(await rawTex(page, '.answer-body'), []);
    assert.equal(await page.locator('.answer-body .math-copy').count(), 3, 'one Copy LaTeX per displayed formula');
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).isVisible(), false);
    for (const name of [/^Copy the answer/, /^Insert the answer/, /^Regenerate/]) assert.equal(await page.getByRole('button', { name }).isVisible(), true, String(name));
    assert.equal(await page.locator('.answer-note').isVisible(), false, 'a plain finished answer needs no note');

    await page.locator('.answer-body .math-copy').nth(1).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'copyText', text: '\\begin{align*}\n4k^2 &= 2q^2 \\\\\nq^2 &= 2k^2,\n\\end{align*}' });
    await page.getByRole('button', { name: /^Copy the answer/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'copy', turnId: 't1' });
    await page.getByRole('button', { name: /^Insert the answer/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'insert', turnId: 't1' });

    // The mirrored state (the fast first paint of the next page) has the whole answer.
    const saved = await page.evaluate(() => window.__state);
    assert.equal(saved.snapshot.conversation.turns[0].assistant.content, ANSWER);
    assert.equal(saved.snapshot.conversation.turns[0].assistant.reasoning, REASONING);
    assert.equal(saved.snapshot.conversation.turns[0].assistant.status, 'done');

    await page.locator('.thinking-summary').click();
    await h.frame();
    assert.equal(await page.locator('.thinking-body .katex').count(), 5, 'the thinking renders with its math when opened');
    await page.screenshot({ path: join(ARTIFACTS, 'chat-dark.png') });
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'CSP violations');
    assert.deepEqual(h.errors, []);
    assertOnlyLocal(h);
    await page.close();
  });

  it('keeps the end of a streaming answer in view, until the reader scrolls up', async () => {
    const h = await open('dark', undefined, { width: 420, height: 500 });
    const { page } = h;
    const answer = turn('t1', QUESTION).assistant;
    await h.send({ type: 'snapshot', state: chatState({ conversation: conversation([turn('t1', QUESTION)]) }) });
    await h.frame();
    const place = () =>
      page.locator('.chat-scroller').evaluate((scroller: any) => ({ top: scroller.scrollTop, fromEnd: scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop }));
    await h.stream('t1', 'content', ANSWER.repeat(3), answer);
    await h.frame();
    const following = await place();
    assert.ok(following.top > 0 && following.fromEnd <= 2, `at the end while streaming: ${JSON.stringify(following)}`);

    await page.locator('.chat-scroller').evaluate((scroller: any) => (scroller.scrollTop = 0));
    await h.frame();
    await h.stream('t1', 'content', ANSWER, answer);
    await h.frame();
    assert.equal((await place()).top, 0, 'the reader scrolled up: the view stays where they are');
    assert.deepEqual(h.errors, []);
    await page.close();
  });

  it('opens a re-created view where the reader was in a long conversation', async () => {
    const long = conversation(
      [1, 2, 3, 4].map((n) => turn(`t${n}`, `Question ${n}: prove it.`, { content: proofText(30_000, n), reasoning: REASONING, reasoningTokens: 40, status: 'done', endedAt: 5 })),
    );
    const size = { width: 420, height: 600 };
    const blockAt = (page: Page) =>
      page.evaluate(() => {
        const block = document.querySelectorAll('.turn')[2].querySelectorAll('.answer-body .md-page > .md-block')[40];
        return { top: Math.round(block.getBoundingClientRect().top), placeholder: block.classList.contains('md-placeholder') };
      });
    const first = await open('dark', undefined, size);
    await first.send({ type: 'snapshot', state: chatState({ conversation: long }) });
    await first.frame();
    // The reader opens the second answer's Thinking, then scrolls up into the third answer, a little past a block's top, and stops there.
    await first.page.locator('.turn').nth(1).locator('summary.thinking-summary').click();
    await first.page.evaluate(() => {
      document.querySelectorAll('.turn')[2].querySelectorAll('.answer-body .md-page > .md-block')[40].scrollIntoView();
      document.querySelector('.chat-scroller').scrollBy(0, 7);
    });
    await first.page.waitForFunction(() => document.querySelectorAll('.answer-body .md-placeholder').length === 0, undefined, { timeout: 60_000 });
    // The place is saved at most 300 ms after the text last moved: wait for the save that describes where it came to rest.
    await first.page.waitForFunction(
      () => {
        const saved = window.__state?.place?.block;
        const turn = saved && /^turn(\d+)\.answer$/.exec(saved.section);
        const block = turn && document.querySelectorAll('.turn')[Number(turn[1])]?.querySelectorAll('.answer-body .md-page > .md-block')[saved.index];
        const viewTop = document.querySelector('.chat-scroller').getBoundingClientRect().top;
        return Boolean(block) && Math.abs(block.getBoundingClientRect().top - viewTop - saved.top) < 1;
      },
      undefined,
      { timeout: 10_000 },
    );
    const readingAt = await blockAt(first.page);
    const saved = await first.page.evaluate(() => window.__state);
    await first.page.close();
    assert.equal(saved.place.following, false);
    assert.match(saved.place.block.section, /^turn2\.answer$/);

    const again = await open('dark', saved, size);
    // Held while the blocks around it render (8 frames), and still there when the host's snapshot
    // comes and once every block has rendered.
    await again.page.waitForFunction(() => document.querySelectorAll('.turn')[2]?.querySelectorAll('.answer-body .md-page > .md-block')[40]?.classList.contains('md-placeholder') === false, undefined, { timeout: 10_000 });
    await animationFrames(again.page, 10);
    await again.send({ type: 'snapshot', state: chatState({ conversation: long }) });
    await again.page.waitForFunction(() => document.querySelectorAll('.answer-body .md-placeholder').length === 0, undefined, { timeout: 60_000 });
    await animationFrames(again.page, 2);
    const now = await blockAt(again.page);
    assert.ok(Math.abs(now.top - readingAt.top) <= 2, `the block read last is at ${now.top} px, was at ${readingAt.top} px`);
    assert.equal(now.placeholder, false, 'and it is rendered');
    const thinkingOpen = await again.page.locator('details.thinking').evaluateAll((sections: any[]) => sections.map((section) => section.open));
    assert.deepEqual(thinkingOpen, [false, true, false, false], 'the Thinking the reader opened is open again');
    assert.deepEqual(again.errors, []);
    await again.page.close();

    // A reader who was at the end is at the end again.
    const atEnd = await open('dark', { ...saved, place: { ...saved.place, following: true } }, size);
    await atEnd.frame();
    const fromEnd = await atEnd.page.locator('.chat-scroller').evaluate((scroller: any) => scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop);
    assert.ok(fromEnd <= 2, `at the end: ${fromEnd} px from it`);
    await atEnd.page.close();
  });

  it('the composer: Enter sends, Shift+Enter is a new line, slash hints, quotes go in at the caret', async () => {
    const h = await open('light');
    const { page } = h;
    await h.send({ type: 'snapshot', state: chatState() });
    const input = page.getByRole('textbox', { name: /^Message to QED-Nano/ });
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'composer-input', 'the composer has the focus');
    await input.pressSequentially('/');
    assert.deepEqual(await page.locator('.slash-name').allTextContents(), ['/prove', '/deep', '/critique', '/explain', '/latex']);
    await input.pressSequentially('l');
    assert.deepEqual(await page.locator('.slash-name').allTextContents(), ['/latex']);
    await input.fill('');
    await input.pressSequentially('Is $x^2 \\ge 0$?');
    await input.press('Shift+Enter');
    await input.pressSequentially('Why?');
    assert.equal(await input.inputValue(), 'Is $x^2 \\ge 0$?\nWhy?');
    await input.press('Enter');
    assert.deepEqual((await h.posted()).at(-1), { type: 'send', text: 'Is $x^2 \\ge 0$?\nWhy?' });
    assert.equal(await input.inputValue(), '', 'the composer is cleared');

    await page.getByRole('button', { name: /^Add the editor’s selection/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'addSelection' });
    await input.fill('Explain');
    await h.send({ type: 'quote', text: '> From `a.tex`, lines 3–4:\n> $a+b$' });
    assert.equal(await input.inputValue(), 'Explain\n\n> From `a.tex`, lines 3–4:\n> $a+b$\n\n');

    await page.locator('.budget-select').selectOption('4000');
    assert.deepEqual((await h.posted()).at(-1), { type: 'setThinkingBudget', budget: 4000 });
    await page.locator('.budget-select').selectOption('0');
    assert.deepEqual((await h.posted()).at(-1), { type: 'setThinkingBudget', budget: null });
    await page.screenshot({ path: join(ARTIFACTS, 'chat-light-composer.png') });
    assert.deepEqual(h.errors, []);
    await page.close();
  });

  it('Stop and Answer now while streaming; stopped (Answer now, Continue), cut-off (Continue) and failed (Retry) answers keep their text', async () => {
    const h = await open('dark');
    const { page } = h;
    const streaming = turn('t2', 'Second?', { reasoning: 'Hmm, $a$.', reasoningTokens: 4, firstTokenAt: Date.now() - 1000 });
    const first = turn('t1', QUESTION, { reasoning: 'r', content: 'Partial $x + y$', status: 'stopped', reasoningTokens: 1, contentTokens: 5, endedAt: Date.now() });
    await h.send({ type: 'snapshot', state: chatState({ conversation: conversation([first, streaming]), notice: '1 earlier turn left out to fit the context.' }) });
    await h.frame();
    assert.equal(await page.locator('.chat-notice').textContent(), '1 earlier turn left out to fit the context.');
    assert.equal(await page.locator('.turn').first().locator('.answer-note').textContent(), 'Stopped by you.');
    assert.equal(await page.locator('.turn').first().locator('.answer-body .katex').count(), 1, 'the partial answer stays, rendered');
    assert.equal(await page.locator('.turn').first().getByRole('button', { name: /^Regenerate/ }).isVisible(), false, 'only the last answer is regenerated');

    await page.getByRole('button', { name: /^Answer now/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'answerNow', turnId: 't2' });
    await page.getByRole('button', { name: 'Stop generating' }).focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'stop', turnId: 't2' });
    assert.equal(await page.getByRole('button', { name: 'Stop generating' }).textContent(), 'Stopping…');

    // Stopped while still thinking: the answer can be written from the thinking so far, or the thinking go on.
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 't2', delta: { reasoning: ' So', content: '', meta: meta({ ...streaming.assistant, status: 'stopped', finishReason: 'cancelled', endedAt: Date.now() }) } });
    await h.frame();
    const stopped = page.locator('.turn').last();
    assert.equal(await stopped.locator('.answer-note').textContent(), 'Stopped by you.');
    assert.equal(await stopped.getByRole('button', { name: 'Continue this answer where it stopped' }).isVisible(), true);
    assert.equal(await page.locator('.turn').first().getByRole('button', { name: /^Continue/ }).isVisible(), false, 'only the last answer is continued');
    await page.screenshot({ path: join(ARTIFACTS, 'chat-dark-stopped-thinking.png') });
    await stopped.getByRole('button', { name: /^Answer now/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'answerNow', turnId: 't2' });
    // The host resumes the same answer.
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 't2', delta: { reasoning: '', content: '', meta: meta(streaming.assistant) } });

    const cut = { ...streaming.assistant, status: 'length' as const, finishReason: 'length' as const, forcedAnswer: 'budget' as const, endedAt: Date.now() };
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 't2', delta: { reasoning: '', content: 'The answer so far', meta: meta(cut) } });
    await h.frame();
    const last = page.locator('.turn').last();
    assert.equal(await last.locator('.answer-note').textContent(), 'Thinking budget reached: answer requested. Cut off at the length limit (finish_reason length).');
    await last.getByRole('button', { name: /^Continue/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'continue', turnId: 't2' });

    // Continue streams into the same answer, then the backend fails: the text stays, with Retry.
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 't2', delta: { reasoning: '', content: ', continued', meta: meta({ ...cut, status: 'streaming', endedAt: undefined }) } });
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 't2', delta: { reasoning: '', content: '', meta: meta({ ...cut, status: 'error', error: 'The engine stopped unexpectedly.' }) } });
    await h.frame();
    assert.equal(await last.locator('.answer-body').innerText(), 'The answer so far, continued');
    assert.equal(await last.locator('.answer-note').textContent(), 'The engine stopped unexpectedly.');
    assert.equal(await last.locator('.answer-note').getAttribute('data-tone'), 'error');
    await last.getByRole('button', { name: /^Retry/ }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'answerAction', action: 'regenerate', turnId: 't2' });
    assert.equal(await page.getByRole('button', { name: 'Send the message' }).isDisabled(), true, 'empty composer');
    await page.getByRole('textbox').fill('next');
    assert.equal(await page.getByRole('button', { name: 'Send the message' }).isDisabled(), false, 'the next message can be sent');

    // Every visible control has an accessible name.
    const names = await page.evaluate(() => [...document.querySelectorAll('button, summary, select, textarea')].filter((e: any) => !e.closest('[hidden]')).map((e: any) => e.getAttribute('aria-label') ?? e.textContent));
    assert.ok(names.every((name: string | null) => name && name.trim().length > 0), JSON.stringify(names));
    await page.screenshot({ path: join(ARTIFACTS, 'chat-dark-error.png') });

    // A delta for an unknown turn asks for a snapshot; malformed messages are ignored.
    const readies = (await h.posted()).filter((m) => m.type === 'ready').length;
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 'nope', delta: { reasoning: '', content: 'x', meta: meta() } });
    await h.send({ type: 'delta', conversationId: 'c1', turnId: 'nope', delta: { reasoning: '', content: 'y', meta: meta() } });
    await page.evaluate(() => {
      const meta = { status: 'streaming', startedAt: 1, reasoningTokens: 0, contentTokens: 1 };
      for (const bad of [
        null,
        7,
        { type: 'snapshot', state: { conversation: 5 } },
        { type: 'delta', turnId: 't2', content: 3 },
        { type: 'delta', conversationId: 'c1', turnId: 't2', delta: { reasoning: '', content: 3, meta } },
        // An older host's delta: text and meta side by side.
        { type: 'delta', conversationId: 'c1', turnId: 't2', reasoning: '', content: 'x', meta },
        { type: 'quote', text: 1 },
      ]) window.postMessage(bad, '*');
    });
    await h.frame();
    assert.equal((await h.posted()).filter((m) => m.type === 'ready').length, readies + 1);
    assert.equal(await last.locator('.answer-body').innerText(), 'The answer so far, continued');
    assert.deepEqual(h.errors, []);
    await page.close();
  });

  it('paints the saved state before the host answers, shows store warnings, hides Thinking by setting, and never runs model HTML', async () => {
    const saved = { snapshot: chatState({ conversation: conversation([turn('t1', 'Hi', { content: HOSTILE, reasoning: 'secret', reasoningTokens: 3, status: 'done', endedAt: 5 })], { katexMacros: { '\\RR': '\\mathbb{R}' } }) }), draft: 'half-typed' };
    const h = await open('high-contrast', saved);
    const { page } = h;
    assert.equal(await page.locator('.answer-body a').count(), 1, 'the first paint comes from the saved state');
    assert.equal(await page.getByRole('textbox').inputValue(), 'half-typed');
    await h.send({
      type: 'snapshot',
      state: chatState({
        conversation: conversation([turn('t1', 'Macros: $\\RR$', { content: HOSTILE, reasoning: 'secret', reasoningTokens: 3, status: 'done', endedAt: 5 })], { katexMacros: { '\\RR': '\\mathbb{R}' } }),
        showThinking: false,
        warnings: ['A history file could not be read and was moved aside: broken.json'],
        history: [{ id: 'c1', title: 'sqrt 2', createdAt: 1, updatedAt: 2 }],
      }),
    });
    await h.frame();
    assert.equal(await page.locator('.chat-warning').textContent(), 'A history file could not be read and was moved aside: broken.json');
    await page.getByRole('button', { name: 'Dismiss these warnings' }).click();
    assert.deepEqual((await h.posted()).at(-1), { type: 'dismissWarnings' });
    assert.equal(await page.locator('details.thinking').isVisible(), false, 'qed.chat.showThinking off hides Thinking');
    assert.equal(await page.locator('.user-body .katex').count(), 1, 'document macros render');
    assert.equal(await page.locator('.user-body .math-source').count(), 0);
    assert.equal(await page.locator('details.sent-prompt').isVisible(), false, 'a message sent as typed has no “Sent to the model”');

    await page.screenshot({ path: join(ARTIFACTS, 'chat-high-contrast.png') });
    assert.equal(await page.evaluate(() => window.__pwned), false);
    assert.equal(await page.locator('.answer-body script, .answer-body img, .answer-body iframe').count(), 0);
    assert.equal(await page.locator('.answer-body a[href^="javascript"]').count(), 0);
    assertOnlyLocal(h);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);

    // A slash command: the view shows what was typed; what the model got is one click away.
    const prompt = 'Generate a rigorous proof to the following question:\n\n$\\RR$ is uncountable.';
    await h.send({ type: 'snapshot', state: chatState({ conversation: conversation([{ ...turn('t2', prompt, { content: 'By diagonalisation.', status: 'done', endedAt: 5 }), typed: '/prove $\\RR$ is uncountable.' }], { katexMacros: { '\\RR': '\\mathbb{R}' } }) }) });
    await h.frame();
    assert.equal(await page.locator('.user-body').textContent().then((text) => text?.startsWith('/prove ')), true, 'the typed command is shown');
    assert.equal(await page.locator('.user-body .katex').count(), 1);
    const sent = page.locator('details.sent-prompt');
    assert.equal(await sent.isVisible(), true);
    assert.equal(await sent.evaluate((node) => (node as unknown as { open: boolean }).open), false, 'collapsed');
    assert.equal(await sent.locator('summary').textContent(), 'Sent to the model');
    assert.equal(await sent.locator('.prompt-text').textContent(), prompt, 'exactly what the model got');
    assert.deepEqual(h.errors, []);
    await page.close();
  });
});
