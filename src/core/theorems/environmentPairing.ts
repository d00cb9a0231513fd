/**
 * Pairing `\begin` with `\end` in a masked LaTeX file (see latexMask.ts): one regex walk over the
 * tokens and a stack, skipping the arguments of definition commands, whose `\begin`s are not
 * document text. Linear in the file.
 */
import { skipTexSpaces } from '../latexLexer';
import { readBraceGroup, readOptionalArgument, type BraceIndex } from './latexArguments';

/**
 * Commands whose arguments are definitions, not document text: a `\begin{proof}` inside
 * `\newenvironment{beweise}{\begin{beweis}…}` must not open an environment. Each pattern lists
 * the arguments to skip: `*` an optional star, `n` a command name (`\foo` or `{\foo}`),
 * `o` an optional `[…]`, `g` a `{…}` group, `p` a `\def` parameter text up to its body.
 */
const DEFINITION_PATTERNS: Record<string, string> = {
  def: 'np g', gdef: 'np g', edef: 'np g', xdef: 'np g',
  newcommand: '*n o o g', renewcommand: '*n o o g', providecommand: '*n o o g', DeclareRobustCommand: '*n o o g',
  NewDocumentCommand: 'n g g', RenewDocumentCommand: 'n g g', ProvideDocumentCommand: 'n g g', DeclareDocumentCommand: 'n g g',
  newenvironment: '*g o o g g', renewenvironment: '*g o o g g', provideenvironment: '*g o o g g',
  NewDocumentEnvironment: 'g g g g', RenewDocumentEnvironment: 'g g g g', ProvideDocumentEnvironment: 'g g g g', DeclareDocumentEnvironment: 'g g g g',
  newtcolorbox: 'o g o o g', renewtcolorbox: 'o g o o g', tcolorboxenvironment: 'g g',
};

/** `\begin{x}` / `\end{x}` (group 1, 2), a definition command (group 3), or `\endinput`. */
const TOKEN = new RegExp(
  String.raw`\\(?:(begin|end)\s*\{([^{}\\\r\n]{1,100})\}|(${Object.keys(DEFINITION_PATTERNS).join('|')})(?![a-zA-Z@])|endinput(?![a-zA-Z@]))`,
  'g',
);
const BEGIN_DOCUMENT = /\\begin\s*\{document\}/g;
const COMMAND_NAME = /\\(?:[a-zA-Z@]+|.)/y;

/** Where a definition command's arguments end, or `from` when they cannot be read (then nothing is skipped). */
function endOfDefinition(text: string, braces: BraceIndex, pattern: string, from: number): number {
  let i = from;
  for (const step of pattern.replace(/ /g, '')) {
    const at = skipTexSpaces(text, i, text.length, 1);
    if (step === '*') {
      if (text[at] === '*') i = at + 1;
    } else if (step === 'o') {
      const argument = readOptionalArgument(text, braces, at);
      if (argument === 'unterminated') return from;
      if (argument) i = argument.next;
    } else if (step === 'g') {
      const group = readBraceGroup(text, braces, at);
      if (!group) return from;
      i = group.next;
    } else if (step === 'n') {
      COMMAND_NAME.lastIndex = at;
      const name = COMMAND_NAME.exec(text);
      if (name) i = at + name[0].length;
      else {
        const group = readBraceGroup(text, braces, at);
        if (!group) return from;
        i = group.next;
      }
    } else if (step === 'p') {
      // A \def's parameter text (#1#2…) runs up to the body's brace on the same logical line.
      const brace = text.indexOf('{', i);
      if (brace < 0 || brace - i > 200) return from;
      i = brace;
    }
  }
  return i;
}

/** A `\begin` … `\end` pair found by the stack walk. */
export interface PairedEnvironment {
  name: string;
  /** Start of `\begin`. */
  start: number;
  /** Just after `\begin{name}`. */
  bodyStart: number;
  /** Start of `\end`. */
  bodyEnd: number;
  /** Just after `\end{name}`. */
  end: number;
}

interface OpenEnvironment {
  name: string;
  start: number;
  bodyStart: number;
}

/**
 * Pairs `\begin`/`\end` in `masked` with a stack. A mismatched `\end{x}` closes the nearest open
 * `x` (reporting what it skips) or, when none is open, is reported and ignored, so one typo never
 * costs the rest of the document. Linear: a count per name answers "is x open?" in O(1).
 */
export function pairEnvironments(
  masked: string,
  braces: BraceIndex,
  report: (offset: number, message: string) => void,
  lineOf: (offset: number) => number,
): PairedEnvironment[] {
  const pairs: PairedEnvironment[] = [];
  const stack: OpenEnvironment[] = [];
  const openCount = new Map<string, number>();
  BEGIN_DOCUMENT.lastIndex = 0;
  const documentStart = BEGIN_DOCUMENT.exec(masked);
  TOKEN.lastIndex = documentStart ? documentStart.index + documentStart[0].length : 0;
  let token: RegExpExecArray | null;
  while ((token = TOKEN.exec(masked))) {
    const [whole, direction, name, definition] = token;
    if (definition !== undefined) {
      TOKEN.lastIndex = Math.max(TOKEN.lastIndex, endOfDefinition(masked, braces, DEFINITION_PATTERNS[definition]!, TOKEN.lastIndex));
      continue;
    }
    if (direction === undefined || name === undefined) break; // \endinput: TeX stops reading the file
    if (direction === 'begin') {
      stack.push({ name, start: token.index, bodyStart: token.index + whole.length });
      openCount.set(name, (openCount.get(name) ?? 0) + 1);
      continue;
    }
    if (name === 'document') break;
    if (!openCount.get(name)) {
      report(token.index, `\\end{${name}} without a matching \\begin{${name}}`);
      continue;
    }
    for (;;) {
      const open = stack.pop()!;
      openCount.set(open.name, openCount.get(open.name)! - 1);
      if (open.name === name) {
        pairs.push({ name, start: open.start, bodyStart: open.bodyStart, bodyEnd: token.index, end: token.index + whole.length });
        break;
      }
      report(open.start, `\\begin{${open.name}} is not closed before the \\end{${name}} on line ${lineOf(token.index)}`);
    }
  }
  for (const open of stack) report(open.start, `\\begin{${open.name}} is never closed`);
  return pairs.sort((a, b) => a.start - b.start);
}
