/**
 * Masking: a copy of a LaTeX file in which comments, verbatim-like environments, `\verb|…|` and
 * `\iffalse…\fi` are spaces. Offsets stay those of the original text, and nothing inside a
 * masked part can open an environment or a definition.
 */

/** Environments whose content LaTeX does not read as commands. */
const VERBATIM_ENVIRONMENTS = new Set([
  'verbatim', 'verbatim*', 'Verbatim', 'Verbatim*', 'BVerbatim', 'LVerbatim', 'lstlisting', 'minted',
  'comment', 'filecontents', 'filecontents*',
]);

/**
 * TeX conditionals that open a nesting level while `\iffalse` skips text. Only real conditionals
 * count: `\iff` (math) and etoolbox's `\ifblank`-style macros do not, because TeX does not count them.
 */
const PRIMITIVE_CONDITIONALS = new Set([
  'if', 'ifcat', 'ifnum', 'ifdim', 'ifodd', 'ifvmode', 'ifhmode', 'ifmmode', 'ifinner', 'ifvoid',
  'ifhbox', 'ifvbox', 'ifx', 'ifeof', 'iftrue', 'iffalse', 'ifcase', 'ifdefined', 'ifcsname',
  'iffontchar', 'ifincsname', 'ifpdf', 'ifxetex', 'ifluatex', 'ifdraft',
]);

const LINE_BREAK = /[\r\n]/g;
const BACKSLASH_OR_PERCENT = /[\\%]/g;
const CONTROL_WORD = /[a-zA-Z]+/y;
const ENVIRONMENT_NAME = /[ \t]*\{([^{}\\\r\n]{1,100})\}/y;
const NEWIF = /\\newif\s*\\(if[a-zA-Z@]+)/g;
/** `\let\ifdraft\iffalse` defines a conditional; it does not start skipping. */
const LET_BEFORE = /\\let\s*\\[a-zA-Z@]+\s*=?\s*$/;

function lineEnd(text: string, from: number): number {
  LINE_BREAK.lastIndex = from;
  return LINE_BREAK.exec(text)?.index ?? text.length;
}

/**
 * The next comment or control word at or after `from`: `word` is undefined for a comment, which
 * runs to `end`, the end of its line. Control symbols (`\%`, `\\`) are stepped over. Letters only
 * (no `@`): this pass looks for `\begin`, `\verb` and conditionals, which TeX reads that way.
 */
function nextToken(text: string, from: number): { at: number; end: number; word?: string } | undefined {
  let i = from;
  for (;;) {
    BACKSLASH_OR_PERCENT.lastIndex = i;
    const found = BACKSLASH_OR_PERCENT.exec(text);
    if (!found) return undefined;
    const at = found.index;
    if (text[at] === '%') return { at, end: lineEnd(text, at) };
    CONTROL_WORD.lastIndex = at + 1;
    const word = CONTROL_WORD.exec(text)?.[0];
    if (word) return { at, end: at + 1 + word.length, word };
    i = at + 2; // an escaped character such as \% or \\
  }
}

/** `text` with every character but line breaks replaced by a space. */
function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

/**
 * Same length as `text`: comments (% but not \%), verbatim/lstlisting/minted/comment environments,
 * `\verb|…|` and `\iffalse…\fi` replaced by spaces (newlines kept), so offsets are unchanged.
 */
export function maskLatex(text: string): string {
  const masked: Array<[number, number]> = [];
  const conditionals = new Set(PRIMITIVE_CONDITIONALS);
  for (const match of text.matchAll(NEWIF)) conditionals.add(match[1]!);
  let token = nextToken(text, 0);
  while (token) {
    const end = maskedEnd(text, token.at, token.end, token.word, conditionals);
    if (end !== undefined) masked.push([token.at, end]);
    token = nextToken(text, end ?? token.end);
  }
  if (masked.length === 0) return text;
  const parts: string[] = [];
  let previous = 0;
  for (const [start, end] of masked) {
    parts.push(text.slice(previous, start), blank(text.slice(start, end)));
    previous = end;
  }
  parts.push(text.slice(previous));
  return parts.join('');
}

/** Where the part masked from the token at `at` ends (`word` undefined: a comment), or undefined if it masks nothing. */
function maskedEnd(text: string, at: number, after: number, word: string | undefined, conditionals: ReadonlySet<string>): number | undefined {
  if (word === undefined) return after;
  if (word === 'begin') {
    ENVIRONMENT_NAME.lastIndex = after;
    const name = ENVIRONMENT_NAME.exec(text)?.[1];
    if (name === undefined || !VERBATIM_ENVIRONMENTS.has(name)) return undefined;
    const close = `\\end{${name}}`;
    const endAt = text.indexOf(close, ENVIRONMENT_NAME.lastIndex);
    return endAt < 0 ? text.length : endAt + close.length;
  }
  if (word === 'verb') {
    const delimiterAt = text[after] === '*' ? after + 1 : after;
    const delimiter = text[delimiterAt];
    if (delimiter === undefined || delimiter === '\n' || delimiter === '\r') return undefined;
    const eol = lineEnd(text, delimiterAt + 1);
    const closeAt = text.indexOf(delimiter, delimiterAt + 1);
    return closeAt < 0 || closeAt > eol ? eol : closeAt + 1;
  }
  if (word === 'iffalse' && !LET_BEFORE.test(text.slice(Math.max(0, at - 80), at))) {
    return endOfFalseBranch(text, after, conditionals);
  }
  return undefined;
}

/** Where text skipped by `\iffalse` ends: after its `\fi`, or after an `\else` at the same level. */
function endOfFalseBranch(text: string, from: number, conditionals: ReadonlySet<string>): number {
  let depth = 1;
  for (let token = nextToken(text, from); token; token = nextToken(text, token.end)) {
    const word = token.word;
    if (word === undefined) continue;
    if (conditionals.has(word)) depth++;
    else if (word === 'fi' && --depth === 0) return token.end;
    else if ((word === 'else' || word === 'or') && depth === 1) return token.end;
  }
  return text.length;
}
