/**
 * A statement as the model and the panel should see it: the mathematics only, without the
 * bookkeeping a document carries (labels, index entries, Lean blueprint metadata, comments).
 */
import { controlSequenceAt, matchBraces, skipAnyWhitespace, stripComments } from '../latexLexer';

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

/**
 * Replaces `\command{…}` (balanced argument) or a bare `\command` for each name, e.g. `\label{…}`,
 * with `replacement`. Pass comment-free text. Unterminated arguments are left as they are.
 */
function replaceCommands(text: string, withArgument: ReadonlySet<string>, bare: ReadonlySet<string>, replacement = ''): string {
  const braces = matchBraces(text);
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x5c) continue;
    const name = controlSequenceAt(text, i);
    if (name === null) break;
    let end = i + name.length;
    if (withArgument.has(name)) {
      const open = skipAnyWhitespace(text, end);
      if (text[open] !== '{' || braces[open]! < 0) {
        i = end - 1;
        continue;
      }
      end = braces[open]! + 1;
    } else if (!bare.has(name)) {
      i = end - 1;
      continue;
    }
    out += text.slice(copiedUpTo, i) + replacement;
    copiedUpTo = end;
    i = end - 1;
  }
  return out + text.slice(copiedUpTo);
}
