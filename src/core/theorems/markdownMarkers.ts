/**
 * The words and marks that make Markdown text theorem-like: the names (with their kind), the
 * bold-run theorem marker, the proof marker, end-of-proof marks, and div/directive attributes.
 * Each parser reads one line or one attribute string and is linear in it.
 */
import type { TheoremKind } from './types';

export interface TheoremName {
  title: string;
  kind: TheoremKind;
}

/**
 * The words Markdown notes use, by kind. `algorithm` (sphinx-proof has it) is a definition:
 * it describes a procedure rather than claiming something, so there is nothing to prove.
 */
export const THEOREM_NAMES: ReadonlyMap<string, TheoremName> = new Map(
  (
    [
      ['theorem', ['theorem', 'lemma', 'proposition', 'corollary', 'claim', 'conjecture', 'exercise', 'problem', 'criterion', 'property', 'fact']],
      ['definition', ['definition', 'example', 'axiom', 'assumption', 'notation', 'convention', 'algorithm']],
      ['remark', ['remark', 'observation', 'note']],
    ] as const
  ).flatMap(([kind, words]) =>
    words.map((word): [string, TheoremName] => [word, { title: word[0]!.toUpperCase() + word.slice(1), kind }]),
  ),
);

/** Quarto cross-reference prefixes: `::: {#lem-bound}` is a lemma without any class. */
const QUARTO_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['thm', 'theorem'],
  ['lem', 'lemma'],
  ['cor', 'corollary'],
  ['prp', 'proposition'],
  ['cnj', 'conjecture'],
  ['def', 'definition'],
  ['exm', 'example'],
  ['exr', 'exercise'],
  ['alg', 'algorithm'],
]);

export interface TheoremMarker {
  word: string;
  name: TheoremName;
  optionalTitle: string | null;
  /** Index just after the marker (its closing `**` and any title and punctuation after it). */
  end: number;
}

const BOLD_OPEN = /^ {0,3}(\*\*|__)([A-Za-z]+)/;
const MARKER_NUMBER = /[ \t]+(?:\d+(?:\.\d+)*[a-z]?|[A-Z](?:\.\d+)*)(?![\w])/y;

/** `**Theorem 2.1.**`, `**Lemma (name).**`, `**Theorem:**`, `**Proposition 3** (Title).` */
export function parseTheoremMarker(line: string): TheoremMarker | null {
  const open = BOLD_OPEN.exec(line);
  if (!open) return null;
  const name = THEOREM_NAMES.get(open[2]!.toLowerCase());
  if (!name) return null;
  const delimiter = open[1]!;
  let i = open[0].length;
  MARKER_NUMBER.lastIndex = i;
  const numbered = MARKER_NUMBER.test(line);
  if (numbered) i = MARKER_NUMBER.lastIndex;
  let optionalTitle: string | null = null;
  i = skipSpaces(line, i);
  if (line[i] === '(') {
    const close = matchingParenthesis(line, i);
    if (close === -1) return null;
    optionalTitle = line.slice(i + 1, close).trim();
    i = skipSpaces(line, close + 1);
  }
  let punctuated = line[i] === '.' || line[i] === ':';
  if (punctuated) i++;
  if (!line.startsWith(delimiter, i)) return null;
  i += delimiter.length;
  const afterBold = i;
  i = skipSpaces(line, i);
  if (optionalTitle === null && line[i] === '(') {
    const close = matchingParenthesis(line, i);
    const next = close === -1 ? -1 : skipSpaces(line, close + 1);
    // A parenthesis after a punctuated marker is text ("**Lemma 1.** (a) …") unless punctuated itself.
    if (close !== -1 && (!punctuated || line[next] === '.' || line[next] === ':')) {
      optionalTitle = line.slice(i + 1, close).trim();
      i = next;
    } else {
      i = afterBold;
    }
  }
  if (line[i] === '.' || line[i] === ':') {
    punctuated = true;
    i++;
  }
  if (!punctuated && !(numbered && line.slice(i).trim() !== '')) return null;
  return { word: open[2]!, name, optionalTitle: optionalTitle || null, end: i };
}

function skipSpaces(line: string, i: number): number {
  while (line[i] === ' ' || line[i] === '\t') i++;
  return i;
}

/** Index of the `)` matching the `(` at `open` on the same line, or -1. */
export function matchingParenthesis(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === '(') depth++;
    else if (line[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * `*Proof.*`, `**Proof:**`, `_Proof._`, `*Proof*.`, `*Proof of Lemma 2.*`, `*Proof (sketch).*`,
 * or a plain `Proof.`/`Proof:`. The qualifier is bounded, so the regex cannot backtrack far.
 */
const PROOF_MARKER =
  /^ {0,3}(?:(\*\*|__|\*|_)Proof(?:[ \t]+(?:of|sketch|idea)\b[^\n]{0,120}?|[ \t]*\([^\n]{0,120}?\))?[.:]?\1[.:]?|Proof[.:])/;

/** Index just after the proof marker that opens `line`, or -1. */
export function proofMarkerEnd(line: string): number {
  const match = PROOF_MARKER.exec(line);
  return match ? match[0].length : -1;
}

/** An end-of-proof mark at the end of a line; group 1 is the mark. */
export const END_MARK = /(∎|□|■|◻|\$\\(?:blacksquare|square|Box|qed)\$|\\qed(?![A-Za-z])|\bQ\.E\.D\.?|\bQED\b\.?)[ \t]*$/;

export const DISPLAY_MATH_START = /^[ \t]*(?:\$\$|\\\[|\\begin\{(?:equation|align|alignat|gather|multline|flalign|eqnarray|displaymath|math)\*?\})/;
export const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]/;

export interface DivAttributes {
  /** The theorem-like name, if the div is one. */
  name: TheoremName | null;
  /** The class, Quarto prefix or directive name that made it one. */
  env: string;
  proof: boolean;
  id: string | null;
  title: string | null;
  /** MyST colon directive (`:::{prf:lemma} Title`): options instead of a heading title. */
  directive: boolean;
}

/** `{#thm-x .theorem name="Title"}`, a bare `theorem`, or MyST's `{prf:theorem} Title`. */
export function parseDivAttributes(attributes: string): DivAttributes {
  const result: DivAttributes = { name: null, env: '', proof: false, id: null, title: null, directive: false };
  const myst = /^\{([A-Za-z][\w-]*:[\w-]+)\}\s*(.*)$/.exec(attributes.replace(/\s*:+\s*$/, ''));
  if (myst) {
    result.directive = true;
    const prf = /^prf:(.+)$/.exec(myst[1]!);
    if (!prf) return result;
    result.proof = prf[1] === 'proof';
    result.name = THEOREM_NAMES.get(prf[1]!.toLowerCase()) ?? null;
    result.env = prf[1]!;
    result.title = myst[2]!.trim() || null;
    return result;
  }
  const classes: string[] = [];
  const braced = /^\{(.*)\}\s*:*$/.exec(attributes);
  if (braced) {
    const token = /#([^\s}"'=]+)|\.([^\s}"'=.#]+)|([\w-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s}]+)/g;
    for (let match = token.exec(braced[1]!); match; match = token.exec(braced[1]!)) {
      if (match[1]) result.id = match[1];
      else if (match[2]) classes.push(match[2]);
      else if (match[3] === 'name' || match[3] === 'title') result.title = unquote(match[4]!) || null;
    }
  } else {
    // pandoc's shorthand `::: theorem` (one bare word is a class).
    const bare = /^([\w-]+)\s*:*$/.exec(attributes);
    if (bare) classes.push(bare[1]!);
  }
  result.proof = classes.some((c) => c.toLowerCase() === 'proof');
  const cls = classes.find((c) => THEOREM_NAMES.has(c.toLowerCase()));
  if (cls) {
    result.name = THEOREM_NAMES.get(cls.toLowerCase())!;
    result.env = cls;
  } else if (result.id && !result.proof) {
    const prefix = /^([a-z]+)-/.exec(result.id)?.[1];
    const word = prefix ? QUARTO_PREFIXES.get(prefix) : undefined;
    if (word) {
      result.name = THEOREM_NAMES.get(word)!;
      result.env = prefix!;
    }
  }
  return result;
}

export function unquote(value: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/.exec(value);
  if (!quoted) return value;
  return quoted[1] !== undefined ? quoted[1].replace(/\\(.)/g, '$1') : quoted[2]!;
}

/** A line that opens a theorem or a proof starts a new paragraph, even without a blank line. */
export function startsTheoremOrProof(line: string): boolean {
  return parseTheoremMarker(line) !== null || proofMarkerEnd(line) !== -1;
}
