/**
 * A markdown-it plugin that turns math into tokens whose `content` is the TeX exactly as
 * written, so nothing inside math is ever parsed as Markdown (`*`, `_`, `\\`, `<`…).
 *
 * It recognises what the Proof panel renders, with the panel's rules, so a proof converts the
 * way it looked: `$…$` and `$$…$$` as `@vscode/markdown-it-katex` delimits them (a `$` opens
 * unless it follows a word character, and closes unless a word character follows; `\$` is
 * not a delimiter), and `\(…\)`, `\[…\]` and bare math environments as the panel's own rules
 * in `webview-ui/src/render/markdown.ts` do. One difference: an unclosed `$$` block is text
 * here, where the panel shows the rest of the answer as one unfinished formula.
 *
 * Tokens: `math_inline` (`$`, `\(`), `math_inline_block` (`$$`, `\[` or an environment inside a
 * paragraph) and `math_block` (the same on lines of their own). `markup` is the opening delimiter.
 */
import type MarkdownIt from 'markdown-it';
import type { StateBlock, StateInline } from 'markdown-it';
import { MATH_ENVIRONMENTS } from './mathEnvironments';

export function markdownMath(md: InstanceType<typeof MarkdownIt>): void {
  md.inline.ruler.after('escape', 'math_dollars', dollarMath);
  md.inline.ruler.before('escape', 'math_backslash', backslashMath);
  md.block.ruler.after('blockquote', 'math_block', blockMath, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
}

const isWordCharacter = (char: string | undefined): boolean => char !== undefined && /^[\w\d]$/u.test(char);

/** Index of the next `delimiter` from `from` not preceded by an odd number of backslashes, or -1. */
function findUnescaped(src: string, delimiter: string, from: number, limit: number): number {
  for (let at = src.indexOf(delimiter, from); at !== -1 && at + delimiter.length <= limit; at = src.indexOf(delimiter, at + 1)) {
    let backslashes = 0;
    while (src[at - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** `$…$` and `$$…$$` inside a paragraph; an unmatched delimiter becomes text. */
function dollarMath(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src[pos] !== '$') return false;
  const literal = (text: string, to: number): boolean => {
    if (!silent) state.pending += text;
    state.pos = to;
    return true;
  };
  if (src[pos + 1] === '$') {
    if (src[pos - 1] === '$' || src[pos - 1] === '\\' || src[pos + 2] === '$') return literal('$$', pos + 2);
    const close = findUnescaped(src, '$$', pos + 2, posMax);
    if (close === -1) return literal('$$', pos + 2);
    if (close === pos + 2) return literal('$$$$', pos + 4);
    if (src[close - 1] === '$' || src[close - 1] === '\\' || src[close + 2] === '$') return literal('$$', pos + 2);
    if (!silent) push(state, 'math_inline_block', '$$', src.slice(pos + 2, close));
    state.pos = close + 2;
    return true;
  }
  const before = src[pos - 1];
  if (before === '$' || before === '\\' || isWordCharacter(before)) return literal('$', pos + 1);
  const close = findUnescaped(src, '$', pos + 1, posMax);
  if (close === -1) return literal('$', pos + 1);
  if (close === pos + 1) return literal('$$', pos + 2);
  if (src[close + 1] === '$' || isWordCharacter(src[close + 1])) return literal('$', pos + 1);
  if (!silent) push(state, 'math_inline', '$', src.slice(pos + 1, close));
  state.pos = close + 1;
  return true;
}

function push(state: StateInline, type: string, markup: string, content: string): void {
  const token = state.push(type, 'math', 0);
  token.markup = markup;
  token.content = content;
}

/** Index of the backslash of the `\)` or `\]` closing math opened before `from`, or -1. */
function findBackslashCloser(src: string, from: number, closer: string, limit: number): number {
  for (let i = from; i < limit - 1; i++) {
    if (src.charCodeAt(i) !== 0x5c /* \ */) continue;
    if (src[i + 1] === closer) return i;
    i++; // `\\`, `\{`… are one unit
  }
  return -1;
}

/** If a math environment begins at `at`, the index just after its matching `\end{…}` (before `limit`). */
function environmentEnd(src: string, at: number, limit: number): number | undefined {
  const begin = /\\begin\s*\{([A-Za-z]+\*?)\}/y;
  begin.lastIndex = at;
  const match = begin.exec(src);
  if (!match || !MATH_ENVIRONMENTS.has(match[1]!)) return undefined;
  const boundary = new RegExp(`\\\\(begin|end)\\s*\\{${match[1]!.replace('*', '\\*')}\\}`, 'g');
  boundary.lastIndex = at + match[0].length;
  let depth = 1;
  for (let b = boundary.exec(src); b && b.index < limit; b = boundary.exec(src)) {
    depth += b[1] === 'begin' ? 1 : -1;
    if (depth === 0) {
      const end = b.index + b[0].length;
      return end <= limit ? end : undefined;
    }
  }
  return undefined;
}

/** `\(…\)`, `\[…\]` and math environments inside a paragraph. Runs before `escape`. */
function backslashMath(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== 0x5c /* \ */) return false;
  const next = src[pos + 1];
  let content: string;
  let after: number;
  if (next === '(' || next === '[') {
    const close = findBackslashCloser(src, pos + 2, next === '(' ? ')' : ']', posMax);
    if (close === -1) return false;
    content = src.slice(pos + 2, close);
    after = close + 2;
  } else if (next === 'b') {
    const end = environmentEnd(src, pos, posMax);
    if (end === undefined) return false;
    content = src.slice(pos, end);
    after = end;
  } else {
    return false;
  }
  if (content.trim() === '') return false;
  if (!silent) push(state, next === '(' ? 'math_inline' : 'math_inline_block', next === 'b' ? '\\begin' : `\\${next}`, content);
  state.pos = after;
  return true;
}

/**
 * `$$…$$`, `\[…\]` or a math environment that starts a line and whose closer ends one: a block,
 * which may contain blank lines and interrupts a paragraph. Text after the closer on its line
 * leaves the whole thing to the paragraph (and the inline rules).
 */
function blockMath(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const src = state.src;
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const limit = state.eMarks[endLine - 1]!;
  let content: string;
  let after: number;
  let markup: string;
  if (src.startsWith('$$', start)) {
    const close = findUnescaped(src, '$$', start + 2, limit);
    if (close === -1 || src[start + 2] === '$') return false;
    content = src.slice(start + 2, close);
    after = close + 2;
    markup = '$$';
  } else if (src.startsWith('\\[', start)) {
    const close = findBackslashCloser(src, start + 2, ']', limit);
    if (close === -1) return false;
    content = src.slice(start + 2, close);
    after = close + 2;
    markup = '\\[';
  } else if (src.startsWith('\\begin', start)) {
    const end = environmentEnd(src, start, limit);
    if (end === undefined) return false;
    content = src.slice(start, end);
    after = end;
    markup = '\\begin';
  } else {
    return false;
  }
  let line = startLine;
  while (line < endLine - 1 && state.eMarks[line]! < after) line++;
  if (src.slice(after, state.eMarks[line]).trim() !== '' || content.trim() === '') return false;
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content;
  token.markup = markup;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}
