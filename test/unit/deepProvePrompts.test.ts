/**
 * Deep Prove's prompts and the reading of a solver's answer: the format the solver is asked for is
 * the one `readSolution` reads, and what a drifting 4B model writes is still read, with a note.
 */
import assert from 'node:assert/strict';
import { proveMessages } from '../../src/core/prompts';
import { MAX_SUMMARISED_CHARS, proveFromSummaryMessages, readSolution, refinementMessages, SELF_EVALUATION_HEADING, SOLUTION_HEADING, solverMessages, summaryMessages, verifierMessages } from '../../src/core/deepProve/prompts';

const problem = { statement: 'Prove that $\\sqrt 2$ is irrational.', contextText: '\\newcommand{\\Q}{\\mathbb{Q}}' };

describe('Deep Prove prompts', () => {
  it('asks the solver for the two headings it reads, the rubric first and the problem after', () => {
    const [message] = solverMessages(problem);
    assert.equal(message!.role, 'user');
    const text = message!.content;
    assert.ok(text.includes(`${SOLUTION_HEADING}\n[`) && text.includes(`${SELF_EVALUATION_HEADING}\n[`));
    assert.match(text, /Score 1[^]*Score 0\.5[^]*Score 0:/);
    assert.ok(text.indexOf('## Problem\n\nProve that $\\sqrt 2$') > text.indexOf('Score 0:'));
    // The document's context after the problem, introduced as Prove introduces it.
    assert.ok(text.indexOf('## Context') > text.indexOf('## Problem'));
    assert.doesNotMatch(text, /Summary of Your Previous Attempt/);
  });

  it('puts the candidate and its evaluations after the solver prompt, each evaluation numbered', () => {
    const [message] = refinementMessages(problem, 'Suppose $\\sqrt2 = p/q$.', ['First evaluation.', 'Second evaluation.']);
    const text = message!.content;
    assert.ok(text.startsWith(solverMessages(problem)[0]!.content));
    assert.match(text, /## Candidate Solution to Refine[^]*### Solution\n\nSuppose \$\\sqrt2 = p\/q\$\.\n\n### Evaluation\n\n### Verification 1 ###\n\nFirst evaluation\.\n\n### Verification 2 ###\n\nSecond evaluation\.$/);
  });

  it('verifies with the grader’s rubric and \\boxed{} format, on the proof alone', () => {
    const text = verifierMessages(problem, 'THE PROOF')[0]!.content;
    assert.match(text, /^## Instruction\nYou are a strict grader/);
    assert.match(text, /\\boxed\{\[0, 0\.5 or 1\]\}/);
    assert.match(text, /## Solution\n\nTHE PROOF$/);
  });

  it('gives the summariser the problem, the earlier summary (or says there is none) and the attempt, shortened in its middle when long', () => {
    const first = summaryMessages(problem, undefined, 'I tried parity.')[0]!.content;
    assert.match(first, /### Problem\n\nProve that[^]*### Earlier Summary\n\n\[No earlier summary\][^]*### Latest Attempt\n\nI tried parity\.$/);
    const long = `START ${'x'.repeat(MAX_SUMMARISED_CHARS)} END`;
    const second = summaryMessages(problem, 'I tried parity before.', long)[0]!.content;
    assert.match(second, /### Earlier Summary\n\nI tried parity before\./);
    assert.match(second, /START x+\n\n\[… 10 characters of the attempt left out …\]\n\nx+ END$/);
  });

  it('starts a Prove past its limit from its own prompt, byte for byte, then the summary', () => {
    const text = proveFromSummaryMessages(problem, 'I reduced it to parity of p.')[0]!.content;
    assert.ok(text.startsWith(proveMessages(problem.statement, { text: problem.contextText })[0]!.content));
    assert.match(text, /## Summary of Your Previous Attempt[^]*I reduced it to parity of p\.[^]*Then write your proof\.$/);
  });

  describe('readSolution', () => {
    it('reads the proof between the headings and the self-evaluation after', () => {
      const read = readSolution('## Solution\n\nBy parity.\n\n## Self Evaluation\n\nAll steps hold.\n\\boxed{1}');
      assert.deepEqual(read, { proof: 'By parity.', selfEvaluation: 'All steps hold.\n\\boxed{1}' });
    });

    it('takes the last draft when the model wrote the format twice', () => {
      const read = readSolution('## Solution\nfirst\n## Self Evaluation\nwrong\n\n## Solution\nsecond\n## Self-Evaluation\nright');
      assert.deepEqual(read, { proof: 'second', selfEvaluation: 'right' });
    });

    it('keeps sub-headings of the proof inside it', () => {
      const read = readSolution('## Solution\n### Step 1\nA.\n#### Solution of the case n=0\nB.\n## Self Evaluation\nok');
      assert.equal(read.proof, '### Step 1\nA.\n#### Solution of the case n=0\nB.');
    });

    it('takes the whole answer, and says so, when the headings are missing', () => {
      const read = readSolution('Assume the contrary. Then 2 divides both.');
      assert.equal(read.proof, 'Assume the contrary. Then 2 divides both.');
      assert.equal(read.selfEvaluation, null);
      assert.match(read.note!, /no ## Solution and ## Self Evaluation heading; the whole answer is taken as the proof/);
      const noEvaluation = readSolution('**Solution**\n## Solution\nBy induction.');
      assert.equal(noEvaluation.proof, 'By induction.');
      assert.match(noEvaluation.note!, /no ## Self Evaluation heading; the text after the solution heading/);
    });

    it('reads an empty solution as no proof', () => {
      assert.equal(readSolution('## Solution\n\n## Self Evaluation\nI could not solve it. \\boxed{0}').proof, '');
    });
  });
});
