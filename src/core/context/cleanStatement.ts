/**
 * A statement as the model and the panel should see it: the mathematics only, without the
 * bookkeeping a document carries (labels, index entries, Lean blueprint metadata, comments).
 */
import { removeCommands, stripComments } from './latexText';

/** Commands removed with their argument. `\lean`, `\uses`, `\proves`, `\discussion`: Lean blueprint. */
const WITH_ARGUMENT = new Set(['\\label', '\\index', '\\lean', '\\uses', '\\proves', '\\discussion']);
/** Blueprint status markers. */
const BARE = new Set(['\\leanok', '\\mathlibok', '\\notready']);

/**
 * Removes comments, `\label{…}`, `\index{…}`, blueprint `\lean{…}`, `\uses{…}`, `\proves{…}`,
 * `\leanok`…, and collapses whitespace: a run containing a blank line becomes one blank line
 * (a LaTeX paragraph break), any other run one space.
 */
export function cleanStatement(latex: string): string {
  const removed = removeCommands(stripComments(latex), WITH_ARGUMENT, BARE);
  return removed
    .replace(/\s+/g, (run) => (/\n[^\S\n]*\n/.test(run.replace(/\r/g, '')) ? '\n\n' : ' '))
    .trim();
}
