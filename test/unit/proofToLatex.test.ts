import * as assert from 'node:assert/strict';
import { markdownToLatex, proofBlock } from '../../src/core/proofToLatex';
import { scanMarkdown } from '../../src/core/theorems/markdownScanner';

const lines = (...text: string[]): string => text.join('\n');

describe('markdownToLatex', () => {
  it('converts an induction proof with numbered steps and display math in an item', () => {
    const answer = lines(
      'We prove by induction on $n$ that $\\sum_{k=1}^n k = \\frac{n(n+1)}{2}$.',
      '',
      '1. **Base case.** For $n=1$ both sides equal $1$.',
      '2. **Inductive step.** Suppose it holds for $n$. Then',
      '   $$\\sum_{k=1}^{n+1} k = \\frac{n(n+1)}{2} + (n+1) = \\frac{(n+1)(n+2)}{2},$$',
      '   which completes the step.',
      '',
      'This proves the claim. ∎',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        'We prove by induction on $n$ that $\\sum_{k=1}^n k = \\frac{n(n+1)}{2}$.',
        '',
        '\\begin{enumerate}',
        '  \\item \\textbf{Base case.} For $n=1$ both sides equal $1$.',
        '  \\item \\textbf{Inductive step.} Suppose it holds for $n$. Then',
        '  \\[ \\sum_{k=1}^{n+1} k = \\frac{n(n+1)}{2} + (n+1) = \\frac{(n+1)(n+2)}{2}, \\]',
        '  which completes the step.',
        '\\end{enumerate}',
        '',
        'This proves the claim.',
      ),
    );
  });

  it('keeps math verbatim and escapes only the text around it', () => {
    const answer = lines(
      'By AM-GM applied to $a_1, a_2 > 0$,',
      '$$',
      '\\frac{a_1 + a_2}{2} \\ge \\sqrt{a_1 a_2}.',
      '$$',
      'Squaring, \\[ (a_1 + a_2)^2 \\ge 4 a_1 a_2, \\] so 50% of the pairs (a_1, a_2) satisfy $a_1 \\ge a_2$ & $50\\%$ of $x_{\\{1\\}}$ is \\(x / 2\\).',
      '',
      'Next, $$ \\sum_{i<j} x_i x_j \\le \\binom{n}{2} \\max_i x_i^2 $$',
      '',
      'where the maximum is over $i$.',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        'By AM-GM applied to $a_1, a_2 > 0$,',
        '\\[ \\frac{a_1 + a_2}{2} \\ge \\sqrt{a_1 a_2}. \\]',
        'Squaring,',
        '\\[ (a_1 + a_2)^2 \\ge 4 a_1 a_2, \\]',
        'so 50\\% of the pairs (a\\_1, a\\_2) satisfy $a_1 \\ge a_2$ \\& $50\\%$ of $x_{\\{1\\}}$ is \\(x / 2\\).',
        '',
        'Next,',
        '\\[ \\sum_{i<j} x_i x_j \\le \\binom{n}{2} \\max_i x_i^2 \\]',
        'where the maximum is over $i$.',
      ),
    );
  });

  it('removes blank lines inside display math, which LaTeX rejects and KaTeX ignores, and nothing else', () => {
    // Issue 15, item 11: four IMO-ProofBench solutions failed to compile for this alone.
    const answer = lines(
      'Then',
      '\\[',
      '\\begin{aligned} a & = b',
      '',
      ' & = c  % a comment',
      '  \t',
      '\\end{aligned}',
      '\\]',
      'and',
      '$$ x',
      '',
      'y $$',
      'and',
      '\\begin{align*}',
      ' f(x)=1 & \\Longrightarrow f(1-x)=0',
      '',
      ' f(x)=0 & \\Longrightarrow f(1-x)=1',
      '\\end{align*}',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        'Then',
        '\\[',
        '\\begin{aligned} a & = b',
        ' & = c  % a comment',
        '\\end{aligned}',
        '\\]',
        'and',
        '\\[',
        'x',
        'y',
        '\\]',
        'and',
        '\\begin{align*}',
        ' f(x)=1 & \\Longrightarrow f(1-x)=0',
        ' f(x)=0 & \\Longrightarrow f(1-x)=1',
        '\\end{align*}',
      ),
    );
  });

  it('keeps a code block inside its verbatim even when the code holds \\end{verbatim}', () => {
    // Verbatim ends at the first \end{verbatim} as written: what followed it was TeX.
    assert.equal(
      markdownToLatex('```\nprint(1)\n\\end{verbatim}\\input{/etc/passwd}\n```'),
      lines('\\begin{verbatim}', 'print(1)', '\\end {verbatim}\\input{/etc/passwd}', '\\end{verbatim}'),
    );
  });

  it('converts headings, nested lists, code spans and comparisons in math', () => {
    const answer = lines(
      '## Proof',
      '',
      'We consider two cases.',
      '',
      '### Case 1: $n < 5$',
      '',
      '- If $n \\in \\{1, 2\\}$, then:',
      '  - $f(n) < n^2$;',
      '  - $f(n) > 0$ and $a<b>c$.',
      '- Otherwise use `check(n)` with `x_1 % 2 {}`.',
      '',
      '### Case 2: $n \\ge 5$',
      '',
      'Then $|a-b| < \\epsilon$ and $\\langle u, v \\rangle > 0$, so a < b and c > d in words.',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        '\\paragraph*{Proof}',
        '',
        'We consider two cases.',
        '',
        '\\paragraph*{Case 1: $n < 5$}',
        '',
        '\\begin{itemize}',
        '  \\item If $n \\in \\{1, 2\\}$, then:',
        '  \\begin{itemize}',
        '    \\item $f(n) < n^2$;',
        '    \\item $f(n) > 0$ and $a<b>c$.',
        '  \\end{itemize}',
        '  \\item Otherwise use \\texttt{check(n)} with \\texttt{x\\_1 \\% 2 \\{\\}}.',
        '\\end{itemize}',
        '',
        '\\paragraph*{Case 2: $n \\ge 5$}',
        '',
        'Then $|a-b| < \\epsilon$ and $\\langle u, v \\rangle > 0$, so a \\textless{} b and c \\textgreater{} d in words.',
      ),
    );
  });

  it('keeps start numbers, quotes, math environments and drops the final end mark', () => {
    const answer = lines(
      '3. Third step, with \\(x^2\\).',
      '4. Fourth step:',
      '',
      '   2. sub-step $a$',
      '   3. sub-step $b$',
      '',
      '> Note: this uses *Lemma 1* and _Lemma 2_.',
      '',
      '\\begin{align*}',
      'a &= b + c \\\\',
      '  &\\le d',
      '\\end{align*}',
      '',
      '---',
      '',
      'Hence $a \\le d$. $\\blacksquare$',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        '\\begin{enumerate}',
        '  \\setcounter{enumi}{2}',
        '  \\item Third step, with \\(x^2\\).',
        '  \\item Fourth step:',
        '',
        '  \\begin{enumerate}',
        '    \\setcounter{enumii}{1}',
        '    \\item sub-step $a$',
        '    \\item sub-step $b$',
        '  \\end{enumerate}',
        '\\end{enumerate}',
        '',
        '\\begin{quote}',
        '  Note: this uses \\emph{Lemma 1} and \\emph{Lemma 2}.',
        '\\end{quote}',
        '',
        '\\begin{align*}',
        'a &= b + c \\\\',
        '  &\\le d',
        '\\end{align*}',
        '',
        '\\medskip',
        '',
        'Hence $a \\le d$.',
      ),
    );
  });

  it('escapes every special character outside math', () => {
    assert.equal(
      markdownToLatex('Costs $5 and $6, 100% of #1 & {x} ~ y ^ z \\ w <tag> a|b, \\$7 and \\\\.'),
      'Costs \\$5 and \\$6, 100\\% of \\#1 \\& \\{x\\} \\textasciitilde{} y \\textasciicircum{} z \\textbackslash{} w \\textless{}tag\\textgreater{} a\\textbar{}b, \\$7 and \\textbackslash{}.',
    );
  });

  it('unwraps display environments, numbers labelled formulas, and keeps LaTeX code blocks', () => {
    const answer = lines(
      '$$\\begin{align*} x &= 1 \\\\ y &= 2 \\end{align*}$$',
      '',
      '$$ \\label{eq:key} x^2 \\ge 0 $$',
      '',
      '$$\\begin{aligned} x &= 1 \\end{aligned}$$',
      '',
      '```latex',
      '\\begin{tikzpicture}\\end{tikzpicture}',
      '```',
      '',
      '```python',
      'print(a_1 % 2)',
      '```',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        '\\begin{align*} x &= 1 \\\\ y &= 2 \\end{align*}',
        '\\begin{equation}',
        '\\label{eq:key} x^2 \\ge 0',
        '\\end{equation}',
        '\\[ \\begin{aligned} x &= 1 \\end{aligned} \\]',
        '',
        '\\begin{tikzpicture}\\end{tikzpicture}',
        '',
        '\\begin{verbatim}',
        'print(a_1 % 2)',
        '\\end{verbatim}',
      ),
    );
  });

  it('converts loose lists, tables, links and hard breaks', () => {
    const answer = lines(
      '- First item.',
      '',
      '  Second paragraph of it.',
      '',
      '- Second item.',
      '',
      '| $n$ | $f(n)$ |',
      '|:---|---:|',
      '| 1 | a_1 |',
      '',
      'See [the notes](https://example.org/a_b) or <https://example.org>.  ',
      'Next line.',
    );
    assert.equal(
      markdownToLatex(answer),
      lines(
        '\\begin{itemize}',
        '  \\item First item.',
        '',
        '  Second paragraph of it.',
        '  \\item Second item.',
        '\\end{itemize}',
        '',
        '\\begin{tabular}{lr}',
        '  $n$ & $f(n)$ \\\\',
        '  \\hline',
        '  1 & a\\_1 \\\\',
        '\\end{tabular}',
        '',
        'See the notes (\\texttt{https://example.org/a\\_b}) or \\texttt{https://example.org}.\\\\',
        'Next line.',
      ),
    );
  });

  it('leaves unmatched dollars and unclosed display math as text', () => {
    assert.equal(markdownToLatex('A $ sign and $$ x'), 'A \\$ sign and \\$\\$ x');
    assert.equal(markdownToLatex('$$\nx_1\n\nno closer'), '\\$\\$\nx\\_1\n\nno closer');
  });

  it('drops the end marks models write', () => {
    for (const mark of ['∎', '□', '$\\blacksquare$', '$\\square$', '\\qed', 'Q.E.D.', 'QED', '**Q.E.D.**', '\\hfill $\\blacksquare$', '$$\\blacksquare$$']) {
      assert.equal(markdownToLatex(`So $x = 1$. ${mark}\n`), 'So $x = 1$.', mark);
      assert.equal(markdownToLatex(`So $x = 1$.\n\n${mark}`), 'So $x = 1$.', mark);
    }
    assert.equal(markdownToLatex('This is QED-like.'), 'This is QED-like.');
  });
});

describe('proofBlock', () => {
  it('wraps LaTeX in a proof environment, indented like the statement', () => {
    const answer = '**Proof.** Let $x_1 = 1$.\n\n```\n  keep   this\n```\n\nDone. ∎';
    assert.equal(
      proofBlock(answer, 'latex', '  '),
      lines(
        '  \\begin{proof}',
        '  Let $x_1 = 1$.',
        '',
        '  \\begin{verbatim}',
        '  keep   this',
        '  \\end{verbatim}',
        '',
        '  Done.',
        '  \\end{proof}',
      ),
    );
  });

  it('drops a leading Proof heading or marker and a \\begin{proof} wrapper, but not "Proof of"', () => {
    assert.equal(proofBlock('## Proof\n\nTrivial.', 'latex'), '\\begin{proof}\nTrivial.\n\\end{proof}');
    assert.equal(proofBlock('\\begin{proof}[Sketch]\nTrivial.\n\\end{proof}', 'latex'), '\\begin{proof}\nTrivial.\n\\end{proof}');
    assert.equal(proofBlock('Proof: trivial.', 'latex'), '\\begin{proof}\ntrivial.\n\\end{proof}');
    assert.equal(proofBlock('*Proof of Lemma 2.* Trivial.', 'latex'), '\\begin{proof}\n\\emph{Proof of Lemma 2.} Trivial.\n\\end{proof}');
    assert.equal(proofBlock('Proofs are short.', 'latex'), '\\begin{proof}\nProofs are short.\n\\end{proof}');
    assert.equal(proofBlock('', 'latex'), '\\begin{proof}\n\\end{proof}');
    assert.equal(proofBlock('\n\nQ.E.D.', 'latex'), '\\begin{proof}\n\\end{proof}');
  });

  it('inserts all of the answer it is given, a literal </think> in it included (the stream was split before)', () => {
    // Issue 15, item 8: the answer was split on </think> a second time, and Insert proof dropped
    // everything before a literal tag in the proof while the panel showed it.
    const answer = 'The model closes its thinking with `</think>`, so a text before $x$ is <think>kept</think> too.\n\nHence $x = 1$.';
    assert.equal(
      proofBlock(answer, 'latex'),
      lines(
        '\\begin{proof}',
        'The model closes its thinking with \\texttt{\\textless{}/think\\textgreater{}}, so a text before $x$ is \\textless{}think\\textgreater{}kept\\textless{}/think\\textgreater{} too.',
        '',
        'Hence $x = 1$.',
        '\\end{proof}',
      ),
    );
    assert.equal(markdownToLatex(answer), proofBlock(answer, 'latex').split('\n').slice(1, -1).join('\n'));
    assert.equal(proofBlock(answer, 'markdown'), `*Proof.* ${answer} ∎`);
  });

  it('normalises a Markdown proof: *Proof.* in front, one ∎ at the end', () => {
    assert.equal(proofBlock('## Proof\n\nLet $x_1 = 1$. Then $x_1 > 0$. Q.E.D.', 'markdown'), '*Proof.* Let $x_1 = 1$. Then $x_1 > 0$. ∎');
    assert.equal(proofBlock('\n\n**Proof.** Easy.\n', 'markdown'), '*Proof.* Easy. ∎');
    assert.equal(
      proofBlock('1. First.\n2. Then\n\n$$\nx = 1\n$$\n$\\blacksquare$', 'markdown'),
      '*Proof.*\n\n1. First.\n2. Then\n\n$$\nx = 1\n$$\n\n∎',
    );
    assert.equal(proofBlock('', 'markdown'), '*Proof.* ∎');
    assert.equal(proofBlock('Step one.\n\nStep two.', 'markdown', '   '), '   *Proof.* Step one.\n\n   Step two. ∎');
  });

  it('produces a Markdown proof the scanner reads back with the same body', () => {
    const inserted = proofBlock('**Proof.** First, $a_1 < b$.\n\nHence the claim.  ∎', 'markdown');
    const text = `**Lemma 1.** $a_1 < b$ implies the claim.\n\n${inserted}\n\n## Next\n`;
    const [lemma] = scanMarkdown(text, 'notes.md').environments;
    assert.equal(text.slice(lemma!.proof!.span.start, lemma!.proof!.span.end), inserted);
    assert.equal(text.slice(lemma!.proof!.body.start, lemma!.proof!.body.end), 'First, $a_1 < b$.\n\nHence the claim.');
  });
});
