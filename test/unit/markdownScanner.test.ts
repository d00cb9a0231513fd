import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { scanMarkdown } from '../../src/core/theorems/markdownScanner';
import { LineIndex, type TheoremEnvironment } from '../../src/core/theorems/types';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/latex');

/** An environment with its spans shown as the text they cover, so expectations read as Markdown. */
function shown(text: string, environment: TheoremEnvironment) {
  const slice = (span: { start: number; end: number }) => text.slice(span.start, span.end);
  return {
    env: environment.env,
    title: environment.title,
    kind: environment.kind,
    optionalTitle: environment.optionalTitle,
    label: environment.label,
    span: slice(environment.span),
    statement: slice(environment.statement),
    proof: environment.proof && { span: slice(environment.proof.span), body: slice(environment.proof.body) },
  };
}

function scan(text: string) {
  const result = scanMarkdown(text, 'notes.md');
  return { ...result, shown: result.environments.map((environment) => shown(text, environment)) };
}

/** 1-based line of an offset. */
function lineOf(text: string, offset: number): number {
  return new LineIndex(text).position(offset).line + 1;
}

describe('scanMarkdown', () => {
  describe('bold-run paragraphs', () => {
    it('reads the four marker forms with their titles', () => {
      const text = [
        '**Theorem 2.1.** Let $n \\ge 1$. Then $n^2 \\ge n$.',
        '',
        '**Lemma (Cauchy–Schwarz, $(a,b)$ version).** $|\\langle a,b\\rangle| \\le |a||b|$.',
        '',
        '**Theorem:** Every bounded sequence has a convergent subsequence.',
        '',
        '**Proposition 3** (Title). Something holds.',
        '',
      ].join('\n');
      const { shown: found, problems } = scan(text);
      assert.deepEqual(problems, []);
      assert.deepEqual(found, [
        {
          env: 'Theorem', title: 'Theorem', kind: 'theorem', optionalTitle: null, label: null,
          span: '**Theorem 2.1.** Let $n \\ge 1$. Then $n^2 \\ge n$.',
          statement: 'Let $n \\ge 1$. Then $n^2 \\ge n$.',
          proof: null,
        },
        {
          env: 'Lemma', title: 'Lemma', kind: 'theorem', optionalTitle: 'Cauchy–Schwarz, $(a,b)$ version', label: null,
          span: '**Lemma (Cauchy–Schwarz, $(a,b)$ version).** $|\\langle a,b\\rangle| \\le |a||b|$.',
          statement: '$|\\langle a,b\\rangle| \\le |a||b|$.',
          proof: null,
        },
        {
          env: 'Theorem', title: 'Theorem', kind: 'theorem', optionalTitle: null, label: null,
          span: '**Theorem:** Every bounded sequence has a convergent subsequence.',
          statement: 'Every bounded sequence has a convergent subsequence.',
          proof: null,
        },
        {
          env: 'Proposition', title: 'Proposition', kind: 'theorem', optionalTitle: 'Title', label: null,
          span: '**Proposition 3** (Title). Something holds.',
          statement: 'Something holds.',
          proof: null,
        },
      ]);
    });

    it('classifies words by kind', () => {
      const text = ['**Definition 1.** A.', '**Example.** B.', '**Remark:** C.', '**Observation 2.** D.', '**Claim.** E.', '**Axiom.** F.'].join('\n\n');
      assert.deepEqual(
        scan(text).shown.map((e) => [e.env, e.title, e.kind]),
        [
          ['Definition', 'Definition', 'definition'],
          ['Example', 'Example', 'definition'],
          ['Remark', 'Remark', 'remark'],
          ['Observation', 'Observation', 'remark'],
          ['Claim', 'Claim', 'theorem'],
          ['Axiom', 'Axiom', 'definition'],
        ],
      );
    });

    it('does not take ordinary bold text for a theorem', () => {
      const text = [
        '**Note that** $x > 0$.',
        '**Theorem** is a word we use.',
        '**Example**',
        '**Theorems.** Plural is a heading, not one.',
        '**Proofs** are fun.',
        '**Lemma 1** ',
        '**Theorem 1 (unbalanced.** title',
        '- **Lemma.** in a list item',
        '    **Lemma.** indented four spaces',
        'In the middle **Theorem 1.** of a line.',
      ].join('\n\n');
      assert.deepEqual(scan(text).environments, []);
    });

    it('takes a parenthesis after a punctuated marker as text unless it is punctuated too', () => {
      const { shown: found } = scan('**Lemma 1.** (a) holds and (b) holds.\n\n**Lemma 2.** (Fermat). $a^p \\equiv a$.\n');
      assert.deepEqual(
        found.map((e) => [e.optionalTitle, e.statement]),
        [
          [null, '(a) holds and (b) holds.'],
          ['Fermat', '$a^p \\equiv a$.'],
        ],
      );
    });

    it('runs the statement up to a proof across paragraphs and display math (rule 1)', () => {
      const text = [
        '**Theorem:** Let $X$ be normal',
        '',
        '$$ \\label{eq:x}',
        'X \\sim N(0, 1)',
        '$$',
        '',
        'Then $X^2$ is chi-squared.',
        '',
        '**Proof:** Compute the density. ∎',
        '',
        'Unrelated text.',
      ].join('\n');
      assert.deepEqual(scan(text).shown, [
        {
          env: 'Theorem', title: 'Theorem', kind: 'theorem', optionalTitle: null, label: null,
          span: text.slice(0, text.indexOf('chi-squared.') + 'chi-squared.'.length),
          statement: 'Let $X$ be normal\n\n$$ \\label{eq:x}\nX \\sim N(0, 1)\n$$\n\nThen $X^2$ is chi-squared.',
          proof: { span: '**Proof:** Compute the density. ∎', body: 'Compute the density.' },
        },
      ]);
    });

    it('without a proof, continues only where the text visibly continues (rule 2)', () => {
      const text = [
        '**Lemma 1.** The following are equivalent:',
        '',
        '1. $a$ is even;',
        '',
        '2. $a^2$ is even.',
        '',
        'A remark that is not part of it.',
        '',
        '**Lemma 2.** For all $n$,',
        '$$ \\sum_{k=1}^n k = \\frac{n(n+1)}{2} $$',
        '',
        '$$ \\sum_{k=1}^n k^3 = \\Big(\\sum_{k=1}^n k\\Big)^2 $$',
        '',
        'where the sums are over integers.',
        '',
        'Next paragraph, not part.',
        '',
        '**Definition 3.**',
        '',
        'A group is a set with an operation.',
        '',
        'Not part.',
      ].join('\n');
      assert.deepEqual(
        scan(text).shown.map((e) => e.statement),
        [
          'The following are equivalent:\n\n1. $a$ is even;\n\n2. $a^2$ is even.',
          'For all $n$,\n$$ \\sum_{k=1}^n k = \\frac{n(n+1)}{2} $$\n\n$$ \\sum_{k=1}^n k^3 = \\Big(\\sum_{k=1}^n k\\Big)^2 $$\n\nwhere the sums are over integers.',
          'A group is a set with an operation.',
        ],
      );
    });

    it('stops a statement and a proof at a heading, a thematic break or the next theorem', () => {
      const text = [
        '**Claim.** $1 + 1 = 2$.',
        '',
        '*Proof.* By counting.',
        '',
        'Still the proof.',
        '',
        '## Next section',
        '',
        '**Claim 2.** True.',
        '',
        '_Proof._ Obvious.',
        '',
        '---',
        '',
        '**Fact.** Water is wet.',
        '',
        'Proof: Touch it.',
        '**Lemma.** Another one, on the next line.',
      ].join('\n');
      assert.deepEqual(
        scan(text).shown.map((e) => [e.statement, e.proof]),
        [
          ['$1 + 1 = 2$.', { span: '*Proof.* By counting.\n\nStill the proof.', body: 'By counting.\n\nStill the proof.' }],
          ['True.', { span: '_Proof._ Obvious.', body: 'Obvious.' }],
          ['Water is wet.', { span: 'Proof: Touch it.', body: 'Touch it.' }],
          ['Another one, on the next line.', null],
        ],
      );
    });

    it('ends a proof at an end mark and drops the mark from the body', () => {
      const marks = ['∎', '□', '$\\blacksquare$', '$\\square$', 'QED', 'Q.E.D.', '\\qed'];
      for (const mark of marks) {
        const text = `**Lemma.** X.\n\n*Proof of Lemma 2.* Step one.\n\nStep two. ${mark}\n\nAfter the proof.\n`;
        const [lemma] = scan(text).shown;
        assert.deepEqual(lemma!.proof, { span: `*Proof of Lemma 2.* Step one.\n\nStep two. ${mark}`, body: 'Step one.\n\nStep two.' }, mark);
      }
    });

    it('accepts the proof marker variants', () => {
      const variants = ['*Proof.*', '**Proof.**', '**Proof:**', '_Proof._', '__Proof.__', '*Proof*.', '**Proof**:', '*Proof (sketch).*', 'Proof.'];
      for (const marker of variants) {
        const [lemma] = scan(`**Lemma.** X.\n\n${marker} Done.\n`).shown;
        assert.deepEqual(lemma!.proof, { span: `${marker} Done.`, body: 'Done.' }, marker);
      }
      // Not proof markers: the statement has no proof, and nothing follows it.
      for (const text of ['*Proofs are easy.*', 'Proof that it works.', '*Proof that x*']) {
        assert.equal(scan(`**Lemma.** X.\n\n${text}\n`).shown[0]!.proof, null, text);
      }
    });
  });

  describe('fenced divs', () => {
    it('reads class, id, title attributes and a following proof div', () => {
      const text = [
        '::: {#thm-main .theorem name="Main theorem"}',
        'Every $x$ works.',
        ':::',
        '',
        '::: {.proof}',
        'Trivial.',
        ':::',
        '',
        ':::: {.lemma title=\'Key\'}',
        'Body.',
        '::::',
        '',
        '::: corollary',
        'Bare class.',
        ':::',
      ].join('\n');
      assert.deepEqual(scan(text).shown, [
        {
          env: 'theorem', title: 'Theorem', kind: 'theorem', optionalTitle: 'Main theorem', label: 'thm-main',
          span: '::: {#thm-main .theorem name="Main theorem"}\nEvery $x$ works.\n:::',
          statement: 'Every $x$ works.',
          proof: { span: '::: {.proof}\nTrivial.\n:::', body: 'Trivial.' },
        },
        {
          env: 'lemma', title: 'Lemma', kind: 'theorem', optionalTitle: 'Key', label: null,
          span: ":::: {.lemma title='Key'}\nBody.\n::::",
          statement: 'Body.',
          proof: null,
        },
        {
          env: 'corollary', title: 'Corollary', kind: 'theorem', optionalTitle: null, label: null,
          span: '::: corollary\nBare class.\n:::',
          statement: 'Bare class.',
          proof: null,
        },
      ]);
    });

    it('reads Quarto id prefixes, a heading title and a bold title', () => {
      const text = [
        '::: {#thm-line}',
        '## Line',
        'The equation of any straight line is $y = mx + b$.',
        ':::',
        '',
        '::: {#def-group}',
        '**(Group)** A set with an associative operation.',
        ':::',
      ].join('\n');
      assert.deepEqual(
        scan(text).shown.map((e) => [e.env, e.title, e.kind, e.label, e.optionalTitle, e.statement]),
        [
          ['thm', 'Theorem', 'theorem', 'thm-line', 'Line', 'The equation of any straight line is $y = mx + b$.'],
          ['def', 'Definition', 'definition', 'def-group', 'Group', 'A set with an associative operation.'],
        ],
      );
    });

    it('nests divs and needs at least as many colons to close', () => {
      const text = [
        ':::: {.lemma}',
        'Outer statement.',
        '',
        '::: {.remark}',
        'Inner.',
        ':::',
        '::::',
      ].join('\n');
      assert.deepEqual(
        scan(text).shown.map((e) => [e.env, e.span.split('\n').length, e.statement]),
        [
          ['lemma', 7, 'Outer statement.\n\n::: {.remark}\nInner.\n:::'],
          ['remark', 3, 'Inner.'],
        ],
      );
      const unterminated = scan(':::: {.lemma}\nA\n:::\n\n::: {.theorem}\nB\n');
      assert.deepEqual(unterminated.environments, []);
      assert.deepEqual(
        unterminated.problems.map((p) => [p.offset, p.message]),
        [
          [0, 'Fenced div is never closed (a closing fence needs at least as many colons).'],
          [21, 'Fenced div is never closed (a closing fence needs at least as many colons).'],
        ],
      );
    });
  });

  describe('MyST directives', () => {
    it('reads backtick and colon directives with options and a following prf:proof', () => {
      const text = [
        '```{prf:lemma} Bound',
        ':label: lem-bound',
        ':class: dropdown',
        '',
        'For all $x$, $x^2 \\ge 0$.',
        '```',
        '',
        '````{prf:proof}',
        ':class: full',
        'Squares are nonnegative.',
        '```python',
        'assert 2 ** 2 >= 0',
        '```',
        '````',
        '',
        ':::{prf:Theorem} Colon form',
        '---',
        'label: thm-colon',
        '---',
        'Stated here.',
        ':::',
      ].join('\n');
      assert.deepEqual(scan(text).shown, [
        {
          env: 'lemma', title: 'Lemma', kind: 'theorem', optionalTitle: 'Bound', label: 'lem-bound',
          span: text.slice(0, text.indexOf('```\n\n````') + 3),
          statement: 'For all $x$, $x^2 \\ge 0$.',
          proof: {
            span: '````{prf:proof}\n:class: full\nSquares are nonnegative.\n```python\nassert 2 ** 2 >= 0\n```\n````',
            body: 'Squares are nonnegative.\n```python\nassert 2 ** 2 >= 0\n```',
          },
        },
        {
          env: 'Theorem', title: 'Theorem', kind: 'theorem', optionalTitle: 'Colon form', label: 'thm-colon',
          span: ':::{prf:Theorem} Colon form\n---\nlabel: thm-colon\n---\nStated here.\n:::',
          statement: 'Stated here.',
          proof: null,
        },
      ]);
    });

    it('reports an unterminated directive and finds nothing after it', () => {
      const { environments, problems } = scan('**Lemma.** Before.\n\n```{prf:theorem}\nNever closed.\n\n**Theorem 2.** Inside the fence.\n');
      assert.deepEqual(environments.map((e) => e.env), ['Lemma']);
      assert.deepEqual(problems.map((p) => [p.offset, p.message]), [[20, 'Code fence ``` is never closed: the rest of the document is code.']]);
    });
  });

  describe('LaTeX environments in Markdown', () => {
    it('finds them with a LaTeX or a Markdown proof, and keeps % and code in titles', () => {
      const text = [
        '\\begin{lemma}[50% sure]\\label{lem:half}',
        'Foo `\\end{lemma}` bar.',
        '\\end{lemma}',
        '',
        '_Proof._ Via Markdown. $\\blacksquare$',
        '',
        '\\begin{theorem*}',
        'Bar.',
        '\\end{theorem*}',
        '\\begin{proof}',
        'Via LaTeX.',
        '\\end{proof}',
      ].join('\n');
      assert.deepEqual(scan(text).shown, [
        {
          env: 'lemma', title: 'Lemma', kind: 'theorem', optionalTitle: '50% sure', label: 'lem:half',
          span: '\\begin{lemma}[50% sure]\\label{lem:half}\nFoo `\\end{lemma}` bar.\n\\end{lemma}',
          statement: 'Foo `\\end{lemma}` bar.',
          proof: { span: '_Proof._ Via Markdown. $\\blacksquare$', body: 'Via Markdown.' },
        },
        {
          env: 'theorem*', title: 'Theorem', kind: 'theorem', optionalTitle: null, label: null,
          span: '\\begin{theorem*}\nBar.\n\\end{theorem*}',
          statement: 'Bar.',
          proof: { span: '\\begin{proof}\nVia LaTeX.\n\\end{proof}', body: 'Via LaTeX.' },
        },
      ]);
    });

    it('attaches a LaTeX proof to a Markdown theorem', () => {
      const text = '**Lemma 4.** $a < b$.\n\n\\begin{proof}[Sketch]\nObvious \\begin{proof} nested \\end{proof}.\n\\end{proof}\n';
      assert.deepEqual(scan(text).shown[0]!.proof, {
        span: '\\begin{proof}[Sketch]\nObvious \\begin{proof} nested \\end{proof}.\n\\end{proof}',
        body: 'Obvious \\begin{proof} nested \\end{proof}.',
      });
    });
  });

  describe('what never counts', () => {
    it('ignores code fences, inline code, HTML comments and front matter', () => {
      const text = [
        '---',
        'title: "**Theorem 1.** in YAML"',
        'note: \\begin{theorem} x \\end{theorem}',
        '---',
        '',
        '```markdown',
        '**Theorem 1.** In a fence.',
        '\\begin{lemma} In a fence. \\end{lemma}',
        '::: {.theorem}',
        '```',
        '',
        '~~~~',
        '```{prf:lemma}',
        'A directive shown as code.',
        '```',
        '~~~~',
        '',
        '`**Theorem 2.**` in inline code, and ``\\begin{lemma} x \\end{lemma}`` too.',
        '',
        '<!--',
        '**Theorem 3.** Commented out.',
        '-->',
        '',
        '\t```{math}',
        '\t**Lemma 5.** In an indented fence.',
        '\t```',
      ].join('\n');
      const { environments, problems } = scan(text);
      assert.deepEqual(environments, []);
      assert.deepEqual(problems, []);
    });

    it('treats an unterminated code fence as code to the end, and says so', () => {
      const { shown: found, problems } = scan('**Lemma 1.** Before.\n\n```\n**Lemma 2.** After.\n');
      assert.deepEqual(found.map((e) => e.statement), ['Before.']);
      assert.deepEqual(problems.map((p) => p.offset), [22]);
    });

    it('does not open code at a backtick line whose info string has a backtick', () => {
      const { shown: found } = scan('```{prf:ref}`my-theorem` ``` is a role.\n\n**Lemma 1.** Found.\n');
      assert.deepEqual(found.map((e) => e.statement), ['Found.']);
    });
  });

  describe('offsets', () => {
    it('keeps spans exact with CRLF and lone CR line breaks', () => {
      const lf = [
        '---',
        'a: 1',
        '---',
        '**Theorem 1.** Let $x$ be',
        '',
        '$$ x^2 $$',
        '',
        '*Proof.* Done. ∎',
        '',
        '::: {#lem-a .lemma}',
        'Body.',
        ':::',
        '',
        '```{prf:remark}',
        ':label: r',
        'Note.',
        '```',
        '\\begin{claim}',
        'C.',
        '\\end{claim}',
        '',
      ].join('\n');
      const expected = scan(lf).shown;
      assert.equal(expected.length, 4);
      for (const lineBreak of ['\r\n', '\r']) {
        const converted = scan(lf.replace(/\n/g, lineBreak)).shown;
        const normalized = JSON.parse(JSON.stringify(converted).replaceAll(JSON.stringify(lineBreak).slice(1, -1), '\\n'));
        assert.deepEqual(normalized, expected, JSON.stringify(lineBreak));
      }
    });
  });

  describe('large documents', () => {
    // These would take minutes if any step were quadratic; mocha's timeout catches that.
    it('scans 10k lines of theorems and proofs', () => {
      const unit = ['**Lemma 1.** $a_1 < b$.', '', '*Proof.* Since $a_1 < b$. ∎', ''];
      const text = Array.from({ length: 2500 }, () => unit.join('\n')).join('\n');
      const { environments, problems } = scanMarkdown(text, 'big.md');
      assert.equal(environments.length, 2500);
      assert.equal(environments.filter((e) => e.proof !== null).length, 2500);
      assert.deepEqual(problems, []);
      const last = environments[2499]!;
      assert.equal(lineOf(text, last.span.start), 9997);
      assert.equal(text.slice(last.proof!.body.start, last.proof!.body.end), 'Since $a_1 < b$.');
    });

    it('survives pathological 10k-line inputs', () => {
      // Backtick runs that never close, of ever more lengths.
      const backticks = Array.from({ length: 10_000 }, (_, i) => `x ${'`'.repeat((i % 50) + 1)} y`).join('\n');
      assert.deepEqual(scanMarkdown(`**Lemma.** ${backticks}`, 'a.md').environments.length, 1);
      // Divs that never close.
      const divs = Array.from({ length: 10_000 }, () => '::: {.lemma}\nx').join('\n');
      assert.equal(scanMarkdown(divs, 'b.md').problems.length, 10_000);
      // One theorem per line, no blank lines: each marker starts a new paragraph.
      const lines = Array.from({ length: 10_000 }, (_, i) => `**Theorem ${i + 1}.** Line ${i + 1}.`).join('\n');
      const theorems = scanMarkdown(lines, 'c.md').environments;
      assert.equal(theorems.length, 10_000);
      assert.equal(lineOf(lines, theorems[9999]!.span.start), 10_000);
      // A proof with no end mark before a 10k-line tail of unrelated paragraphs, after each of many theorems.
      const tail = Array.from({ length: 5_000 }, (_, i) => `**Lemma.** L${i}.\n\n*Proof.* P${i}.\n\ntext`).join('\n\n');
      assert.equal(scanMarkdown(tail, 'd.md').environments.filter((e) => e.proof).length, 5_000);
    });

    it('reports 200k stray \\end{theorem}s (more than fit on the stack as call arguments)', () => {
      assert.equal(scanMarkdown('\\end{theorem}\n'.repeat(200_000), 'e.md').problems.length, 200_000);
    });
  });

  describe('corpus', () => {
    // sphinx-proof's syntax guide: the directives were listed with `grep -n '{prf:' syntax.md` and
    // read one by one. Those inside the ``````md example fences (lines 47–67, 116–136, …) and the
    // last ````-fenced example (lines 786–792) are code; the `{prf:proof}` at line 25 follows a
    // `**Example**` paragraph, not a theorem. That leaves these 15, none with a proof.
    it('finds the 15 directives of sphinx-proof/syntax.md', () => {
      const text = readFileSync(path.join(CORPUS, 'sphinx-proof/syntax.md'), 'utf8');
      const { environments, problems } = scanMarkdown(text, 'syntax.md');
      assert.deepEqual(problems, []);
      assert.deepEqual(
        environments.map((e) => [e.env, e.kind, lineOf(text, e.span.start), lineOf(text, e.span.end), e.label, e.optionalTitle]),
        [
          ['theorem', 'theorem', 94, 112, 'my-theorem', 'Orthogonal-Projection-Theorem'],
          ['axiom', 'definition', 161, 165, 'my-axiom', 'Completeness of $\\mathbb{R}$'],
          ['lemma', 'theorem', 201, 211, 'my-lemma', null],
          ['definition', 'definition', 253, 265, 'my-definition', null],
          ['criterion', 'theorem', 307, 316, 'weyls-criterion', "Weyl's criterion"],
          ['remark', 'remark', 357, 371, 'my-remark', null],
          ['conjecture', 'theorem', 406, 410, 'my-conjecture', 'Fake $\\gamma$ conjecture'],
          ['corollary', 'theorem', 443, 448, 'my-corollary', null],
          ['algorithm', 'definition', 486, 501, 'my-algorithm', 'Ford–Fulkerson'],
          ['example', 'definition', 549, 568, 'my-example', null],
          ['property', 'theorem', 619, 623, 'my-property', null],
          ['observation', 'remark', 657, 661, 'my-observation', null],
          ['proposition', 'theorem', 694, 698, 'my-proposition', null],
          ['assumption', 'definition', 732, 736, 'my-assumption', null],
          ['theorem', 'theorem', 778, 782, null, null],
        ],
      );
      const count = (kind: string) => environments.filter((e) => e.kind === kind).length;
      assert.deepEqual([count('theorem'), count('definition'), count('remark')], [8, 5, 2]);
      assert.ok(environments.every((e) => e.proof === null));
      const axiom = environments[1]!;
      assert.equal(text.slice(axiom.statement.start, axiom.statement.end), 'Every Cauchy sequence on the real line is convergent.');
      const theorem = environments[0]!;
      assert.equal(lineOf(text, theorem.statement.start), 97);
      assert.ok(text.slice(theorem.statement.start, theorem.statement.end).startsWith('Given $y \\in \\mathbb R^n$'));
      assert.ok(text.slice(theorem.statement.start, theorem.statement.end).endsWith('**orthogonal projection** of $y$ onto $S$.'));
    });

    // StatProofBook (CRLF line breaks): `grep -n 'Theorem:\|Proof:' mvn-cond.md` gives line 54
    // (`**Theorem:**`) and 85 (`**Proof:**`); the statement's last formula closes at line 82 and the
    // proof runs to the last line, 243, which has no line break.
    it('finds the theorem and proof of statproofbook/mvn-cond.md', () => {
      const text = readFileSync(path.join(CORPUS, 'statproofbook/mvn-cond.md'), 'utf8');
      const { environments, problems } = scanMarkdown(text, 'mvn-cond.md');
      assert.deepEqual(problems, []);
      assert.equal(environments.length, 1);
      const [theorem] = environments;
      assert.deepEqual(
        [theorem!.env, theorem!.title, theorem!.kind, theorem!.optionalTitle, theorem!.label],
        ['Theorem', 'Theorem', 'theorem', null, null],
      );
      assert.deepEqual([lineOf(text, theorem!.span.start), lineOf(text, theorem!.span.end)], [54, 82]);
      const statement = text.slice(theorem!.statement.start, theorem!.statement.end);
      assert.ok(statement.startsWith('Let $X$ follow a [multivariate normal distribution](/D/mvn)\r\n\r\n$$ \\label{eq:mvn}'));
      assert.ok(statement.endsWith('\\Sigma_{21} & \\Sigma_{22} \\end{bmatrix} \\; .\r\n\\end{split}\r\n$$'));
      const proof = theorem!.proof!;
      assert.deepEqual([lineOf(text, proof.span.start), lineOf(text, proof.span.end)], [85, 243]);
      assert.equal(proof.span.end, text.length);
      assert.ok(text.slice(proof.span.start).startsWith('**Proof:** Without loss of generality'));
      const body = text.slice(proof.body.start, proof.body.end);
      assert.ok(body.startsWith('Without loss of generality, we assume'));
      assert.ok(body.endsWith('given by \\eqref{eq:mvn-cond-hyp}.'));
    });
  });
});
