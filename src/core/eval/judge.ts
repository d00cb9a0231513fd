/**
 * Grading a proof 0–7 the way IMO-ProofBench does: a judge model gets the problem, the reference
 * solution, the problem's grading guidelines and the proof, and ends with `<points>N out of
 * 7</points>`. The instructions follow the benchmark's autograder (its scale, its inputs, its
 * process and its output format) in our own words. The grade is read strictly: only the first
 * `<points>` block counts, and anything but a whole number of points out of 7 in it is
 * unreadable, reported as such rather than counted as 0.
 */
import type { ChatMessage, FinishReason } from '../chat';
import type { ProofBenchProblem } from './proofBench';

const JUDGE_INSTRUCTIONS = `You are grading a solution to an olympiad problem as an International Mathematical Olympiad coordinator would. The standard is the IMO's, which is very high: points go only to arguments that are logically sound, complete and precise.

# Scale

Grade on a scale of 0 to 7 points:

- **7 points (correct):** a complete, correct and fully rigorous solution. Abandoned or mistaken attempts along the way cost nothing if the solution finally given is complete and correct.
- **6 points (almost correct):** the core argument is sound, with only small slips in a computation or small gaps in the logic. A solution that leaves a major part unproven, makes unjustified claims or only sketches an argument does **not** get 6 points.
- **1 point (partial progress):** substantial progress of a kind that the problem's grading guidelines name. First observations, restating the problem without real headway, and partial results the guidelines do not mention do **not** earn this point as a rule.
- **0 points (incorrect):** no substantial progress on a key step of a full solution, or a fundamentally flawed solution. Partial progress without its key results, or without rigor, is graded 0 as well.

# What you are given

1. **The problem.**
2. **A reference solution.** Take it to be correct; it shows one valid approach, and a solution may take another.
3. **Grading guidelines for this problem.** They say what earns credit on this problem, partial credit especially, and take precedence over the general scale above.
4. **The solution to grade.**

# How to grade

1. Read the problem, the reference solution and the grading guidelines until you understand them. Work out which steps a complete solution needs and what the guidelines give partial credit for.
2. Check the solution step by step: whether each step is valid and rigorous, and every flaw, gap, unjustified assumption and error. Understand the logic behind every step; some solutions only look correct, so be careful with them.
3. Judge how much real progress the solution makes.
4. Compare what you found with the grading guidelines and the scale, and decide the points.

# Your answer

Explain your grading in detail, following the scale and the guidelines. Then give the points exactly once, in this format, with N one of 7, 6, 1 or 0:

<points>N out of 7</points>

Only the first <points> block in your answer is read, so do not write one before your final grade.`;

/** What the judge is asked for one proof: one user message, the instructions then the four inputs. */
export function judgeMessages(problem: Pick<ProofBenchProblem, 'problem' | 'solution' | 'guidelines'>, proof: string): ChatMessage[] {
  const sections = [
    JUDGE_INSTRUCTIONS,
    `# The problem\n\n${problem.problem.trim()}`,
    `# Reference solution\n\n${problem.solution.trim()}`,
    `# Grading guidelines\n\n${problem.guidelines.trim() || '(none given for this problem: use the scale above)'}`,
    `# The solution to grade\n\n${proof.trim()}`,
  ];
  return [{ role: 'user', content: sections.join('\n\n') }];
}

export type JudgeGrade = { points: number; note?: undefined } | { points: null; note: string };

const POINTS_BLOCK = /<points>([\s\S]*?)<\/points>/i;
const POINTS_VALUE = /^\s*(\d+)\s+out\s+of\s+7\s*$/i;

/** The judge's points, read from the first `<points>…</points>` of its answer, or why they cannot be. */
export function readJudgeGrade(grading: string, finishReason?: FinishReason): JudgeGrade {
  const cut = finishReason === 'length' ? ' (the grading was cut off by the token limit)' : finishReason === 'cancelled' ? ' (the grading was stopped)' : '';
  const opening = grading.search(/<points>/i);
  if (opening === -1) return { points: null, note: `The grading has no <points>N out of 7</points>${cut}.` };
  const block = POINTS_BLOCK.exec(grading.slice(opening));
  if (!block) return { points: null, note: `The grading's first <points> is never closed${cut}.` };
  const value = POINTS_VALUE.exec(block[1]!);
  const points = value ? Number(value[1]) : NaN;
  if (!(points >= 0 && points <= 7)) return { points: null, note: `The grading's first <points> block says "${block[1]!.trim().slice(0, 80)}", not a whole number of points out of 7${cut}.` };
  return { points };
}

/**
 * The proof a judge sees: the answer after `</think>` without a closing self-evaluation section
 * (a solver asked for one, as Deep Prove's is, grades itself there; the paper's pipeline strips
 * it too). Empty when there is nothing but thinking.
 */
export function proofToGrade(content: string): string {
  // The heading is the whole line ("## Self-Evaluation", "# Evaluation: …"), so a proof's own
  // "### Evaluation of the sum" is not taken for one and cut off.
  const evaluation = /^#+[ \t]*[*_ \t]*(?:(?:Self|Final)[-*_ \t]*){0,2}Evaluation[*_ \t]*(?:[:(].*)?$/im.exec(content);
  return (evaluation ? content.slice(0, evaluation.index) : content).trim();
}
