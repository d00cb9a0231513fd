import * as assert from 'node:assert/strict';
import { DEFAULT_THEOREM_DECLARATIONS, findTheoremDeclarations } from '../../src/core/theorems/latexDeclarations';
import { maskLatex } from '../../src/core/theorems/latexMask';
import { environmentAt, scanLatex } from '../../src/core/theorems/latexScanner';
import { LineIndex, type TheoremDeclaration, type TheoremEnvironment } from '../../src/core/theorems/types';

const DEFAULTS: ReadonlyMap<string, TheoremDeclaration> = new Map(DEFAULT_THEOREM_DECLARATIONS.map((d) => [d.env, d]));

function scan(text: string, declarations: ReadonlyMap<string, TheoremDeclaration> = DEFAULTS) {
  return scanLatex(text, 'doc.tex', declarations);
}

/** The parts of an environment a reader checks, as text. */
function view(text: string, environment: TheoremEnvironment) {
  return {
    env: environment.env,
    title: environment.title,
    optionalTitle: environment.optionalTitle,
    label: environment.label,
    whole: text.slice(environment.span.start, environment.span.end),
    statement: text.slice(environment.statement.start, environment.statement.end),
    proof: environment.proof && text.slice(environment.proof.span.start, environment.proof.span.end),
    proofBody: environment.proof && text.slice(environment.proof.body.start, environment.proof.body.end),
  };
}

function only(text: string, declarations?: ReadonlyMap<string, TheoremDeclaration>) {
  const result = scan(text, declarations);
  assert.equal(result.environments.length, 1, JSON.stringify(result));
  return view(text, result.environments[0]!);
}

describe('maskLatex', () => {
  it('blanks comments but keeps \\% and every offset and line break', () => {
    const text = 'a % note\r\nb 50\\% c \\\\% gone\n\\begin{lemma}%x\n';
    const masked = maskLatex(text);
    assert.equal(masked.length, text.length);
    assert.equal(masked, 'a       \r\nb 50\\% c \\\\      \n\\begin{lemma}  \n');
  });

  it('blanks verbatim-like environments, \\verb and \\iffalse…\\fi', () => {
    const _ = (n: number) => ' '.repeat(n);
    const cases: Array<[string, string]> = [
      ['x\\begin{verbatim}\n\\begin{lemma}\n\\end{verbatim}y', `x${_(16)}\n${_(13)}\n${_(14)}y`],
      ['\\begin{lstlisting}[a]%\n\\end{lstlisting}z', `${_(22)}\n${_(16)}z`],
      ['\\begin{minted}{tex}q\\end{minted}', _(32)],
      ['\\begin{comment}\\begin{theorem}\\end{comment}.', `${_(43)}.`],
      ['a\\verb|\\begin{lemma}|b', `a${_(20)}b`],
      ['a\\iffalse b\\fi c', `a${_(13)} c`],
      ['\\iffalse \\ifx\\a\\b x\\fi $a\\iff b$ \\fi!', `${_(36)}!`],
      ['\\iffalse% \\fi\n hidden \\fi shown', `${_(13)}\n${_(11)} shown`],
      ['\\iffalse old\\else new\\fi', `${_(17)} new\\fi`],
      ['\\let\\ifdraft\\iffalse kept', '\\let\\ifdraft\\iffalse kept'],
      ['\\newif\\ifnotes \\iffalse \\ifnotes x\\fi y \\fi z', `\\newif\\ifnotes ${_(28)} z`],
    ];
    for (const [text, expected] of cases) {
      assert.equal(maskLatex(text), expected, text);
      assert.equal(maskLatex(text).length, text.length);
    }
  });

  it('blanks an unterminated verbatim or \\iffalse to the end', () => {
    assert.equal(maskLatex('a\\begin{verbatim}\nb'), `a${' '.repeat(16)}\n `);
    assert.equal(maskLatex('a\\iffalse\nb'), `a${' '.repeat(8)}\n `);
  });

  it('keeps surrogate pairs and replacement characters at their offsets', () => {
    const text = '% 𝔽\uFFFD\n𝔽 \\begin{lemma}';
    const masked = maskLatex(text);
    assert.equal(masked.length, text.length);
    assert.equal(masked, '     \n𝔽 \\begin{lemma}');
  });
});

describe('scanLatex', () => {
  it('reads env, title, kind, optional title, label, statement and proof exactly', () => {
    const text = [
      'Intro.',
      '\\begin{theorem}[Cauchy--Schwarz, $\\ell^2$ version]\\label{thm:cs}',
      '  For all $x, y$ we have $|\\langle x, y\\rangle| \\le \\|x\\|\\|y\\|$.  ',
      '\\end{theorem}',
      '',
      '% the proof',
      '\\begin{proof}[Proof of \\cref{thm:cs}]',
      '  Expand $\\|x - ty\\|^2 \\ge 0$.',
      '\\end{proof}',
    ].join('\n');
    const [environment] = scan(text).environments;
    assert.deepEqual(view(text, environment!), {
      env: 'theorem',
      title: 'Theorem',
      optionalTitle: 'Cauchy--Schwarz, $\\ell^2$ version',
      label: 'thm:cs',
      whole: text.slice(text.indexOf('\\begin{theorem}'), text.indexOf('\\end{theorem}') + '\\end{theorem}'.length),
      statement: 'For all $x, y$ we have $|\\langle x, y\\rangle| \\le \\|x\\|\\|y\\|$.',
      proof: '\\begin{proof}[Proof of \\cref{thm:cs}]\n  Expand $\\|x - ty\\|^2 \\ge 0$.\n\\end{proof}',
      proofBody: 'Expand $\\|x - ty\\|^2 \\ge 0$.',
    });
    assert.equal(environment!.kind, 'theorem');
    assert.equal(environment!.file, 'doc.tex');
    assert.equal(environment!.span.start, 7);
  });

  it('reads optional arguments as LaTeX does: braces protect ], an unbraced ] ends it', () => {
    const title = (argument: string) => only(`\\begin{example}${argument} Body.\\end{example}`).optionalTitle;
    assert.equal(title('[{$\\QQ[x]$ is a Euclidean domain}]'), '$\\QQ[x]$ is a Euclidean domain');
    assert.equal(title('[The ring {$\\ZZ[\\sqrt{11}]$} is a Euclidean domain]'), 'The ring {$\\ZZ[\\sqrt{11}]$} is a Euclidean domain');
    assert.equal(title('[{The ring $\\ZZ[\\frac{1 + \\sqrt{-19}}{2}]$ is not}]'), 'The ring $\\ZZ[\\frac{1 + \\sqrt{-19}}{2}]$ is not');
    assert.equal(title('[{A} and {B}]'), '{A} and {B}');
    assert.equal(title('[ Spaced ]'), 'Spaced');
    assert.equal(title('[]'), '');
    const berkes = only('\\begin{lemma}[Berkes \\& Philipp [1]]\nThere exists.\n\\end{lemma}');
    assert.equal(berkes.optionalTitle, 'Berkes \\& Philipp [1');
    assert.equal(berkes.statement, ']\nThere exists.');
  });

  it('takes [ after one line break (like \\@ifnextchar) but not after a blank line', () => {
    assert.equal(only('\\begin{exercise}\n\t[Mandatory]\n\tDo it.\n\\end{exercise}').optionalTitle, 'Mandatory');
    const blank = only('\\begin{exercise}\n\n[Mandatory] Do it.\n\\end{exercise}');
    assert.equal(blank.optionalTitle, null);
    assert.equal(blank.statement, '[Mandatory] Do it.');
  });

  it('reads labels and Lean-blueprint metadata before the statement, in any order', () => {
    const cases: Array<[string, string | null, string]> = [
      ['\\begin{lemma}\\label{a}X.\\end{lemma}', 'a', 'X.'],
      ['\\begin{lemma} \\label{ lemma-x }\nX.\n\\end{lemma}', 'lemma-x', 'X.'],
      ['\\begin{lemma}[T]\\label{j}\\lean{A, B} \\uses{d}\\leanok\n  X.\n\\end{lemma}', 'j', 'X.'],
      ['\\begin{lemma}[T]\n  \\uses{d}\n  \\lean{A}\n  \\leanok\n  \\label{late}\n  X.\n\\end{lemma}', 'late', 'X.'],
      ['\\begin{lemma}\n\\index{$\\sigma$-!Algebra}\n\\label{Lemma 1.1}\nSei $X$.\n\\end{lemma}', 'Lemma 1.1', 'Sei $X$.'],
      ['\\begin{lemma} X \\label{after} Y.\\end{lemma}', null, 'X \\label{after} Y.'],
      ['\\begin{lemma}% c\n\\label{c}% d\nX.\\end{lemma}', 'c', 'X.'],
      ['\\begin{lemma}\\label{empty}\\end{lemma}', 'empty', ''],
    ];
    for (const [text, label, statement] of cases) {
      const environment = only(text);
      assert.equal(environment.label, label, text);
      assert.equal(environment.statement, statement, text);
    }
  });

  it('finds the proof after blank lines, comments or a label, not after text', () => {
    const proofOf = (between: string) => {
      const text = `\\begin{lemma}X.\\end{lemma}${between}\\begin{proof}P.\\end{proof}`;
      return view(text, scan(text).environments[0]!).proof;
    };
    assert.equal(proofOf(''), '\\begin{proof}P.\\end{proof}');
    assert.equal(proofOf('\n\n\n  '), '\\begin{proof}P.\\end{proof}');
    assert.equal(proofOf('\n% comment\n%another\n'), '\\begin{proof}P.\\end{proof}');
    assert.equal(proofOf('\n\\label{eq}\n'), '\\begin{proof}P.\\end{proof}');
    assert.equal(proofOf('\nWe now prove it.\n'), null);
    assert.equal(proofOf('\n\\begin{remark}R\\end{remark}\n'), null);
    const leanProof = only('\\begin{lemma}X.\\end{lemma}\n\\begin{proof} \\leanok \\uses{a} Expand out.\n\\end{proof}');
    assert.equal(leanProof.proofBody, 'Expand out.');
  });

  it('treats declared proof-like environments (ntheorem beweis) as proofs, not theorems', () => {
    const declarations = new Map(
      findTheoremDeclarations(
        '\\newtheorem{satz}{Satz}\\newtheorem{beweis}{Beweis}\\newenvironment{beweise}{\\begin{beweis}\\begin{liste}}{\\end{liste}\\end{beweis}}',
        'saetze.sty',
      ).map((d) => [d.env, d]),
    );
    const text = '\\begin{satz}S.\\end{satz}\n\\begin{beweis}B.\\end{beweis}\n\\begin{satz}T.\\end{satz}\\begin{beweise}C.\\end{beweise}';
    const result = scan(text, declarations);
    assert.deepEqual(
      result.environments.map((e) => [e.env, view(text, e).proof]),
      [
        ['satz', '\\begin{beweis}B.\\end{beweis}'],
        ['satz', '\\begin{beweise}C.\\end{beweise}'],
      ],
    );
  });

  it('reports nested theorem environments, outer first', () => {
    const text = '\\begin{theorem}A\\begin{proof}x\\begin{claim}C\\end{claim}\\begin{proof}c\\end{proof}\\end{proof}\\end{theorem}';
    const result = scan(text);
    assert.deepEqual(result.environments.map((e) => [e.env, view(text, e).statement, view(text, e).proof]), [
      ['theorem', 'A\\begin{proof}x\\begin{claim}C\\end{claim}\\begin{proof}c\\end{proof}\\end{proof}', null],
      ['claim', 'C', '\\begin{proof}c\\end{proof}'],
    ]);
    assert.deepEqual(result.problems, []);
  });

  it('ignores environments in comments, verbatim, \\verb and \\iffalse; \\% is not a comment', () => {
    const text = [
      '% \\begin{theorem} commented \\end{theorem}',
      '\\begin{verbatim}\\begin{lemma}V\\end{lemma}\\end{verbatim}',
      '\\verb|\\begin{lemma}|',
      '\\iffalse\\begin{lemma}F\\end{lemma}\\fi',
      '50\\% of \\begin{lemma}Real.\\end{lemma}',
      '\\begin{comment}\\begin{claim}\\end{comment}',
    ].join('\n');
    const result = scan(text);
    assert.deepEqual(result.environments.map((e) => view(text, e).statement), ['Real.']);
    assert.deepEqual(result.problems, []);
  });

  it('only counts the declarations it is given', () => {
    const declarations = new Map(findTheoremDeclarations('\\newtheorem{lem}{Lemma}', 'p.tex').map((d) => [d.env, d]));
    const result = scan('\\begin{lem}A\\end{lem}\\begin{theorem}B\\end{theorem}', declarations);
    assert.deepEqual(result.environments.map((e) => [e.env, e.title, e.kind]), [['lem', 'Lemma', 'theorem']]);
  });

  it('skips the preamble, definitions, and text after \\end{document} or \\endinput', () => {
    const text = [
      '\\newenvironment{wrap}{\\begin{lemma}}{\\end{lemma}}',
      '\\begin{lemma}preamble\\end{lemma}',
      '\\begin{document}',
      '\\newcommand{\\half}{\\begin{theorem}}',
      '\\def\\x#1{\\end{lemma}}',
      '\\begin{lemma}body\\end{lemma}',
      '\\end{document}',
      '\\begin{lemma}after\\end{lemma}',
    ].join('\n');
    const result = scan(text);
    assert.deepEqual(result.environments.map((e) => view(text, e).statement), ['body']);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(scan('\\begin{lemma}A\\end{lemma}\\endinput\\begin{lemma}B\\end{lemma}').environments.length, 1);
  });

  it('reports an unterminated theorem at the end of the file without crashing', () => {
    const text = 'x\n\\begin{lemma}[T]\\label{l}\nNever closed.';
    const result = scan(text);
    assert.deepEqual(result.environments, []);
    assert.deepEqual(result.problems, [{ file: 'doc.tex', offset: 2, message: '\\begin{lemma} is never closed' }]);
  });

  it('reports a stray \\end and keeps scanning', () => {
    const text = 'a\\end{lemma}\n\\begin{theorem}T\\end{theorem}';
    const result = scan(text);
    assert.deepEqual(result.problems, [{ file: 'doc.tex', offset: 1, message: '\\end{lemma} without a matching \\begin{lemma}' }]);
    assert.deepEqual(result.environments.map((e) => view(text, e).statement), ['T']);
  });

  it('does not lose the rest of the document to a mismatched \\end', () => {
    const text = [
      '\\begin{lemma}\\begin{itemize}\\item A\\end{lemma}', // itemize never closed
      '\\begin{theorem}T\\end{theorme}', // typo: the theorem stays open
      '\\begin{claim}C\\end{claim}',
      '\\begin{remark}R\\end{remark}',
    ].join('\n');
    const result = scan(text);
    assert.deepEqual(result.environments.map((e) => [e.env, view(text, e).statement]), [
      ['lemma', '\\begin{itemize}\\item A'],
      ['claim', 'C'],
      ['remark', 'R'],
    ]);
    const lines = new LineIndex(text);
    assert.deepEqual(
      result.problems.map((p) => [lines.position(p.offset).line + 1, p.message]),
      [
        [1, '\\begin{itemize} is not closed before the \\end{lemma} on line 1'],
        [2, '\\begin{theorem} is never closed'],
        [2, '\\end{theorme} without a matching \\begin{theorme}'],
      ],
    );
  });

  it('reports an unterminated optional argument and reads the statement after \\begin', () => {
    const text = '\\begin{lemma}[Open {brace\n\nX.\\end{lemma}';
    const result = scan(text);
    assert.equal(result.environments.length, 1);
    assert.equal(result.environments[0]!.optionalTitle, null);
    assert.equal(view(text, result.environments[0]!).statement, '[Open {brace\n\nX.');
    assert.deepEqual(result.problems, [{ file: 'doc.tex', offset: 13, message: 'The optional argument of \\begin{lemma} is not closed' }]);
  });

  it('keeps spans exact in CRLF files', () => {
    const text = '\\begin{lemma}[T]\r\n\\label{l}\r\nLine one\r\nline two.\r\n\\end{lemma}\r\n\r\n% c\r\n\\begin{proof}\r\nP.\r\n\\end{proof}\r\n';
    const environment = only(text);
    assert.equal(environment.label, 'l');
    assert.equal(environment.statement, 'Line one\r\nline two.');
    assert.equal(environment.proofBody, 'P.');
    assert.equal(environment.whole, '\\begin{lemma}[T]\r\n\\label{l}\r\nLine one\r\nline two.\r\n\\end{lemma}');
    const [scanned] = scan(text).environments;
    const lines = new LineIndex(text);
    assert.deepEqual([lines.position(scanned!.span.start).line, lines.position(scanned!.span.end).line], [0, 4]);
    assert.deepEqual(lines.position(scanned!.proof!.span.start), { line: 7, character: 0 });
  });

  it('scans text decoded from non-UTF-8 bytes with exact offsets', () => {
    const latin1 = Buffer.concat([
      Buffer.from('\\begin{lemma}[Satz von M'),
      Buffer.from([0xfc]), // ü in Latin-1: invalid UTF-8
      Buffer.from('ller]\nGr'),
      Buffer.from([0xf6, 0xdf]),
      Buffer.from('e.\n\\end{lemma}'),
    ]);
    const text = new TextDecoder('utf-8').decode(latin1);
    const environment = only(text);
    assert.equal(environment.optionalTitle, 'Satz von M\uFFFDller');
    assert.equal(environment.statement, 'Gr\uFFFD\uFFFDe.');
  });

  it('reads 10k nested braces in an optional argument', () => {
    const depth = 10_000;
    const argument = `${'{'.repeat(depth)}x]${'}'.repeat(depth)}`;
    const environment = only(`\\begin{theorem}[${argument} tail]Body.\\end{theorem}`);
    assert.equal(environment.optionalTitle, `${argument} tail`);
    assert.equal(environment.statement, 'Body.');
  });

  it('finishes on adversarial inputs (deep nesting, many strays, unclosed arguments)', () => {
    const nestedOpen = '\\begin{theorem}[{'.repeat(20_000);
    assert.equal(scan(nestedOpen).problems.length, 20_000);
    const strays = '\\end{lemma}'.repeat(50_000) + '\\begin{lemma}ok\\end{lemma}';
    const strayResult = scan(strays);
    assert.equal(strayResult.problems.length, 50_000);
    assert.equal(strayResult.environments.length, 1);
    const deep = '\\begin{lemma}['.repeat(20_000) + 'x' + '\\end{lemma}'.repeat(20_000);
    const deepResult = scan(deep);
    assert.equal(deepResult.environments.length, 20_000);
    assert.equal(deepResult.environments.every((e) => e.optionalTitle === null), true);
    const unclosed = '\\begin{lemma}x\n'.repeat(30_000);
    assert.equal(scan(unclosed).problems.length, 30_000);
    const braces = '{'.repeat(100_000) + '\\begin{lemma}X\\end{lemma}';
    assert.equal(scan(braces).environments.length, 1);
  });
});

describe('environmentAt', () => {
  const text = '\\begin{theorem}A\\begin{claim}C\\end{claim}\\end{theorem}\n\\begin{proof}P\\end{proof}\n\n\\begin{lemma}L\\end{lemma}';
  const { environments } = scan(text);

  it('returns the innermost environment whose span or proof contains the offset', () => {
    assert.equal(environmentAt(environments, 'doc.tex', text.indexOf('A'))?.env, 'theorem');
    assert.equal(environmentAt(environments, 'doc.tex', text.indexOf('C'))?.env, 'claim');
    assert.equal(environmentAt(environments, 'doc.tex', text.indexOf('P'))?.env, 'theorem');
    assert.equal(environmentAt(environments, 'doc.tex', text.indexOf('L\\end'))?.env, 'lemma');
    assert.equal(environmentAt(environments, 'doc.tex', 0)?.env, 'theorem');
    assert.equal(environmentAt(environments, 'doc.tex', text.indexOf('\n')), environments[0]);
  });

  it('returns undefined between environments or for another file', () => {
    assert.equal(environmentAt(environments, 'doc.tex', text.indexOf('\n\n') + 1), undefined);
    assert.equal(environmentAt(environments, 'other.tex', text.indexOf('A')), undefined);
    assert.equal(environmentAt([], 'doc.tex', 0), undefined);
  });
});
