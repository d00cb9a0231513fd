/**
 * The Proof panel's document features in Chromium (real bundle, page harness): the critique's
 * verdict and findings, the exact prompt, the document-context line, the document's macros in
 * KaTeX (and a macro KaTeX cannot use degrading to source), and Insert proof.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSnapshot } from '../../src/core/webview/panelProtocol';
import { HOSTILE_ANSWER } from '../helpers/hostileTex';
import { SAMPLE_CRITIQUE } from '../helpers/scriptedEndpoint';
import { ARTIFACTS, snapshot, WebviewPages, webviewUnavailable, type RunFields } from '../helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

const PROMPT = 'user:\nGenerate a rigorous proof to the following question:\n\nLet $n \\in \\Z$. If $n^2$ is even, then $n$ is even.';
const CRITIQUE_ANSWER = SAMPLE_CRITIQUE.slice(SAMPLE_CRITIQUE.indexOf('</think>') + '</think>'.length).trim();

function finished(run: RunFields): RunSnapshot {
  return snapshot({ status: 'done', finishReason: 'stop', startedAt: 1000, firstTokenAt: 1100, answerStartedAt: 1200, endedAt: 2000, reasoningTokens: 3, contentTokens: 40, reasoning: 'Checking the parity step.', ...run });
}

describe('Proof panel: critique, prompt, macros, Insert proof (Chromium)', function () {
  this.timeout(120_000);
  let pages: WebviewPages;

  before(async function () {
    const unavailable = webviewUnavailable();
    if (unavailable?.includes('chromium')) {
      console.warn(`      Skipping: ${unavailable}.`);
      this.skip();
    }
    assert.equal(unavailable, undefined);
    pages = await WebviewPages.start();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => pages?.close());

  it('shows the verdict, the findings with rendered quotes, the evaluation and the exact prompt', async () => {
    const harness = await pages.open('dark');
    await harness.send({
      type: 'snapshot',
      run: finished({
        runId: 'c1',
        kind: 'critique',
        title: 'Critique · Lemma · irrational.tex:38',
        statement: 'Let $n \\in \\Z$. If $n^2$ is even, then $n$ is even.',
        proof: 'If $n$ is odd, write $n = 2k+1$. Then $n^2 = 4k^2 + 4k + 1 = 2(2k^2+2k) + 1$ is odd.',
        prompt: PROMPT,
        contextSummary: 'Document context: 1 macro definition',
        macros: { '\\Z': '\\mathbb{Z}' },
        content: CRITIQUE_ANSWER,
        insertable: false,
      }),
    });
    await harness.frame();
    const view = await harness.page.evaluate(() => {
      const text = (selector: string) => document.querySelector(selector)?.textContent ?? null;
      return {
        verdict: text('.verdict-heading'),
        tone: document.querySelector('.verdict-heading')?.dataset.tone,
        findings: [...document.querySelectorAll('.finding')].map((item: any) => [item.dataset.severity, item.querySelector('.finding-severity').textContent, item.querySelector('.finding-explanation').textContent.trim()]),
        quoteKatex: document.querySelectorAll('.finding-quote .katex').length,
        label: text('#proof-label'),
        context: text('.run-context'),
        prompt: text('.prompt-text'),
        promptOpen: document.querySelector('.prompt').open,
        reviewedKatex: document.querySelectorAll('.reviewed-body .katex').length,
        statementSources: document.querySelectorAll('.statement-body .math-source').length,
        statementKatex: document.querySelectorAll('.statement-body .katex').length,
        insertHidden: [...document.querySelectorAll('.toolbar button')].find((button: any) => button.textContent === 'Insert proof')?.hidden,
      };
    });
    assert.equal(view.verdict, 'Minor issues · score 0.5');
    assert.equal(view.tone, 'warning');
    assert.equal(view.findings.length, 2);
    assert.deepEqual(view.findings[0], ['gap', 'Justification gap', 'It should say why 2m+12m+12m+1 is odd for an integer mmm.']);
    assert.deepEqual(view.findings[1]!.slice(0, 2), ['minor', 'Minor']);
    assert.ok(view.quoteKatex >= 1, 'the quoted formula is rendered');
    assert.equal(view.label, 'Evaluation');
    assert.equal(view.context, 'Document context: 1 macro definition');
    assert.equal(view.prompt, PROMPT, 'the prompt is shown verbatim');
    assert.equal(view.promptOpen, false, 'collapsed until asked for');
    assert.ok(view.reviewedKatex > 0);
    assert.deepEqual([view.statementSources, view.statementKatex > 0], [0, true], '\\Z renders through the document macro');
    assert.equal(view.insertHidden, true, 'a critique is not inserted');
    await harness.page.evaluate(() => {
      document.querySelector('.prompt').open = true;
    });
    await harness.page.screenshot({ path: join(ARTIFACTS, 'panel-dark-critique.png'), fullPage: true });
    assert.deepEqual(harness.errors, []);
  });

  it('names, in the Prompt section, the files outside the project the prompt quotes', async () => {
    const harness = await pages.open('light');
    const outsidePrompt = () =>
      harness.page.evaluate(() => {
        const note = document.querySelector('.prompt-outside');
        return { text: note.textContent, hidden: note.hidden, inPrompt: note.parentElement === document.querySelector('details.prompt') };
      });
    const outside = ['/home/ann/shared/macros.tex', '/home/ann/shared/lemmas.tex'];
    await harness.send({ type: 'snapshot', run: finished({ runId: 'o1', prompt: PROMPT, content: 'A proof.', outsideContextFiles: outside }) });
    await harness.frame();
    assert.deepEqual(await outsidePrompt(), { text: `Context from files outside the project: ${outside.join(', ')}`, hidden: false, inPrompt: true });

    await harness.send({ type: 'snapshot', run: finished({ runId: 'o2', prompt: PROMPT, content: 'A proof.' }) });
    await harness.frame();
    assert.equal((await outsidePrompt()).hidden, true, 'nothing to say when the context is all the project’s');
    assert.deepEqual(harness.errors, []);
  });

  it('says what it could not read from a cut-off critique', async () => {
    const harness = await pages.open('light');
    await harness.send({ type: 'snapshot', run: finished({ runId: 'c2', kind: 'critique', proof: 'Trivial.', prompt: PROMPT, content: 'Here is my evaluation of the solution:\nThe first step', status: 'length', finishReason: 'length' }) });
    await harness.frame();
    const view = await harness.page.evaluate(() => ({
      verdict: document.querySelector('.verdict-heading')?.textContent,
      notes: [...document.querySelectorAll('.verdict-note')].map((note: any) => note.textContent),
    }));
    assert.equal(view.verdict, 'No verdict');
    assert.ok(view.notes.some((note: string) => /cut off|token limit/i.test(note)), JSON.stringify(view.notes));
    assert.ok(view.notes.some((note: string) => /boxed/.test(note)), JSON.stringify(view.notes));
  });

  it('offers Insert proof for a finished proof from a document, and posts it', async () => {
    const harness = await pages.open('light');
    await harness.send({ type: 'snapshot', run: finished({ runId: 'p1', prompt: PROMPT, content: 'Suppose $n$ is odd. Then $n^2$ is odd.', insertable: true }) });
    await harness.frame();
    const insert = harness.page.locator('.toolbar button', { hasText: 'Insert proof' });
    assert.equal(await insert.isVisible(), true);
    await insert.click();
    assert.deepEqual((await harness.posted()).filter((message) => message.type === 'insert'), [{ type: 'insert', runId: 'p1' }]);

    await harness.send({ type: 'snapshot', run: finished({ runId: 'p2', prompt: PROMPT, content: 'A proof.', insertable: false }) });
    await harness.frame();
    assert.equal(await insert.isVisible(), false, 'not for a plain selection');
  });

  it('warns before Insert proof about TeX that reads or writes files or ends the document, listing each as source', async () => {
    const harness = await pages.open('dark');
    const warning = harness.page.locator('.risky-tex');
    const items = () => harness.page.locator('.risky-tex-list li').allTextContents();
    await harness.send({ type: 'snapshot', run: finished({ runId: 'h1', prompt: PROMPT, content: HOSTILE_ANSWER, insertable: true, insertsAs: 'latex' }) });
    await harness.frame();
    assert.equal(await warning.isVisible(), true);
    assert.match((await harness.page.locator('.risky-tex-heading').textContent()) ?? '', /^10 TeX commands in this proof do more than typeset/);
    const listed = await items();
    assert.equal(listed.length, 10);
    assert.equal(listed[1], '\\write18{touch /tmp/qed-pwned} (line 3 of the LaTeX): writes files or runs programs');
    assert.ok(listed.includes('\\input{/etc/hostname} (line 5 of the LaTeX): reads files'), JSON.stringify(listed));
    assert.ok(listed.includes('\\end{document} (line 13 of the LaTeX): ends the document early: what follows is lost'), JSON.stringify(listed));
    assert.match((await harness.page.locator('.risky-tex-note').textContent()) ?? '', /commented out/);
    await harness.page.screenshot({ path: join(ARTIFACTS, 'panel-dark-risky-tex.png'), fullPage: true });

    // Nothing to say for an ordinary proof, for a Markdown document, or while the proof is written.
    await harness.send({ type: 'snapshot', run: finished({ runId: 'h2', prompt: PROMPT, content: 'Since $x^2 \\ge 0$, done.', insertable: true, insertsAs: 'latex' }) });
    await harness.frame();
    assert.equal(await warning.isVisible(), false);
    await harness.send({ type: 'snapshot', run: finished({ runId: 'h3', prompt: PROMPT, content: HOSTILE_ANSWER, insertable: true, insertsAs: 'markdown' }) });
    await harness.frame();
    assert.equal(await warning.isVisible(), false);
    await harness.send({ type: 'snapshot', run: finished({ runId: 'h4', prompt: PROMPT, content: HOSTILE_ANSWER, insertable: true, insertsAs: 'latex', status: 'streaming', endedAt: undefined, finishReason: undefined }) });
    await harness.frame();
    assert.equal(await warning.isVisible(), false);
    await harness.update('h4', { status: 'done', finishReason: 'stop', endedAt: Date.now() });
    await harness.frame();
    assert.equal(await warning.isVisible(), true);
    assert.deepEqual(harness.errors, []);
  });

  it('renders the document’s notation, and a macro KaTeX cannot use shows only its formula as source', async () => {
    const harness = await pages.open('dark');
    await harness.send({
      type: 'snapshot',
      run: finished({
        runId: 'm1',
        statement: 'For $x \\in \\R$ and $\\broken{x}$, we have $\\norm{x} \\ge 0$.',
        macros: { '\\R': '\\mathbb{R}', '\\norm': '\\left\\lVert #1 \\right\\rVert', '\\broken': '\\frac{#1' },
        prompt: PROMPT,
        content: 'Since $\\norm{x}$ is a norm, it is non-negative in $\\R$.',
      }),
    });
    await harness.frame();
    const view = await harness.page.evaluate(() => ({
      statementKatex: document.querySelectorAll('.statement-body .katex').length,
      statementSources: [...document.querySelectorAll('.statement-body .math-source')].map((node: any) => node.textContent),
      proofKatex: document.querySelectorAll('.proof-body .katex').length,
      proofSources: document.querySelectorAll('.proof-body .math-source').length,
    }));
    assert.equal(view.statementKatex, 2, 'the two good formulas render');
    assert.deepEqual(view.statementSources, ['\\broken{x}']);
    assert.deepEqual([view.proofKatex, view.proofSources], [2, 0]);
    assert.deepEqual(harness.errors, []);
  });
});
