/**
 * What the composer's text becomes as the user's message: plain text as typed, and the slash
 * commands expanded into their prompts. `/prove` uses QED-Nano's own training prompt and
 * `/critique` the grader prompt, word for word; `/explain` and `/latex` are plain requests that
 * lean on the conversation (earlier answers go back to the model). `/deep` is no message: it asks
 * for a Deep Prove run, which goes on in its own panel. Pure: no VS Code.
 */
import { critiqueMessages } from '../critique/critiquePrompt';
import { proveInstruction, proveMessages } from '../prompts';
import type { Turn } from '../conversation/types';

export type Expanded =
  | { ok: true; user: string; title: string }
  /** `/deep`: not a message but a Deep Prove run, on the statement given or (undefined) the editor's selection or theorem. */
  | { ok: true; deepProve: { statement: string | undefined } }
  | { ok: false; problem: string };

export const LATEX_REQUEST =
  'Rewrite your last answer as paper-ready LaTeX: the proof in a \\begin{proof} … \\end{proof} environment, ' +
  'displayed formulas in equation* or align*, no Markdown, nothing before or after the LaTeX. ' +
  'Keep every step and every formula of the argument; only the form changes.';

export const EXPLAIN_LAST_REQUEST = 'Explain your last answer step by step, in more detail, for a reader who found it too terse.';

export function explainRequest(text: string): string {
  return `Explain the following clearly and step by step, justifying each step:\n\n${text.trim()}`;
}

const COMMAND = /^\/([A-Za-z]+)(?:\s+|$)([\s\S]*)$/;
const TITLE_CHARS = 60;

export function expandMessage(text: string, earlier: readonly Turn[]): Expanded {
  const trimmed = text.trim();
  const match = COMMAND.exec(trimmed);
  if (!match) return { ok: true, user: trimmed, title: titleOf(trimmed) };
  const [, name, rest] = match;
  const argument = rest!.trim();
  const lastAnswer = [...earlier].reverse().find((turn) => turn.assistant.content.trim() !== '');
  switch (name!.toLowerCase()) {
    case 'prove':
      if (!argument) return { ok: false, problem: 'Write the statement after /prove, e.g. “/prove $\\sqrt 2$ is irrational”.' };
      return { ok: true, user: proveMessages(argument)[0]!.content, title: titleOf(argument) };
    case 'critique': {
      const proof = argument || lastAnswer?.assistant.content.trim();
      if (!proof) return { ok: false, problem: '/critique grades the last answer, or the proof written after it; there is neither yet.' };
      const statement = statementOf(earlier, lastAnswer);
      if (!statement) return { ok: false, problem: '/critique needs the statement the proof is for: start with /prove, or ask the question first.' };
      return { ok: true, user: critiqueMessages(statement, proof).map((message) => message.content).join('\n\n'), title: `Critique: ${titleOf(statement)}` };
    }
    case 'explain':
      if (argument) return { ok: true, user: explainRequest(argument), title: `Explain: ${titleOf(argument)}` };
      if (!lastAnswer) return { ok: false, problem: 'Write what to explain after /explain (there is no answer to explain yet).' };
      return { ok: true, user: EXPLAIN_LAST_REQUEST, title: 'Explain' };
    case 'deep':
      return { ok: true, deepProve: { statement: argument || undefined } };
    case 'latex':
      if (!lastAnswer) return { ok: false, problem: '/latex rewrites the last answer as LaTeX; there is no answer yet.' };
      return { ok: true, user: argument ? `${LATEX_REQUEST}\n\n${argument}` : LATEX_REQUEST, title: 'LaTeX' };
    default:
      return { ok: false, problem: `Unknown command /${name}. The commands are /prove, /deep, /critique, /explain and /latex.` };
  }
}

/** The statement a critique is about: the latest /prove statement, else the question the last answer answered. */
function statementOf(earlier: readonly Turn[], lastAnswer: Turn | undefined): string | undefined {
  const prefix = proveInstruction('').trimEnd();
  for (const turn of [...earlier].reverse()) {
    if (turn.user.startsWith(prefix)) return turn.user.slice(prefix.length).split(/\n\nFor reference, /)[0]!.trim();
  }
  return lastAnswer?.user.trim() || undefined;
}

/** The first line of the text, cut at a word near TITLE_CHARS. */
export function titleOf(text: string): string {
  const line = text.trim().split('\n', 1)[0]!.replace(/^>\s*/, '').trim();
  if (line.length <= TITLE_CHARS) return line || 'Conversation';
  const cut = line.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
