import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findMacroDefinitions, macroTable } from '../../src/core/context/macros';
import { buildPromptContext, estimateTokens, type ContextSource } from '../../src/core/context/promptContext';
import { referencedLabels } from '../../src/core/context/references';
import { DocumentContext } from '../../src/core/documentContext';
import { cleanStatement, proveMessages } from '../../src/core/prompts';
import type { TheoremEnvironment, TheoremKind } from '../../src/core/theorems/types';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/latex');
const read = (file: string) => readFileSync(path.join(CORPUS, file), 'utf8');

const LEADING_METADATA = /^(?:\s+|\\label\{[^}]*\}|\\lean\{[^}]*\}|\\uses\{[^}]*\}|\\leanok|\\index\{[^}]*\}%?)/;

/**
 * A stand-in for the project scanner (written elsewhere): non-nested environments of the given
 * names, the statement after the optional title and any leading label/metadata.
 */
function environments(file: string, text: string, names: Record<string, [title: string, kind: TheoremKind]>): TheoremEnvironment[] {
  const begin = new RegExp(String.raw`\\begin\{(${Object.keys(names).join('|')})\}(?:\[([^\]]*)\])?`, 'g');
  return [...text.matchAll(begin)].map((match) => {
    const env = match[1]!;
    const endTag = `\\end{${env}}`;
    const endAt = text.indexOf(endTag, match.index);
    let start = match.index + match[0].length;
    for (let meta = LEADING_METADATA.exec(text.slice(start)); meta; meta = LEADING_METADATA.exec(text.slice(start))) start += meta[0].length;
    let end = endAt;
    while (/\s/.test(text[end - 1]!)) end--;
    return {
      env,
      title: names[env]![0],
      kind: names[env]![1],
      optionalTitle: match[2] ?? null,
      label: /\\label\{([^}]*)\}/.exec(text.slice(match.index, endAt))?.[1] ?? null,
      file,
      span: { start: match.index, end: endAt + endTag.length },
      statement: { start, end },
      proof: null,
    };
  });
}

const statementOf = (source: ContextSource, label: string) => {
  const environment = source.environments.find((candidate) => candidate.label === label)!;
  return source.texts.get(environment.file)!.slice(environment.statement.start, environment.statement.end);
};

const MACROS = [
  '\\newcommand{\\R}{\\mathbb{R}}',
  '\\newcommand{\\norm}[1]{\\lVert #1\\rVert} % the norm',
  '\\newcommand{\\ip}[2]{\\langle #1, #2\\rangle}',
  '\\DeclareMathOperator{\\tr}{tr}',
].join('\n');

const MAIN = [
  '\\begin{definition}[Inner product space]\\label{def:ips}',
  'An inner product space is a vector space $V$ over $\\R$ with a map $\\ip{\\cdot}{\\cdot}$ that is bilinear, symmetric and positive definite.',
  '\\end{definition}',
  '',
  '\\begin{lemma}[Cauchy--Schwarz]\\label{lem:cs}',
  'In an inner product space (\\cref{def:ips}), $|\\ip{x}{y}| \\le \\norm{x}\\,\\norm{y}$.',
  '\\end{lemma}',
  '',
  '\\begin{theorem}\\label{thm:triangle}',
  'For all $x, y$ in an inner product space over $\\R$, $\\norm{x+y} \\le \\norm{x} + \\norm{y}$',
  '(see \\cref{lem:cs} and \\eqref{eq:missing}; this is \\cref{thm:triangle}).',
  '\\end{theorem}',
].join('\n');

function smallProject(): ContextSource {
  return {
    environments: environments('main.tex', MAIN, {
      definition: ['Definition', 'definition'],
      lemma: ['Lemma', 'theorem'],
      theorem: ['Theorem', 'theorem'],
    }),
    texts: new Map([['main.tex', MAIN]]),
    macros: macroTable(findMacroDefinitions(MACROS, 'macros.tex')),
  };
}

const OWN_MACROS = ['LaTeX macros:', '\\newcommand{\\R}{\\mathbb{R}}', '\\newcommand{\\norm}[1]{\\lVert #1\\rVert}'].join('\n');
const LEMMA = '**Lemma \\ref{lem:cs} (Cauchy--Schwarz).** In an inner product space (\\cref{def:ips}), $|\\ip{x}{y}| \\le \\norm{x}\\,\\norm{y}$.';
const DEFINITION =
  '**Definition \\ref{def:ips} (Inner product space).** An inner product space is a vector space $V$ over $\\R$ with a map $\\ip{\\cdot}{\\cdot}$ that is bilinear, symmetric and positive definite.';
const FULL_CONTEXT = [`${OWN_MACROS}\n\\newcommand{\\ip}[2]{\\langle #1, #2\\rangle}`, LEMMA, DEFINITION].join('\n\n');

describe('estimateTokens', () => {
  it('counts characters / 3.5, rounded up', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcdefg'), 2);
    assert.equal(estimateTokens('abcdefgh'), 3);
    assert.equal(estimateTokens('x'.repeat(3500)), 1000);
  });
});

describe('referencedLabels', () => {
  it('reads every reference command, lists, starred forms; first occurrence order, no duplicates', () => {
    const text =
      'By \\cref{a, b} and \\Cref*{c}, \\eqref{eq:1} % \\ref{commented}\n then \\ref{a}, \\nameref{d}, \\autoref{e}, ' +
      '\\crefrange{f}{g}, \\hyperref[h]{text}, \\uses{i,j}, \\pageref{k}, \\refstepcounter{no}, \\ref{x,y}, \\cref{}';
    assert.deepEqual(referencedLabels(text), ['a', 'b', 'c', 'eq:1', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'x,y']);
  });
  it('finds the references of a real chapter', () => {
    const text = read('hott-book/equivalences.tex');
    const labels = referencedLabels(text);
    // Checked against grep: 80 distinct labels outside comments.
    assert.equal(labels.length, 80);
    assert.deepEqual(labels.slice(0, 4), ['sec:basics-equivalences', 'item:beb1', 'item:beb3', 'ex:sigma-assoc']);
  });
});

describe('cleanStatement', () => {
  it('removes labels, index entries, blueprint metadata and comments, and collapses whitespace', () => {
    const latex = [
      '\\label{x}\\lean{A.b, C.d}',
      '  \\uses{entropy-def}',
      '  \\leanok',
      '  If $X$ is   an $S$-valued \\index{variable}random variable, % why',
      '  then $\\bbH[X] \\leq \\log |S|$ and $\\{1\\} \\ne 50\\%$.',
      '',
      '',
      '  Second paragraph.\\label{{nested}}',
    ].join('\n');
    assert.equal(
      cleanStatement(latex),
      'If $X$ is an $S$-valued random variable, then $\\bbH[X] \\leq \\log |S|$ and $\\{1\\} \\ne 50\\%$.\n\nSecond paragraph.',
    );
  });
  it('cleans a whole blueprint environment', () => {
    const text = read('pfr-blueprint/chapter/entropy.tex');
    const start = text.indexOf('\\begin{lemma}[Jensen bound]');
    const end = text.indexOf('\\end{lemma}', start) + '\\end{lemma}'.length;
    assert.equal(
      cleanStatement(text.slice(start, end)),
      '\\begin{lemma}[Jensen bound] If $X$ is an $S$-valued random variable, then $\\bbH[X] \\leq \\log |S|$. \\end{lemma}',
    );
  });
});

describe('buildPromptContext', () => {
  it('gives own macros, then references, then one level further, with what was not found', () => {
    const source = smallProject();
    const context = buildPromptContext(statementOf(source, 'thm:triangle'), source, 10_000);
    assert.equal(context.text, FULL_CONTEXT);
    assert.deepEqual(
      context.macros.map((definition) => definition.name),
      ['\\R', '\\norm', '\\ip'],
    );
    assert.deepEqual(context.references, [
      { label: 'lem:cs', title: 'Lemma (Cauchy--Schwarz)', found: true },
      { label: 'eq:missing', title: '', found: false },
      { label: 'def:ips', title: 'Definition (Inner product space)', found: true },
    ]);
    assert.deepEqual(context.omitted, []);
    assert.deepEqual(context.sources, ['macros.tex', 'main.tex'], 'the files the text quotes');
    // Every macro of the project, also \tr which no statement uses.
    assert.deepEqual(context.katexMacros, {
      '\\R': '\\mathbb{R}',
      '\\norm': '\\lVert #1\\rVert',
      '\\ip': '\\langle #1, #2\\rangle',
      '\\tr': '\\operatorname{tr}',
    });
  });

  it('drops from the end when over budget: second level first, own macros last', () => {
    const source = smallProject();
    const statement = statementOf(source, 'thm:triangle');
    const withLemma = `${OWN_MACROS}\n\n${LEMMA}`;

    const fitsLemma = buildPromptContext(statement, source, estimateTokens(withLemma));
    assert.equal(fitsLemma.text, withLemma);
    assert.deepEqual(fitsLemma.omitted, ['macro \\ip', 'Definition (Inner product space) [def:ips]']);
    assert.deepEqual(fitsLemma.macros.map((definition) => definition.name), ['\\R', '\\norm']);

    const ownOnly = buildPromptContext(statement, source, estimateTokens(withLemma) - 1);
    assert.equal(ownOnly.text, OWN_MACROS);
    assert.deepEqual(ownOnly.sources, ['macros.tex'], 'only what was kept');
    assert.deepEqual(ownOnly.omitted, ['Lemma (Cauchy--Schwarz) [lem:cs]', 'macro \\ip', 'Definition (Inner product space) [def:ips]']);

    const nothing = buildPromptContext(statement, source, 0);
    assert.equal(nothing.text, '');
    assert.deepEqual(nothing.omitted, ['macro \\R', 'macro \\norm', 'Lemma (Cauchy--Schwarz) [lem:cs]', 'macro \\ip', 'Definition (Inner product space) [def:ips]']);
    // Rendering still gets every macro.
    assert.equal(Object.keys(nothing.katexMacros).length, 4);
  });

  it('is empty for a statement that uses nothing from the document', () => {
    const context = buildPromptContext('Prove that $1 + 1 = 2$.', smallProject(), 10_000);
    assert.deepEqual([context.text, context.macros, context.references, context.omitted], ['', [], [], []]);
  });

  it('follows blueprint \\uses in the statement header, and ignores the \\uses and \\lean stubs as notation', () => {
    const chapter = read('pfr-blueprint/chapter/entropy.tex');
    const source: ContextSource = {
      environments: environments('chapter/entropy.tex', chapter, {
        lemma: ['Lemma', 'theorem'],
        definition: ['Definition', 'definition'],
        proposition: ['Proposition', 'theorem'],
        corollary: ['Corollary', 'theorem'],
      }),
      texts: new Map([['chapter/entropy.tex', chapter]]),
      macros: macroTable([
        ...findMacroDefinitions(read('pfr-blueprint/preamble/common.tex'), 'preamble/common.tex'),
        ...findMacroDefinitions(read('pfr-blueprint/preamble/print.tex'), 'preamble/print.tex'),
      ]),
    };
    const context = buildPromptContext(statementOf(source, 'jensen-bound'), source, 4000);
    assert.equal(
      context.text,
      [
        'LaTeX macros:',
        '\\newcommand{\\bbH}{\\mathbb{H}}',
        '\\newcommand{\\bbP}{\\mathbb{P}}',
        '',
        '**Definition \\ref{entropy-def} (Entropy).** If $X$ is an $S$-valued random variable, the entropy $\\bbH[X]$ of $X$ is defined ' +
          '$$ \\bbH[X] := \\sum_{s \\in S} \\bbP[X=x] \\log \\frac{1}{\\bbP[X=x]}$$ with the convention that $0 \\log \\frac{1}{0} = 0$.',
      ].join('\n'),
    );
    assert.deepEqual(context.references, [{ label: 'entropy-def', title: 'Definition (Entropy)', found: true }]);
    assert.equal(context.katexMacros['\\uses'], undefined); // expl3 body
    assert.equal(context.katexMacros['\\lean'], '\\smash{\\vphantom{#1}}');
  });

  it('brings the HoTT book definition a lemma cites, with the notation both use', () => {
    const chapter = read('hott-book/equivalences.tex');
    const source: ContextSource = {
      environments: environments('equivalences.tex', chapter, {
        thm: ['Theorem', 'theorem'],
        lem: ['Lemma', 'theorem'],
        cor: ['Corollary', 'theorem'],
        defn: ['Definition', 'definition'],
      }),
      texts: new Map([['equivalences.tex', chapter]]),
      macros: macroTable(findMacroDefinitions(read('hott-book/macros.tex'), 'macros.tex')),
    };
    const context = buildPromptContext(statementOf(source, 'lem:func_retract_to_fiber_retract'), source, 4000);
    assert.deepEqual(
      context.macros.map((definition) => definition.source),
      [
        '\\newcommand{\\hfib}[2]{{\\mathsf{fib}}_{#1}(#2)}',
        '\\newcommand{\\define}[1]{\\textbf{#1}}',
        '\\newcommand{\\htpy}{\\sim}',
        '\\newcommand{\\idfunc}[1][]{\\ensuremath{\\mathsf{id}_{#1}}\\xspace}',
        '\\let\\ap\\map',
        '\\newcommand{\\opp}[1]{\\mathord{{#1}^{-1}}}',
        '\\newcommand{\\map}[2]{\\ensuremath{{#1}\\mathopen{}\\left({#2}\\right)\\mathclose{}}\\xspace}',
      ],
    );
    assert.deepEqual(context.references, [{ label: 'defn:retract', title: 'Definition', found: true }]);
    assert.equal(context.text.includes('\n\n**Definition \\ref{defn:retract}.** A function $g:A\\to B$ is said to be a \\define{retract} of'), true);
    assert.equal(estimateTokens(context.text), 332);

    const tight = buildPromptContext(statementOf(source, 'lem:func_retract_to_fiber_retract'), source, 100);
    assert.equal(tight.text, 'LaTeX macros:\n\\newcommand{\\hfib}[2]{{\\mathsf{fib}}_{#1}(#2)}');
    assert.deepEqual(tight.omitted, ['Definition [defn:retract]', 'macro \\define', 'macro \\htpy', 'macro \\idfunc', 'macro \\ap', 'macro \\opp', 'macro \\map']);
  });
});

describe('proveMessages', () => {
  const statement = 'For all $x, y$, $\\norm{x+y} \\le \\norm{x} + \\norm{y}$.';

  it('is the training prompt, word for word, without context', () => {
    assert.deepEqual(proveMessages(`  ${statement}\n`), [
      { role: 'user', content: `Generate a rigorous proof to the following question:\n\n${statement}` },
    ]);
  });

  it('is the training prompt, word for word, when the context is empty', () => {
    const empty = buildPromptContext(statement, smallProject(), 0);
    assert.deepEqual(proveMessages(statement, empty), proveMessages(statement));
  });

  it('adds the context after the statement', () => {
    const source = smallProject();
    const context = buildPromptContext(statementOf(source, 'thm:triangle'), source, 10_000);
    assert.deepEqual(proveMessages(statement, context), [
      {
        role: 'user',
        content:
          'Generate a rigorous proof to the following question:\n\n' +
          'For all $x, y$, $\\norm{x+y} \\le \\norm{x} + \\norm{y}$.\n\n' +
          'For reference, the document this question comes from defines the following notation and results, ' +
          'which you may use without proving them. Prove only the question above.\n\n' +
          'LaTeX macros:\n' +
          '\\newcommand{\\R}{\\mathbb{R}}\n' +
          '\\newcommand{\\norm}[1]{\\lVert #1\\rVert}\n' +
          '\\newcommand{\\ip}[2]{\\langle #1, #2\\rangle}\n\n' +
          '**Lemma \\ref{lem:cs} (Cauchy--Schwarz).** In an inner product space (\\cref{def:ips}), $|\\ip{x}{y}| \\le \\norm{x}\\,\\norm{y}$.\n\n' +
          '**Definition \\ref{def:ips} (Inner product space).** An inner product space is a vector space $V$ over $\\R$ ' +
          'with a map $\\ip{\\cdot}{\\cdot}$ that is bilinear, symmetric and positive definite.',
      },
    ]);
  });
});

describe('DocumentContext: files outside the project', () => {
  const project = '/home/ann/thesis';
  const main = path.join(project, 'main.tex');
  const shared = '/home/ann/shared/notation.tex';
  const sibling = '/home/ann/thesis-old/defs.tex';
  const texts = new Map([
    [main, '\\begin{theorem}\\label{thm:a}$\\R \\subset \\C$.\\end{theorem}'],
    [shared, '\\newcommand{\\R}{\\mathbb{R}}'],
    [sibling, '\\newcommand{\\C}{\\mathbb{C}}'],
    // An unsaved editor's key is its URI: it is the document itself, never outside.
    ['untitled:Untitled-1', '\\newcommand{\\Z}{\\mathbb{Z}}'],
  ]);
  const statement = '$\\R \\subset \\C \\supset \\Z$.';

  it('names the files outside the project folder that the prompt quotes, not those inside or unsaved', () => {
    const { context, outsideFiles, summary } = new DocumentContext().forStatement(statement, [], texts, 4000, project);
    assert.deepEqual(context.sources, [shared, sibling, 'untitled:Untitled-1']);
    // A folder that only starts with the project's name is outside it.
    assert.deepEqual(outsideFiles, [shared, sibling]);
    assert.equal(summary, 'Document context: 3 macro definitions · from outside the project: notation.tex, defs.tex (see Prompt)');
  });

  it('says nothing when the prompt quotes only the project, or when there is no project folder', () => {
    const inside = new Map([[main, texts.get(main)!], [path.join(project, 'defs', 'notation.tex'), texts.get(shared)!]]);
    assert.deepEqual(new DocumentContext().forStatement(statement, [], inside, 4000, project).outsideFiles, []);
    assert.deepEqual(new DocumentContext().forStatement(statement, [], texts, 4000).outsideFiles, []);
  });
});
