import * as assert from 'node:assert/strict';
import { proofBlock } from '../../src/core/proofToLatex';
import { commentOutRiskyTex, findRiskyTex } from '../../src/core/riskyTex';
import { HOSTILE_ANSWER, SLOW_TEX_INPUTS } from '../helpers/hostileTex';
import { proofBenchProblems } from '../helpers/proofBench';
import { assertScalesLinearly } from '../helpers/scaling';

const lines = (...text: string[]): string => text.join('\n');

const summary = (latex: string) => findRiskyTex(latex).map(({ line, command, reason, excerpt }) => [line, command, reason, excerpt]);

describe('findRiskyTex', () => {
  it('finds commands that read or write files, run programs, end the document or change how it is read, with their lines', () => {
    const latex = proofBlock(HOSTILE_ANSWER, 'latex');
    assert.deepEqual(summary(latex), [
      [3, '\\immediate', 'writes files or runs programs', '\\immediate'],
      [3, '\\write18', 'writes files or runs programs', '\\write18{touch /tmp/qed-pwned}'],
      [5, '\\input', 'reads files', '\\input{/etc/hostname}'],
      [6, '^^', "spells a character in TeX's ^^ notation, which can hide any command", '^^5c'],
      [6, '\\catcode', 'changes how the rest of the document is read', '\\catcode`\\$=12'],
      [8, '\\def\\input', 'redefines \\input', '\\def\\input#1{}'],
      [9, '\\openin', 'reads files', '\\openin5=/etc/hostname'],
      [9, '\\read', 'reads files', '\\read5 to \\x'],
      [10, '\\begin{filecontents}', 'writes files or runs programs', '\\begin{filecontents}{qed-pwned.tex} hello \\end{filecontents}'],
      [13, '\\end{document}', 'ends the document early: what follows is lost', '\\end{document}'],
    ]);
  });

  it('reads LaTeX as TeX does: escaped text, comments, verbatim and longer names are not these commands', () => {
    const harmless = lines(
      'Text \\textbackslash{}input\\{x\\} and \\texttt{\\textbackslash{}write18}, 50\\% done. % \\input{x}',
      '\\inputs \\writer \\readme \\includeonly{a} \\endgraf \\end{proof} $\\hat{x}^{2}$ \\^{o}',
      '\\verb|\\input{x}| and \\verb*+\\write18{y}+',
      '\\begin{verbatim}',
      '\\input{/etc/passwd} \\end{document}',
      '\\end{verbatim}',
    );
    assert.deepEqual(summary(harmless), []);
    assert.deepEqual(summary('\\%\\input{a}'), [[1, '\\input', 'reads files', '\\input{a}']]);
    // `\^^69nput` is `\input`; a \verb without its closing delimiter stops at the line's end.
    assert.deepEqual(summary('\\^^69nput{a}')[0]?.slice(1, 2), ['^^']);
    assert.deepEqual(summary('\\verb|abc\n\\input{a}'), [[2, '\\input', 'reads files', '\\input{a}']]);
    // A definition is looked for on the command's own line only: here `\def` is in a comment.
    assert.deepEqual(summary('% \\def\n\\input{a}'), [[2, '\\input', 'reads files', '\\input{a}']]);
    // Verbatim ends at the first \end{verbatim}: what follows is TeX again.
    assert.deepEqual(summary('\\begin{verbatim}\n\\end{verbatim}\\input{a}\n\\end{verbatim}'), [[2, '\\input', 'reads files', '\\input{a}']]);
  });

  it('takes each command with its arguments as TeX reads them, and a definition around it', () => {
    const commands = [
      '\\input  /etc/passwd $x$',
      '\\include{chapter}[x]',
      '\\immediate\\openout3=out.tex',
      '\\write18{rm -rf ~}{b}',
      '\\catcode 36 = 12 z',
      '\\includegraphics[width=\\textwidth]{secret.png}',
      '\\renewcommand{\\input}[1]{#1}',
      '\\global\\let\\write=\\relax',
      '\\directlua{os.execute("x")',
      '\\endinput',
    ];
    assert.deepEqual(
      commands.map((latex) => findRiskyTex(latex).map(({ start, end }) => latex.slice(start, end))),
      [
        ['\\input  /etc/passwd'],
        ['\\include{chapter}'],
        ['\\immediate', '\\openout3=out.tex'],
        ['\\write18{rm -rf ~}{b}'],
        ['\\catcode 36 = 12'],
        ['\\includegraphics[width=\\textwidth]{secret.png}'],
        ['\\renewcommand{\\input}[1]{#1}'],
        ['\\global\\let\\write=\\relax'],
        ['\\directlua{os.execute("x")'],
        ['\\endinput'],
      ],
    );
  });

  it('finds nothing in the 60 IMO-ProofBench reference solutions as Insert proof writes them', () => {
    const flagged = proofBenchProblems().flatMap(({ id, solution }) => findRiskyTex(proofBlock(solution, 'latex')).map((finding) => `${id}: ${finding.excerpt}`));
    assert.deepEqual(flagged, []);
  });

  it('is linear on hostile input: a megabyte of commands, nested groups, unclosed verbatim', () => {
    const inputs = SLOW_TEX_INPUTS;
    // Each at a sixteenth of its length and at full length: time in proportion, not its square.
    for (const [name, latex] of Object.entries(inputs)) {
      assertScalesLinearly(name, (sixteenths) => {
        const input = latex.slice(0, Math.round((latex.length * sixteenths) / 16));
        return () => commentOutRiskyTex(input, findRiskyTex(input));
      }, { size: 1 });
    }
  });
});

describe('commentOutRiskyTex', () => {
  it('puts each command with its arguments on a comment line of its own, and the rest of its line on the next', () => {
    assert.equal(
      commentOutRiskyTex('  Then $a \\input{x} b$ and \\[ c \\immediate \\write18{y}\\]\n  \\end{document}\nmore'),
      lines(
        '  Then $a',
        '  % QED: commented out (reads files): \\input{x}',
        '  b$ and \\[ c',
        '  % QED: commented out (writes files or runs programs): \\immediate \\write18{y}',
        '  \\]',
        '  % QED: commented out (ends the document early: what follows is lost): \\end{document}',
        'more',
      ),
    );
    assert.equal(
      commentOutRiskyTex('\\directlua{\n  x = 1\n\n}\\catcode`\\@=11 end'),
      lines(
        '% QED: commented out (runs Lua code, which can read and write files; changes how the rest of the document is read): \\directlua{',
        '% x = 1',
        '% ',
        '% }\\catcode`\\@=11',
        'end',
      ),
    );
    assert.equal(commentOutRiskyTex('Nothing to do $x$.\n'), 'Nothing to do $x$.\n');
  });

  it('loses nothing, adds no blank line, and leaves nothing to find', () => {
    const latex = proofBlock(HOSTILE_ANSWER, 'latex');
    const found = findRiskyTex(latex);
    const out = commentOutRiskyTex(latex, found);
    for (const finding of found) {
      for (const line of latex.slice(finding.start, finding.end).split('\n')) assert.ok(out.includes(line.trim()), line);
    }
    const blankLines = (text: string) => text.split('\n').filter((line) => line.trim() === '').length;
    assert.equal(blankLines(out), blankLines(latex));
    assert.deepEqual(findRiskyTex(out), []);
    assert.ok(out.includes('The end, with \\texttt{\\textbackslash{}input\\{x\\}} and \\textbackslash{}input\\{y\\} in text.'));
  });
});
