/** The judge's side of `qed eval`: its prompt, the strict reading of its grade, and the proof it is shown. */
import assert from 'node:assert/strict';
import { judgeMessages, proofToGrade, readJudgeGrade } from '../../src/core/eval/judge';

function unreadable(grading: string, note: RegExp, finishReason?: 'stop' | 'length' | 'cancelled'): void {
  const grade = readJudgeGrade(grading, finishReason);
  assert.equal(grade.points, null, grading);
  assert.match(grade.note!, note);
}

describe('readJudgeGrade', () => {
  it('reads a whole number of points out of 7', () => {
    assert.deepEqual(readJudgeGrade('The proof is complete.\n\n<points>7 out of 7</points>'), { points: 7 });
    assert.deepEqual(readJudgeGrade('<points>0 out of 7</points>'), { points: 0 });
    assert.deepEqual(readJudgeGrade('Gaps.\n<points>6 out of 7</points>\n'), { points: 6 });
  });

  it('allows spaces, line breaks and any case inside and around the tags', () => {
    assert.deepEqual(readJudgeGrade('<POINTS>  1   OUT OF 7 </Points>'), { points: 1 });
    assert.deepEqual(readJudgeGrade('<points>\n6 out of 7\n</points>'), { points: 6 });
  });

  it('counts only the first block, even when a later one is readable', () => {
    assert.deepEqual(readJudgeGrade('<points>1 out of 7</points> … on reflection <points>7 out of 7</points>'), { points: 1 });
    unreadable('<points>N out of 7</points> is the format. My grade: <points>7 out of 7</points>', /first <points> block says "N out of 7", not a whole number of points out of 7/);
  });

  it('refuses points outside 0–7, fractions, words and other scales, quoting the block', () => {
    unreadable('<points>8 out of 7</points>', /says "8 out of 7"/);
    unreadable('<points>3.5 out of 7</points>', /says "3\.5 out of 7"/);
    unreadable('<points>seven</points>', /says "seven", not a whole number/);
    unreadable('<points>-1 out of 7</points>', /says "-1 out of 7"/);
    unreadable('<points>7 out of 10</points>', /says "7 out of 10"/);
    unreadable('<points>7/7</points>', /says "7\/7"/);
    unreadable('<points></points>', /says "", not a whole number/);
  });

  it('says when there is no block, or the first is never closed', () => {
    unreadable('The proof is correct. 7 out of 7.', /^The grading has no <points>N out of 7<\/points>\.$/);
    unreadable('Verdict: <points>7 out of 7', /^The grading's first <points> is never closed\.$/);
    unreadable('', /has no <points>/);
  });

  it('says when the grading was cut off by the token limit or stopped', () => {
    unreadable('Step 1 is fine. Step 2', /has no <points>.*cut off by the token limit/, 'length');
    unreadable('… so <points>6 out', /never closed \(the grading was cut off by the token limit\)/, 'length');
    unreadable('Step 1', /\(the grading was stopped\)/, 'cancelled');
    assert.doesNotMatch(readJudgeGrade('Step 1', 'stop').note!, /cut off|stopped/);
  });
});

describe('judgeMessages', () => {
  const problem = { problem: '  Prove that PROBLEM-TEXT holds.\n', solution: 'REFERENCE-SOLUTION here.', guidelines: 'GUIDELINES: 1 point for the lemma.' };

  it('is one user message: instructions, then problem, reference solution, guidelines and proof in that order', () => {
    const messages = judgeMessages(problem, '\nPROOF-TEXT, by induction.\n');
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.role, 'user');
    const text = messages[0]!.content;
    const at = ['# Scale', '# The problem\n\nProve that PROBLEM-TEXT holds.', '# Reference solution\n\nREFERENCE-SOLUTION here.', '# Grading guidelines\n\nGUIDELINES: 1 point', '# The solution to grade\n\nPROOF-TEXT, by induction.'].map((part) => text.indexOf(part));
    assert.ok(at.every((index) => index >= 0), JSON.stringify(at));
    assert.deepEqual([...at].sort((a, b) => a - b), at);
    assert.ok(text.endsWith('PROOF-TEXT, by induction.'));
  });

  it('asks for the grade as <points>N out of 7</points>, once', () => {
    const text = judgeMessages(problem, 'P')[0]!.content;
    assert.match(text, /give the points exactly once, in this format, with N one of 7, 6, 1 or 0:\n\n<points>N out of 7<\/points>/);
    assert.match(text, /Only the first <points> block in your answer is read/);
  });

  it('says so when a problem has no guidelines', () => {
    assert.match(judgeMessages({ ...problem, guidelines: ' ' }, 'P')[0]!.content, /# Grading guidelines\n\n\(none given for this problem: use the scale above\)/);
  });
});

describe('proofToGrade', () => {
  const proof = '## Proof\n\nLet $n$ be even. Then $n^2$ is even.\n\n### Step 2\nDone. $\\blacksquare$';

  it('strips a closing self-evaluation section, whatever its heading, and keeps everything before', () => {
    for (const heading of ['## Self Evaluation', '### Final Evaluation', '# Evaluation', '## **Self Evaluation**', '## Self-Evaluation', '## Final Self Evaluation', '## self evaluation', '## Self Evaluation: confident', '## Self Evaluation\r']) {
      assert.equal(proofToGrade(`${proof}\n\n${heading}\n\nMy proof is correct. Score: \\boxed{1}\n`), proof, heading);
    }
  });

  it('keeps a proof without one whole, trimmed, and headings that only mention an evaluation', () => {
    assert.equal(proofToGrade(`\n\n${proof}\n  `), proof);
    const withSection = `${proof}\n\n### Evaluation of the sum\n\n$S = 3$.`;
    assert.equal(proofToGrade(withSection), withSection);
    assert.equal(proofToGrade(`${proof}\nThe self evaluation below is not a heading.`), `${proof}\nThe self evaluation below is not a heading.`);
  });

  it('is empty for nothing but whitespace, or nothing but a self-evaluation', () => {
    assert.equal(proofToGrade(''), '');
    assert.equal(proofToGrade(' \n\t\n'), '');
    assert.equal(proofToGrade('## Self Evaluation\nI could not prove it.'), '');
  });
});
