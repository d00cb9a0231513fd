/**
 * Theorem-like blocks in Markdown documents, with exact UTF-16 spans into the original text.
 *
 * Four notations are recognised:
 * - LaTeX environments (`\begin{lemma}…\end{lemma}`) anywhere in the prose: found by the LaTeX
 *   scanner on a masked copy of the text (code, HTML comments, front matter and `%` blanked,
 *   same length), then given a Markdown proof when no `\begin{proof}` follows them.
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
 * Nothing inside fenced code (at any indentation), HTML comment blocks or the YAML front
 * matter counts. Paragraphs are CommonMark-like runs of non-blank lines, except that a line
 * opening with a theorem or proof marker starts a new paragraph even without a blank line.
 * Everything is one pass over the lines plus one over the blocks: linear in the text.
 */
import { pushAll } from '../arrays';
import { DEFAULT_THEOREM_DECLARATIONS } from './latexDeclarations';
import { scanLatex } from './latexScanner';
import { maskForLatex, readBlocks, splitLines, type Block, type Line } from './markdownBlocks';
import {
  DISPLAY_MATH_START,
  END_MARK,
  LIST_ITEM,
  matchingParenthesis,
  parseDivAttributes,
  parseTheoremMarker,
  proofMarkerEnd,
  startsTheoremOrProof,
  THEOREM_NAMES,
  unquote,
  type TheoremName,
} from './markdownMarkers';
import type { ProofBlock, ScanProblem, ScanResult, Span, TheoremDeclaration, TheoremEnvironment } from './types';

const LATEX_DECLARATIONS: ReadonlyMap<string, TheoremDeclaration> = new Map(
  DEFAULT_THEOREM_DECLARATIONS.map((declaration) => [declaration.env, declaration]),
);

export function scanMarkdown(text: string, file: string): ScanResult {
  const lines = splitLines(text);
  const problems: ScanProblem[] = [];
  const blocks = readBlocks(lines, startsTheoremOrProof, file, problems);
  const masked = maskForLatex(text, lines, blocks);
  const latex = scanLatex(masked, file, LATEX_DECLARATIONS);
  pushAll(problems, latex.problems);
  const scanner = new BlockScanner(text, masked, lines, blocks, latex.environments, file, problems);
  const environments = [...scanner.latexEnvironments(), ...scanner.markdownEnvironments()];
  environments.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  problems.sort((a, b) => a.offset - b.offset);
  return { environments, problems };
}

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

  /**
   * The LaTeX scanner's environments, with title and label read back from the original text
   * (the masked copy lacks `%` and code), and a Markdown proof when no `\begin{proof}` follows.
   */
  latexEnvironments(): TheoremEnvironment[] {
    return this.latex.map((environment) => {
      const head = { start: environment.span.start, end: environment.statement.start };
      const restored = {
        ...environment,
        optionalTitle: this.unmasked(environment.optionalTitle, head),
        label: this.unmasked(environment.label, head),
      };
      if (environment.proof) return restored;
      const after = this.blockAfterOffset(environment.span.end);
      return after === -1 ? restored : { ...restored, proof: this.proofAt(after) };
    });
  }

  /** `value`, found in the masked text within `within`, as the original text has it. */
  private unmasked(value: string | null, within: Span): string | null {
    if (value === null) return null;
    const at = this.masked.slice(within.start, within.end).indexOf(value);
    return at === -1 ? value : this.text.substr(within.start + at, value.length);
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
    this.pushContainer(index, block.last, index + 1, block.name, name, { ...head, optionalTitle: block.argument || null });
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
    this.pushContainer(index, closeLine, close + 1, div.env, div.name, { optionalTitle, label, bodyStart: head.bodyStart });
  }

  /** `after`: the index of the block after the container, where a proof may start. */
  private pushContainer(index: number, closeLine: number, after: number, env: string, name: TheoremName, head: ContainerHead): void {
    const block = this.blocks[index]!;
    const open = this.lines[block.first]!;
    const close = this.lines[closeLine]!;
    this.environments.push({
      env,
      title: name.title,
      kind: name.kind,
      optionalTitle: head.optionalTitle,
      label: head.label,
      file: this.file,
      span: { start: open.start + open.text.search(/\S/), end: this.trimmedEnd(close.start, close.end) },
      statement: this.trimmed(head.bodyStart, close.start),
      proof: after < this.blocks.length ? this.proofAt(after) : null,
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
    const bodyStart = (at: number): number => this.lines[Math.min(at, end)]!.start;
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
    const end = this.latexProofEnds().get(start);
    if (!end) return null; // the LaTeX scanner reports the unclosed environment
    const opener = /\\begin\{proof\}(?:\[[^\]\r\n]*\])?/y;
    opener.lastIndex = start;
    opener.test(this.masked);
    return { span: { start, end: end.end }, body: this.trimmed(opener.lastIndex, end.start) };
  }

  private proofEnds: Map<number, Span> | undefined;

  /** Each `\begin{proof}` offset → its `\end{proof}`, paired once with a stack (not once per theorem). */
  private latexProofEnds(): Map<number, Span> {
    if (this.proofEnds) return this.proofEnds;
    this.proofEnds = new Map();
    const open: number[] = [];
    for (const match of this.masked.matchAll(/\\(begin|end)\{proof\}/g)) {
      if (match[1] === 'begin') open.push(match.index);
      else if (open.length > 0) this.proofEnds.set(open.pop()!, { start: match.index, end: match.index + match[0].length });
    }
    return this.proofEnds;
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
