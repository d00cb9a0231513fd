/**
 * Low-level LaTeX text helpers shared by the macro reader, the reference finder and the
 * statement cleaner: comments, control sequences and brace matching. Everything is one
 * linear pass; nothing here tries to be TeX.
 */

/**
 * The text with every comment (`%` to the end of its line, unless escaped as `\%`) replaced by
 * spaces. Same length as the input, so offsets into the masked text are offsets into the original.
 */
export function maskComments(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++; // `\%` and `\\` are one unit each
      continue;
    }
    if (c !== 0x25 /* % */) continue;
    let end = i;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    out += text.slice(copiedUpTo, i) + ' '.repeat(end - i);
    copiedUpTo = end;
    i = end;
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
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i++;
      continue;
    }
    if (c !== 0x25 /* % */) continue;
    let end = i;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    while (text[end] === ' ' || text[end] === '\t') end++;
    out += text.slice(copiedUpTo, i);
    copiedUpTo = end;
    i = end - 1;
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
 * For each `{` its matching `}` and vice versa (index), or -1 when unbalanced. Escaped braces
 * (`\{`, `\}`) are not braces. Pass comment-masked text. One pass; lookups are then O(1), which
 * keeps every parser built on it linear even on unterminated input.
 */
export function matchBraces(text: string): Int32Array {
  const match = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x7b /* { */) open.push(i);
    else if (c === 0x7d /* } */ && open.length > 0) {
      const start = open.pop()!;
      match[start] = i;
      match[i] = start;
    }
  }
  return match;
}

export function skipWhitespace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

/**
 * Replaces `\command{…}` (balanced argument) or a bare `\command` for each name, e.g. `\label{…}`,
 * with `replacement`. Pass comment-free text. Unterminated arguments are left as they are.
 */
export function replaceCommands(text: string, withArgument: ReadonlySet<string>, bare: ReadonlySet<string>, replacement = ''): string {
  const braces = matchBraces(text);
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x5c) continue;
    const name = controlSequenceAt(text, i);
    if (name === null) break;
    let end = i + name.length;
    if (withArgument.has(name)) {
      const open = skipWhitespace(text, end);
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
