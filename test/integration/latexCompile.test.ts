/**
 * What Insert proof puts into a .tex file compiles with pdflatex: the 60 human-written reference
 * solutions of ../shared/corpus/imo-proofbench turned into `\begin{proof}` blocks by the same
 * function as Insert proof, and a hostile proof once its commands with side effects are commented out.
 */
import assert from 'node:assert/strict';
import { proofBlock } from '../../src/core/proofToLatex';
import { commentOutRiskyTex, findRiskyTex } from '../../src/core/riskyTex';
import { HOSTILE_ANSWER } from '../helpers/hostileTex';
import { compileLatex, pdflatexUnavailable } from '../helpers/pdflatex';
import { proofBenchProblems } from '../helpers/proofBench';

describe('Inserted proofs compile with pdflatex', function () {
  this.timeout(180_000);

  before(function () {
    const unavailable = pdflatexUnavailable();
    if (unavailable) {
      console.warn(`      Skipping the pdflatex tests: ${unavailable}.`);
      this.skip();
    }
  });

  it('compiles all 60 IMO-ProofBench reference solutions as Insert proof writes them', async () => {
    const solutions = proofBenchProblems().map(({ id, solution }) => ({ id, block: proofBlock(solution, 'latex') }));
    assert.equal(solutions.length, 60);
    const all = await compileLatex(solutions.map(({ id, block }) => `\\section*{${id}}\n${block}`).join('\n\n'));
    if (all.ok) return;
    // One document stops at its first error: compile each alone to name every failure.
    const failures: string[] = [];
    for (const { id, block } of solutions) {
      const alone = await compileLatex(block);
      if (!alone.ok) failures.push(`${id}: ${alone.errors.join('; ')}`);
    }
    assert.deepEqual(failures, [], `all 60 in one document: ${all.errors.join('; ')}`);
  });

  it('compiles a proof with commands that read, write or end the document once they are commented out', async () => {
    const block = proofBlock(`${HOSTILE_ANSWER}\n\n\`\`\`\nprint(1)\n\\end{verbatim}\\input{/etc/passwd}\n\`\`\``, 'latex');
    assert.equal(findRiskyTex(block).length, 10);
    const commented = await compileLatex(commentOutRiskyTex(block));
    assert.deepEqual(commented.errors, []);
    assert.equal(commented.ok, true);
  });
});
