/**
 * Finds theorem-like environments in one LaTeX file.
 *
 * Everything works on a masked copy of the text (`maskLatex`): comments, verbatim-like
 * environments and `\iffalse…\fi` become spaces, so offsets stay those of the original text and
 * nothing inside them can open an environment. Each pass is linear: a regex walks the
 * `\begin`/`\end` tokens once, a stack pairs them, and braces are matched once per file
 * (`BraceIndex`) so reading a `{group}` never rescans text.
 */
import type { ProofBlock, ScanProblem, ScanResult, Span, TheoremDeclaration, TheoremEnvironment } from './types';
import { LineIndex } from './types';

// ---------------------------------------------------------------------------------------------
// Masking

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

function controlWordAt(text: string, at: number): string {
  CONTROL_WORD.lastIndex = at;
  return CONTROL_WORD.exec(text)?.[0] ?? '';
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
  let i = 0;
  while (i < text.length) {
    BACKSLASH_OR_PERCENT.lastIndex = i;
    const found = BACKSLASH_OR_PERCENT.exec(text);
    if (!found) break;
    const at = found.index;
    if (text[at] === '%') {
      i = lineEnd(text, at);
      masked.push([at, i]);
      continue;
    }
    const word = controlWordAt(text, at + 1);
    if (!word) {
      i = at + 2; // an escaped character such as \% or \\
      continue;
    }
    i = at + 1 + word.length;
    if (word === 'begin') {
      ENVIRONMENT_NAME.lastIndex = i;
      const name = ENVIRONMENT_NAME.exec(text)?.[1];
      if (name !== undefined && VERBATIM_ENVIRONMENTS.has(name)) {
        const close = `\\end{${name}}`;
        const endAt = text.indexOf(close, ENVIRONMENT_NAME.lastIndex);
        i = endAt < 0 ? text.length : endAt + close.length;
        masked.push([at, i]);
      }
    } else if (word === 'verb') {
      const delimiterAt = text[i] === '*' ? i + 1 : i;
      const delimiter = text[delimiterAt];
      if (delimiter !== undefined && delimiter !== '\n' && delimiter !== '\r') {
        const eol = lineEnd(text, delimiterAt + 1);
        const closeAt = text.indexOf(delimiter, delimiterAt + 1);
        i = closeAt < 0 || closeAt > eol ? eol : closeAt + 1;
        masked.push([at, i]);
      }
    } else if (word === 'iffalse' && !LET_BEFORE.test(text.slice(Math.max(0, at - 80), at))) {
      i = endOfFalseBranch(text, i, conditionals);
      masked.push([at, i]);
    }
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

/** Where text skipped by `\iffalse` ends: after its `\fi`, or after an `\else` at the same level. */
function endOfFalseBranch(text: string, from: number, conditionals: ReadonlySet<string>): number {
  let depth = 1;
  let i = from;
  while (i < text.length) {
    BACKSLASH_OR_PERCENT.lastIndex = i;
    const found = BACKSLASH_OR_PERCENT.exec(text);
    if (!found) break;
    const at = found.index;
    if (text[at] === '%') {
      i = lineEnd(text, at);
      continue;
    }
    const word = controlWordAt(text, at + 1);
    if (!word) {
      i = at + 2;
      continue;
    }
    i = at + 1 + word.length;
    if (conditionals.has(word)) depth++;
    else if (word === 'fi' && --depth === 0) return i;
    else if ((word === 'else' || word === 'or') && depth === 1) return i;
  }
  return text.length;
}

// ---------------------------------------------------------------------------------------------
// Reading arguments in masked text

/** The matching `}` of every `{` in a masked text, computed once on first use. */
export class BraceIndex {
  private closing: Int32Array | undefined;

  constructor(private readonly masked: string) {}

  /** Offset of the `}` that closes the `{` at `open`, or -1 when it is never closed. */
  closeOf(open: number): number {
    this.closing ??= matchBraces(this.masked);
    return this.closing[open] ?? -1;
  }
}

function matchBraces(text: string): Int32Array {
  const closing = new Int32Array(text.length).fill(-1);
  const open = new Int32Array(text.length);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 123 /* { */) open[depth++] = i;
    else if (c === 125 /* } */ && depth > 0) closing[open[--depth]!] = i;
  }
  return closing;
}

export interface Argument {
  /** The text inside the delimiters. */
  inner: Span;
  /** Just after the closing delimiter. */
  next: number;
}

/**
 * Skips spaces, tabs and line breaks, but at most `maxLineBreaks` line breaks: TeX reads a blank
 * line as \par, which ends an argument search. Stops at the line break it refuses.
 */
export function skipWhitespace(text: string, from: number, limit = text.length, maxLineBreaks = Infinity): number {
  let i = from;
  let breaks = 0;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) i++;
    else if (c === 10 || c === 13) {
      if (++breaks > maxLineBreaks) return i;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else break;
  }
  return i;
}

/** A `{…}` group starting exactly at `at`, or undefined if there is none or it is never closed. */
export function readBraceGroup(text: string, braces: BraceIndex, at: number, limit = text.length): Argument | undefined {
  if (text.charCodeAt(at) !== 123) return undefined;
  const close = braces.closeOf(at);
  if (close < 0 || close >= limit) return undefined;
  return { inner: { start: at + 1, end: close }, next: close + 1 };
}

const BEGIN_OR_END = /\\(?:begin|end)\s*\{/y;

/**
 * A `[…]` argument starting exactly at `at`, read as LaTeX does: the first `]` outside braces
 * ends it. `'unterminated'` when a blank line, an unbalanced brace, `limit`, or a `\begin`/`\end`
 * comes first (the last keeps nested unterminated arguments from rescanning each other).
 */
export function readOptionalArgument(text: string, braces: BraceIndex, at: number, limit = text.length): Argument | 'unterminated' | undefined {
  if (text.charCodeAt(at) !== 91 /* [ */) return undefined;
  let i = at + 1;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 93 /* ] */) return { inner: { start: at + 1, end: i }, next: i + 1 };
    if (c === 92 /* \ */) {
      BEGIN_OR_END.lastIndex = i;
      if (BEGIN_OR_END.test(text)) return 'unterminated';
      i += 2;
    } else if (c === 123 /* { */) {
      const close = braces.closeOf(i);
      if (close < 0 || close >= limit) return 'unterminated';
      i = close + 1;
    } else if (c === 125 /* } */) {
      return 'unterminated';
    } else if (c === 10 || c === 13) {
      const next = skipWhitespace(text, i, limit, 1);
      if (next < limit && (text.charCodeAt(next) === 10 || text.charCodeAt(next) === 13)) return 'unterminated';
      i = Math.max(next, i + 1);
    } else i++;
  }
  return 'unterminated';
}

/** Trims whitespace (of the masked text, so comments count as whitespace) from both ends of a span. */
export function trimSpan(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

// ---------------------------------------------------------------------------------------------
// Which environments are proofs

const PROOF_WORDS = new Set(['proof', 'beweis', 'preuve', 'demonstration']);

/** Lowercase, without a trailing `*` and without accents (`Démonstration` → `demonstration`). */
export function normalizeName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\*+$/, '');
}

/**
 * Whether an environment holds a proof: amsthm's `proof`, or a declared environment named or
 * titled like one (ntheorem's `\newtheorem{beweis}{Beweis}`, a `\newenvironment` wrapping it).
 */
export function isProofEnvironment(env: string, title?: string): boolean {
  if (PROOF_WORDS.has(normalizeName(env))) return true;
  const firstWord = title === undefined ? '' : normalizeName(title).split(/[^a-z]+/).find((word) => word !== '');
  return firstWord !== undefined && PROOF_WORDS.has(firstWord);
}

// ---------------------------------------------------------------------------------------------
// Scanning

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
    const at = skipWhitespace(text, i, text.length, 1);
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
interface PairedEnvironment {
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
function pairEnvironments(
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

/** Commands that may sit before the statement without being part of it: labels and Lean-blueprint metadata. */
const LEADING_METADATA = new Map<string, 'argument' | 'none'>([
  ['label', 'argument'], ['lean', 'argument'], ['uses', 'argument'], ['proves', 'argument'], ['discussion', 'argument'],
  ['index', 'argument'], ['leanok', 'none'], ['notready', 'none'], ['mathlibok', 'none'],
]);
const METADATA_COMMAND = /\\([a-zA-Z]+)\*?/y;

/**
 * Skips labels and metadata commands from `from` (and the whitespace around them), in any order.
 * Returns where the first other text starts, and the first `\label`'s argument.
 */
function skipMetadata(masked: string, braces: BraceIndex, from: number, limit: number): { next: number; label: Span | null } {
  let label: Span | null = null;
  let i = from;
  for (;;) {
    const at = skipWhitespace(masked, i, limit);
    METADATA_COMMAND.lastIndex = at;
    const command = METADATA_COMMAND.exec(masked);
    const kind = command ? LEADING_METADATA.get(command[1]!) : undefined;
    if (!command || !kind) return { next: at, label };
    i = METADATA_COMMAND.lastIndex;
    if (kind === 'argument') {
      // \label[type]{name} (cleveref) has an optional argument too.
      const optional = readOptionalArgument(masked, braces, skipWhitespace(masked, i, limit, 1), limit);
      if (optional && optional !== 'unterminated') i = optional.next;
      const group = readBraceGroup(masked, braces, skipWhitespace(masked, i, limit, 1), limit);
      if (!group) return { next: at, label };
      if (command[1] === 'label' && !label) label = group.inner;
      i = group.next;
    }
  }
}

interface Preamble {
  optionalTitle: Span | null;
  label: Span | null;
  /** Where the text after the optional argument and the metadata starts. */
  textStart: number;
}

/** Reads what precedes an environment's text: an optional `[title]`, then labels and metadata in any order. */
function readPreamble(masked: string, braces: BraceIndex, env: PairedEnvironment, report: (offset: number, message: string) => void): Preamble {
  let optionalTitle: Span | null = null;
  let afterTitle = env.bodyStart;
  // Like \@ifnextchar, the `[` may follow after spaces and one line break, not after a blank line.
  const bracket = skipWhitespace(masked, env.bodyStart, env.bodyEnd, 1);
  const argument = readOptionalArgument(masked, braces, bracket, env.bodyEnd);
  if (argument === 'unterminated') report(bracket, `The optional argument of \\begin{${env.name}} is not closed`);
  else if (argument) {
    optionalTitle = argument.inner;
    afterTitle = argument.next;
  }
  const { next, label } = skipMetadata(masked, braces, afterTitle, env.bodyEnd);
  return { optionalTitle, label, textStart: next };
}

/**
 * The optional argument's text: trimmed, without one pair of braces wrapping all of it. Taken
 * from the masked text, so a comment inside the brackets is not part of the title.
 */
function optionalTitleText(masked: string, braces: BraceIndex, span: Span): string {
  const trimmed = trimSpan(masked, span.start, span.end);
  if (trimmed.end - trimmed.start >= 2 && braces.closeOf(trimmed.start) === trimmed.end - 1) {
    return masked.slice(trimmed.start + 1, trimmed.end - 1).trim();
  }
  return masked.slice(trimmed.start, trimmed.end);
}

/** The proof environment starting right after `after` (past blank lines, comments and a `\label`), if any. */
function followingProof(
  masked: string,
  braces: BraceIndex,
  after: number,
  proofsByStart: ReadonlyMap<number, PairedEnvironment>,
): ProofBlock | null {
  const { next } = skipMetadata(masked, braces, after, masked.length);
  const proof = proofsByStart.get(next);
  if (!proof) return null;
  const preamble = readPreamble(masked, braces, proof, () => undefined);
  return {
    span: { start: proof.start, end: proof.end },
    body: trimSpan(masked, preamble.textStart, proof.bodyEnd),
  };
}

/**
 * The theorem-like environments of one LaTeX file, in document order (an outer environment before
 * the ones nested in it): those `declarations` name, except proof-like ones, which become the
 * `proof` of the environment they follow. Text before `\begin{document}` is not scanned.
 */
export function scanLatex(text: string, file: string, declarations: ReadonlyMap<string, TheoremDeclaration>): ScanResult {
  return scanMaskedLatex(text, maskLatex(text), file, declarations);
}

/** `scanLatex` for a caller that already has `maskLatex(text)` and its braces (the project scanner masks each file once). */
export function scanMaskedLatex(
  text: string,
  masked: string,
  file: string,
  declarations: ReadonlyMap<string, TheoremDeclaration>,
  braces = new BraceIndex(masked),
): ScanResult {
  const problems: ScanProblem[] = [];
  let lines: LineIndex | undefined;
  const lineOf = (offset: number) => (lines ??= new LineIndex(text)).position(offset).line + 1;
  const report = (offset: number, message: string) => problems.push({ file, offset, message });

  const pairs = pairEnvironments(masked, braces, report, lineOf);
  const proofsByStart = new Map<number, PairedEnvironment>();
  for (const pair of pairs) {
    if (isProofEnvironment(pair.name, declarations.get(pair.name)?.title)) proofsByStart.set(pair.start, pair);
  }

  const environments: TheoremEnvironment[] = [];
  for (const pair of pairs) {
    const declaration = declarations.get(pair.name);
    if (!declaration || proofsByStart.has(pair.start)) continue;
    const preamble = readPreamble(masked, braces, pair, report);
    environments.push({
      env: pair.name,
      title: declaration.title,
      kind: declaration.kind,
      optionalTitle: preamble.optionalTitle && optionalTitleText(masked, braces, preamble.optionalTitle),
      label: preamble.label && masked.slice(preamble.label.start, preamble.label.end).trim(),
      file,
      span: { start: pair.start, end: pair.end },
      statement: trimSpan(masked, preamble.textStart, pair.bodyEnd),
      proof: followingProof(masked, braces, pair.end, proofsByStart),
    });
  }
  return { environments, problems: problems.sort((a, b) => a.offset - b.offset) };
}

/** The environment whose span or proof contains `offset`, innermost first. */
export function environmentAt(environments: readonly TheoremEnvironment[], file: string, offset: number): TheoremEnvironment | undefined {
  let best: TheoremEnvironment | undefined;
  let bestSize = Infinity;
  for (const environment of environments) {
    if (environment.file !== file) continue;
    for (const span of [environment.span, environment.proof?.span]) {
      if (span && span.start <= offset && offset <= span.end && span.end - span.start < bestSize) {
        best = environment;
        bestSize = span.end - span.start;
      }
    }
  }
  return best;
}
