/**
 * Reading a command's arguments in masked text (see latexMask.ts): `{…}` groups through a brace
 * table computed once per file, and `[…]` optional arguments read as LaTeX reads them.
 */
import { matchBraces, skipTexSpaces } from '../latexLexer';
import type { Span } from './types';

/** The matching `}` of every `{` in a masked text, computed once on first use. */
export class BraceIndex {
  private matches: Int32Array | undefined;

  constructor(private readonly masked: string) {}

  /** Offset of the `}` that closes the `{` at `open`, or -1 when it is never closed (or `open` is no `{`). */
  closeOf(open: number): number {
    this.matches ??= matchBraces(this.masked);
    const match = this.matches[open] ?? -1;
    return match > open ? match : -1; // the table also maps each `}` back to its `{`
  }
}

export interface Argument {
  /** The text inside the delimiters. */
  inner: Span;
  /** Just after the closing delimiter. */
  next: number;
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
      const next = skipTexSpaces(text, i, limit, 1);
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
