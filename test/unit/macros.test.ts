import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import katex from 'katex';
import { findMacroDefinitions, katexMacros, macroTable, macrosUsedBy, type MacroDefinition } from '../../src/core/context/macros';
import { maskComments, stripComments } from '../../src/core/latexLexer';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/latex');
const read = (file: string) => readFileSync(path.join(CORPUS, file), 'utf8');

/** The definition of `name` in `file`, checking it is found exactly once. */
function definitionIn(file: string, name: string): MacroDefinition {
  const found = findMacroDefinitions(read(file), file).filter((definition) => definition.name === name);
  assert.equal(found.length, 1, `${name} in ${file}`);
  return found[0]!;
}

const summary = (definitions: MacroDefinition[]) => definitions.map((d) => `${d.kind} ${d.name}/${d.arity}`);

function render(tex: string, macros: Record<string, string>): string {
  return katex.renderToString(tex, { throwOnError: true, macros: { ...macros }, output: 'html' });
}

describe('comments', () => {
  it('masks comments in place, keeping \\% and offsets', () => {
    const text = 'a % note\nb \\% c % more\n\\\\% after a line break';
    assert.equal(maskComments(text), `a       \nb \\% c       \n\\\\${' '.repeat(20)}`);
    assert.equal(maskComments(text).length, text.length);
  });
  it('strips comments the way TeX reads them: the line break and next indentation go too', () => {
    assert.equal(stripComments('{%\n    \\mathchoice%\n  {x}}'), '{\\mathchoice{x}}');
    assert.equal(stripComments('5\\% off % comment\nnext'), '5\\% off next');
  });
});

describe('findMacroDefinitions on real preambles', () => {
  it('reads every definition of the PFR blueprint macros, in order', () => {
    const definitions = findMacroDefinitions(read('pfr-blueprint/preamble/common.tex'), 'common.tex');
    assert.deepEqual(
      definitions.map((d) => d.name),
      ['\\C', '\\Z', '\\bbc', '\\E', '\\bbe', '\\F', '\\bbf', '\\bbH', '\\bbP', '\\bbI', '\\bbn', '\\bbq', '\\bbr', '\\bbt', '\\bbz', '\\N', '\\lo', '\\abs', '\\Abs', '\\brac', '\\norm', '\\inn', '\\dist', '\\ind', '\\tup'],
    );
    const text = read('pfr-blueprint/preamble/common.tex');
    assert.deepEqual(definitions[4], {
      name: '\\bbe',
      arity: 0,
      defaultArgument: null,
      body: '\\mathbb{E}',
      kind: 'newcommand',
      parameterText: null,
      source: '\\newcommand*{\\bbe}{\\mathbb{E}}',
      file: 'common.tex',
      offset: text.indexOf('\\newcommand*{\\bbe}'),
    });
    assert.deepEqual(summary(definitions.slice(16)), [
      'newcommand \\lo/1',
      'newcommand \\abs/1',
      'newcommand \\Abs/1',
      'newcommand \\brac/1',
      'newcommand \\norm/1',
      'newcommand \\inn/1',
      'operator \\dist/0',
      'newcommand \\ind/1',
      'providecommand \\tup/1',
    ]);
    assert.equal(definitions[17]!.body, '\\left\\lvert #1\\right\\rvert');
    assert.equal(definitions[24]!.source, '\\providecommand{\\tup}[1]{{\\vec{#1}}}');
  });

  it('reads the HoTT book macros: optional defaults, \\let, delimited \\def, multi-line bodies with comments', () => {
    const file = 'hott-book/macros.tex';
    const definitions = findMacroDefinitions(read(file), file);
    assert.equal(definitions.length, 385);
    assert.deepEqual(definitionIn(file, '\\hfib'), {
      name: '\\hfib',
      arity: 2,
      defaultArgument: null,
      body: '{\\mathsf{fib}}_{#1}(#2)',
      kind: 'newcommand',
      parameterText: null,
      source: '\\newcommand{\\hfib}[2]{{\\mathsf{fib}}_{#1}(#2)}',
      file,
      offset: 14036,
    });
    const id = definitionIn(file, '\\id');
    assert.deepEqual([id.arity, id.defaultArgument, id.body], [3, '', '\\ensuremath{#2 =_{#1} #3}\\xspace']);
    const judgeq = definitionIn(file, '\\judgeq');
    assert.deepEqual([judgeq.kind, judgeq.body, judgeq.source], ['let', '\\jdeq', '\\let\\judgeq\\jdeq']);
    const lamarg = definitionIn(file, '\\@lamarg');
    assert.deepEqual([lamarg.kind, lamarg.arity, lamarg.parameterText], ['def', 2, '#1:#2\\@endlamarg']);
    const ct = definitionIn(file, '\\ct');
    assert.equal(
      ct.source,
      [
        '\\newcommand{\\ct}{%',
        '  \\mathchoice{\\mathbin{\\raisebox{0.5ex}{$\\displaystyle\\centerdot$}}}%',
        '             {\\mathbin{\\raisebox{0.5ex}{$\\centerdot$}}}%',
        '             {\\mathbin{\\raisebox{0.25ex}{$\\scriptstyle\\,\\centerdot\\,$}}}%',
        '             {\\mathbin{\\raisebox{0.1ex}{$\\scriptscriptstyle\\,\\centerdot\\,$}}}',
        '}',
      ].join('\n'),
    );
    assert.equal(
      ct.body,
      '\\mathchoice{\\mathbin{\\raisebox{0.5ex}{$\\displaystyle\\centerdot$}}}{\\mathbin{\\raisebox{0.5ex}{$\\centerdot$}}}' +
        '{\\mathbin{\\raisebox{0.25ex}{$\\scriptstyle\\,\\centerdot\\,$}}}{\\mathbin{\\raisebox{0.1ex}{$\\scriptscriptstyle\\,\\centerdot\\,$}}}\n',
    );
    // Commented-out definitions (`% \newcommand{\sgl}…`) are not definitions.
    assert.equal(definitions.some((d) => d.name === '\\sgl'), false);
  });

  it('reads napkin: environments, \\def with a parameter, and skips definitions nested in another command', () => {
    const file = 'napkin/preamble.tex';
    const moral = definitionIn(file, 'moral');
    assert.equal(moral.kind, 'newenvironment');
    assert.equal(moral.body.endsWith('\\bfseries\\color{green!50!black}\n\\end{tcolorbox}'), true);
    const answeritem = definitionIn(file, 'answeritem');
    assert.deepEqual([answeritem.arity, answeritem.body], [1, '\\item[\\bfseries #1.]\n']);
    const twodigits = definitionIn(file, '\\twodigits');
    assert.deepEqual([twodigits.arity, twodigits.parameterText, twodigits.body], [1, null, '\\ifnum#1<10 0\\fi\\the#1']);
    // `\pdfstringdefDisableCommands{\def\Spec{\text{Spec }}\def\sigma{σ}}` only affects PDF bookmarks.
    const names = findMacroDefinitions(read(file), file).map((d) => d.name);
    assert.equal(names.includes('\\Spec'), false);
    assert.equal(names.includes('\\sigma'), false);
  });

  it('reads mathe.sty, where \\H is defined twice and the later \\def wins', () => {
    const file = 'latex-examples-analysis3/mathe.sty';
    const definitions = findMacroDefinitions(read(file), file);
    assert.equal(definitions.length, 87);
    assert.deepEqual(
      definitions.filter((d) => d.name === '\\H').map((d) => d.source),
      ['\\def\\H{\\text{H}}', '\\def\\H{\\mathscr{H}}'],
    );
    const table = macroTable(definitions);
    assert.equal(table.size, 86);
    assert.equal(table.get('\\H')!.body, '\\mathscr{H}');
    assert.equal(table.get('\\folgtnach')!.body, '\\ensuremath{\\DOTSB\\;\\xRightarrow{\\text{#1}}\\;}');
  });

  it('reads \\NewDocumentCommand in the blueprint print preamble', () => {
    const uses = definitionIn('pfr-blueprint/preamble/print.tex', '\\uses');
    assert.deepEqual([uses.kind, uses.arity, uses.parameterText], ['documentcommand', 1, null]);
    assert.equal(uses.body, '\\clist_map_inline:nn{#1}{\\vphantom{\\ref{##1}}}\\ignorespaces');
  });
});

describe('findMacroDefinitions on every syntax', () => {
  const one = (text: string) => {
    const found = findMacroDefinitions(text, 't.tex');
    assert.equal(found.length, 1, text);
    const { name, arity, defaultArgument, body, kind, parameterText } = found[0]!;
    return { name, arity, defaultArgument, body, kind, parameterText };
  };
  const plain = { arity: 0, defaultArgument: null, parameterText: null };

  it('\\newcommand with and without braces, star, arguments and default', () => {
    assert.deepEqual(one('\\newcommand{\\R}{\\mathbb{R}}'), { name: '\\R', ...plain, body: '\\mathbb{R}', kind: 'newcommand' });
    assert.deepEqual(one('\\newcommand\\R{\\mathbb{R}}'), { name: '\\R', ...plain, body: '\\mathbb{R}', kind: 'newcommand' });
    assert.deepEqual(one('\\newcommand*{\\f}[2]{#1^{#2}}'), { name: '\\f', ...plain, arity: 2, body: '#1^{#2}', kind: 'newcommand' });
    assert.deepEqual(one('\\newcommand{\\f}[2][x]{#1+#2}'), { name: '\\f', ...plain, arity: 2, defaultArgument: 'x', body: '#1+#2', kind: 'newcommand' });
    assert.deepEqual(one('\\newcommand { \\g } [1] [{a]b}] {#1}'), { name: '\\g', ...plain, arity: 1, defaultArgument: '{a]b}', body: '#1', kind: 'newcommand' });
    assert.deepEqual(one('\\renewcommand{\\P}{\\mathbb{P}}'), { name: '\\P', ...plain, body: '\\mathbb{P}', kind: 'renewcommand' });
    assert.deepEqual(one('\\providecommand{\\N}{\\mathbb{N}}'), { name: '\\N', ...plain, body: '\\mathbb{N}', kind: 'providecommand' });
  });

  it('operators, \\def, \\let and xparse', () => {
    assert.deepEqual(one('\\DeclareMathOperator{\\Hom}{Hom}'), { name: '\\Hom', ...plain, body: 'Hom', kind: 'operator' });
    assert.deepEqual(one('\\DeclareMathOperator*{\\argmax}{arg\\,max}'), { name: '\\argmax', ...plain, body: 'arg\\,max', kind: 'operator*' });
    assert.deepEqual(one('\\def\\foo{bar}'), { name: '\\foo', ...plain, body: 'bar', kind: 'def' });
    assert.deepEqual(one('\\def\\foo#1#2{#2#1}'), { name: '\\foo', ...plain, arity: 2, body: '#2#1', kind: 'def' });
    assert.deepEqual(one('\\def\\pair(#1,#2){\\langle #1\\rangle}'), { name: '\\pair', ...plain, arity: 2, body: '\\langle #1\\rangle', kind: 'def', parameterText: '(#1,#2)' });
    assert.deepEqual(one('\\let\\a=\\b'), { name: '\\a', ...plain, body: '\\b', kind: 'let' });
    assert.deepEqual(one('\\let\\c = d'), { name: '\\c', ...plain, body: 'd', kind: 'let' });
    assert.deepEqual(one('\\NewDocumentCommand{\\g}{ m m }{#1^{#2}}'), { name: '\\g', ...plain, arity: 2, body: '#1^{#2}', kind: 'documentcommand' });
    assert.deepEqual(one('\\NewDocumentCommand\\h{o m}{#2}'), { name: '\\h', ...plain, arity: 2, body: '#2', kind: 'documentcommand', parameterText: 'om' });
  });

  it('ignores comments but not \\%, and keeps the exact source', () => {
    const text = '% \\newcommand{\\no}{x}\n\\newcommand{\\pct}{5\\% % percent\n}';
    const found = findMacroDefinitions(text, 't.tex');
    assert.deepEqual(found.map((d) => [d.name, d.body, d.source, d.offset]), [['\\pct', '5\\% ', '\\newcommand{\\pct}{5\\% % percent\n}', 22]]);
  });

  it('counts definitions at the top level and in \\AtBeginDocument, not inside groups', () => {
    const text = '{\\def\\local{x}}\\AtBeginDocument{\\def\\late{y}}\\newcommand{\\outer}{\\def\\inner{z}}';
    assert.deepEqual(findMacroDefinitions(text, 't.tex').map((d) => d.name), ['\\late', '\\outer']);
  });

  it('survives unterminated braces and garbage', () => {
    assert.deepEqual(findMacroDefinitions('\\newcommand{\\a}{\\mathbb{R}\n\\newcommand{\\b}{x}', 't.tex').map((d) => d.name), ['\\b']);
    assert.deepEqual(findMacroDefinitions('\\newcommand{\\a', 't.tex'), []);
    assert.deepEqual(findMacroDefinitions('\\def\\a', 't.tex'), []);
    assert.deepEqual(findMacroDefinitions('\\let', 't.tex'), []);
    assert.deepEqual(findMacroDefinitions('\\newcommand{\\a}[2][{x}', 't.tex'), []);
    assert.deepEqual(findMacroDefinitions('}}}\\def\\a{1}{{{', 't.tex').map((d) => d.name), ['\\a']);
    assert.deepEqual(findMacroDefinitions('\\', 't.tex'), []);
  });

  it('stays linear on a long unterminated input', () => {
    // Quadratic scanning would take minutes here; the brace table makes it one pass.
    const text = '\\newcommand{\\a}{'.repeat(50_000) + '\\def\\x#1'.repeat(20_000);
    assert.equal(findMacroDefinitions(text, 't.tex').length, 0);
  });
});

describe('macroTable', () => {
  it('keeps the first \\newcommand and \\providecommand, lets \\renewcommand and \\def replace', () => {
    const definitions = findMacroDefinitions(
      '\\newcommand{\\a}{1}\\newcommand{\\a}{2}\\providecommand{\\a}{3}\\renewcommand{\\b}{4}\\def\\b{5}\\providecommand{\\c}{6}',
      't.tex',
    );
    const table = macroTable(definitions);
    assert.deepEqual([...table].map(([name, d]) => [name, d.body]), [
      ['\\a', '1'],
      ['\\b', '5'],
      ['\\c', '6'],
    ]);
  });
});

describe('macrosUsedBy', () => {
  const table = (text: string) => macroTable(findMacroDefinitions(text, 't.tex'));

  it('follows bodies transitively, direct uses first, and ignores comments', () => {
    const macros = table('\\newcommand{\\R}{\\mathbb{R}}\\newcommand{\\abs}[1]{\\lvert #1\\rvert}\\newcommand{\\dist}{\\abs{\\R}}\\newcommand{\\unused}{x}\\newcommand{\\cmt}{y}');
    assert.deepEqual(
      macrosUsedBy('For $x \\in \\R$, $\\dist$ % \\cmt\n', macros).map((d) => d.name),
      ['\\R', '\\dist', '\\abs'],
    );
  });

  it('terminates on recursive and mutually recursive definitions', () => {
    assert.deepEqual(macrosUsedBy('$\\a$', table('\\def\\a{\\a\\a}')).map((d) => d.name), ['\\a']);
    assert.deepEqual(macrosUsedBy('$\\a$', table('\\def\\a{\\b}\\def\\b{\\a\\c}\\def\\c{\\a}')).map((d) => d.name), ['\\a', '\\b', '\\c']);
  });

  it('finds environments through \\begin and \\let aliases through their target', () => {
    const macros = table('\\newenvironment{moral}{\\bfseries}{}\\newcommand{\\map}[2]{#1(#2)}\\let\\ap\\map');
    assert.deepEqual(macrosUsedBy('\\begin{moral}$\\ap{f}{p}$\\end{moral}', macros).map((d) => d.name), ['moral', '\\ap', '\\map']);
  });

  it('follows the HoTT book from a statement to what it needs', () => {
    const macros = macroTable(findMacroDefinitions(read('hott-book/macros.tex'), 'macros.tex'));
    assert.deepEqual(
      macrosUsedBy('Then $\\brck{A}$ is a mere proposition and $\\ap{f}{p}$ exists.', macros).map((d) => d.name),
      ['\\brck', '\\ap', '\\trunc', '\\map'],
    );
  });
});

describe('katexMacros', () => {
  it('gives KaTeX what it can use and leaves out what it cannot', () => {
    const definitions = findMacroDefinitions(
      [
        '\\newcommand{\\R}{\\mathbb{R}}',
        '\\DeclareMathOperator{\\Hom}{Hom}',
        '\\DeclareMathOperator*{\\argmax}{arg\\,max}',
        '\\newcommand{\\f}[2][x]{#1+#2}',
        '\\def\\pair(#1,#2){#1}',
        '\\makeatletter\\def\\intern{\\@gobble}\\makeatother',
        '\\def\\when#1{\\ifnum#1>0 y\\fi}',
        '\\newenvironment{moral}{a}{b}',
        '\\let\\alias\\R',
        '\\let\\bgroupish={',
        '\\newcommand{\\pt}{\\ensuremath{\\mathsf{pt}}\\xspace}',
        '\\newcommand{\\lean}[1]{}',
        '\\newcommand{\\second}[2]{#2}',
        '\\NewDocumentCommand{\\uses}{m}{\\clist_map_inline:nn{#1}{}}',
      ].join('\n'),
      't.tex',
    );
    assert.deepEqual(katexMacros(definitions), {
      '\\R': '\\mathbb{R}',
      '\\Hom': '\\operatorname{Hom}',
      '\\argmax': '\\operatorname*{arg\\,max}',
      '\\alias': '\\R',
      '\\pt': '{\\mathsf{pt}}',
      '\\lean': '\\smash{\\vphantom{#1}}',
      '\\second': '#2\\smash{\\vphantom{#1}}',
    });
  });

  it('renders the PFR blueprint macros exactly like their expansions', () => {
    const macros = katexMacros(findMacroDefinitions(read('pfr-blueprint/preamble/common.tex'), 'common.tex'));
    assert.equal(Object.keys(macros).length, 25);
    assert.equal(render('\\abs{x} + \\dist(x, y)', macros), render('\\left\\lvert x\\right\\rvert + \\operatorname{dist}(x, y)', {}));
    assert.equal(render('\\bbH[X] \\le \\log \\abs{S}', macros), render('\\mathbb{H}[X] \\le \\log \\left\\lvert S\\right\\rvert', {}));
  });

  it('renders HoTT book macros that go through \\ensuremath, \\xspace and \\let', () => {
    const macros = katexMacros(findMacroDefinitions(read('hott-book/macros.tex'), 'macros.tex'));
    assert.equal(render('\\hfib{f}{b}', macros), render('{\\mathsf{fib}}_{f}(b)', {}));
    assert.equal(render('\\isequiv(f)', macros), render('{\\mathsf{isequiv}}(f)', {}));
    assert.equal(render('\\ap{f}{p}', macros), render('{{f}\\mathopen{}\\left({p}\\right)\\mathclose{}}', {}));
    assert.equal('\\id' in macros, false); // optional argument
    assert.equal('\\prd' in macros, false); // \@ifnextchar internals
  });
});
