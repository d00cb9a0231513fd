/**
 * The block structure of a Markdown document as the theorem scanner needs it: lines with their
 * offsets, paragraphs, headings, thematic breaks, code (fences, HTML comment blocks, front
 * matter), MyST `{prf:…}` fences and `:::` div fences. Not a full CommonMark parser: lists and
 * block quotes are plain paragraph lines, which is all the recognition rules look at.
 * One pass over the lines; offsets are those of the original text (CRLF included).
 */
import type { ScanProblem, Span } from './types';

export interface Line {
  start: number;
  /** End of the content, before the line break. */
  end: number;
  text: string;
}

/** Lines split at `\r\n`, `\r` or `\n`, the same breaks as `LineIndex`. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const lineBreak = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = lineBreak.exec(text); match; match = lineBreak.exec(text)) {
    lines.push({ start, end: match.index, text: text.slice(start, match.index) });
    start = match.index + match[0].length;
  }
  lines.push({ start, end: text.length, text: text.slice(start) });
  return lines;
}

export type Block = { first: number; last: number } & (
  | { type: 'paragraph' }
  | { type: 'heading' }
  | { type: 'break' }
  /** Fenced code (an unterminated fence runs to the end, as in CommonMark), an HTML comment, front matter. */
  | { type: 'code'; info: string }
  /** A closed backtick/tilde fence whose info string is `{prf:name} argument`. */
  | { type: 'directive'; name: string; argument: string }
  | { type: 'divOpen'; colons: number; attributes: string }
  | { type: 'divClose'; colons: number }
);

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const COLON_FENCE = /^ {0,3}(:{3,})(.*)$/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const HTML_COMMENT_OPEN = /^ {0,3}<!--/;
const DIRECTIVE_INFO = /^\{prf:([A-Za-z][\w-]*)\}\s*(.*)$/;

/**
 * The document's blocks, in order; blank lines belong to none. Fences are recognised at any
 * indentation (like the Proof panel does), so a fence inside a list item is code too; its
 * closer must use the same character, be at least as long, and carry nothing but spaces.
 * `startsParagraph(line)`: the line opens a new paragraph even without a blank line before it.
 */
export function readBlocks(lines: readonly Line[], startsParagraph: (line: string) => boolean, file: string, problems: ScanProblem[]): Block[] {
  const blocks: Block[] = [];
  let i = skipFrontMatter(lines);
  if (i > 0) blocks.push({ type: 'code', info: 'front matter', first: 0, last: i - 1 });
  /** First line of the paragraph being read, or -1. Paragraph lines are consecutive, so it ends at `i - 1`. */
  let paragraph = -1;
  const endParagraph = (): void => {
    if (paragraph !== -1) blocks.push({ type: 'paragraph', first: paragraph, last: i - 1 });
    paragraph = -1;
  };
  while (i < lines.length) {
    const line = lines[i]!.text;
    const fence = FENCE_OPEN.exec(line);
    if (fence && !(fence[2]![0] === '`' && fence[3]!.includes('`'))) {
      endParagraph();
      const marker = fence[2]!;
      const closer = new RegExp(`^[ \\t]*${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
      let last = i + 1;
      while (last < lines.length && !closer.test(lines[last]!.text)) last++;
      const info = fence[3]!.trim();
      if (last === lines.length) {
        problems.push({ file, offset: lines[i]!.start, message: `Code fence ${marker} is never closed: the rest of the document is code.` });
        blocks.push({ type: 'code', info, first: i, last: lines.length - 1 });
        break;
      }
      const directive = DIRECTIVE_INFO.exec(info);
      if (directive) blocks.push({ type: 'directive', name: directive[1]!, argument: directive[2]!.trim(), first: i, last });
      else blocks.push({ type: 'code', info, first: i, last });
      i = last + 1;
      continue;
    }
    if (HTML_COMMENT_OPEN.test(line)) {
      endParagraph();
      let last = i;
      const from = line.indexOf('<!--') + 4;
      if (!line.includes('-->', from)) {
        last++;
        while (last < lines.length && !lines[last]!.text.includes('-->')) last++;
        last = Math.min(last, lines.length - 1);
      }
      blocks.push({ type: 'code', info: 'html comment', first: i, last });
      i = last + 1;
      continue;
    }
    const colons = COLON_FENCE.exec(line);
    if (colons) {
      endParagraph();
      const attributes = colons[2]!.trim();
      if (attributes === '') blocks.push({ type: 'divClose', colons: colons[1]!.length, first: i, last: i });
      else blocks.push({ type: 'divOpen', colons: colons[1]!.length, attributes, first: i, last: i });
      i++;
      continue;
    }
    if (line.trim() === '') {
      endParagraph();
    } else if (HEADING.test(line)) {
      endParagraph();
      blocks.push({ type: 'heading', first: i, last: i });
    } else if (THEMATIC_BREAK.test(line)) {
      endParagraph();
      blocks.push({ type: 'break', first: i, last: i });
    } else if (paragraph === -1 || startsParagraph(line)) {
      endParagraph();
      paragraph = i;
    }
    i++;
  }
  endParagraph();
  return blocks;
}

/** Index of the first line after a YAML front matter (`---` on the first line … `---`/`...`), or 0. */
function skipFrontMatter(lines: readonly Line[]): number {
  if (lines[0]?.text.trimEnd() !== '---') return 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.text.trimEnd();
    if (line === '---' || line === '...') return i + 1;
  }
  return 0;
}

/**
 * Code, comments and front matter blanked (newlines kept, same length), and every unescaped `%`
 * too: Markdown has no `%` comments, and the LaTeX scanner would otherwise drop the rest of
 * a line like "50% of the cases" and the `\end{lemma}` on it.
 */
export function maskForLatex(text: string, lines: readonly Line[], blocks: readonly Block[]): string {
  const spans: Span[] = [];
  for (const block of blocks) {
    if (block.type === 'code' || block.type === 'directive') {
      spans.push({ start: lines[block.first]!.start, end: lines[block.last]!.end });
    } else if (block.type === 'paragraph' || block.type === 'heading') {
      findCodeSpans(text, lines[block.first]!.start, lines[block.last]!.end, spans);
    }
  }
  let masked = '';
  let at = 0;
  for (const span of spans) {
    masked += text.slice(at, span.start) + text.slice(span.start, span.end).replace(/[^\r\n]/g, ' ');
    at = span.end;
  }
  masked += text.slice(at);
  return masked.replace(/(?<!\\)%/g, ' ');
}

/**
 * CommonMark code spans in `text[start, end)`: a run of n backticks closed by the next run of
 * exactly n. Linear: each run's next run of the same length is precomputed right to left.
 * (Backslash-escaped backticks are not special-cased; they are rare in mathematical prose.)
 */
function findCodeSpans(text: string, start: number, end: number, out: Span[]): void {
  const runs: { at: number; length: number }[] = [];
  for (let i = start; i < end; ) {
    if (text.charCodeAt(i) !== 0x60 /* ` */) {
      i++;
      continue;
    }
    let j = i;
    while (j < end && text.charCodeAt(j) === 0x60) j++;
    runs.push({ at: i, length: j - i });
    i = j;
  }
  const nextSameLength = new Array<number>(runs.length);
  const lastByLength = new Map<number, number>();
  for (let k = runs.length - 1; k >= 0; k--) {
    nextSameLength[k] = lastByLength.get(runs[k]!.length) ?? -1;
    lastByLength.set(runs[k]!.length, k);
  }
  for (let k = 0; k < runs.length; k++) {
    const close = nextSameLength[k]!;
    if (close === -1) continue;
    out.push({ start: runs[k]!.at, end: runs[close]!.at + runs[close]!.length });
    k = close;
  }
}
