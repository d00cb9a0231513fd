/**
 * Before LaTeX goes into a document: if it holds commands that read or write files, run programs,
 * end the document or change how it is read (core/riskyTex), a modal lists them and offers to
 * insert them commented out (the first, default button), as they are, or not at all.
 */
import * as vscode from 'vscode';
import { commentOutRiskyTex, findRiskyTex, type RiskyTex } from '../core/riskyTex';

export type RiskyTexChoice = 'comment-out' | 'as-is' | undefined;
/** Asks the user what to do with the findings; undefined is Cancel. Tests pass their own answer. */
export type AskAboutRiskyTex = (found: readonly RiskyTex[]) => Promise<RiskyTexChoice>;

const COMMENT_OUT = 'Insert with These Commented Out';
const AS_IS = 'Insert as Is';
/** Findings named in the dialog; the rest are counted. */
const LISTED = 8;

export const askAboutRiskyTex: AskAboutRiskyTex = async (found) => {
  const lines = found.slice(0, LISTED).map((finding) => `Line ${finding.line}: ${finding.excerpt} (${finding.reason})`);
  if (found.length > LISTED) lines.push(`and ${found.length - LISTED} more`);
  const count = found.length === 1 ? 'One TeX command' : `${found.length} TeX commands`;
  const choice = await vscode.window.showWarningMessage(
    `${count} in this proof ${found.length === 1 ? 'does' : 'do'} more than typeset: read or write files, run programs, end the document or change how it is read.`,
    {
      modal: true,
      detail: `${lines.join('\n')}\n\n“${COMMENT_OUT}” puts each on a comment line of its own (% QED: commented out …), so the document compiles without running them and you can read them there.`,
    },
    COMMENT_OUT,
    AS_IS,
  );
  return choice === COMMENT_OUT ? 'comment-out' : choice === AS_IS ? 'as-is' : undefined;
};

/** The LaTeX to insert: unchanged when nothing was found or the user said so, commented out, or undefined if cancelled. */
export async function confirmRiskyTex(latex: string, ask: AskAboutRiskyTex = askAboutRiskyTex): Promise<string | undefined> {
  const found = findRiskyTex(latex);
  if (found.length === 0) return latex;
  const choice = await ask(found);
  if (choice === 'comment-out') return commentOutRiskyTex(latex, found);
  return choice === 'as-is' ? latex : undefined;
}
