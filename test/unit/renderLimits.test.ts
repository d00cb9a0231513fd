import * as assert from 'node:assert/strict';
import { LatexDelimiters } from '../../webview-ui/src/render/latexDelimiters';
import { estimateLines } from '../../webview-ui/src/render/blockHeight';
import { createMarkdownRenderer } from '../../webview-ui/src/render/markdown';
import { createMathRenderer, MathBudget, MAX_BLOCK_MATH_COST, MAX_FORMULA_CHARS } from '../../webview-ui/src/render/mathRenderer';

/** A small deterministic PRNG, so a failing case can be reproduced. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

/** The scan the index replaces: from `from`, backslash pairs as units. */
function scanCloser(src: string, from: number, closer: string, limit: number): number {
  for (let i = from; i < limit - 1; i++) {
    if (src[i] !== '\\') continue;
    if (src[i + 1] === closer) return i;
    i++;
  }
  return -1;
}

/** The environment matching the index replaces: same-name nesting after `at`. */
function scanEnvironmentEnd(src: string, at: number): number | undefined {
  const begin = /\\begin\s*\{([A-Za-z]+\*?)\}/y;
  begin.lastIndex = at;
  const m = begin.exec(src);
  if (!m) return undefined;
  const boundary = new RegExp(`\\\\(begin|end)\\s*\\{${m[1]!.replace('*', '\\*')}\\}`, 'g');
  boundary.lastIndex = at + m[0].length;
  let depth = 1;
  for (let b = boundary.exec(src); b; b = boundary.exec(src)) {
    depth += b[1] === 'begin' ? 1 : -1;
    if (depth === 0) return b.index + b[0].length;
  }
  return undefined;
}

describe('LatexDelimiters', () => {
  it('finds the same \\) and \\] closers as scanning from each opener', () => {
    const next = random(3);
    const alphabet = ['\\', '\\', '(', ')', '[', ']', 'x', ' '];
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      const src = Array.from({ length: 40 }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const index = new LatexDelimiters(src);
      for (let from = 1; from <= src.length; from++) {
        if (src[from - 1] !== '(' && src[from - 1] !== '[') continue;
        for (const limit of [src.length, Math.floor(next() * (src.length + 1))]) {
          for (const closer of [')', ']'] as const) {
            assert.equal(index.closerAfter(closer, from, limit), scanCloser(src, from, closer, limit), `${JSON.stringify(src)} from ${from} limit ${limit}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 1000);
  });

  it('pairs \\begin and \\end like a same-name nested scan', () => {
    const next = random(5);
    const pieces = ['\\begin{align}', '\\end{align}', '\\begin{align*}', '\\end{align*}', '\\begin {cases}', '\\end{cases}', 'x', '\\\\', ' '];
    for (let round = 0; round < 400; round++) {
      const src = Array.from({ length: 14 }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      const index = new LatexDelimiters(src);
      for (let at = src.indexOf('\\begin'); at !== -1; at = src.indexOf('\\begin', at + 1)) {
        assert.equal(index.environmentEnd(at), scanEnvironmentEnd(src, at), `${JSON.stringify(src)} at ${at}`);
      }
    }
  });
});

describe('LatexDelimiters braces', () => {
  /** The real (unescaped) `{` positions, and each one's match by counting depth from it. */
  function scanBraces(src: string): Map<number, number | undefined> {
    const found = new Map<number, number | undefined>();
    for (let i = 0; i < src.length; i++) {
      if (src[i] === '\\') i++;
      else if (src[i] === '{') found.set(i, undefined);
    }
    for (const at of found.keys()) {
      let depth = 0;
      for (let i = at; i < src.length; i++) {
        if (src[i] === '\\') i++;
        else if (src[i] === '{') depth++;
        else if (src[i] === '}' && --depth === 0) {
          found.set(at, i);
          break;
        }
      }
    }
    return found;
  }

  it('matches each { with its } like counting depth from it, escaped braces aside', () => {
    const next = random(7);
    const alphabet = ['\\', '{', '{', '}', '}', 'x'];
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      const src = Array.from({ length: 30 }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const index = new LatexDelimiters(src);
      for (const [at, end] of scanBraces(src)) {
        assert.equal(index.braceEnd(at), end, `${JSON.stringify(src)} at ${at}`);
        checked++;
      }
    }
    assert.ok(checked > 1000);
  });
});

describe('math renderer limits', () => {
  const renderMath = createMathRenderer({});
  const typeset = (tex: string) => renderMath(tex, false, new MathBudget());

  it('refuses every command that could link, load or style (trust: false)', () => {
    for (const tex of ['\\href{javascript:alert(1)}{x}', '\\url{javascript:alert(1)}', '\\includegraphics{http://evil.example/a.png}', '\\htmlClass{a}{x}', '\\htmlId{a}{x}', '\\htmlData{a=b}{x}', '\\htmlStyle{color:red}{x}']) {
      assert.deepEqual(typeset(tex), { error: 'Command not allowed in the Proof panel' }, tex);
    }
  });

  it('stops recursive macros at maxExpand and huge expansions by the work they take', () => {
    assert.match((typeset('\\def\\a{\\a\\a}\\a') as { error: string }).error, /Too many expansions/);
    assert.match((typeset('\\def\\a{\\a\\a\\a\\a}\\a') as { error: string }).error, /Too many expansions/);
    assert.match((typeset(`\\def\\a{xx}${'\\edef\\a{\\a\\a}'.repeat(40)}\\a`) as { error: string }).error, /Too many expansions/);
    // 900 expansions of a 1,000-symbol body: under maxExpand, and minutes of KaTeX without the lookup bound.
    assert.deepEqual(typeset(`\\def\\a{${'x'.repeat(1000)}}${'\\a'.repeat(900)}`), { error: 'Formula too large to typeset' });
    assert.deepEqual(typeset('x'.repeat(MAX_FORMULA_CHARS + 1)), { error: 'Formula longer than 10,000 characters' });
    assert.ok('html' in typeset('x'.repeat(MAX_FORMULA_CHARS)), 'the longest formula allowed still renders');
    assert.ok('html' in typeset('\\frac{1}{2} + \\sum_{k=1}^{n} \\binom{n}{k} \\pmod{p} \\implies \\dots'));
  });

  it('gives a block a budget for all its math, the same whether formulas are cached or not', () => {
    const probe = new MathBudget();
    renderMath('y', false, probe);
    const cost = MAX_BLOCK_MATH_COST - probe.remaining;
    assert.ok(cost > 0);
    const fits = Math.ceil(MAX_BLOCK_MATH_COST / cost);
    for (const round of ['cold', 'cached']) {
      const budget = new MathBudget();
      const results = Array.from({ length: fits + 2 }, () => renderMath('y', false, budget));
      assert.equal(results.filter((result) => 'html' in result).length, fits, round);
      assert.deepEqual(results.at(-1), { skipped: true }, round);
    }
  });

  it('renders a megabyte of formulas on one line with only the budget typeset and the rest as text', () => {
    const html = createMarkdownRenderer().render('$x$ '.repeat(250_000));
    const formulas = html.match(/<span class="katex">/g)?.length ?? 0;
    assert.ok(formulas > 100 && formulas < 3000, `${formulas} formulas typeset`);
    assert.ok(html.length < 4_000_000, `${html.length} characters of HTML`);
    assert.ok(html.endsWith(' x x x</p>\n'));
  });

  it('leaves a megabyte of unclosed \\boxed{ as text', () => {
    const html = createMarkdownRenderer().render('\\boxed{'.repeat(150_000));
    assert.equal(html, `<p>${'\\boxed{'.repeat(150_000)}</p>\n`);
  });

  it('leaves a megabyte of unclosed \\( and \\[ as text', () => {
    const html = createMarkdownRenderer().render('\\('.repeat(250_000) + '\\['.repeat(250_000));
    assert.equal(html, `<p>${'('.repeat(250_000)}${'['.repeat(250_000)}</p>\n`);
  });
});

describe('estimateLines', () => {
  it('counts wrapped prose lines, display math and the block margins', () => {
    assert.equal(estimateLines('x'.repeat(100), 80), 1 + 1);
    assert.equal(estimateLines('x'.repeat(300), 80), 1 + 3);
    assert.equal(estimateLines('1. one\n2. two', 80), 1 + 2);
    assert.equal(estimateLines('$$\nx = 1\n$$', 80), 1 + 0.5 + 1 + 0.5);
    assert.equal(estimateLines('\\begin{align*}\na &= b \\\\\nc &= d\n\\end{align*}', 80), 1 + 0.5 + 1.6 + 1.6 + 0.5);
  });
});
