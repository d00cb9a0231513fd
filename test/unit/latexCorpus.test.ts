/**
 * The scanner on the real documents in ../shared/corpus/latex (see its SOURCES.md). Every
 * expected number and string here was established without this code: counts with
 * `grep -o '\\begin{[^}]*}' FILE | sort | uniq -c` plus `grep -n '%.*\\begin{' FILE` and
 * `grep -n 'iffalse\|begin{verbatim\|begin{comment' FILE` (no document has a commented-out,
 * \iffalse'd or verbatim theorem, so the grep counts are the answer), line numbers with
 * `grep -n` and `awk 'NR>=N && /\\end\{proof\}/ {print NR; exit}'`, and titles, labels and
 * whether a proof follows by reading the lines around each sample with `sed -n`.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_THEOREM_DECLARATIONS, findTheoremDeclarations } from '../../src/core/theorems/latexDeclarations';
import { scanLatex } from '../../src/core/theorems/latexScanner';
import { LineIndex, type TheoremDeclaration, type TheoremEnvironment } from '../../src/core/theorems/types';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/latex');
const read = (file: string) => readFileSync(path.join(CORPUS, file), 'utf8');

function declarationsFrom(...files: string[]): Map<string, TheoremDeclaration> {
  return new Map(files.flatMap((file) => findTheoremDeclarations(read(file), file)).map((d) => [d.env, d]));
}

/** [env, \begin line, \end line, title, optionalTitle, label, proof [\begin line, \end line] or null], lines 1-based. */
type Sample = [string, number, number, string, string | null, string | null, [number, number] | null];

interface CorpusDocument {
  file: string;
  declarationFiles: string[];
  counts: Record<string, number>;
  samples: Sample[];
  /** Statements that must start with this text: [\begin line, prefix]. */
  statements?: Array<[number, string]>;
  /** Number of theorem-like environments followed by a proof (counted by reading every proof's preceding lines). */
  withProof: number;
}

const DOCUMENTS: CorpusDocument[] = [
  {
    file: 'stacks-project/fields.tex',
    declarationFiles: ['stacks-project/preamble.tex'],
    // grep: 81 lemma, 32 definition, 18 example, 3 theorem, 2 exercise, 1 situation; none commented out.
    // (proposition, remark and remarks are declared but unused; slogan/reference are comment environments.)
    counts: { lemma: 81, definition: 32, example: 18, theorem: 3, exercise: 2, situation: 1 },
    // 84 \begin{proof}; 3 follow prose, not an environment (lines 367, 670, 976).
    withProof: 81,
    samples: [
      ['exercise', 347, 351, 'Exercise', null, 'exercise-C-not-countably-generated', null],
      ['lemma', 356, 361, 'Lemma', 'Classification of simple extensions', 'lemma-field-extension-generated-by-one-element', null],
      ['lemma', 692, 701, 'Lemma', null, 'lemma-algebraic-finitely-generated', [703, 709]],
      ['theorem', 966, 969, 'Theorem', null, 'theorem-existence-algebraic-closure', null],
      ['situation', 1268, 1279, 'Situation', null, 'situation-finitely-generated', null],
      ['theorem', 2783, 2796, 'Theorem', 'Fundamental theorem of Galois theory', 'theorem-galois-theory', [2798, 2822]],
    ],
    statements: [
      [347, 'Show that $\\mathbf{C}$ does not have'],
      [692, '\\begin{slogan}\nA finitely generated'],
    ],
  },
  {
    file: 'hott-book/equivalences.tex',
    declarationFiles: ['hott-book/macros.tex'],
    // grep: 16 thm, 13 lem, 10 defn, 9 ex, 4 cor (as SOURCES.md says); none commented out.
    counts: { thm: 16, lem: 13, defn: 10, ex: 9, cor: 4 },
    // 32 \begin{proof}, each directly after a thm/lem/cor (read one by one).
    withProof: 32,
    samples: [
      ['lem', 42, 45, 'Lemma', null, 'lem:qinv-autohtpy', [46, 63]],
      ['defn', 427, 430, 'Definition', 'Contractible maps', 'defn:equivalence', null],
      ['cor', 588, 591, 'Corollary', null, null, [592, 594]],
      ['thm', 612, 616, 'Theorem', 'The 2-out-of-3 property', 'thm:two-out-of-three', [617, 627]],
      ['ex', 1066, 1074, 'Exercise', 'The unstable octahedral axiom', 'ex:unstable-octahedron', null],
    ],
    statements: [
      [612, 'Suppose $f:A\\to B$ and $g:B\\to C$.'],
      [588, 'For any $f:A\\to B$ we have'],
    ],
  },
  {
    file: 'pfr-blueprint/chapter/entropy.tex',
    declarationFiles: ['pfr-blueprint/preamble/print.tex', 'pfr-blueprint/preamble/web.tex'],
    // grep: 16 lemma, 8 definition, 6 corollary.
    counts: { lemma: 16, definition: 8, corollary: 6 },
    // 22 \begin{proof}, each right after a lemma or corollary.
    withProof: 22,
    samples: [
      ['definition', 5, 12, 'Definition', 'Entropy', 'entropy-def', null],
      ['lemma', 14, 19, 'Lemma', 'Entropy and relabeling', 'relabeled-entropy', [21, 22]],
      ['lemma', 24, 29, 'Lemma', 'Jensen bound', 'jensen-bound', [31, 36]],
      ['lemma', 90, 95, 'Lemma', 'Commutativity and associativity of joint entropy', 'entropy-comm', [96, 100]],
      ['definition', 103, 108, 'Definition', 'Conditioned event', 'condition-event-def', null],
    ],
    statements: [
      [5, 'If $X$ is an $S$-valued random variable, the entropy'],
      [14, '\\begin{itemize}'],
      [24, 'If $X$ is an $S$-valued random variable, then $\\bbH[X] \\leq \\log |S|$.'],
    ],
  },
  {
    file: 'napkin/ring-flavors.tex',
    declarationFiles: ['napkin/preamble.tex'],
    // grep: 14 example, 7 definition, 5 problem, 4 exercise, 3 theorem, 3 sproblem, 3 ques, 2 proposition,
    // 1 remark, 1 lemma, 1 dproblem, 1 corollary. hint, sol, asy, moral are not declared in preamble.tex.
    counts: { example: 14, definition: 7, problem: 5, exercise: 4, theorem: 3, sproblem: 3, ques: 3, proposition: 2, remark: 1, lemma: 1, dproblem: 1, corollary: 1 },
    // 5 \begin{proof}; the one at line 608 follows prose.
    withProof: 4,
    samples: [
      ['theorem', 177, 180, 'Theorem', 'Prime ideal $\\iff$ quotient is integral domain', 'thm:prime_ideal_quotient', null],
      ['exercise', 181, 186, 'Exercise', 'Mandatory', null, null],
      ['example', 483, 580, 'Example', 'The ring {$\\ZZ[\\sqrt{11}]$} is a Euclidean domain', null, null],
      ['example', 586, 589, 'Example', '$\\QQ[x]$ is a Euclidean domain', null, null],
      ['ques', 613, 615, 'Question', null, null, null],
      ['example', 620, 629, 'Example', 'The ring $\\ZZ[\\frac{1 + \\sqrt{-19}}{2}]$ is not a Euclidean domain', null, null],
      ['proposition', 734, 736, 'Proposition', null, null, [738, 747]],
    ],
    statements: [
      [181, 'Convince yourself the theorem is true;'],
      [613, 'Show that, for every other element $b \\in I$, we have $a \\mid b$.'],
    ],
  },
  {
    file: 'superhuman-aletheia/Erdos.tex',
    declarationFiles: ['superhuman-aletheia/Erdos.tex'],
    // grep: 17 theorem, 6 lemma, 2 remark, 1 theorem*; problem/solution are tcolorboxes, not theorems.
    counts: { theorem: 17, lemma: 6, remark: 2, 'theorem*': 1 },
    // 22 \begin{proof}; 3 follow prose (lines 362, 422, 625).
    withProof: 19,
    samples: [
      ['theorem', 215, 221, 'Theorem', null, 'thm:main', null],
      ['lemma', 231, 233, 'Lemma', null, 'lemma:prob_existence', [235, 249]],
      ['remark', 604, 606, 'Contextual Remarks', 'General Position', null, null],
      ['lemma', 953, 956, 'Lemma', 'Berkes \\& Philipp [1', null, null],
      ['theorem*', 1073, 1077, 'Theorem', 'Krishnapur, Lundberg, Ramachandran, 2025', null, null],
      ['theorem', 1411, 1414, 'Theorem', null, null, [1416, 1439]],
    ],
    statements: [
      [953, ']\nThere exists a strictly increasing sequence'],
      [215, 'There exists a set $A \\subseteq \\N$'],
    ],
  },
  {
    file: 'superhuman-aletheia/BKKKZ26.tex',
    declarationFiles: ['superhuman-aletheia/BKKKZ26.tex'],
    // grep: 2 theorem; the rest are equation/solution/problem/enumerate.
    counts: { theorem: 2 },
    withProof: 2,
    samples: [
      ['theorem', 105, 107, 'Theorem', null, null, [109, 192]],
      ['theorem', 203, 209, 'Theorem', null, null, [211, 282]],
    ],
    statements: [[105, 'Let $(a_n)_{n \\ge 1}$ be a strictly increasing sequence']],
  },
  {
    file: 'latex-examples-analysis3/Kapitel-1.tex',
    declarationFiles: ['latex-examples-analysis3/saetze-schmoeger.sty'],
    // grep: 7 definition (a \newenvironment wrapping plaindefinition), 4 beispiel, 3 satz, 3 lemma,
    // 1 folgerungen, 1 erinnerung, 1 beispieleX; the 6 beweis are proofs.
    counts: { definition: 7, beispiel: 4, satz: 3, lemma: 3, folgerungen: 1, erinnerung: 1, beispieleX: 1 },
    // 6 \begin{beweis}, each right after a lemma or satz.
    withProof: 6,
    samples: [
      ['definition', 3, 13, 'Definition', null, null, null],
      ['lemma', 26, 39, 'Lemma', null, 'Lemma 1.1', [41, 55]],
      ['erinnerung', 129, 137, 'Erinnerung', null, null, null],
      ['satz', 263, 274, 'Satz', 'Erzeuger der Borelschen $\\sigma$-Algebra auf $\\mdr^d$', 'Satz 1.4', [276, 309]],
      ['folgerungen', 371, 377, 'Folgerungen', null, null, null],
      ['satz', 468, 481, 'Satz', null, 'Satz 1.7', [482, 502]],
    ],
    statements: [
      [3, 'Sei $\\fa\\subseteq\\mathcal{P}(X)$'],
      [26, 'Sei $\\fa$ eine $\\sigma$-Algebra auf $X$, dann:'],
      [129, 'Sei $d\\in\\mdn, X\\subseteq\\mdr^d$.'],
    ],
  },
];

/** Declaration files and the .sty files: what they declare, and that scanning them finds nothing and reports nothing. */
const DECLARATION_FILES: Array<[string, string[]]> = [
  ['stacks-project/preamble.tex', ['theorem', 'proposition', 'lemma', 'definition', 'example', 'exercise', 'situation', 'remark', 'remarks']],
  ['hott-book/macros.tex', ['thm', 'cor', 'lem', 'axiom', 'defn', 'rmk', 'eg', 'egs', 'notes', 'ex']],
  ['pfr-blueprint/preamble/print.tex', ['theorem', 'proposition', 'corollary', 'remark', 'lemma', 'definition', 'example']],
  ['pfr-blueprint/preamble/web.tex', ['theorem', 'definition', 'proposition', 'lemma', 'sublemma', 'corollary', 'remark', 'example']],
  ['pfr-blueprint/preamble/common.tex', []],
  [
    'napkin/preamble.tex',
    ['theorem', 'lemma', 'proposition', 'corollary', 'example', 'ques', 'exercise', 'remark', 'remark*', 'step', 'claim', 'definition', 'fact', 'abuse', 'problem', 'sproblem', 'dproblem'],
  ],
  ['latex-examples-analysis3/mathe.sty', []],
  [
    'latex-examples-analysis3/saetze-schmoeger.sty',
    [
      'satz', 'lemma', 'defusatz', 'wichtigedefinition', 'anwendung', 'wichtigesbeispiel', 'wichtigebemerkung', 'wichtigebeispieleX',
      'wichtigerhilfssatz', 'axiom', 'satz*', 'plaindefinition', 'hilfssatz', 'definition', 'beweis', 'beispiel', 'vereinbarung', 'bemerkung',
      'motivation', 'schreibweisen', 'erinnerung', 'vorbetrachtungen', 'bemerkungenX', 'beispieleX', 'beweise', 'beispiele', 'bemerkungen',
      'wichtigebeispiele', 'folgerung', 'folgerungen',
    ],
  ],
];

function countByEnv(environments: readonly TheoremEnvironment[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const environment of environments) counts[environment.env] = (counts[environment.env] ?? 0) + 1;
  return counts;
}

describe('LaTeX corpus', () => {
  for (const document of DOCUMENTS) {
    describe(document.file, () => {
      const text = read(document.file);
      const result = scanLatex(text, document.file, declarationsFrom(...document.declarationFiles));
      const lines = new LineIndex(text);
      const line = (offset: number) => lines.position(offset).line + 1;

      it('finds every theorem-like environment, by name', () => {
        assert.deepEqual(countByEnv(result.environments), document.counts);
        assert.deepEqual(result.problems, []);
      });

      it('attaches the proofs that follow', () => {
        assert.equal(result.environments.filter((e) => e.proof).length, document.withProof);
      });

      it('reads titles, labels, lines and proofs of the samples exactly', () => {
        for (const sample of document.samples) {
          const environment = result.environments.find((e) => line(e.span.start) === sample[1]);
          assert.ok(environment, `no environment at line ${sample[1]}`);
          const proof = environment.proof && [line(environment.proof.span.start), line(environment.proof.span.end)];
          assert.deepEqual(
            [environment.env, line(environment.span.start), line(environment.span.end), environment.title, environment.optionalTitle, environment.label, proof],
            sample,
          );
          assert.equal(text.slice(environment.span.start, environment.span.start + 7), '\\begin{');
          assert.equal(text.slice(environment.span.end - 6 - environment.env.length, environment.span.end), `\\end{${environment.env}}`);
        }
      });

      it('starts statements after the title, labels and metadata', () => {
        for (const [beginLine, prefix] of document.statements ?? []) {
          const environment = result.environments.find((e) => line(e.span.start) === beginLine)!;
          assert.equal(text.slice(environment.statement.start, environment.statement.start + prefix.length), prefix);
          assert.notEqual(text[environment.statement.end - 1]?.trim(), '');
          assert.equal(text.slice(environment.statement.end).trimStart().startsWith(`\\end{${environment.env}}`), true);
        }
      });
    });
  }

  it('a Lean blueprint proof body skips \\leanok', () => {
    const file = 'pfr-blueprint/chapter/entropy.tex';
    const text = read(file);
    const result = scanLatex(text, file, declarationsFrom('pfr-blueprint/preamble/print.tex'));
    const relabeled = result.environments.find((e) => e.label === 'relabeled-entropy')!;
    assert.equal(text.slice(relabeled.proof!.body.start, relabeled.proof!.body.end), 'Expand out both entropies and rearrange.');
  });

  for (const [file, envs] of DECLARATION_FILES) {
    it(`${file}: declares ${envs.length} environments and has none itself`, () => {
      const text = read(file);
      const declarations = findTheoremDeclarations(text, file);
      assert.deepEqual(declarations.map((d) => d.env), envs);
      const all = new Map([...DEFAULT_THEOREM_DECLARATIONS, ...declarations].map((d) => [d.env, d]));
      assert.deepEqual(scanLatex(text, file, all), { environments: [], problems: [] });
    });
  }

  it('titles and kinds of the declared environments follow the files', () => {
    const kinds = (file: string) => findTheoremDeclarations(read(file), file).map((d) => `${d.env}:${d.title}:${d.kind}`);
    assert.deepEqual(kinds('stacks-project/preamble.tex'), [
      'theorem:Theorem:theorem', 'proposition:Proposition:theorem', 'lemma:Lemma:theorem', 'definition:Definition:definition',
      'example:Example:definition', 'exercise:Exercise:theorem', 'situation:Situation:definition', 'remark:Remark:remark', 'remarks:Remarks:remark',
    ]);
    assert.deepEqual(kinds('hott-book/macros.tex'), [
      'thm:Theorem:theorem', 'cor:Corollary:theorem', 'lem:Lemma:theorem', 'axiom:Axiom:definition', 'defn:Definition:definition',
      'rmk:Remark:remark', 'eg:Example:definition', 'egs:Examples:definition', 'notes:Notes:remark', 'ex:Exercise:theorem',
    ]);
    assert.deepEqual(kinds('superhuman-aletheia/Erdos.tex'), [
      'theorem:Theorem:theorem', 'theorem*:Theorem:theorem', 'lemma:Lemma:theorem', 'definition:Definition:definition',
      'proposition:Proposition:theorem', 'remark:Contextual Remarks:remark',
    ]);
    assert.deepEqual(kinds('superhuman-aletheia/BKKKZ26.tex'), [
      'theorem:Theorem:theorem', 'proposition:Proposition:theorem', 'lemma:Lemma:theorem', 'claim:Claim:theorem',
      'example:Example:definition', 'remark:Remark:remark', 'definition:Definition:definition',
    ]);
    assert.deepEqual(kinds('napkin/preamble.tex').filter((k) => /^(abuse|ques|step|remark\*|fact):/.test(k)), [
      'ques:Question:theorem', 'remark*:Remark:remark', 'step:Step:remark', 'fact:Fact:theorem', 'abuse:Abuse of Notation:definition',
    ]);
  });
});
