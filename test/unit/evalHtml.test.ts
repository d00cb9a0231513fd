import * as assert from 'node:assert/strict';
import { evalHtmlReport, RENDERED_THINKING_CHARS, SHOWN_THINKING_CHARS, type EvalSummaryRow } from '../../src/cli/evalHtml';
import { EVAL_RECORD_VERSION, type EvalGrade, type EvalRecord, type EvalSetup } from '../../src/core/eval/evalRecord';

const SETUP: EvalSetup = { mode: 'prove', solver: 'endpoint http://127.0.0.1:8080/v1 qed-nano', judge: 'gpt-judge', temperature: 0.6, topP: 0.95 };

function grade(overrides: Partial<EvalGrade> = {}): EvalGrade {
  return { status: 'graded', points: 7, grading: 'Correct: $x^2 \\ge 0$.\n\n<points>7 out of 7</points>', timeMs: 2_000, tokens: 300, ...overrides };
}

function record(overrides: Partial<EvalRecord> = {}): EvalRecord {
  const g = overrides.grade ?? grade();
  return {
    type: 'eval',
    version: EVAL_RECORD_VERSION,
    problemId: 'PB-Basic-001',
    sample: 1,
    level: 'IMO-easy',
    category: 'Algebra',
    statement: 'Show that $x^2 \\ge 0$ for all real $x$.',
    setup: SETUP,
    seed: 1,
    prompt: [{ role: 'user', content: 'Prove: <statement>' }],
    response: { reasoning: 'Squares are $\\ge 0$.', content: 'Proof.', status: 'done', startedAt: 0, reasoningTokens: 10, contentTokens: 20 },
    answer: 'Since $x^2 = |x|^2$, it is $\\ge 0$.',
    tokens: 30,
    timeMs: 75_000,
    grade: g,
    points: g.points,
    finishedAt: Date.UTC(2026, 11, 6),
    ...overrides,
  };
}

/** The document with KaTeX's inline style sheet left out (its fonts are most of the file). */
function page(records: EvalRecord[], summary?: EvalSummaryRow[]): string {
  return evalHtmlReport({ title: 'QED-Nano on <ProofBench>', records, summary }).replace(/<style>@font-face[\s\S]*?<\/style>/, '<style>KATEX</style>');
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('eval HTML report', () => {
  it('is one self-contained document: KaTeX fonts inline, no script, no URL to fetch', () => {
    const html = evalHtmlReport({ title: 'Report', records: [record()] });
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /font-family:KaTeX_Main/);
    assert.ok(count(html, /url\(data:font\/woff2;base64,/g) >= 15, 'every KaTeX font inlined');
    assert.equal(count(html, /url\((?!data:)/g), 0, 'no font or image URL outside data:');
    assert.equal(count(html, /<script/gi), 0);
    assert.equal(count(html, /\b(src|href)="(?!#)/g), 0, 'no link or source but the page anchors');
  });

  it('renders math with real style attributes, not the webview’s deferred ones', () => {
    const html = page([record()]);
    assert.ok(count(html, /class="katex"/g) >= 3, 'statement, proof and grading have math');
    assert.equal(count(html, /data-katex-style/g), 0);
    assert.match(html, /<span class="katex-strut" style="height:/);
  });

  it('shows a hostile proof, title and note as text', () => {
    const hostile = '<script>window.pwned = 1</script><img src=x onerror=alert(1)> $\\href{javascript:alert(1)}{x}$';
    const html = page([record({ answer: hostile, grade: grade({ status: 'unreadable', points: null, note: '"><script>alert(2)</script>' }), points: null })]);
    assert.equal(count(html, /<script/gi), 0);
    assert.equal(count(html, /<img/gi), 0);
    assert.match(html, /&lt;script&gt;window\.pwned = 1&lt;\/script&gt;/);
    assert.match(html, /&quot;&gt;&lt;script&gt;alert\(2\)/);
    assert.match(html, /<h1>QED-Nano on &lt;ProofBench&gt;<\/h1>/);
    assert.doesNotMatch(html, /href="javascript/);
    assert.match(html, /class="math-source" title="Command not allowed/, 'the untrusted command is shown as its source');
  });

  it('names grades that are not points: unreadable, no proof, judge failed', () => {
    const html = page([
      record({ sample: 1, grade: grade({ status: 'unreadable', points: null, note: 'no <points> tag' }), points: null }),
      record({ sample: 2, answer: '', grade: grade({ status: 'no-proof', points: 0, grading: undefined, timeMs: 0, tokens: 0 }), points: 0 }),
      record({ sample: 3, grade: grade({ status: 'error', points: null, grading: undefined, note: 'HTTP 500' }), points: null }),
      record({ sample: 4, grade: grade({ points: 3.5 }), points: 3.5 }),
    ]);
    assert.match(html, /<span class="badge none" title="no &lt;points&gt; tag">unreadable<\/span>/);
    assert.match(html, /<span class="badge zero">no proof<\/span>/);
    assert.match(html, /<span class="badge none" title="HTTP 500">judge failed<\/span>/);
    assert.match(html, /<span class="badge partial">3\.5\/7<\/span>/);
    assert.match(html, /No proof: nothing after the thinking/);
    assert.match(html, /<p class="note">HTTP 500<\/p>/);
    // The mean is over the samples with points: (0 + 3.5) / 2.
    assert.match(html, /<td>1\.8\/7<\/td><\/tr>/);
  });

  it('lists each problem once in the index, with its samples in order, the latest record winning', () => {
    const html = page([
      record({ problemId: 'PB-Basic-002', sample: 2 }),
      record({ problemId: 'PB-Basic-002', sample: 1, grade: grade({ status: 'error', points: null }), points: null }),
      record({ problemId: 'A problem/with "odd" id', sample: 1 }),
      record({ problemId: 'PB-Basic-002', sample: 1, grade: grade({ points: 0 }), points: 0 }),
    ]);
    assert.equal(count(html, /<section class="problem"/g), 2);
    assert.equal(count(html, /<article class="sample/g), 3);
    assert.match(html, /href="#p1-PB-Basic-002"[\s\S]*<span class="badge zero">0\/7<\/span><\/td><td class="points"><span class="badge full">7\/7/);
    assert.match(html, /id="p2-A-problem-with-odd-id"/);
    assert.doesNotMatch(html, /judge failed/);
  });

  it('warns that the self judge is not comparable with published numbers', () => {
    assert.doesNotMatch(page([record()]), /Not comparable/);
    const html = page([record({ setup: { ...SETUP, judge: 'self' } })]);
    assert.match(html, /class="warning"><strong>Not comparable with published IMO-ProofBench numbers/);
  });

  it('collapses long parts and keeps huge thinking as plain text', () => {
    const huge = 'Consider $a_n$. '.repeat(Math.ceil((RENDERED_THINKING_CHARS + 1) / 16)) + '<b>x</b>';
    const html = page([record({ response: { ...record().response!, reasoning: huge } })]);
    assert.match(html, /<details><summary>Thinking \([\d,]+ characters: longer than [\d,]+, so shown as plain text without math rendering\)<\/summary><pre class="plain">Consider \$a_n\$/);
    assert.match(html, /&lt;b&gt;x&lt;\/b&gt;<\/pre>/);
    assert.match(html, /<details><summary>Judge&#39;s grading<\/summary><div class="markdown">/);
    assert.match(html, /<details><summary>Prompts<\/summary><div class="role">Solver · user<\/div><pre class="plain">Prove: &lt;statement&gt;<\/pre>/);
    const short = page([record()]);
    assert.match(short, /<summary>Thinking \(20 characters\)<\/summary><div class="markdown"><p>Squares are <span class="katex">/);
  });

  it('keeps the two ends of thinking too long to show whole, and says how much is left out', () => {
    const half = SHOWN_THINKING_CHARS / 2;
    const reasoning = `${'B'.repeat(half - 5)}START${'m'.repeat(100_001)}END${'e'.repeat(half - 3)}`;
    const html = page([record({ response: { ...record().response!, reasoning } })]);
    assert.match(html, /<summary>Thinking \(160,001 characters: its first and last 30,000 as plain text; the whole of it is in the results file\)<\/summary>/);
    assert.match(html, new RegExp(`<pre class="plain">B{${half - 5}}START</pre><p class="omitted">… 100,001 characters left out here …</p><pre class="plain">ENDe{${half - 3}}</pre>`));
    assert.ok(!html.includes('m'.repeat(2_000)), 'the middle is left out');
    // At the limit, all of it.
    const whole = page([record({ response: { ...record().response!, reasoning: 'w'.repeat(SHOWN_THINKING_CHARS) } })]);
    assert.ok(whole.includes(`<pre class="plain">${'w'.repeat(SHOWN_THINKING_CHARS)}</pre>`));
  });

  it('writes the summary table it is given', () => {
    const rows: EvalSummaryRow[] = [
      { name: 'IMO-easy', n: 4, percent: 62.5, interval: [30.1, 94.9], unreadable: 1, tokensPerProblem: 12_345.6, timeMsPerProblem: 95_000 },
      { name: 'Overall', n: 4, percent: null, interval: null, unreadable: 0, tokensPerProblem: null, timeMsPerProblem: null },
    ];
    const html = page([record()], rows);
    assert.match(html, /<td class="name">IMO-easy<\/td><td>4<\/td><td>62\.5%<\/td><td>30\.1–94\.9%<\/td><td>1<\/td><td>12,346<\/td><td>1 min 35 s<\/td>/);
    assert.match(html, /<tr class="overall"><td class="name">Overall<\/td><td>4<\/td><td>—<\/td><td>—<\/td><td>0<\/td><td>—<\/td><td>—<\/td>/);
    assert.doesNotMatch(page([record()]), /<h2>Summary/);
  });

  it('says so when there is nothing to report', () => {
    assert.match(page([]), /No records\./);
  });
});
