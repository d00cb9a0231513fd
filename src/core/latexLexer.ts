/**
 * The one LaTeX lexer of the core: comments, control sequences, braces and blanks, shared by the
 * theorem scanner (theorems/) and the prompt context's macro and reference readers (context/).
 * Everything is one linear pass; nothing here tries to be TeX.
 *
 * Two callers want different blanks, so there are two named rules: `skipTexSpaces` is what TeX
 * skips before an argument (the scanner must agree with LaTeX on where an argument is), and
 * `skipAnyWhitespace` is the macro reader's lenient rule.
 */

/** Each comment, from its `%` (not `\%`) to the end of its line, line break excluded. */
function* comments(text: string): Generator<{ start: number; end: number }> {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++; // `\%` and `\\` are one unit each
      continue;
    }
    if (c !== 0x25 /* % */) continue;
    let end = i;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    yield { start: i, end };
    i = end;
  }
}

/**
 * The text with every comment (`%` to the end of its line, unless escaped as `\%`) replaced by
 * spaces. Same length as the input, so offsets into the masked text are offsets into the original.
 */
export function maskComments(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  let copiedUpTo = 0;
  for (const { start, end } of comments(text)) {
    out += text.slice(copiedUpTo, start) + ' '.repeat(end - start);
    copiedUpTo = end;
  }
  return out + text.slice(copiedUpTo);
}

/**
 * The text without comments, the way TeX reads it: a comment removes itself, its line break and
 * the next line's leading blanks (which is why `%` at a line end joins two lines).
 */
export function stripComments(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  let copiedUpTo = 0;
  for (const { start, end: lineEnd } of comments(text)) {
    let end = lineEnd;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    while (text[end] === ' ' || text[end] === '\t') end++;
    out += text.slice(copiedUpTo, start);
    copiedUpTo = end;
  }
  return out + text.slice(copiedUpTo);
}

/** Letters of a control word. `@` counts as a letter, as between `\makeatletter` and `\makeatother`. */
export function isControlWordChar(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 64;
}

/**
 * The control sequence starting with the backslash at `at` (`\foo` or a control symbol like `\,`),
 * or null if `at` is not a backslash or the text ends there.
 */
export function controlSequenceAt(text: string, at: number): string | null {
  if (text.charCodeAt(at) !== 0x5c || at + 1 >= text.length) return null;
  let end = at + 1;
  while (end < text.length && isControlWordChar(text.charCodeAt(end))) end++;
  return end === at + 1 ? text.slice(at, at + 2) : text.slice(at, end);
}

/**
 * For each `{` the index of its matching `}` and for each `}` that of its `{`; -1 for everything
 * else, unclosed `{` and a `}` with nothing open included. Escaped braces (`\{`, `\}`) are not
 * braces. Pass masked text (comments at least). One pass; lookups are then O(1), which keeps
 * every parser built on it linear even on unterminated input.
 */
export function matchBraces(text: string): Int32Array {
  const match = new Int32Array(text.length).fill(-1);
  const open = new Int32Array(text.length);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x7b /* { */) open[depth++] = i;
    else if (c === 0x7d /* } */ && depth > 0) {
      const start = open[--depth]!;
      match[start] = i;
      match[i] = start;
    }
  }
  return match;
}

/**
 * What TeX skips before an argument: spaces, tabs and line breaks (`\r\n` is one), but at most
 * `maxLineBreaks` line breaks, because TeX reads a blank line as \par, which ends an argument
 * search. Stops at `limit`, or at the line break it refuses.
 */
export function skipTexSpaces(text: string, from: number, limit = text.length, maxLineBreaks = Infinity): number {
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

/**
 * Everything JavaScript's `\s` matches, blank lines included: the macro reader's rule. Unlike
 * `skipTexSpaces` it also steps over form feeds, vertical tabs and Unicode spaces (U+00A0…).
 */
export function skipAnyWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}
