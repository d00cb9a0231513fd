import * as assert from 'node:assert/strict';
import { DEFAULT_THEOREM_DECLARATIONS, findTheoremDeclarations, kindOf } from '../../src/core/theorems/latexDeclarations';

/** `env=Title/kind` for each declaration, in order. */
function declared(text: string): string[] {
  return findTheoremDeclarations(text, 'p.tex').map((d) => `${d.env}=${d.title}/${d.kind}`);
}

describe('findTheoremDeclarations', () => {
  it('reads every amsthm \\newtheorem form', () => {
    assert.deepEqual(
      declared(
        [
          '\\newtheorem{thm}{Theorem}[section]',
          '\\newtheorem{lem}[thm]{Lemma}',
          '\\newtheorem*{theorem*}{Theorem}',
          '\\newtheorem {cor} [thm] {Corollary}',
          '\\newtheorem{remark}{Contextual Remarks}',
        ].join('\n'),
      ),
      ['thm=Theorem/theorem', 'lem=Lemma/theorem', 'theorem*=Theorem/theorem', 'cor=Corollary/theorem', 'remark=Contextual Remarks/remark'],
    );
  });

  it('records where each declaration is', () => {
    const text = 'x\n\\newtheorem{lem}{Lemma}';
    assert.deepEqual(findTheoremDeclarations(text, '/p/pre.tex'), [{ env: 'lem', title: 'Lemma', kind: 'theorem', origin: { file: '/p/pre.tex', offset: 2 } }]);
  });

  it('uses \\theoremstyle as the tie-breaker and for unknown names', () => {
    assert.deepEqual(
      declared(
        [
          '\\theoremstyle{plain}\\newtheorem{ds}{Definition und Satz}',
          '\\theoremstyle{definition}\\newtheorem{dt}{Definition und Satz}\\newtheorem{situation}{Situation}\\newtheorem{zz}{Zzz}',
          '\\theoremstyle{remark}\\newtheorem{yy}{Yyy}',
        ].join('\n'),
      ),
      ['ds=Definition und Satz/theorem', 'dt=Definition und Satz/definition', 'situation=Situation/definition', 'zz=Zzz/definition', 'yy=Yyy/remark'],
    );
  });

  it('reads thmtools \\declaretheorem with and without name=', () => {
    assert.deepEqual(
      declared(
        [
          '\\declaretheorem[numberwithin=chapter]{theorem}',
          '\\declaretheorem[sibling=theorem]{lemma}',
          '\\declaretheorem[style=thmtheorem,name=Theorem,numberwithin=section]{thm}',
          '\\declaretheorem[name={Abuse of Notation}, sibling=theorem]{abuse}',
          '\\declaretheorem[name=Step,style=thmremark]{step}',
          '\\declaretheorem{conj}[title=Conjecture]',
        ].join('\n'),
      ),
      ['theorem=Theorem/theorem', 'lemma=Lemma/theorem', 'thm=Theorem/theorem', 'abuse=Abuse of Notation/definition', 'step=Step/remark', 'conj=Conjecture/theorem'],
    );
  });

  it('reads ntheorem declarations and styles', () => {
    assert.deepEqual(
      declared(
        [
          '\\theoremstyle{break}\\theorembodyfont{\\normalfont}',
          '\\newframedtheorem{satz}{Satz}[chapter]',
          '\\newshadedtheorem{wichtig}[satz]{Wichtige Definition}',
          '\\theoremstyle{nonumberbreak}',
          '\\renewtheorem{satz*}{Satz}',
          '\\theoremsymbol{\\ensuremath{_\\blacksquare}}',
          '\\newtheorem{beweis}{Beweis}',
          '\\theoremseparator{:}\\newtheorem{bemerkung}{Bemerkung}',
        ].join('\n'),
      ),
      ['satz=Satz/theorem', 'wichtig=Wichtige Definition/definition', 'satz*=Satz/theorem', 'beweis=Beweis/remark', 'bemerkung=Bemerkung/remark'],
    );
  });

  it('expands user macros whose body declares a theorem (HoTT \\defthm), with the style at the call', () => {
    const text = [
      '\\def\\defthm#1#2#3{%',
      '  \\newaliascnt{#1}{thm}',
      '  \\newtheorem{#1}[#1]{#2}',
      '  \\crefname{#1}{#2}{#3}%',
      '}',
      '\\newtheorem{thm}{Theorem}[section]',
      '%\\defthm{prop}{Proposition}',
      '\\defthm{lem}{Lemma}{Lemmas}',
      '\\theoremstyle{remark}',
      '\\defthm{eg}{Example}{Examples}',
      '\\defthm{notes}{Notes}{Notes}',
      '\\newcommand{\\mythm}[2]{\\newtheorem{#1}{#2}}',
      '\\mythm{prob}{Problem}',
      '\\newcommand\\optthm[2][Fact]{\\theoremstyle{plain}\\newtheorem{#2}{#1}}',
      '\\optthm{fa}',
      '\\optthm[Hint]{hi}',
    ].join('\n');
    assert.deepEqual(declared(text), [
      'thm=Theorem/theorem',
      'lem=Lemma/theorem',
      'eg=Example/definition',
      'notes=Notes/remark',
      'prob=Problem/theorem',
      'fa=Fact/theorem',
      'hi=Hint/theorem',
    ]);
    const lem = findTheoremDeclarations(text, 'm.tex').find((d) => d.env === 'lem');
    assert.equal(lem?.origin?.offset, text.indexOf('\\defthm{lem}'));
  });

  it('stops a macro that expands to itself', () => {
    assert.deepEqual(declared('\\def\\loop#1{\\newtheorem{#1}{Loop}\\loop{#1}}\\loop{a}'), Array(8).fill('a=Loop/theorem'));
  });

  it('counts \\newenvironment wrappers of theorem or proof environments, not other environments or tcolorboxes', () => {
    assert.deepEqual(
      declared(
        [
          '\\newtheorem{plaindefinition}{Definition}',
          '\\newenvironment{definition}{\\begin{plaindefinition}}{\\end{plaindefinition}}',
          '\\newenvironment{pf}{\\begin{proof}}{\\end{proof}}',
          '\\newenvironment{liste}{\\begin{enumerate}}{\\end{enumerate}}',
          '\\newenvironment{reference}{\\comment}{\\endcomment}',
          '\\newtcolorbox{problem}[1]{colback=white,title={#1}}',
          '\\NewDocumentEnvironment{thmbox}{o}{\\begin{plaindefinition}}{\\end{plaindefinition}}',
        ].join('\n'),
      ),
      ['plaindefinition=Definition/definition', 'definition=Definition/definition', 'pf=Proof/remark', 'thmbox=Definition/definition'],
    );
  });

  it('ignores declarations in comments, \\iffalse and macro bodies', () => {
    assert.deepEqual(declared('%\\newtheorem{a}{A}\n\\iffalse\\newtheorem{b}{B}\\fi\\newcommand{\\x}{\\newtheorem{#1}{C}}\\newtheorem{d}{D}'), ['d=D/theorem']);
  });

  it('survives broken declarations', () => {
    assert.deepEqual(declared('\\newtheorem{a}\n\\newtheorem{b}{B'), []);
    assert.deepEqual(declared('\\declaretheorem[name=X'), []);
    assert.deepEqual(declared('\\def\\x#1#2'), []);
  });
});

describe('kindOf', () => {
  it('classifies by title, then env name, in English, German and French', () => {
    const cases: Array<[string, string, string]> = [
      ['thm', 'Theorem', 'theorem'], ['x', 'Lemma', 'theorem'], ['x', 'Claim', 'theorem'], ['x', 'Conjecture', 'theorem'],
      ['x', 'Exercise', 'theorem'], ['x', 'Problem', 'theorem'], ['x', 'Fact', 'theorem'], ['x', 'Sub-lemma', 'theorem'],
      ['x', 'Satz', 'theorem'], ['x', 'Hilfssatz', 'theorem'], ['x', 'Folgerungen', 'theorem'], ['x', 'Théorème', 'theorem'],
      ['x', 'Lemme', 'theorem'], ['x', 'Corollaire', 'theorem'],
      ['x', 'Definition', 'definition'], ['x', 'Notation', 'definition'], ['x', 'Example', 'definition'], ['x', 'Axiom', 'definition'],
      ['x', 'Assumption', 'definition'], ['x', 'Convention', 'definition'], ['x', 'Beispiele', 'definition'], ['x', 'Définition', 'definition'],
      ['x', 'Exemple', 'definition'], ['x', 'Abuse of Notation', 'definition'],
      ['x', 'Remark', 'remark'], ['x', 'Note', 'remark'], ['x', 'Observation', 'remark'], ['x', 'Bemerkung', 'remark'],
      ['x', 'Remarque', 'remark'], ['x', 'Contextual Remarks', 'remark'],
      ['rmk', '', 'remark'], ['defn', '', 'definition'], ['lem', '', 'theorem'], ['wichtigedefinition', '', 'definition'],
      ['beispieleX', '', 'definition'], ['proof', 'Proof', 'remark'], ['beweis', 'Beweis', 'remark'],
    ];
    for (const [env, title, kind] of cases) assert.equal(kindOf(env, title), kind, `${env}/${title}`);
  });

  it('uses the style only to break ties or when nothing matches', () => {
    assert.equal(kindOf('x', 'Definition und Satz'), 'theorem');
    assert.equal(kindOf('x', 'Definition und Satz', 'definition'), 'definition');
    assert.equal(kindOf('x', 'Definition und Satz', 'remark'), 'theorem');
    assert.equal(kindOf('x', 'Lemma', 'remark'), 'theorem');
    assert.equal(kindOf('step', 'Step', 'thmremark'), 'remark');
    assert.equal(kindOf('zz', 'Zzz', 'thmexample'), 'definition');
    assert.equal(kindOf('zz', 'Zzz', 'break'), 'theorem');
    assert.equal(kindOf('rmk', 'Theorem'), 'theorem');
  });
});

describe('DEFAULT_THEOREM_DECLARATIONS', () => {
  it('lists the common names and their starred forms, without origin', () => {
    assert.deepEqual(
      DEFAULT_THEOREM_DECLARATIONS.map((d) => `${d.env}=${d.title}/${d.kind}/${d.origin}`),
      ['theorem', 'lemma', 'proposition', 'corollary', 'claim', 'conjecture', 'definition', 'example', 'exercise', 'problem', 'remark'].flatMap((name) => {
        const title = name[0]!.toUpperCase() + name.slice(1);
        const kind = name === 'definition' || name === 'example' ? 'definition' : name === 'remark' ? 'remark' : 'theorem';
        return [`${name}=${title}/${kind}/null`, `${name}*=${title}/${kind}/null`];
      }),
    );
  });
});
