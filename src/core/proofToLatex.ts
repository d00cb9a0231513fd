/**
 * Turns the model's answer (Markdown with math) into text for the document it goes back into:
 * LaTeX body text for a `.tex` file, or a normalised Markdown proof for a `.md` file.
 *
 * The Markdown is parsed with markdown-it plus `markdownMath`, so math is delimited exactly as
 * the Proof panel showed it and is copied character for character: only text outside math is
 * escaped. Mapping: paragraphs → paragraphs; `**b**` → `\textbf`, `*i*`/`_i_` → `\emph`;
 * lists → `itemize`/`enumerate` (a start number other than 1 via `\setcounter`); headings →
 * `\paragraph*`; block quotes → `quote`; code spans → `\texttt`; code blocks → `verbatim`
 * (a ```` ```latex ```` block is inserted as it is); tables → `tabular`; links → their text and
 * address; `$…$`, `\(…\)` stay; `$$…$$`, `\[…\]` → `\[…\]`; math environments stay verbatim.
 */
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import { markdownMath } from './markdownMath';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false }).use(markdownMath);

/**
 * Converts the model's Markdown answer to LaTeX body text (no \begin{proof}). The answer is what
 * the panel or the chat shows: already split from the thinking where the stream was split
 * (`reasoning.ts`), so a `</think>` in it is text like any other.
 */
export function markdownToLatex(markdown: string): string {
  const source = withoutFinalEndMark(markdown);
  const tokens = md.parse(source, {});
  return joinBlocks(renderBlocks(tokens, 0, tokens.length, 0), '\n\n');
}

/**
 * The text to insert after a statement: `\begin{proof}\n…\n\end{proof}` for LaTeX, or a Markdown
 * proof block for Markdown documents. Every line is prefixed with `indent` (the statement's own
 * indentation; blank lines get it without trailing spaces). Line breaks are `\n`.
 */
export function proofBlock(answer: string, target: 'latex' | 'markdown', indent = ''): string {
  const body = withoutProofFrame(answer);
  if (target === 'markdown') return indentLines(markdownProof(body), indent, false);
  const latex = markdownToLatex(body);
  return indentLines(latex === '' ? '\\begin{proof}\n\\end{proof}' : `\\begin{proof}\n${latex}\n\\end{proof}`, indent, true);
}

// ---------------------------------------------------------------------------------------------
// Normalising the answer

/** ∎, □, QED, `$\blacksquare$`, `\qed`… (optionally bold or italic, after `\hfill`) at the very end. */
const FINAL_END_MARK = new RegExp(
  String.raw`(?:\\hfill\s*)?(?:(\*\*|\*|_)?(?:∎|□|■|◻|(?<![\w.])Q\.?E\.?D\.?)\1` +
    String.raw`|\$+\s*(?:\\hfill|\\quad|\\qquad)?\s*\\(?:blacksquare|square|Box|qedsymbol|qed)\s*\$+` +
    String.raw`|\\[(\[]\s*\\(?:blacksquare|square|Box)\s*\\[)\]]|\\qed(?![A-Za-z]))\s*$`,
);

/** The proof environment prints its own end mark; the model's is dropped. */
function withoutFinalEndMark(text: string): string {
  return text.trimEnd().replace(FINAL_END_MARK, '').trimEnd();
}

const LEADING_PROOF_HEADING = /^#{1,6}[ \t]+(?:Proof|Solution)\.?[ \t]*#*[ \t]*(?:\r?\n|$)/i;
const LEADING_PROOF_MARKER = /^(?:(\*\*|\*|__|_)(?:Proof|Solution)(?:[.:]\1|\1[.:]?)|(?:Proof|Solution)[.:])(?=\s|$)/;

/** A proof block adds its own "Proof" and end mark: a leading `## Proof`, `**Proof.**` or `\begin{proof}` wrapper goes. */
function withoutProofFrame(answer: string): string {
  let text = answer.trim();
  const wrapped = /^\\begin\{proof\}(?:\[[^\]\n]*\])?\s*([\s\S]*?)\s*\\end\{proof\}$/.exec(text);
  if (wrapped) text = wrapped[1]!;
  text = text.replace(LEADING_PROOF_HEADING, '').replace(LEADING_PROOF_MARKER, '').trim();
  return withoutFinalEndMark(text);
}

/** Lines that cannot take `*Proof.*` before them or ` ∎` after them without changing their meaning. */
const STRUCTURAL_LINE = /^(?: {4}|\t|[ \t]*(?:#|[-*+][ \t]|\d{1,9}[.)][ \t]|>|\$\$|\\\[|\\\]|\\begin|\\end|```|~~~|\||:::))/;

function markdownProof(body: string): string {
  if (body === '') return '*Proof.* ∎';
  const lines = body.split(/\r?\n/);
  const opening = STRUCTURAL_LINE.test(lines[0]!) ? '*Proof.*\n\n' : '*Proof.* ';
  const closing = STRUCTURAL_LINE.test(lines[lines.length - 1]!) ? '\n\n∎' : ' ∎';
  return opening + body + closing;
}

// ---------------------------------------------------------------------------------------------
// Blocks

type BlockKind = 'paragraph' | 'math' | 'other';

interface RenderedBlock {
  kind: BlockKind;
  text: string;
  /** Source lines `[first, end)`, to tell whether a blank line separated two blocks. */
  lines: [number, number] | null;
}

const ENUMERATE_COUNTERS = ['enumi', 'enumii', 'enumiii', 'enumiv'];

/** Tokens `[from, to)` as LaTeX blocks; `enumerateDepth` counts the enclosing numbered lists. */
function renderBlocks(tokens: Token[], from: number, to: number, enumerateDepth: number): RenderedBlock[] {
  const blocks: RenderedBlock[] = [];
  const add = (kind: BlockKind, text: string, token: Token): void => {
    blocks.push({ kind, text, lines: token.map ? [token.map[0], token.map[1]] : null });
  };
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    switch (token.type) {
      case 'paragraph_open':
        add('paragraph', renderInline(tokens[i + 1]!.children ?? []), token);
        i += 2;
        break;
      case 'heading_open':
        add('other', `\\paragraph*{${renderInline(tokens[i + 1]!.children ?? [])}}`, token);
        i += 2;
        break;
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const close = closingToken(tokens, i);
        add('other', renderList(tokens, i, close, enumerateDepth), token);
        i = close;
        break;
      }
      case 'blockquote_open': {
        const close = closingToken(tokens, i);
        const inner = joinBlocks(renderBlocks(tokens, i + 1, close, enumerateDepth), '\n\n');
        add('other', `\\begin{quote}\n${indentLines(inner, '  ', true)}\n\\end{quote}`, token);
        i = close;
        break;
      }
      case 'table_open': {
        const close = closingToken(tokens, i);
        add('other', renderTable(tokens, i, close), token);
        i = close;
        break;
      }
      case 'math_block':
        add('math', displayMath(token.content), token);
        break;
      case 'fence':
      case 'code_block':
        add('other', codeBlock(token), token);
        break;
      case 'hr':
        add('other', '\\medskip', token);
        break;
    }
  }
  return blocks;
}

/**
 * `separator` between blocks, except around display math that belongs to its sentence, where a
 * blank line would start a new LaTeX paragraph: never before a formula that follows text or
 * another formula, and not after one when the text follows without a blank line or goes on in
 * lower case ("where…"). A paragraph that ends in a formula counts as one there.
 */
function joinBlocks(blocks: readonly RenderedBlock[], separator: string): string {
  let out = '';
  blocks.forEach((block, index) => {
    const previous = blocks[index - 1];
    if (previous) {
      const adjacent = previous.lines !== null && block.lines !== null && previous.lines[1] === block.lines[0];
      const previousEndsInFormula = previous.kind === 'math' || (previous.kind === 'paragraph' && /(?:\\\]|\\end\{[^}]*\})$/.test(previous.text));
      const formulaInSentence =
        (block.kind === 'math' && previous.kind !== 'other') ||
        (previousEndsInFormula && block.kind === 'paragraph' && (adjacent || /^[a-z,.;:)]/.test(block.text)));
      out += formulaInSentence ? '\n' : separator;
    }
    out += block.text;
  });
  return out;
}

/** Index of the `…_close` token matching the `…_open` token at `open`. */
function closingToken(tokens: Token[], open: number): number {
  const type = tokens[open]!.type.replace(/_open$/, '_close');
  const level = tokens[open]!.level;
  for (let i = open + 1; i < tokens.length; i++) if (tokens[i]!.type === type && tokens[i]!.level === level) return i;
  return tokens.length;
}

function renderList(tokens: Token[], open: number, close: number, enumerateDepth: number): string {
  const ordered = tokens[open]!.type === 'ordered_list_open';
  const environment = ordered ? 'enumerate' : 'itemize';
  const depth = ordered ? enumerateDepth + 1 : enumerateDepth;
  const lines = [`\\begin{${environment}}`];
  const start = Number(tokens[open]!.attrGet('start') ?? 1);
  if (ordered && start !== 1) lines.push(`  \\setcounter{${ENUMERATE_COUNTERS[Math.min(depth, 4) - 1]}}{${start - 1}}`);
  for (let i = open + 1; i < close; i++) {
    if (tokens[i]!.type !== 'list_item_open') continue;
    const itemClose = closingToken(tokens, i);
    // markdown-it hides the paragraphs of a tight list (no blank lines between items).
    const tight = tokens[i + 1]?.type === 'paragraph_open' && tokens[i + 1]!.hidden;
    const body = joinBlocks(renderBlocks(tokens, i + 1, itemClose, depth), tight ? '\n' : '\n\n');
    lines.push(indentLines(body === '' ? '\\item' : `\\item ${body}`, '  ', true));
    i = itemClose;
  }
  lines.push(`\\end{${environment}}`);
  return lines.join('\n');
}

function renderTable(tokens: Token[], open: number, close: number): string {
  const rows: string[][] = [];
  const alignment: string[] = [];
  let headerRows = 0;
  for (let i = open + 1; i < close; i++) {
    const token = tokens[i]!;
    if (token.type === 'tr_open') rows.push([]);
    else if (token.type === 'thead_close') headerRows = rows.length;
    else if ((token.type === 'th_open' || token.type === 'td_open') && rows.length === 1) {
      const align = /text-align:(left|center|right)/.exec(String(token.attrGet('style') ?? ''))?.[1];
      alignment.push(align ? align[0]! : 'l');
    } else if (token.type === 'inline') rows[rows.length - 1]?.push(renderInline(token.children ?? []));
  }
  const lines = [`\\begin{tabular}{${alignment.join('')}}`];
  rows.forEach((cells, index) => {
    lines.push(`  ${cells.join(' & ')} \\\\`);
    if (index === headerRows - 1) lines.push('  \\hline');
  });
  lines.push('\\end{tabular}');
  return lines.join('\n');
}

function codeBlock(token: Token): string {
  const language = token.info.trim().split(/\s+/)[0]?.toLowerCase();
  if (language === 'latex' || language === 'tex') return token.content.trimEnd();
  // Verbatim ends at the first `\end{verbatim}` as written, and what followed it would be TeX: a
  // space keeps the code's own one inside (and visible).
  const code = token.content.replaceAll('\\end{verbatim}', '\\end {verbatim}');
  return `\\begin{verbatim}\n${code.replace(/\n?$/, '\n')}\\end{verbatim}`;
}

/** Environments that are display math themselves: `$$\begin{align*}…\end{align*}$$` must lose the `$$`. */
const DISPLAY_ENVIRONMENT = /^\\begin\{(equation|align|alignat|gather|multline|flalign|eqnarray)\*?\}[\s\S]*\\end\{\1\*?\}$/;

/**
 * `\[ … \]`, or the environment itself; `equation` when the formula has a `\label` (to be referable).
 * Blank lines go: LaTeX ends a paragraph at one, which display math cannot contain ("Missing $
 * inserted"), while KaTeX, and so the panel, ignores them. Everything else stays as written.
 */
function displayMath(content: string): string {
  const tex = withoutBlankLines(content.trim());
  if (DISPLAY_ENVIRONMENT.test(tex)) return tex;
  if (/\\label\{/.test(tex)) return `\\begin{equation}\n${tex}\n\\end{equation}`;
  return tex.includes('\n') ? `\\[\n${tex}\n\\]` : `\\[ ${tex} \\]`;
}

function withoutBlankLines(tex: string): string {
  return tex
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Inline text

const TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '#': '\\#',
  $: '\\$',
  '%': '\\%',
  '&': '\\&',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/** Text outside math, made safe for LaTeX. */
function escapeText(text: string): string {
  return text.replace(/[\\{}#$%&_~^<>|]/g, (char) => TEXT_ESCAPES[char]!);
}

function renderInline(children: readonly Token[]): string {
  let out = '';
  /** After display math the line break and leading spaces of the text go (the formula ends its line). */
  let afterDisplay = false;
  const links: { start: number; href: string }[] = [];
  for (const token of children) {
    const wasAfterDisplay: boolean = afterDisplay;
    afterDisplay = false;
    switch (token.type) {
      case 'text':
        out += escapeText(wasAfterDisplay ? token.content.trimStart() : token.content);
        afterDisplay = wasAfterDisplay && token.content.trim() === '';
        break;
      case 'softbreak':
        if (!wasAfterDisplay) out += '\n';
        afterDisplay = wasAfterDisplay;
        break;
      case 'hardbreak':
        out += '\\\\\n';
        break;
      case 'strong_open':
        out += '\\textbf{';
        break;
      case 'em_open':
        out += '\\emph{';
        break;
      case 'strong_close':
      case 'em_close':
        out += '}';
        break;
      case 'code_inline':
        out += `\\texttt{${escapeText(token.content)}}`;
        break;
      case 'math_inline':
        out += token.markup === '$' ? `$${token.content}$` : `\\(${token.content}\\)`;
        break;
      case 'math_inline_block':
        out = `${out.trimEnd()}\n${displayMath(token.content)}\n`;
        afterDisplay = true;
        break;
      case 'link_open':
        links.push({ start: out.length, href: String(token.attrGet('href') ?? '') });
        break;
      case 'link_close': {
        const link = links.pop();
        if (!link) break;
        const address = `\\texttt{${escapeText(link.href)}}`;
        const text = out.slice(link.start);
        out = text === escapeText(link.href) || text === '' ? out.slice(0, link.start) + address : `${out} (${address})`;
        break;
      }
      case 'image':
        out += escapeText(token.content);
        break;
      case 's_open':
      case 's_close':
        break;
      default:
        out += escapeText(token.content);
    }
  }
  return out.trim();
}

// ---------------------------------------------------------------------------------------------

/**
 * Prefixes each line with `indent` (blank lines get it without trailing spaces). With `latex`,
 * the lines inside `verbatim` keep their own indentation, which is part of their content.
 */
function indentLines(text: string, indent: string, latex: boolean): string {
  if (indent === '') return text;
  let inVerbatim = false;
  return text
    .split('\n')
    .map((line) => {
      if (latex && inVerbatim) {
        if (line.startsWith('\\end{verbatim}')) inVerbatim = false;
        else return line;
      }
      if (latex && /^\\begin\{verbatim\}/.test(line)) inVerbatim = true;
      return line === '' ? indent.trimEnd() : indent + line;
    })
    .join('\n');
}
