/**
 * A statement as the model and the panel should see it: the mathematics only, without the
 * bookkeeping a document carries (labels, index entries, Lean blueprint metadata, comments).
 */
import { replaceCommands, stripComments } from './latexText';

/** Commands removed with their argument. `\lean`, `\uses`, `\proves`, `\discussion`: Lean blueprint. */
const WITH_ARGUMENT = new Set(['\\label', '\\index', '\\lean', '\\uses', '\\proves', '\\discussion']);
/** Blueprint status markers. */
const BARE = new Set(['\\leanok', '\\mathlibok', '\\notready']);
/** Marks removed commands, so that a line holding only metadata goes entirely. */
const REMOVED = '\u0000';

/**
 * Removes comments, `\label{…}`, `\index{…}`, blueprint `\lean{…}`, `\uses{…}`, `\proves{…}`,
 * `\leanok`…, and collapses whitespace: a run containing a blank line becomes one blank line
 * (a LaTeX paragraph break), any other run one space. A line that held only removed commands
 * is not a blank line.
 */
export function cleanStatement(latex: string): string {
  return replaceCommands(stripComments(latex.replaceAll(REMOVED, '')), WITH_ARGUMENT, BARE, REMOVED)
    .replace(/^[^\S\n]*\u0000[\u0000\s]*?\n/gm, '')
    .replaceAll(REMOVED, '')
    .replace(/\s+/g, (run) => (/\n[^\S\n]*\n/.test(run.replace(/\r/g, '')) ? '\n\n' : ' '))
    .trim();
}
