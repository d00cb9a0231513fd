import * as assert from 'node:assert/strict';
import type { PromptContext } from '../../src/core/context/promptContext';
import { critiqueMessages, formatEvaluation, repairMessages } from '../../src/core/critique/critiquePrompt';
import { numericScore, parseCritique, type Critique } from '../../src/core/critique/parseCritique';
import { assertScalesLinearly } from '../helpers/scaling';

const STATEMENT = 'Prove that $\\sqrt2$ is irrational.';
const PROOF = 'Suppose $\\sqrt2 = p/q$ in lowest terms. Then $p^2 = 2q^2$, so $p$ is even.';

const GRADER_PROMPT = `## Instruction
You are a strict grader. Your task is to evaluate a proof of a mathematical statement. If the problem asks for an answer, the proof must state the answer and rigorously prove that it is correct.

Score the proof according to these criteria:
- Score 1: the proof is complete and rigorous, with every step correct and clearly justified.
- Score 0.5: the proof is generally correct, but has minor errors or omits some details.
- Score 0: the proof contains fatal errors, has severe omissions, or does not address the problem.

Citing a result without proving it does not earn a score of 1, unless the result is standard and is applied correctly (all its hypotheses checked).

Evaluate the proof step by step. For each key step, and each step you doubt, say whether it is correct and why; for an incorrect step, explain the error and its effect on the rest of the proof.

Then list every issue you found. For each issue give:
- its severity: "critical error" (the step is wrong, or the proof fails because of it), "justification gap" (the claim may be true but is not properly proved) or "minor" (a small slip that does not affect correctness);
- a short quote of the proof where the issue occurs, copied exactly, word for word (one sentence or formula at most);
- an explanation of what is wrong or missing.

Your response must have exactly this format:

Here is my evaluation of the solution:
[your step-by-step evaluation]

## Issues
1. **Severity:** [critical error, justification gap or minor]
   **Quote:** "[exact words from the proof]"
   **Explanation:** [what is wrong or missing]
2. [the next issue, in the same format]

(If you found no issues, write "None." under "## Issues".)

Based on my evaluation, the final overall score should be:
\\boxed{[0, 0.5 or 1]}

---

Here is your task input:

## Problem

Prove that $\\sqrt2$ is irrational.`;

const CONTEXT: PromptContext = {
  text: 'LaTeX macros:\n\\newcommand{\\Q}{\\mathbb{Q}}',
  macros: [],
  references: [],
  omitted: [],
  sources: [],
  katexMacros: {},
};

/** A critique in exactly the requested format. */
const WELL_FORMED = `Here is my evaluation of the solution:
The proof sets up $\\sqrt2 = p/q$ and derives $p^2 = 2q^2$. The step "so $p$ is even" is correct.
However, the proof stops before reaching a contradiction.

## Issues
1. **Severity:** critical error
   **Quote:** "so $p$ is even"
   **Explanation:** The proof ends here; $q$ is never shown to be even, so no contradiction is reached.
2. **Severity:** minor
   **Quote:** "in lowest terms"
   **Explanation:** It should say why such $p, q$ exist.

Based on my evaluation, the final overall score should be:
\\boxed{0}`;

describe('critiqueMessages', () => {
  it('is the grader prompt with the problem and the proof', () => {
    assert.deepEqual(critiqueMessages(STATEMENT, `${PROOF}\n`), [{ role: 'user', content: `${GRADER_PROMPT}\n\n## Solution\n\n${PROOF}` }]);
  });

  it('puts document context between the problem and the proof, allowed without proof', () => {
    const [message] = critiqueMessages(STATEMENT, PROOF, CONTEXT);
    assert.equal(
      message!.content,
      `${GRADER_PROMPT}\n\n## Context\n\n` +
        'The document this problem comes from defines the following notation and results; the proof may use them without proving them.\n\n' +
        `LaTeX macros:\n\\newcommand{\\Q}{\\mathbb{Q}}\n\n## Solution\n\n${PROOF}`,
    );
  });
});

describe('repairMessages', () => {
  const critique = parseCritique(WELL_FORMED);
  const evaluation = [
    'Here is my evaluation of the solution:',
    'The proof sets up $\\sqrt2 = p/q$ and derives $p^2 = 2q^2$. The step "so $p$ is even" is correct.',
    'However, the proof stops before reaching a contradiction.',
    '',
    '## Issues',
    '1. **Severity:** critical error',
    '   **Quote:** "so $p$ is even"',
    '   **Explanation:** The proof ends here; $q$ is never shown to be even, so no contradiction is reached.',
    '2. **Severity:** minor',
    '   **Quote:** "in lowest terms"',
    '   **Explanation:** It should say why such $p, q$ exist.',
    '',
    'Based on my evaluation, the final overall score should be:',
    '\\boxed{0}',
  ].join('\n');

  it('rebuilds the evaluation as the grader wrote it', () => {
    assert.equal(formatEvaluation(critique), evaluation);
  });

  it('asks for a better proof given the candidate and its evaluation', () => {
    assert.deepEqual(repairMessages(STATEMENT, PROOF, critique), [
      {
        role: 'user',
        content:
          `Generate a rigorous proof to the following question:\n\n${STATEMENT}\n\n## Candidate Solution to Refine\n\n` +
          'Here is a candidate proof and an evaluation of it. Write a better, complete proof: fix the issues the evaluation identifies, ' +
          'and reuse the ideas of the candidate that are correct.\n\n' +
          `### Solution\n\n${PROOF}\n\n### Evaluation\n\n${evaluation}`,
      },
    ]);
  });

  it('focuses on one issue, given last, and keeps the document context after the question', () => {
    const [message] = repairMessages(STATEMENT, PROOF, critique, critique.issues[1], CONTEXT);
    assert.equal(
      message!.content,
      `Generate a rigorous proof to the following question:\n\n${STATEMENT}\n\n` +
        'For reference, the document this question comes from defines the following notation and results, which you may use without proving them. ' +
        'Prove only the question above.\n\nLaTeX macros:\n\\newcommand{\\Q}{\\mathbb{Q}}\n\n## Candidate Solution to Refine\n\n' +
        'Here is a candidate proof and an evaluation of it. Write a better, complete proof. Above all, fix the issue given at the end; ' +
        'keep what is correct in the candidate.\n\n' +
        `### Solution\n\n${PROOF}\n\n### Evaluation\n\n${evaluation}\n\n### Issue to Fix\n\n` +
        '1. **Severity:** minor\n   **Quote:** "in lowest terms"\n   **Explanation:** It should say why such $p, q$ exist.',
    );
  });

  it('adds the score line when the evaluation lost it', () => {
    const bare: Critique = { score: 0.5, verdict: 'minor-issues', evaluation: 'Fine overall.', issues: [], notes: [] };
    assert.equal(formatEvaluation(bare), 'Fine overall.\n\nBased on my evaluation, the final overall score should be:\n\\boxed{0.5}');
  });
});

describe('parseCritique', () => {
  it('reads the requested format exactly', () => {
    assert.deepEqual(parseCritique(WELL_FORMED), {
      score: 0,
      verdict: 'incorrect',
      evaluation: [
        'Here is my evaluation of the solution:',
        'The proof sets up $\\sqrt2 = p/q$ and derives $p^2 = 2q^2$. The step "so $p$ is even" is correct.',
        'However, the proof stops before reaching a contradiction.',
        '',
        'Based on my evaluation, the final overall score should be:',
        '\\boxed{0}',
      ].join('\n'),
      issues: [
        {
          severity: 'critical',
          quote: 'so $p$ is even',
          explanation: 'The proof ends here; $q$ is never shown to be even, so no contradiction is reached.',
        },
        { severity: 'minor', quote: 'in lowest terms', explanation: 'It should say why such $p, q$ exist.' },
      ],
      notes: [],
    });
  });

  it('maps scores to verdicts', () => {
    assert.deepEqual([parseCritique('\\boxed{1}').verdict, parseCritique('\\boxed{0.5}').verdict, parseCritique('\\boxed{0}').verdict], [
      'correct',
      'minor-issues',
      'incorrect',
    ]);
  });

  it('reads the score in its drifted forms', () => {
    assert.deepEqual(
      ['1', '1.0', '0', '0.5', '.5', '1/2', '0.5/1', '\\frac12', '\\frac{1}{2}', '\\dfrac{1}{2}', '\\text{1}', '\\textbf{0.5}', '$1$', '{1}', ' 0 ', '1 (complete)'].map(numericScore),
      [1, 1, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 0.5, 1, 1, 0, 1],
    );
    assert.deepEqual(['42', 'x = 2', '1+1=2', '', '\\text{correct}', '-1', '3/2'].map(numericScore), [null, null, null, null, null, null, null]);
    assert.deepEqual([parseCritique('score: \\boxed{\\frac12}').score, parseCritique('\\boxed{0.5/1}').score, parseCritique('\\boxed {\\text{1}}').score], [0.5, 0.5, 1]);
  });

  it('reads a hostile score box in linear time: 140 KB and 280 KB of nested \\text{}', () => {
    // Issue 15, item 7: one \\text{} peeled per pass took 3.7 s and 16 s (31 s on this machine).
    const nested = (kilobytes: number) => {
      const depth = Math.floor((kilobytes * 1024) / '\\text{}'.length);
      return `The proof is fine.\n\n\\boxed{${'\\text{'.repeat(depth)}1${'}'.repeat(depth)}}`;
    };
    assertScalesLinearly('a score box of nested \\text{}', (kilobytes) => {
      const answer = nested(kilobytes);
      return () => parseCritique(answer);
    }, { size: 17.5 });
    for (const kilobytes of [140, 280]) {
      const critique = parseCritique(nested(kilobytes));
      // A box that long holds no score; the note quotes only its beginning.
      assert.equal(critique.score, null);
      assert.equal(critique.notes.length, 1);
      assert.match(critique.notes[0]!, /^No \\boxed\{\} score found \(\\boxed\{\\text\{\\text\{.*… is not a score\)$/);
      assert.ok(critique.notes[0]!.length < 200, critique.notes[0]!.slice(0, 300));
    }
  });

  it('peels nested and brace-holding wrappers of a score, and reads no box longer than a score', () => {
    assert.deepEqual(
      ['\\text{\\textbf{\\text{0.5}}}', '\\text{\\frac{1}{2}}', '\\mathbf{1} \\text{(complete)}', '\\frac 1 2', '\\tfrac1{2}', '{ 1 }'].map(numericScore),
      [0.5, 0.5, 1, 0.5, 0.5, 1],
    );
    assert.deepEqual(['\\text{1', '1}', '\\frac{1}', `1 ${'(complete) '.repeat(30)}`].map(numericScore), [1, null, null, null]);
  });

  it('lists a bounded number of the scores it saw', () => {
    const critique = parseCritique('\\boxed{1} \\boxed{0} '.repeat(50_000));
    assert.equal(critique.score, 0);
    assert.equal(critique.notes.length, 1);
    assert.ok(critique.notes[0]!.length < 200, critique.notes[0]!.slice(0, 300));
    assert.match(critique.notes[0]!, /^Several scores \(\\boxed\{1\}, \\boxed\{0\}, \\boxed\{1\}, \\boxed\{0\}, \\boxed\{1\} and 99,995 more\); using the last$/);
  });

  it('uses the last of several scores and says so', () => {
    const critique = parseCritique('I first thought \\boxed{1}, but the answer \\boxed{42} is wrong.\n\nFinal: \\boxed{0}');
    assert.equal(critique.score, 0);
    assert.deepEqual(critique.notes, ['Several scores (\\boxed{1}, \\boxed{0}); using the last']);
    // The same score twice is no ambiguity.
    assert.deepEqual(parseCritique('\\boxed{1} ... \\boxed{1}').notes, []);
  });

  it('says when there is no score, or an impossible one', () => {
    assert.deepEqual(parseCritique('The proof is fine.'), {
      score: null,
      verdict: null,
      evaluation: 'The proof is fine.',
      issues: [],
      notes: ['No \\boxed{} score found'],
    });
    assert.deepEqual(parseCritique('The answer is \\boxed{42}.').notes, ['No \\boxed{} score found (\\boxed{42} is not a score)']);
    assert.deepEqual(parseCritique('\\boxed{0.75}'), {
      score: null,
      verdict: null,
      evaluation: '\\boxed{0.75}',
      issues: [],
      notes: ['Score \\boxed{0.75} is not 0, 0.5 or 1'],
    });
    const stated = parseCritique('Based on my evaluation, the final overall score should be 0.5');
    assert.equal(stated.score, 0.5);
    assert.deepEqual(stated.notes, ['No \\boxed{} score found; read "final overall score should be 0.5" from the text']);
  });

  it('reports a truncated or stopped answer', () => {
    const cut = parseCritique(WELL_FORMED.slice(0, WELL_FORMED.indexOf('2. **Severity')), 'length');
    assert.equal(cut.score, null);
    assert.equal(cut.issues.length, 1);
    assert.deepEqual(cut.notes, ['No \\boxed{} score found', 'The answer was cut off by the token limit']);
    assert.deepEqual(parseCritique('\\boxed{1}', 'cancelled').notes, ['The critique was stopped before it finished']);
    assert.deepEqual(parseCritique('\\boxed{1}', 'stop').notes, []);
  });

  it('reads all of the answer it is given, a literal </think> in it included (the stream was split before)', () => {
    const critique = parseCritique('The proof writes \\boxed{1} where the tag `</think>` belongs.\n\n## Issues\n- Severity: minor\n- Quote: "</think>"\n- Explanation: a stray tag.\n\n\\boxed{0.5}');
    assert.deepEqual([critique.score, critique.evaluation, critique.notes], [
      0.5,
      'The proof writes \\boxed{1} where the tag `</think>` belongs.\n\n\\boxed{0.5}',
      ['Several scores (\\boxed{1}, \\boxed{0.5}); using the last'],
    ]);
    assert.deepEqual(critique.issues, [{ severity: 'minor', quote: '</think>', explanation: 'a stray tag.' }]);
  });

  it('reads bold labels with the colon outside, italic labels, one line per issue, and curly or code quotes', () => {
    const critique = parseCritique(
      [
        'Mostly right.',
        '',
        '**Issues:**',
        '- **Severity**: Justification gap **Quote**: “$f$ is continuous” **Explanation**: continuity is asserted, not proved.',
        '- *severity:* MINOR *quote:* `x \\ge 0` *explanation:* should be $x > 0$.',
        '',
        'Based on my evaluation, the final overall score should be: \\boxed{\\frac12}',
      ].join('\n'),
    );
    assert.deepEqual(critique.issues, [
      { severity: 'gap', quote: '$f$ is continuous', explanation: 'continuity is asserted, not proved.' },
      { severity: 'minor', quote: 'x \\ge 0', explanation: 'should be $x > 0$.' },
    ]);
    assert.equal(critique.evaluation, 'Mostly right.\n\nBased on my evaluation, the final overall score should be: \\boxed{\\frac12}');
    assert.equal(critique.score, 0.5);
  });

  it('reads each field as its own bullet, plain labels, N/A quotes', () => {
    const critique = parseCritique(
      [
        'Here is my evaluation of the solution:',
        'Two problems.',
        '',
        '## Issues',
        '- Severity: critical',
        '- Quote: "the sum telescopes"',
        '- Explanation: it does not.',
        '- Severity: gap',
        '- Quote: N/A',
        '- Explanation: The base case is missing.',
        '',
        '\\boxed{0}',
      ].join('\n'),
    );
    assert.deepEqual(critique.issues, [
      { severity: 'critical', quote: 'the sum telescopes', explanation: 'it does not.' },
      { severity: 'gap', quote: null, explanation: 'The base case is missing.' },
    ]);
    assert.equal(critique.evaluation, 'Here is my evaluation of the solution:\nTwo problems.\n\n\\boxed{0}');
  });

  it('reads issue headings and blockquoted quotes', () => {
    const critique = parseCritique(
      [
        'Here is my evaluation of the solution:',
        'Symmetry is assumed.',
        '',
        '### Issue 1',
        'Severity: justification gap',
        'Quote:',
        '> We may assume $x \\le y$',
        '> without loss of generality.',
        'Explanation: symmetry is not established.',
        '',
        '### Issue 2',
        '**Severity:** Minor. A typo.',
        '',
        'Based on my evaluation, the final overall score should be:',
        '\\boxed{0.5}',
      ].join('\n'),
    );
    assert.deepEqual(critique.issues, [
      { severity: 'gap', quote: 'We may assume $x \\le y$ without loss of generality.', explanation: 'symmetry is not established.' },
      { severity: 'minor', quote: null, explanation: 'A typo.' },
    ]);
    assert.equal(critique.evaluation, 'Here is my evaluation of the solution:\nSymmetry is assumed.\n\nBased on my evaluation, the final overall score should be:\n\\boxed{0.5}');
  });

  it('reads free-text numbered issues and notes a missing severity', () => {
    const critique = parseCritique(
      [
        'Evaluation.',
        '',
        'Issues found:',
        '1. Critical error: the claim “$a_n \\to 0$” is false since $a_n = 1$ for all $n$.',
        "2) The proof's bound in step 3 is stated, not derived.",
        '',
        'Final score: \\boxed{0}',
      ].join('\n'),
    );
    assert.deepEqual(critique.issues, [
      { severity: 'critical', quote: '$a_n \\to 0$', explanation: 'the claim “$a_n \\to 0$” is false since $a_n = 1$ for all $n$.' },
      { severity: 'gap', quote: null, explanation: "The proof's bound in step 3 is stated, not derived." },
    ]);
    assert.deepEqual(critique.notes, ['Issue 2 has no severity; treated as a justification gap']);
  });

  it('reads an issues list without a heading, and notes an unknown severity', () => {
    const critique = parseCritique(
      ['The proof is mostly fine.', '', '1. **Severity:** Medium', '   **Quote:** "n > 2"', '   **Explanation:** Should be $n \\ge 2$.', '', '\\boxed{0.5}'].join('\n'),
    );
    assert.deepEqual(critique.issues, [{ severity: 'gap', quote: 'n > 2', explanation: 'Should be $n \\ge 2$.' }]);
    assert.deepEqual(critique.notes, ['Issue 1: unknown severity "Medium"; treated as a justification gap']);
    assert.equal(critique.evaluation, 'The proof is mostly fine.\n\n\\boxed{0.5}');
  });

  it('reads "None." and no section at all as no issues', () => {
    for (const answer of [
      'The proof is correct.\n\n## Issues\nNone.\n\nBased on my evaluation, the final overall score should be:\n\\boxed{1}',
      'The proof is correct.\n\n## Issues\n- There are no issues.\n\n\\boxed{1}',
      'The proof is correct.\n\n\\boxed{1}',
    ]) {
      const critique = parseCritique(answer);
      assert.deepEqual([critique.score, critique.issues, critique.notes], [1, [], []], answer);
    }
  });

  it('does not take a restated "## Problem" for the issues', () => {
    const critique = parseCritique('## Problem\n\nProve that 1 + 1 = 2.\n\n## Evaluation\n\nCorrect.\n\n\\boxed{1}');
    assert.deepEqual(critique.issues, []);
  });

  it('reads hostile issue lists in linear time', () => {
    // Each of these took seconds to minutes: a heading pattern that backtracked over trailing
    // blanks (2,000 of them: over 20 s), and quote patterns that rescanned the rest of the text
    // from every opening mark or blank.
    const hostile = {
      'a heading-like line with 100,000 trailing blanks': `Fine.\n\n## Issues${' '.repeat(100_000)}x\n\n\\boxed{1}`,
      'a quote field with 100,000 blanks': `## Issues\n- Severity: gap\n- Quote: "a${' \t'.repeat(50_000)}b"\n\n\\boxed{1}`,
      '100,000 opening quotation marks': `## Issues\n- Severity: gap ${'“„«‘'.repeat(25_000)}\n\n\\boxed{1}`,
    };
    for (const [name, answer] of Object.entries(hostile)) assert.equal(parseCritique(answer).score, 1, name);
    // The same shapes at a sixteenth of the size and at full size: time in proportion, not its square.
    const shapes: Record<string, (n: number) => string> = {
      'a heading-like line with trailing blanks': (n) => `Fine.\n\n## Issues${' '.repeat(n)}x\n\n\\boxed{1}`,
      'a quote field with blanks': (n) => `## Issues\n- Severity: gap\n- Quote: "a${' \t'.repeat(n / 2)}b"\n\n\\boxed{1}`,
      'opening quotation marks': (n) => `## Issues\n- Severity: gap ${'“„«‘'.repeat(n / 4)}\n\n\\boxed{1}`,
    };
    for (const [name, shape] of Object.entries(shapes)) {
      assertScalesLinearly(name, (n) => {
        const answer = shape(n);
        return () => parseCritique(answer);
      }, { size: 6_250 });
    }
    assert.deepEqual(parseCritique(hostile['a quote field with 100,000 blanks']).issues.map((issue) => issue.quote?.replace(/\s+/g, ' ')), ['a b']);
  });

  it('reads at most 50 issues, and says so', () => {
    const issues = (count: number) => `## Issues\n${'- Severity: gap "no such text" is not shown\n'.repeat(count)}\n\\boxed{0}`;
    const answer = issues(20_000);
    const critique = parseCritique(answer);
    assertScalesLinearly('20,000 issue lines', (count) => {
      const lines = issues(count);
      return () => parseCritique(lines);
    }, { size: 1_250 });
    assert.equal(critique.issues.length, 50);
    assert.deepEqual(critique.notes, ['More than 50 issues: only the first 50 are listed']);
  });

  it('still reads headings with blanks, colons and emphasis around them', () => {
    for (const heading of ['## Issues   ', '**Identified issues:**  ', '### **Issues found** :', 'Issues:', '   List of issues\t']) {
      const critique = parseCritique(`Fine.\n\n${heading}\n- Severity: minor\n- Quote: "x"\n- Explanation: y\n\n\\boxed{0.5}`);
      assert.deepEqual(critique.issues, [{ severity: 'minor', quote: 'x', explanation: 'y' }], heading);
      assert.equal(critique.evaluation, 'Fine.\n\n\\boxed{0.5}', heading);
    }
  });

  it('never throws on slices and garbage, and returns a consistent critique', () => {
    const samples = [
      WELL_FORMED,
      '**Issues:**\n- **Severity**: gap **Quote**: “$f$” **Explanation**: x\n\\boxed{\\frac12}',
      '### Issue 1\nSeverity: gap\nQuote:\n> a\n> b\nExplanation: c\n\\boxed{0.5/1}',
      '1. Critical: "x" is wrong\n2) ``y\'\' \\boxed{\\text{1}} \\boxed{',
    ];
    let seed = 12345;
    const random = () => {
      // mulberry32: deterministic, so a failure is reproducible.
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = ['**', '*', '`', '"', '“', '>', '\n', '- ', '1. ', 'Severity:', 'Quote:', '\\boxed{', '}', '{', '## Issues\n', '</think>', "'", '\\'];
    for (let run = 0; run < 3000; run++) {
      const sample = samples[Math.floor(random() * samples.length)]!;
      const a = Math.floor(random() * sample.length);
      const b = a + Math.floor(random() * (sample.length - a + 1));
      let text = sample.slice(a, b);
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const at = Math.floor(random() * (text.length + 1));
        text = text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at);
      }
      const finish = (['stop', 'length', 'cancelled', undefined] as const)[run % 4];
      const critique = parseCritique(text, finish);
      assert.ok([0, 0.5, 1, null].includes(critique.score), text);
      assert.equal(critique.verdict, critique.score === null ? null : { 1: 'correct', 0.5: 'minor-issues', 0: 'incorrect' }[critique.score]);
      for (const issue of critique.issues) {
        assert.ok(['critical', 'gap', 'minor'].includes(issue.severity), text);
        assert.ok(issue.quote !== null || issue.explanation !== '', text);
      }
      assert.ok(critique.notes.every((note) => !note.startsWith('The critique could not be read')), text);
    }
  });
});
