/**
 * The one Markdown + KaTeX renderer of the webviews (the Proof panel's statement, thinking and
 * proof, and the chat).
 *
 * Math syntax: `@vscode/markdown-it-katex` parses `$…$` and `$$…$$` (also across blank lines);
 * the rules below add `\(…\)`, `\[…\]`, bare math environments (`\begin{align*}`…) and a bare
 * `\boxed{…}` (a final answer or grade outside math). The plugin's own `enableBareBlocks` is not
 * used: it hands *any* `\begin{…}` to KaTeX, so a model's `\begin{proof}` would swallow the whole
 * proof into one failed formula.
 *
 * Safety: `html: false` (raw HTML is shown as text), links only to http(s)/mailto, images
 * shown as links (no request can leave the webview), KaTeX with `trust: false` (no `\href`,
 * `\htmlClass`…) and bounded work per formula and per block (mathRenderer.ts). The rules
 * below stay linear in their text however hostile it is (latexDelimiters.ts).
 */
import katexPluginModule from '@vscode/markdown-it-katex';
import katex from 'katex';
import MarkdownIt from 'markdown-it';
import type { StateBlock, StateInline, Token } from 'markdown-it';
import { latexDelimiters } from './latexDelimiters';
import { createMathRenderer, MathBudget, type MacroDefinition } from './mathRenderer';
import { escapeHtml } from '../../../src/core/html';
import { MATH_ENVIRONMENTS } from '../../../src/core/mathEnvironments';

/** KaTeX macros, e.g. `{ '\\RR': '\\mathbb{R}' }`. */
export type KatexMacros = Record<string, string>;

export interface MarkdownRendererOptions {
  macros?: KatexMacros;
}

export interface MarkdownRenderer {
  /**
   * HTML for a Markdown text. KaTeX's inline `style` attributes come out as
   * `data-katex-style` (see `applyDeferredStyles` in dom.ts: the panel's CSP blocks style
   * attributes, not CSSOM).
   */
  render(markdown: string): string;
  /**
   * Like `render`, over several calls if need be: once `deadline` (performance.now()) has passed,
   * it stops before the next formula not typeset yet and returns undefined; typeset formulas are
   * cached, so the next call with the same `progress` goes on from there. Each call typesets at
   * least one formula or finishes, so a block full of math costs a frame one formula, not all.
   */
  renderUntil(markdown: string, deadline: number, progress: RenderProgress): string | undefined;
  /** Display math as HTML, or undefined if KaTeX cannot render it (previews of unfinished math). */
  renderDisplayMath(tex: string): string | undefined;
}

/** Where `renderUntil` stopped in a text: a fresh one per text. */
export interface RenderProgress {
  /** The place, among the text's formulas, of the one it stopped before (0: none yet). */
  stoppedAt: number;
}

/** Thrown through markdown-it to stop a render (renderUntil). */
class OutOfTime extends Error {}

/** What models write that KaTeX lacks. Document macros override these. */
const DEFAULT_MACROS: Record<string, MacroDefinition> = {
  '\\Q': '\\mathbb{Q}',
  '\\C': '\\mathbb{C}',
  '\\qed': '\\square',
  '\\label': (context) => {
    context.consumeArgs(1);
    return '';
  },
};

/** Environments KaTeX lacks, mapped to the nearest one it has. */
const ENVIRONMENT_SUBSTITUTES: Record<string, [begin: string, end: string]> = {
  multline: ['\\begin{gather}', '\\end{gather}'],
  'multline*': ['\\begin{gather*}', '\\end{gather*}'],
  flalign: ['\\begin{align}', '\\end{align}'],
  'flalign*': ['\\begin{align*}', '\\end{align*}'],
  eqnarray: ['\\begin{array}{rcl}', '\\end{array}'],
  'eqnarray*': ['\\begin{array}{rcl}', '\\end{array}'],
};

/** Environments that only exist in display mode, so inline math containing one is displayed. */
const DISPLAY_ONLY = /\\begin\s*\{(align|alignat|equation|gather|multline|flalign|eqnarray|CD)\*?\}/;

const TEXT_ENVIRONMENTS = /\\(begin|end)\{(proof|theorem|lemma|claim|proposition|corollary|definition|remark|example|conjecture|observation|fact|note|solution|answer)\*?\}(?:\[([^\]\n]*)\])?/g;

const katexPlugin = ((katexPluginModule as unknown as { default?: unknown }).default ??
  katexPluginModule) as (md: InstanceType<typeof MarkdownIt>, options: { katex: typeof katex; throwOnError: boolean }) => void;

export function createMarkdownRenderer(options: MarkdownRendererOptions = {}): MarkdownRenderer {
  const renderMath = createMathRenderer({ ...DEFAULT_MACROS, ...options.macros });
  /** The math budget of the block being rendered (markdown-it's rules take no arguments). */
  let budget = new MathBudget();

  /** `block`: a paragraph-level element may be emitted; otherwise only phrasing content. */
  function mathHtml(tex: string, display: boolean, block = false): string {
    const result = renderMath(substituteEnvironments(tex), display, budget);
    if ('html' in result) return block ? `<div class="math-display">${result.html}</div>` : result.html;
    const source = escapeHtml(tex.trim());
    // Past the block's budget even the source's markup would be too much: plain text.
    if ('skipped' in result) return source;
    const title = escapeHtml(result.error);
    if (block) return `<pre class="math-source" title="${title}"><code>${source}</code></pre>`;
    return `<code class="math-source${display ? ' math-source-display' : ''}" title="${title}">${source}</code>`;
  }

  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  md.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim());
  katexPlugin(md, { katex, throwOnError: false });
  md.inline.ruler.before('escape', 'latex_math_inline', latexInline);
  md.block.ruler.after('blockquote', 'latex_math_block', latexBlock, {
    alt: ['paragraph', 'reference', 'blockquote', 'list'],
  });

  // All math token types, the plugin's and ours, go through mathHtml.
  md.renderer.rules.math_inline = (tokens: Token[], index: number) => {
    const tex = stripBackticks(tokens[index]!.content);
    return mathHtml(tex, DISPLAY_ONLY.test(tex));
  };
  const displayInParagraph = (tokens: Token[], index: number) => mathHtml(tokens[index]!.content, true);
  md.renderer.rules.math_inline_block = displayInParagraph;
  md.renderer.rules.math_inline_bare_block = displayInParagraph;
  // The plugin also emits `math_block` for `$$…$$` inside a paragraph; only block-level tokens
  // carry a line map.
  md.renderer.rules.math_block = (tokens: Token[], index: number) =>
    tokens[index]!.map ? mathHtml(tokens[index]!.content, true, true) + '\n' : displayInParagraph(tokens, index);
  // Images are never loaded (nothing may leave the webview): one becomes a link to itself.
  md.renderer.rules.image = (tokens: Token[], index: number) => {
    const token = tokens[index]!;
    const src = String(token.attrGet('src') ?? '');
    const label = escapeHtml(token.content || src);
    return `<a href="${escapeHtml(src)}" rel="noopener noreferrer" class="image-link">${label}</a>`;
  };
  md.renderer.rules.link_open = (tokens, index, opts, _env, self) => {
    tokens[index]!.attrSet('rel', 'noopener noreferrer');
    return self.renderToken(tokens, index, opts);
  };

  return {
    render: (markdown) => {
      budget = new MathBudget();
      return md.render(rewriteTextEnvironments(markdown));
    },
    renderUntil: (markdown, deadline, progress) => {
      budget = new MathBudget();
      let typeset = 0;
      // Past where the last call stopped, and once this one has typeset something: each call progresses.
      budget.beforeTypeset = (position) => {
        if (typeset > 0 && position > progress.stoppedAt && performance.now() >= deadline) {
          progress.stoppedAt = position;
          throw new OutOfTime();
        }
        typeset++;
      };
      try {
        return md.render(rewriteTextEnvironments(markdown));
      } catch (error) {
        if (error instanceof OutOfTime) return undefined;
        throw error;
      } finally {
        budget.beforeTypeset = undefined;
      }
    },
    renderDisplayMath: (tex) => {
      const result = renderMath(substituteEnvironments(tex), true, new MathBudget());
      return 'html' in result ? result.html : undefined;
    },
  };
}

function substituteEnvironments(tex: string): string {
  return tex.replace(/\\(begin|end)\s*\{(multline\*?|flalign\*?|eqnarray\*?)\}/g, (_match, which: string, name: string) => {
    const [begin, end] = ENVIRONMENT_SUBSTITUTES[name]!;
    return which === 'begin' ? begin : end;
  });
}

/** The plugin's `$`…`$` form: `` $`1+1`$ `` is KaTeX source in backticks. */
function stripBackticks(content: string): string {
  return content.length > 2 && content.startsWith('`') && content.endsWith('`') ? content.slice(1, -1) : content;
}

/**
 * Theorem-like LaTeX environments in prose become Markdown a reader expects:
 * `\begin{proof}` → *Proof.*, `\end{proof}` → ∎, `\begin{lemma}[Key]` → **Lemma (Key).**
 * Lines inside code fences are left alone.
 */
function rewriteTextEnvironments(markdown: string): string {
  if (!markdown.includes('\\begin{') && !markdown.includes('\\end{')) return markdown;
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^[ \t]*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
        return line;
      }
      if (marker) {
        fence = marker;
        return line;
      }
      return line.replace(TEXT_ENVIRONMENTS, (_match, which: string, name: string, title: string | undefined) => {
        if (name === 'proof') return which === 'begin' ? `*${title?.trim() || 'Proof'}.* ` : ' ∎';
        if (which === 'end') return '';
        const label = name.charAt(0).toUpperCase() + name.slice(1);
        return title?.trim() ? `**${label} (${title.trim()}).** ` : `**${label}.** `;
      });
    })
    .join('\n');
}

/** If a math environment begins at `at`, the index just after its `\end{…}` (at most `limit`). */
function matchEnvironment(state: StateInline | StateBlock, at: number, limit: number): { end: number } | undefined {
  const begin = /\\begin\s*\{([A-Za-z]+\*?)\}/y;
  begin.lastIndex = at;
  const m = begin.exec(state.src);
  if (!m || !MATH_ENVIRONMENTS.has(m[1]!)) return undefined;
  const end = latexDelimiters(state).environmentEnd(at);
  return end !== undefined && end <= limit ? { end } : undefined;
}

const BOXED = '\\boxed{';

/** Inline `\(…\)`, `\[…\]`, math environments and a bare `\boxed{…}` inside a paragraph. Runs before `escape`. */
function latexInline(state: StateInline, silent: boolean): boolean {
  const { src, pos, posMax } = state;
  if (src.charCodeAt(pos) !== 0x5c /* \ */) return false;
  const next = src[pos + 1];
  let content: string;
  let after: number;
  let display: boolean;
  let markup = `\\${next}`;
  if (next === '(' || next === '[') {
    const close = latexDelimiters(state).closerAfter(next === '(' ? ')' : ']', pos + 2, posMax);
    if (close === -1) return false;
    content = src.slice(pos + 2, close);
    after = close + 2;
    display = next === '[';
  } else if (src.startsWith(BOXED, pos)) {
    // A final answer or grade the model boxed outside math (`\boxed{1}` ends QED-Nano's critiques).
    const close = latexDelimiters(state).braceEnd(pos + BOXED.length - 1);
    if (close === undefined || close >= posMax) return false;
    content = src.slice(pos, close + 1);
    after = close + 1;
    display = false;
    markup = '\\boxed';
  } else if (next === 'b') {
    const environment = matchEnvironment(state, pos, posMax);
    if (!environment) return false;
    content = src.slice(pos, environment.end);
    after = environment.end;
    display = true;
    markup = '\\begin';
  } else {
    return false;
  }
  if (content.trim() === '') return false;
  if (!silent) {
    const token = state.push(display ? 'math_inline_block' : 'math_inline', 'math', 0);
    token.content = content;
    token.markup = markup;
  }
  state.pos = after;
  return true;
}

/**
 * `\[…\]` or a math environment starting a line and ending a line, as a block: it may contain
 * blank lines, and it interrupts a paragraph the way a displayed formula does in LaTeX.
 */
function latexBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  // markdown-it asks about lines that exist (startLine < endLine), so its per-line arrays hold them.
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const src = state.src;
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const limit = state.eMarks[endLine - 1]!;
  let content: string;
  let after: number;
  if (src.startsWith('\\[', start)) {
    const close = latexDelimiters(state).closerAfter(']', start + 2, limit);
    if (close === -1) return false;
    content = src.slice(start + 2, close);
    after = close + 2;
  } else if (src.startsWith('\\begin', start)) {
    const environment = matchEnvironment(state, start, limit);
    if (!environment) return false;
    content = src.slice(start, environment.end);
    after = environment.end;
  } else {
    return false;
  }
  let line = startLine;
  while (line < endLine - 1 && state.eMarks[line]! < after) line++;
  // Text after the closer on its line: leave it to the paragraph (and latexInline).
  if (src.slice(after, state.eMarks[line]).trim() !== '') return false;
  if (content.trim() === '') return false;
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content;
  token.markup = src.startsWith('\\[', start) ? '\\[' : '\\begin';
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}
