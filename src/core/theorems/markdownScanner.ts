/**
 * Theorem-like blocks in Markdown documents, with exact UTF-16 spans into the original text.
 *
 * Four notations are recognised:
 * - LaTeX environments (`\begin{lemma}…\end{lemma}`) anywhere in the prose: found by the LaTeX
 *   scanner on a masked copy of the text (code, comments and front matter blanked, same length).
 * - pandoc/Quarto fenced divs: `::: {#thm-x .theorem name="Title"}` … `:::`. A closing fence
 *   needs at least as many colons as its opening fence (as in markdown-it-container and MyST),
 *   so `:::: {.lemma}` is not closed by a `:::` line. Quarto's id prefixes (`#thm-`, `#lem-`…)
 *   name the kind when no class does. The title comes from `name=`/`title=`, else a leading
 *   heading (Quarto) or `**(Title)**`.
 * - MyST/Jupyter-Book directives: ```` ```{prf:lemma} Title ```` (any backtick or tilde fence)
 *   and `:::{prf:lemma} Title`, with `:label:` (or `:name:`) options.
 * - Bold-run paragraphs: `**Theorem 2.1.** …`, `**Lemma (Name).** …`, `**Theorem:** …`,
 *   `**Proposition 3** (Title). …`. The bold run must hold a known word and end in `.` or `:`
 *   (inside or right after it), or carry a number and be followed by text on its line: so
 *   `**Example**` on its own, `**Note that** x` and `**Theorem** is a word` are not theorems.
 *
 * Where a bold-run statement ends (the rule, tuned on StatProofBook and model-style notes):
 * 1. If a proof starts before the next *stop* (a heading, thematic break, div fence, `prf:`
 *    directive or another theorem-like start), the statement is everything up to that proof.
 *    StatProofBook's statements span several paragraphs and display formulas before `**Proof:**`.
 * 2. Otherwise the statement is the marker's paragraph (the next one if the marker stands
 *    alone), extended over following paragraphs only while they visibly continue it: after a
 *    paragraph ending in `:`, over display math, over a lowercase sentence right after display
 *    math, and over the items of a list the statement already contains.
 *
 * A proof is a `::: {.proof}` div, a `{prf:proof}` directive, `\begin{proof}…\end{proof}`, or a
 * paragraph opening with `*Proof.*`, `**Proof:**`, `_Proof._`, `*Proof of Lemma 2.*`, `Proof.`…
 * right after the theorem (blank lines allowed). A proof paragraph runs until a stop, another
 * proof, or a line ending in an end mark (∎, □, ■, `$\blacksquare$`, `$\square$`, `\qed`, QED).
 *
 * Nothing inside fenced code, indented-as-fence code, HTML comment blocks or the YAML front
 * matter counts. Paragraphs are CommonMark-like runs of non-blank lines, except that a line
 * opening with a theorem or proof marker starts a new paragraph even without a blank line.
 * Everything is one pass over the lines plus one over the blocks: linear in the text.
 */
import { DEFAULT_THEOREM_DECLARATIONS } from './latexDeclarations';
import { scanLatex } from './latexScanner';
import type {
  ProofBlock,
  ScanProblem,
  ScanResult,
  Span,
  TheoremDeclaration,
  TheoremEnvironment,
  TheoremKind,
} from './types';

interface TheoremName {
  title: string;
  kind: TheoremKind;
}

/**
 * The words Markdown notes use, by kind. `algorithm` (sphinx-proof has it) is a definition:
 * it describes a procedure rather than claiming something, so there is nothing to prove.
 */
const THEOREM_NAMES: ReadonlyMap<string, TheoremName> = new Map(
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

const LATEX_DECLARATIONS: ReadonlyMap<string, TheoremDeclaration> = new Map(
  DEFAULT_THEOREM_DECLARATIONS.map((declaration) => [declaration.env, declaration]),
);

export function scanMarkdown(text: string, file: string): ScanResult {
  const lines = splitLines(text);
  const problems: ScanProblem[] = [];
  const blocks = readBlocks(text, lines, file, problems);
  const masked = maskForLatex(text, lines, blocks);
  const latex = scanLatex(masked, file, LATEX_DECLARATIONS);
  problems.push(...latex.problems);
  const scanner = new BlockScanner(text, masked, lines, blocks, latex.environments, file, problems);
  const environments = [...scanner.latexEnvironments(), ...scanner.markdownEnvironments()];
  environments.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  problems.sort((a, b) => a.offset - b.offset);
  return { environments, problems };
}

// ---------------------------------------------------------------------------------------------
// Lines and blocks

interface Line {
  start: number;
  /** End of the content, before the line break. */
  end: number;
  text: string;
}

/** Lines split at `\r\n`, `\r` or `\n`, the same breaks as `LineIndex`. */
function splitLines(text: string): Line[] {
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

type Block = { first: number; last: number } & (
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
 * Fences are recognised at any indentation (like the Proof panel does), so a fence inside a
 * list item is code too; its closer must use the same character, be at least as long, and
 * carry nothing but spaces.
 */
function readBlocks(text: string, lines: readonly Line[], file: string, problems: ScanProblem[]): Block[] {
  const blocks: Block[] = [];
  let i = skipFrontMatter(lines);
  if (i > 0) blocks.push({ type: 'code', info: 'front matter', first: 0, last: i - 1 });
  let paragraph: { first: number; last: number } | null = null;
  const endParagraph = (): void => {
    if (paragraph) blocks.push({ type: 'paragraph', ...paragraph });
    paragraph = null;
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
    } else if (paragraph && !startsNewParagraph(line)) {
      (paragraph as { last: number }).last = i;
    } else {
      endParagraph();
      paragraph = { first: i, last: i };
    }
    i++;
  }
  endParagraph();
  return blocks;
}

function startsNewParagraph(line: string): boolean {
  return parseTheoremMarker(line) !== null || proofMarkerEnd(line) !== -1;
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

// ---------------------------------------------------------------------------------------------
// The masked copy for the LaTeX scanner

/**
 * Code, comments and front matter blanked (newlines kept, same length), and every unescaped `%`
 * too: Markdown has no `%` comments, and the LaTeX scanner would otherwise drop the rest of
 * a line like "50% of the cases" and the `\end{lemma}` on it.
 */
function maskForLatex(text: string, lines: readonly Line[], blocks: readonly Block[]): string {
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

// ---------------------------------------------------------------------------------------------
// Markers at the start of a line

interface TheoremMarker {
  word: string;
  name: TheoremName;
  optionalTitle: string | null;
  /** Index just after the marker (its closing `**` and any title and punctuation after it). */
  end: number;
}

const BOLD_OPEN = /^ {0,3}(\*\*|__)([A-Za-z]+)/;
const MARKER_NUMBER = /[ \t]+(?:\d+(?:\.\d+)*[a-z]?|[A-Z](?:\.\d+)*)(?![\w])/y;

/** `**Theorem 2.1.**`, `**Lemma (name).**`, `**Theorem:**`, `**Proposition 3** (Title).` */
function parseTheoremMarker(line: string): TheoremMarker | null {
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
function matchingParenthesis(line: string, open: number): number {
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
function proofMarkerEnd(line: string): number {
  const match = PROOF_MARKER.exec(line);
  return match ? match[0].length : -1;
}

/** An end-of-proof mark at the end of a line; group 1 is the mark. */
const END_MARK = /(∎|□|■|◻|\$\\(?:blacksquare|square|Box|qed)\$|\\qed(?![A-Za-z])|\bQ\.E\.D\.?|\bQED\b\.?)[ \t]*$/;

const DISPLAY_MATH_START = /^[ \t]*(?:\$\$|\\\[|\\begin\{(?:equation|align|alignat|gather|multline|flalign|eqnarray|displaymath|math)\*?\})/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]/;

// ---------------------------------------------------------------------------------------------
// Recognition

/** What a block means for a statement or proof running past it. */
type Role = 'theorem' | 'proof' | 'stop' | 'content';

interface ContainerHead {
  optionalTitle: string | null;
  label: string | null;
  /** Offset where the body starts after options and title. */
  bodyStart: number;
}

class BlockScanner {
  private readonly roles: Role[];
  /** For each `divOpen` block, the index of its `divClose`, or -1. */
  private readonly divClose: number[];
  private readonly environments: TheoremEnvironment[] = [];

  constructor(
    private readonly text: string,
    private readonly masked: string,
    private readonly lines: readonly Line[],
    private readonly blocks: readonly Block[],
    private readonly latex: readonly TheoremEnvironment[],
    private readonly file: string,
    private readonly problems: ScanProblem[],
  ) {
    this.divClose = this.matchDivs();
    this.roles = this.assignRoles();
  }

  /** The LaTeX scanner's environments, given a Markdown proof when no `\begin{proof}` follows. */
  latexEnvironments(): TheoremEnvironment[] {
    return this.latex.map((environment) => {
      if (environment.proof) return environment;
      const after = this.blockAfterOffset(environment.span.end);
      return after === -1 ? environment : { ...environment, proof: this.proofAt(after) };
    });
  }

  markdownEnvironments(): TheoremEnvironment[] {
    this.blocks.forEach((block, index) => {
      if (block.type === 'paragraph') this.boldRun(index);
      else if (block.type === 'directive') this.directive(index);
      else if (block.type === 'divOpen') this.div(index);
    });
    return this.environments;
  }

  /** Pairs div fences with a stack; a closer with fewer colons than the innermost opener is ignored. */
  private matchDivs(): number[] {
    const close = new Array<number>(this.blocks.length).fill(-1);
    const open: number[] = [];
    this.blocks.forEach((block, index) => {
      if (block.type === 'divOpen') open.push(index);
      if (block.type !== 'divClose' || open.length === 0) return;
      const innermost = this.blocks[open[open.length - 1]!] as { colons: number };
      if (innermost.colons <= block.colons) close[open.pop()!] = index;
    });
    for (const index of open) {
      this.problems.push({
        file: this.file,
        offset: this.lineStart(this.blocks[index]!.first),
        message: 'Fenced div is never closed (a closing fence needs at least as many colons).',
      });
    }
    return close;
  }

  private assignRoles(): Role[] {
    const latexStarts = new Set(this.latex.map((environment) => this.lineOf(environment.span.start)));
    return this.blocks.map((block, index): Role => {
      switch (block.type) {
        case 'heading':
        case 'break':
        case 'divClose':
          return 'stop';
        case 'code':
          return 'content';
        case 'directive':
          return block.name === 'proof' ? 'proof' : THEOREM_NAMES.has(block.name.toLowerCase()) ? 'theorem' : 'content';
        case 'divOpen': {
          const div = parseDivAttributes(block.attributes);
          if (div.proof) return this.divClose[index] === -1 ? 'stop' : 'proof';
          return div.name ? 'theorem' : 'stop';
        }
        case 'paragraph': {
          for (let line = block.first; line <= block.last; line++) if (latexStarts.has(line)) return 'theorem';
          const first = this.lines[block.first]!.text;
          if (parseTheoremMarker(first)) return 'theorem';
          if (proofMarkerEnd(first) !== -1 || /^\s*\\begin\{proof\}/.test(this.maskedLine(block.first))) return 'proof';
          return 'content';
        }
      }
    });
  }

  // --- bold-run paragraphs ---------------------------------------------------------------------

  private boldRun(index: number): void {
    const block = this.blocks[index]!;
    const firstLine = this.lines[block.first]!;
    const marker = parseTheoremMarker(firstLine.text);
    if (!marker) return;
    const markerStart = firstLine.start + firstLine.text.search(/\S/);
    const markerEnd = firstLine.start + marker.end;
    const markerOnly = this.trimmedEnd(markerEnd, this.lines[block.last]!.end) === markerEnd;
    let last = index;
    let proof: ProofBlock | null = null;
    const proofIndex = this.proofSearch(index);
    if (proofIndex !== -1) {
      last = proofIndex - 1;
      proof = this.proofAt(proofIndex);
    } else {
      last = this.statementContinuation(index, markerOnly);
    }
    const statementEnd = this.trimmedEnd(markerEnd, this.lines[this.blocks[last]!.last]!.end);
    const statement = this.trimmed(markerEnd, statementEnd);
    this.environments.push({
      env: marker.word,
      title: marker.name.title,
      kind: marker.name.kind,
      optionalTitle: marker.optionalTitle,
      label: null,
      file: this.file,
      span: { start: markerStart, end: Math.max(markerEnd, statement.end) },
      statement,
      proof,
    });
  }

  /** Rule 1: the index of a proof block before the next stop or theorem, or -1. */
  private proofSearch(index: number): number {
    for (let k = index + 1; k < this.blocks.length; k++) {
      const role = this.roles[k]!;
      if (role === 'proof') return k;
      if (role !== 'content') return -1;
    }
    return -1;
  }

  /** Rule 2: the last block of a statement that has no proof. */
  private statementContinuation(index: number, markerOnly: boolean): number {
    let last = index;
    let afterMath = false;
    let inList = this.hasListItem(index);
    for (let k = index + 1; k < this.blocks.length && this.roles[k] === 'content'; k++) {
      const block = this.blocks[k]!;
      const firstText = this.lines[block.first]!.text;
      const isMath =
        (block.type === 'paragraph' && DISPLAY_MATH_START.test(firstText)) || (block.type === 'code' && block.info.startsWith('{math}'));
      const isListContinuation = inList && block.type === 'paragraph' && (LIST_ITEM.test(firstText) || /^(?: {2,}|\t)/.test(firstText));
      const continues =
        (markerOnly && last === index) ||
        this.endsWithColon(last) ||
        isMath ||
        (afterMath && block.type === 'paragraph' && /^[ \t]*[a-z]/.test(firstText)) ||
        isListContinuation;
      if (!continues) break;
      afterMath = isMath;
      inList = inList || this.hasListItem(k);
      last = k;
    }
    return last;
  }

  private endsWithColon(index: number): boolean {
    return this.lines[this.blocks[index]!.last]!.text.trimEnd().endsWith(':');
  }

  private hasListItem(index: number): boolean {
    const block = this.blocks[index]!;
    if (block.type !== 'paragraph') return false;
    for (let line = block.first; line <= block.last; line++) if (LIST_ITEM.test(this.lines[line]!.text)) return true;
    return false;
  }

  // --- containers: directives and divs ----------------------------------------------------------

  private directive(index: number): void {
    const block = this.blocks[index]! as Block & { type: 'directive' };
    const name = THEOREM_NAMES.get(block.name.toLowerCase());
    if (!name) return;
    const head = this.containerHead(block.first + 1, block.last, true);
    this.pushContainer(index, block.last, block.name, name, { ...head, optionalTitle: block.argument || null });
  }

  private div(index: number): void {
    const block = this.blocks[index]! as Block & { type: 'divOpen' };
    const close = this.divClose[index]!;
    const div = parseDivAttributes(block.attributes);
    if (!div.name || close === -1) return;
    const closeLine = this.blocks[close]!.first;
    const head = this.containerHead(block.first + 1, closeLine, div.directive);
    const optionalTitle = div.title ?? head.optionalTitle;
    const label = div.id ?? head.label;
    this.pushContainer(index, closeLine, div.env, div.name, { optionalTitle, label, bodyStart: head.bodyStart });
  }

  private pushContainer(index: number, closeLine: number, env: string, name: TheoremName, head: ContainerHead): void {
    const block = this.blocks[index]!;
    const open = this.lines[block.first]!;
    const close = this.lines[closeLine]!;
    const after = this.nextBlock(index, closeLine);
    this.environments.push({
      env,
      title: name.title,
      kind: name.kind,
      optionalTitle: head.optionalTitle,
      label: head.label,
      file: this.file,
      span: { start: open.start + open.text.search(/\S/), end: this.trimmedEnd(close.start, close.end) },
      statement: this.trimmed(head.bodyStart, close.start),
      proof: after === -1 ? null : this.proofAt(after),
    });
  }

  /**
   * Reads a container's leading options (`:label: x`, or a `---` YAML block: directives only),
   * or its leading heading / `**(Title)**` (divs only), from content lines `[first, end)`.
   */
  private containerHead(first: number, end: number, directive: boolean): ContainerHead {
    let label: string | null = null;
    let optionalTitle: string | null = null;
    let line = first;
    const bodyStart = (at: number): number => (at < end ? this.lines[at]!.start : this.lines[end]!.start);
    if (directive) {
      const yaml = this.lines[line]?.text.trim() === '---' && line < end;
      if (yaml) line++;
      for (; line < end; line++) {
        const text = this.lines[line]!.text;
        if (yaml && text.trim() === '---') {
          line++;
          break;
        }
        const option = (yaml ? /^\s*([\w-]+):\s*(.*)$/ : /^\s*:([\w-]+):\s*(.*)$/).exec(text);
        if (!option) break;
        if ((option[1] === 'label' || (option[1] === 'name' && label === null)) && option[2]!.trim()) label = unquote(option[2]!.trim());
      }
      return { label, optionalTitle, bodyStart: bodyStart(line) };
    }
    while (line < end && this.lines[line]!.text.trim() === '') line++;
    if (line >= end) return { label, optionalTitle, bodyStart: bodyStart(line) };
    const text = this.lines[line]!.text;
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(text);
    if (heading) return { label, optionalTitle: heading[1] || null, bodyStart: bodyStart(line + 1) };
    const bold = /^ {0,3}\*\*\(/.exec(text);
    if (bold) {
      const close = matchingParenthesis(text, bold[0].length - 1);
      const rest = close === -1 ? null : /^\.?\*\*\.?/.exec(text.slice(close + 1));
      if (rest) {
        optionalTitle = text.slice(bold[0].length, close).trim() || null;
        return { label, optionalTitle, bodyStart: this.lines[line]!.start + close + 1 + rest[0].length };
      }
    }
    return { label, optionalTitle, bodyStart: this.lines[line]!.start };
  }

  // --- proofs ------------------------------------------------------------------------------------

  /** The proof that starts at block `index`, if that block opens one. */
  private proofAt(index: number): ProofBlock | null {
    if (this.roles[index] !== 'proof') return null;
    const block = this.blocks[index]!;
    const open = this.lines[block.first]!;
    const spanStart = open.start + open.text.search(/\S/);
    if (block.type === 'directive') {
      const head = this.containerHead(block.first + 1, block.last, true);
      const close = this.lines[block.last]!;
      return { span: { start: spanStart, end: this.trimmedEnd(close.start, close.end) }, body: this.trimmed(head.bodyStart, close.start) };
    }
    if (block.type === 'divOpen') {
      const closeLine = this.blocks[this.divClose[index]!]!.first;
      const head = this.containerHead(block.first + 1, closeLine, parseDivAttributes(block.attributes).directive);
      const close = this.lines[closeLine]!;
      return { span: { start: spanStart, end: this.trimmedEnd(close.start, close.end) }, body: this.trimmed(head.bodyStart, close.start) };
    }
    const markerEnd = proofMarkerEnd(open.text);
    if (markerEnd === -1) return this.latexProof(spanStart);
    return this.proofParagraphs(index, open.start + markerEnd, spanStart);
  }

  /** `\begin{proof}[…]` at `start` to its matching `\end{proof}`, in the masked text. */
  private latexProof(start: number): ProofBlock | null {
    const boundary = /\\(begin|end)\{proof\}/g;
    boundary.lastIndex = start;
    let depth = 0;
    for (let match = boundary.exec(this.masked); match; match = boundary.exec(this.masked)) {
      depth += match[1] === 'begin' ? 1 : -1;
      if (depth > 0) continue;
      const opener = /\\begin\{proof\}(?:\[[^\]\n]*\])?/y;
      opener.lastIndex = start;
      opener.test(this.masked);
      return { span: { start, end: match.index + match[0].length }, body: this.trimmed(opener.lastIndex, match.index) };
    }
    this.problems.push({ file: this.file, offset: start, message: '\\begin{proof} is never closed.' });
    return null;
  }

  /** A proof paragraph and what follows it, up to an end mark or the next stop, theorem or proof. */
  private proofParagraphs(index: number, bodyStart: number, spanStart: number): ProofBlock {
    let end = this.lines[this.blocks[index]!.last]!.end;
    for (let k = index; k < this.blocks.length; k++) {
      if (k > index && this.roles[k] !== 'content') break;
      const block = this.blocks[k]!;
      end = this.lines[block.last]!.end;
      if (block.type !== 'paragraph') continue;
      for (let line = block.first; line <= block.last; line++) {
        const { start: lineStart, text } = this.lines[line]!;
        const mark = END_MARK.exec(text);
        // The mark must come after the marker ("*Proof.* ∎" is an empty proof).
        if (mark && lineStart + mark.index + mark[0].length > bodyStart) {
          const markStart = Math.max(bodyStart, lineStart + mark.index);
          return { span: { start: spanStart, end: lineStart + mark.index + mark[1]!.length }, body: this.trimmed(bodyStart, markStart) };
        }
      }
    }
    const spanEnd = this.trimmedEnd(bodyStart, end);
    return { span: { start: spanStart, end: spanEnd }, body: this.trimmed(bodyStart, spanEnd) };
  }

  // --- positions -----------------------------------------------------------------------------------

  /** The first block after block `index` that starts after line `line`, or -1. */
  private nextBlock(index: number, line: number): number {
    for (let k = index + 1; k < this.blocks.length; k++) if (this.blocks[k]!.first > line) return k;
    return -1;
  }

  /** The block starting after the line holding `offset`, if nothing but spaces follow `offset` on it. */
  private blockAfterOffset(offset: number): number {
    const line = this.lineOf(offset);
    if (this.text.slice(offset, this.lines[line]!.end).trim() !== '') return -1;
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.blocks[mid]!.first <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.blocks.length ? lo : -1;
  }

  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lines[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private lineStart(line: number): number {
    return this.lines[line]!.start;
  }

  private maskedLine(line: number): string {
    return this.masked.slice(this.lines[line]!.start, this.lines[line]!.end);
  }

  /** `[start, end)` without surrounding whitespace (an empty span at `start` if nothing is left). */
  private trimmed(start: number, end: number): Span {
    let s = start;
    let e = Math.max(start, end);
    while (s < e && /\s/.test(this.text[s]!)) s++;
    while (e > s && /\s/.test(this.text[e - 1]!)) e--;
    return s === e ? { start, end: start } : { start: s, end: e };
  }

  /** `end` moved back over whitespace, but not before `start`. */
  private trimmedEnd(start: number, end: number): number {
    let e = end;
    while (e > start && /\s/.test(this.text[e - 1]!)) e--;
    return e;
  }
}

// ---------------------------------------------------------------------------------------------
// Div attributes

interface DivAttributes {
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
function parseDivAttributes(attributes: string): DivAttributes {
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
  const inner = /^\{(.*)\}\s*:*$/.exec(attributes)?.[1] ?? /^([\w-]+)\s*:*$/.exec(attributes)?.[1];
  if (inner === undefined) return result;
  const classes: string[] = [];
  const token = /#([^\s}"'=]+)|\.([^\s}"'=.#]+)|([\w-]+)=("([^"\\]|\\.)*"|'[^']*'|[^\s}]+)|([\w-]+)/g;
  for (let match = token.exec(inner); match; match = token.exec(inner)) {
    if (match[1]) result.id = match[1];
    else if (match[2]) classes.push(match[2]);
    else if (match[3] && (match[3] === 'name' || match[3] === 'title')) result.title = unquote(match[4]!) || null;
    else if (match[6] && !inner.includes('{') && classes.length === 0) classes.push(match[6]);
  }
  if (/^\{/.test(attributes) === false && classes.length === 0) classes.push(inner);
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

function unquote(value: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/.exec(value);
  if (!quoted) return value;
  return quoted[1] !== undefined ? quoted[1].replace(/\\(.)/g, '$1') : quoted[2]!;
}
