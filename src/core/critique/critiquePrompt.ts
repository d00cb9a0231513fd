/**
 * The grader and refinement prompts of QED-Nano's generate → verify → refine scaffold (see
 * ../shared/notes/qed-nano.md), in our words but in its structure: an `## Instruction` with
 * the 0 / 0.5 / 1 criteria, the response format ending in `\boxed{}`, then `## Problem` and
 * `## Solution`. The one addition is an `## Issues` list with a fixed, line-based shape that a
 * 4B model can follow and `parseIssues` can read even when the model drifts from it.
 */
import type { ChatMessage } from '../chat';
import { CONTEXT_INTRODUCTION, proveInstruction } from '../prompts';
import type { PromptContext } from '../context/promptContext';
import type { Critique, CritiqueIssue } from './parseCritique';

const SEVERITY_NAMES: Record<CritiqueIssue['severity'], string> = {
  critical: 'critical error',
  gap: 'justification gap',
  minor: 'minor',
};

const GRADER_INSTRUCTION = `## Instruction
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
\\boxed{[0, 0.5 or 1]}`;

/** The document's own results are established there, so using them is not "citing without proof". */
const GRADER_CONTEXT_INTRODUCTION =
  'The document this problem comes from defines the following notation and results; the proof may use them without proving them.';

export function critiqueMessages(statement: string, proof: string, context?: Pick<PromptContext, 'text'>): ChatMessage[] {
  const sections = [GRADER_INSTRUCTION, '---', 'Here is your task input:', `## Problem\n\n${statement.trim()}`];
  if (context && context.text.trim() !== '') {
    sections.push(`## Context\n\n${GRADER_CONTEXT_INTRODUCTION}\n\n${context.text}`);
  }
  sections.push(`## Solution\n\n${proof.trim()}`);
  return [{ role: 'user', content: sections.join('\n\n') }];
}

/**
 * The refinement prompt: the model's own proving prompt, then the candidate and its evaluation,
 * as in the scaffold's refinement step. With `issue`, the request focuses on that one issue.
 * `context` (the document's notation and results) goes after the question, as in `proveMessages`.
 */
export function repairMessages(statement: string, proof: string, critique: Critique, issue?: CritiqueIssue, context?: PromptContext): ChatMessage[] {
  const sections = [proveInstruction(statement)];
  if (context && context.text.trim() !== '') sections.push(`${CONTEXT_INTRODUCTION}\n\n${context.text}`);
  sections.push(
    '## Candidate Solution to Refine',
    issue
      ? 'Here is a candidate proof and an evaluation of it. Write a better, complete proof. Above all, fix the issue given at the end; keep what is correct in the candidate.'
      : 'Here is a candidate proof and an evaluation of it. Write a better, complete proof: fix the issues the evaluation identifies, and reuse the ideas of the candidate that are correct.',
  );
  sections.push(`### Solution\n\n${proof.trim()}`, `### Evaluation\n\n${formatEvaluation(critique)}`);
  // Last, where a model attends most: the one issue this attempt is about.
  if (issue) sections.push(`### Issue to Fix\n\n${formatIssue(issue, 1)}`);
  return [{ role: 'user', content: sections.join('\n\n') }];
}

/** The critique as the grader was asked to write it, rebuilt from its parsed parts. */
export function formatEvaluation(critique: Critique): string {
  const issues = critique.issues.length > 0 ? `## Issues\n${critique.issues.map((issue, k) => formatIssue(issue, k + 1)).join('\n')}` : '';
  const evaluation = critique.evaluation.trim();
  // The issues go before the closing "Based on my evaluation … \boxed{}", where the grader puts them.
  const closing = /^.*based on my evaluation.*$/im.exec(evaluation);
  const scoreLine = critique.score === null ? '' : `Based on my evaluation, the final overall score should be:\n\\boxed{${critique.score}}`;
  const parts = closing
    ? [evaluation.slice(0, closing.index).trim(), issues, evaluation.slice(closing.index).trim()]
    : [evaluation, issues, /\\boxed\s*\{/.test(evaluation) ? '' : scoreLine];
  return parts.filter((part) => part !== '').join('\n\n');
}

export function formatIssue(issue: CritiqueIssue, number: number): string {
  const lines = [`${number}. **Severity:** ${SEVERITY_NAMES[issue.severity]}`];
  if (issue.quote !== null) lines.push(`   **Quote:** "${issue.quote}"`);
  lines.push(`   **Explanation:** ${issue.explanation}`);
  return lines.join('\n');
}
