/**
 * Splits one growing Markdown text into blocks that can be rendered independently, and finds
 * where unfinished math starts in the open tail. Pure (no DOM) so it can be tested in Node.
 *
 * A block ends at a blank line, except inside a code fence or display math (`$$`, `\[`,
 * `\begin{align*}` and friends), where markdown-it itself would not end it either. A blank
 * line followed by an indented line does not end a block: that is a list item's continuation
 * or an indented code block, which only render right together with what precedes them.
 */
import { MATH_ENVIRONMENTS } from '../../../src/core/mathEnvironments';

/**
 * A block larger than this is cut at the next unindented line outside math or code, so one
 * pathological paragraph (reasoning without blank lines) cannot make every frame re-render
 * an ever-growing tail. Cutting may split a paragraph in two; it never splits a formula.
 */
export const MAX_BLOCK_CHARS = 8192;

/**
 * Display math open for longer than this is taken to be a stray delimiter (a model's `$$` that
 * never closes), so the rest of the answer still splits into blocks and renders as text.
 */
export const MAX_OPEN_MATH_CHARS = 10_000;

type OpenMath =
  | { kind: 'dollar' | 'dollars' | 'paren' | 'bracket'; start: number }
  | { kind: 'env'; start: number; name: string; depth: number };

const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
const BEGIN_OR_END = /\\(begin|end)[ \t]*\{([A-Za-z]+\*?)\}/y;

/**
 * Scans `text` from `from` and returns the math still open at its end (or undefined).
 * `open` carries math left open by earlier text. With `inline` false only display math is
 * tracked (`$…$` and `\(…\)` cannot span a blank line, so they never matter for splitting).
 * With `inline` true, code fences starting a line are skipped too (an unclosed one hides the rest).
 */
function scanMath(text: string, from: number, open: OpenMath | undefined, inline: boolean): OpenMath | undefined {
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (inline && !open && (i === 0 || text[i - 1] === '\n') && (c === '`' || c === '~' || c === ' ' || c === '\t')) {
      const skipped = skipFence(text, i);
      if (skipped === -1) return undefined;
      if (skipped !== i) {
        i = skipped;
        continue;
      }
    }
    if (c === '\\') {
      const next = text[i + 1];
      if (next === 'b' || next === 'e') {
        BEGIN_OR_END.lastIndex = i;
        const [match, which, name = ''] = BEGIN_OR_END.exec(text) ?? [];
        if (match && MATH_ENVIRONMENTS.has(name)) {
          const begin = which === 'begin';
          if (!open) {
            if (begin) open = { kind: 'env', start: i, name, depth: 1 };
          } else if (open.kind === 'env' && open.name === name) {
            open.depth += begin ? 1 : -1;
            if (open.depth === 0) open = undefined;
          }
          i += match.length;
          continue;
        }
      } else if (!open) {
        if (next === '[') open = { kind: 'bracket', start: i };
        else if (next === '(' && inline) open = { kind: 'paren', start: i };
      } else if ((next === ']' && open.kind === 'bracket') || (next === ')' && open.kind === 'paren')) {
        open = undefined;
      }
      // Any other backslash pair (`\\`, `\$`, `\{`) is one unit: it neither opens nor closes.
      i += 2;
      continue;
    }
    if (c === '$') {
      const double = text[i + 1] === '$';
      if (!open) {
        if (double) open = { kind: 'dollars', start: i };
        else if (inline) open = { kind: 'dollar', start: i };
      } else if (open.kind === 'dollars' && double) {
        open = undefined;
      } else if (open.kind === 'dollar') {
        open = undefined;
        i += 1;
        continue;
      }
      i += double ? 2 : 1;
      continue;
    }
    if (c === '`' && !open) {
      // A code span hides math; an unmatched backtick run is literal text.
      let run = 1;
      while (text[i + run] === '`') run++;
      i = skipCodeSpan(text, i, run);
      continue;
    }
    i++;
  }
  return open;
}

/** Index after the code span opened by `run` backticks at `i`, or after the run if unmatched. */
function skipCodeSpan(text: string, i: number, run: number): number {
  let from = i + run;
  for (;;) {
    const close = text.indexOf('`', from);
    if (close === -1) return i + run;
    let end = close;
    while (text[end] === '`') end++;
    if (end - close === run) return end;
    from = end;
  }
}

/**
 * If a code fence opens at line start `i`, the index after its closing line (text end if
 * that line ends the text), -1 if it is not closed yet; `i` itself if no fence opens here.
 */
function skipFence(text: string, i: number): number {
  let lineEnd = text.indexOf('\n', i);
  if (lineEnd === -1) lineEnd = text.length;
  const fence = fenceOpening(text.slice(i, lineEnd));
  if (!fence) return i;
  let start = lineEnd + 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (closesFence(text.slice(start, end), fence)) return end;
    if (end === text.length) break;
    start = end + 1;
  }
  return -1;
}

function isBlank(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

/** A line that opens a code fence: its marker character and length (a backtick fence's info string has no backtick). */
function fenceOpening(line: string): { char: string; length: number } | undefined {
  const [match, marker = '', info = ''] = FENCE.exec(line) ?? [];
  if (!match || (marker.startsWith('`') && info.includes('`'))) return undefined;
  return { char: marker.charAt(0), length: marker.length };
}

/** The same fence character, at least as long, and nothing after it. */
function closesFence(line: string, fence: { char: string; length: number }): boolean {
  const [match, marker = '', info = ''] = FENCE.exec(line) ?? [];
  return !!match && marker.charAt(0) === fence.char && marker.length >= fence.length && info.trim() === '';
}

function isIndented(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

export class BlockSplitter {
  /** Complete lines of the open block, each ending in '\n'. */
  private block = '';
  /** Blank lines after the open block, kept until the next line says whether it continues. */
  private blanks = '';
  /** The line being received, without its '\n'. */
  private partial = '';
  private pendingCR = false;
  private fence: { char: string; length: number } | undefined;
  private math: OpenMath | undefined;
  private mathChars = 0;
  private finished: string[] = [];

  /** Appends streamed text; returns the blocks it completed, in order. */
  push(text: string): string[] {
    let chunk = (this.pendingCR ? '\r' : '') + text;
    // A lone '\r' at the end may be the first half of '\r\n': decide when the next chunk comes.
    this.pendingCR = chunk.endsWith('\r');
    if (this.pendingCR) chunk = chunk.slice(0, -1);
    if (chunk.includes('\r')) chunk = chunk.replace(/\r\n?/g, '\n');

    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf('\n', start)) !== -1) {
      const line = this.partial + chunk.slice(start, newline);
      this.partial = '';
      this.addLine(line);
      start = newline + 1;
    }
    this.partial += chunk.slice(start);
    // The first character after blank lines already tells whether the block goes on.
    if (this.blanks && this.partial.length > 0 && !isIndented(this.partial[0])) this.closeBlock();
    return this.take();
  }

  /** Ends the text: the tail becomes the last block. */
  end(): string[] {
    if (this.pendingCR) {
      this.pendingCR = false;
      this.addLine(this.partial);
      this.partial = '';
    }
    if (this.partial) {
      this.addLine(this.partial);
      this.partial = '';
    }
    this.closeBlock();
    this.fence = undefined;
    this.math = undefined;
    return this.take();
  }

  /** The open block as it stands, including the line still being received. */
  get tail(): string {
    return this.block + this.blanks + this.partial;
  }

  private addLine(line: string): void {
    if (this.fence) {
      this.block += line + '\n';
      if (closesFence(line, this.fence)) this.fence = undefined;
      return;
    }
    if (this.math) {
      this.block += line + '\n';
      this.mathChars += line.length + 1;
      this.math = this.mathChars > MAX_OPEN_MATH_CHARS ? undefined : scanMath(line, 0, this.math, false);
      return;
    }
    if (isBlank(line)) {
      if (this.block) this.blanks += line + '\n';
      return;
    }
    if (this.blanks) {
      if (isIndented(line[0])) {
        this.block += this.blanks;
        this.blanks = '';
      } else {
        this.closeBlock();
      }
    } else if (this.block.length > MAX_BLOCK_CHARS && !isIndented(line[0])) {
      this.closeBlock();
    }
    this.block += line + '\n';
    const fence = fenceOpening(line);
    if (fence) {
      this.fence = fence;
      return;
    }
    this.math = scanMath(line, 0, undefined, false);
    this.mathChars = 0;
  }

  private closeBlock(): void {
    if (this.block) this.finished.push(this.block.replace(/\n+$/, ''));
    this.block = '';
    this.blanks = '';
  }

  private take(): string[] {
    const done = this.finished;
    this.finished = [];
    return done;
  }
}

export interface UnclosedMath {
  /** Index in the text where the unfinished math starts. */
  start: number;
  /** Display math (`$$`, `\[`, an environment) rather than inline (`$`, `\(`). */
  display: boolean;
  /** For an environment, its name, so a preview can close it. */
  environment?: string;
}

/**
 * Where math that is still being streamed starts in `text` (one block), if anywhere.
 * Code fences and code spans are skipped; an unterminated fence hides everything after it.
 */
export function findUnclosedMath(text: string): UnclosedMath | undefined {
  const open = scanMath(text, 0, undefined, true);
  if (!open) return undefined;
  if (text.length - open.start > MAX_OPEN_MATH_CHARS) return undefined;
  return {
    start: open.start,
    display: open.kind !== 'dollar' && open.kind !== 'paren',
    environment: open.kind === 'env' ? open.name : undefined,
  };
}
