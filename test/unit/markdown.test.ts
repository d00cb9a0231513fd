import * as assert from 'node:assert/strict';
import { createMarkdownRenderer } from '../../webview-ui/src/render/markdown';

const renderer = createMarkdownRenderer();
const render = (markdown: string) => renderer.render(markdown);

/** The visible text: tags and KaTeX's hidden MathML (which repeats the TeX source) removed. */
function visibleText(html: string): string {
  return html
    .replace(/<span class="katex-mathml">[\s\S]*?<\/math><\/span>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&');
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('markdown renderer', () => {
  it('renders every math delimiter a model uses', () => {
    const html = render(
      [
        'Inline $a^2$, \\(b^2\\) and display \\[c^2\\] in text.',
        '',
        '$$',
        'd^2',
        '',
        '$$',
        '',
        '\\[',
        'e^2',
        '\\]',
        '',
        '\\begin{align*}',
        'f &= g \\\\[2pt]',
        '',
        '&= h',
        '\\end{align*}',
        'Text then',
        '\\begin{equation}',
        'x',
        '\\end{equation}',
        '',
        '\\begin{cases} 1 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}',
        '',
        '\\begin{multline*} a \\\\ b \\end{multline*}',
      ].join('\n'),
    );
    assert.equal(count(html, /<span class="katex">/g), 9);
    assert.equal(count(html, /class="katex-display"/g), 7);
    assert.doesNotMatch(html, /katex-error|math-source/);
    assert.doesNotMatch(visibleText(html), /\$|\\\(|\\\[|\\begin/);
  });

  it('renders a block over several calls, one formula at least each, as render would at once (renderUntil)', () => {
    const block = 'Since $a^2 + b^2 \\ge 2ab$ and $\\frac{x}{y} > 0$, we get\n$$\\sum_{i=1}^{n} a_i \\le n$$\nand $a^2 + b^2 \\ge 2ab$ again, with $c = \\sqrt{2}$.';
    const sliced = createMarkdownRenderer();
    const progress = { stoppedAt: 0 };
    const tries: (string | undefined)[] = [];
    // A deadline long past: each call typesets one formula not seen yet and stops before the next.
    for (let html: string | undefined; html === undefined && tries.length < 10; ) tries.push((html = sliced.renderUntil(block, -Infinity, progress)));
    assert.deepEqual(tries.slice(0, -1), [undefined, undefined, undefined], 'four distinct formulas: three calls stop, the fourth finishes');
    assert.equal(tries.at(-1), createMarkdownRenderer().render(block));
    // With time left, one call renders it all.
    assert.equal(createMarkdownRenderer().renderUntil(block, Infinity, { stoppedAt: 0 }), render(block));
    // A formula too long to cache is typeset again on the next call, and the render still ends.
    const long = `$${'x + '.repeat(30_000)}x$ then $y$ and $z$`;
    const uncached = createMarkdownRenderer();
    const longProgress = { stoppedAt: 0 };
    let calls = 0;
    for (let html: string | undefined; html === undefined && calls < 10; calls++) html = uncached.renderUntil(long, -Infinity, longProgress);
    assert.ok(calls <= 3, `ended after ${calls} calls`);
  });

  it('moves KaTeX inline styles aside for CSSOM', () => {
    const html = render('$\\frac{a}{b}$');
    assert.doesNotMatch(html, / style=/);
    assert.match(html, / data-katex-style="/);
  });

  it('shows a formula KaTeX cannot render as its source, without breaking the rest', () => {
    const html = render('Good $x$, unknown $\\undefinedmacro{y}$, loop $\\def\\a{\\a}\\a$, huge $\\rule{1000em}{1em}$ and $z$.');
    assert.equal(count(html, /<span class="katex">/g), 3);
    assert.match(html, /<code class="math-source" title="[^"]*Undefined control sequence[^"]*">\\undefinedmacro\{y\}<\/code>/);
    assert.match(html, /<code class="math-source" title="[^"]*Too many expansions[^"]*">/);
    assert.doesNotMatch(html, /katex-error/);
  });

  it('takes document macros, one copy per formula', () => {
    const withMacros = createMarkdownRenderer({ macros: { '\\RR': '\\mathbb{R}' } });
    assert.doesNotMatch(withMacros.render('$\\RR$'), /math-source/);
    assert.match(render('$\\RR$'), /math-source/);
    const html = withMacros.render('$\\gdef\\foo{x}\\foo$ then $\\foo$');
    assert.equal(count(html, /math-source/g), 1, '\\gdef does not leak into the next formula');
  });

  it('escapes HTML and keeps only http(s) and mailto links', () => {
    const html = render(
      '<script>window.x=1</script> <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) ' +
        '[c](data:text/html,hi) [d](https://example.com) [e](mailto:a@b.c) ![f](https://example.com/x.png) <https://example.org>',
    );
    assert.doesNotMatch(html, /<script|<img|javascript:"|href="javascript|href="data/i);
    assert.match(html, /&lt;script&gt;/);
    assert.match(html, /href="https:\/\/example.com"/);
    assert.match(html, /href="mailto:a@b.c"/);
    assert.match(html, /href="https:\/\/example.org"/);
    assert.equal(count(html, /<a /g), 4);
  });

  it('refuses KaTeX commands that could link or style', () => {
    const html = render('$\\href{javascript:alert(1)}{x}$ $\\url{https://a.b}$ $\\htmlStyle{color:red}{x}$');
    assert.doesNotMatch(html, /<a |\shref="|style="color/);
    assert.equal(count(html, /math-source/g), 3);
  });

  it('leaves escaped dollars and code alone', () => {
    const html = render('It costs \\$5, `$x$` is code.\n\n```\n$$y$$\n```');
    assert.doesNotMatch(html, /katex/);
    assert.match(html, /costs \$5/);
  });

  it('renders a \\boxed{…} written outside math, and leaves an unclosed one as text', () => {
    const html = render('Based on my evaluation, the final overall score should be: \\boxed{0.5}. Or \\boxed{\\{x\\} = 1}; and \\boxed{2');
    assert.equal(count(html, /<span class="katex">/g), 2);
    assert.match(visibleText(html), /score should be: 0\.5\u200b?\. Or \{x\}=1\u200b?; and \\boxed\{2\s*$/, 'only the unclosed box stays source');
    assert.equal(count(render('$\\boxed{1}$'), /<span class="katex">/g), 1, 'a box inside math is the math plugin\'s');
  });

  it('turns theorem-like environments into prose', () => {
    const html = render('\\begin{lemma}[Key]\nEvery $n$ works.\n\\end{lemma}\n\n\\begin{proof}\nTrivial. \\end{proof}');
    assert.match(html, /<strong>Lemma \(Key\)\.<\/strong>/);
    assert.match(html, /<em>Proof\.<\/em>/);
    assert.match(html, /∎/);
  });
});
