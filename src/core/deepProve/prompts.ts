/**
 * The prompts of Deep Prove, in one place: the solver's (a complete solution followed by its own
 * honest evaluation against the 0 / 0.5 / 1 rubric), the refiner's (the solver's prompt plus a
 * candidate and its lowest-scoring verifications), the verifier's (Critique Proof's grader) and
 * the reasoning cache's summariser. They follow QED-Nano's agent scaffold in structure and output
 * format (../shared/notes/qed-nano.md) and are written in our own words.
 */
import type { ChatMessage } from '../chat';
import { critiqueMessages } from '../critique/critiquePrompt';
import { CONTEXT_INTRODUCTION, proveMessages } from '../prompts';

/** The headings the solver is asked for; the proof is what lies between them. */
export const SOLUTION_HEADING = '## Solution';
export const SELF_EVALUATION_HEADING = '## Self Evaluation';

const RUBRIC = `- Score 1: the solution is completely correct, with every step carried out properly and clearly shown.
- Score 0.5: the solution is generally correct, but omits some details or has minor errors.
- Score 0: the solution does not address the problem, has fatal errors, or has severe omissions.

Citing a result from a paper or a book does not replace proving it, unless the result is standard and is applied correctly (all its hypotheses checked). A solution that leans on an unproved or wrongly applied result is scored by the criteria above, and never 1.`;

const SOLVER_INSTRUCTION = `Your task is to solve the problem below. It may ask you to prove a statement or to find an answer; if it asks for an answer, find it, and make your solution a rigorous proof that the answer is right.

Your solution will be graded with this rubric:

${RUBRIC}

You can grade your own work with the same rubric. Reason carefully about the problem, grade your approach as you go, and fix the issues you find until you can make no further progress.

Your final response has two parts, under exactly these headings:

${SOLUTION_HEADING}
[your complete, detailed, easy-to-follow solution]

${SELF_EVALUATION_HEADING}
[your honest evaluation of that solution against the rubric, ending with its score as \\boxed{0}, \\boxed{0.5} or \\boxed{1}]

Present your progress faithfully: the best solution you can give and a truthful evaluation of it. Score it 1 only if you find no issue at all. If issues remain that you could not resolve, say so in the evaluation; that is far better than a wrong solution claimed to be correct.`;

export interface DeepProblem {
  statement: string;
  /** The document's notation and results, as Prove gives them ('' or absent: none). */
  contextText?: string;
}

/** A first attempt, or, with `summary`, the next attempt of the reasoning cache. */
export function solverMessages(problem: DeepProblem, summary?: string): ChatMessage[] {
  return [{ role: 'user', content: [solverPrompt(problem), ...summarySection(summary)].join('\n\n') }];
}

/** A better proof from a candidate and the verifications that found most wrong with it. */
export function refinementMessages(problem: DeepProblem, proof: string, evaluations: readonly string[], summary?: string): ChatMessage[] {
  const sections = [
    solverPrompt(problem),
    '## Candidate Solution to Refine',
    'Here is a candidate solution with evaluations of it. Write a better solution: resolve the issues the evaluations raise, reuse the promising ideas of the candidate, or both.',
    `### Solution\n\n${proof.trim()}`,
    `### Evaluation\n\n${evaluations.map((evaluation, k) => `### Verification ${k + 1} ###\n\n${evaluation.trim()}`).join('\n\n')}`,
    ...summarySection(summary),
  ];
  return [{ role: 'user', content: sections.join('\n\n') }];
}

/** The verifier is Critique Proof's grader: the rubric, a step-by-step analysis, issues, then `\boxed{}`. */
export function verifierMessages(problem: DeepProblem, proof: string): ChatMessage[] {
  return critiqueMessages(problem.statement, proof, problem.contextText ? { text: problem.contextText } : undefined);
}

const SUMMARISER_INSTRUCTION = `You are given a mathematics problem and the reasoning of an attempt to solve it, which ran out of room before it finished. You may also be given a summary of an earlier attempt, on which this attempt was based.

Write a summary of the latest attempt:
- Give a detailed overview of what it did: the strategy, the results it used, the calculations, deductions and checks it made, and where it stopped.
- If there is an earlier summary, keep everything important it holds, and make clear how the latest attempt relates to it.
- At most two paragraphs of plain prose, with no headings.
- In the first person, as if written by the person solving the problem.
- The attempt is incomplete: summarise the part there is.

Add no reasoning of your own that is not in the attempt. Only summarise what you are given.`;

/** Reasoning longer than this is shortened in its middle: the summariser's own room is limited too. */
export const MAX_SUMMARISED_CHARS = 120_000;

export function summaryMessages(problem: DeepProblem, previousSummary: string | undefined, reasoning: string): ChatMessage[] {
  const sections = [
    SUMMARISER_INSTRUCTION,
    `### Problem\n\n${problem.statement.trim()}`,
    `### Earlier Summary\n\n${previousSummary?.trim() || '[No earlier summary]'}`,
    `### Latest Attempt\n\n${shortened(reasoning.trim(), MAX_SUMMARISED_CHARS)}`,
  ];
  return [{ role: 'user', content: sections.join('\n\n') }];
}

function solverPrompt(problem: DeepProblem): string {
  const sections = [SOLVER_INSTRUCTION, '---', 'Here is your task input:', `## Problem\n\n${problem.statement.trim()}`];
  if (problem.contextText && problem.contextText.trim() !== '') sections.push(`## Context\n\n${CONTEXT_INTRODUCTION}\n\n${problem.contextText}`);
  return sections.join('\n\n');
}

/**
 * A single Prove's next attempt past its limit: the model's own proving prompt (and the document's
 * context) as Prove sent it, then the summary of the attempt that ran out of room.
 */
export function proveFromSummaryMessages(problem: DeepProblem, summary: string): ChatMessage[] {
  const [prove] = proveMessages(problem.statement, problem.contextText ? { text: problem.contextText } : undefined);
  return [{ role: 'user', content: [prove!.content, ...summarySection(summary, 'Then write your proof.')].join('\n\n') }];
}

function summarySection(summary: string | undefined, then = 'Then give your final response in the format above.'): string[] {
  if (summary === undefined || summary.trim() === '') return [];
  return [
    '## Summary of Your Previous Attempt',
    `An earlier attempt of yours ran out of room before it finished. Here is a summary of it, which may or may not be correct:\n\n${summary.trim()}`,
    `Use it to guide your thinking: check it, continue where it stopped, or find a better approach. ${then}`,
  ];
}

/** Keeps the start and, mostly, the end (where the attempt was going), with a marker between. */
function shortened(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = Math.floor(maxChars / 4);
  const tail = maxChars - head;
  return `${text.slice(0, head)}\n\n[… ${(text.length - maxChars).toLocaleString('en-US')} characters of the attempt left out …]\n\n${text.slice(text.length - tail)}`;
}

export interface SolverAnswer {
  /** The text to verify: the answer between the two headings. Empty when there is none. */
  proof: string;
  selfEvaluation: string | null;
  /** How the proof was found, when the answer did not follow the format. */
  note?: string;
}

/**
 * The proof in a solver's answer (the text after `</think>`): after the last `## Solution` heading
 * and before `## Self Evaluation`. An answer without the headings is taken whole, and says so:
 * a 4B model does drift from formats, and its proof is still worth verifying.
 */
export function readSolution(answer: string): SolverAnswer {
  const text = answer.replace(/\r\n?/g, '\n');
  const solution = lastHeading(text, /^#{1,3}\s*\**\s*solution\b.*$/gim);
  const evaluation = lastHeading(text, /^#{1,3}\s*\**\s*self[- ]evaluation\b.*$/gim);
  const start = solution ? solution.end : 0;
  const end = evaluation && evaluation.start >= start ? evaluation.start : text.length;
  const proof = text.slice(start, end).trim();
  const selfEvaluation = evaluation && evaluation.start >= start ? text.slice(evaluation.end).trim() : null;
  if (solution && evaluation) return { proof, selfEvaluation };
  const missing = [solution ? '' : SOLUTION_HEADING, evaluation ? '' : SELF_EVALUATION_HEADING].filter(Boolean).join(' and ');
  return { proof, selfEvaluation, note: `The answer has no ${missing} heading; ${solution ? 'the text after the solution heading' : 'the whole answer'} is taken as the proof.` };
}

function lastHeading(text: string, pattern: RegExp): { start: number; end: number } | undefined {
  let last: { start: number; end: number } | undefined;
  for (const match of text.matchAll(pattern)) last = { start: match.index, end: match.index + match[0].length };
  return last;
}
