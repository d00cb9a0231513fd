/**
 * KaTeX for the renderer, bounded so that no formula a model writes can freeze the panel, and
 * cached so that the streamed tail, re-rendered every frame, does not typeset its formulas again.
 *
 * KaTeX's `maxExpand` bounds the number of macro expansions, not their size: `\def\a{<1,000
 * symbols>}` followed by `\a` 900 times stays under the limit and takes KaTeX five minutes. So
 * the work itself is counted: KaTeX looks every token it reads up in the macro table, and the
 * table handed to it here counts the lookups and stops the formula past MAX_FORMULA_LOOKUPS
 * (KaTeX's time grows faster than linearly past ~15,000 tokens; 12,000 stays under ~0.1 s).
 * Each block also has a budget for all its math, so a megabyte of `$x$` cannot produce a
 * megabyte of formulas either: past it, formulas are left as their source text.
 */
import katex from 'katex';

/** Longer formulas are shown as source without asking KaTeX (it takes seconds on 100 kB). */
export const MAX_FORMULA_CHARS = 10_000;
/** KaTeX's token lookups allowed for one formula. */
export const MAX_FORMULA_LOOKUPS = 12_000;
/** What one block's math may cost: lookups, plus FORMULA_COST per formula. */
export const MAX_BLOCK_MATH_COST = 40_000;
/** Every formula costs this much besides its lookups (KaTeX's fixed cost and output per formula). */
const FORMULA_COST = 20;
/** Characters of TeX and HTML the cache of rendered formulas keeps (the tail's formulas and repeated notation hit it)… */
const CACHE_CHARS = 4_000_000;
/** …of formulas whose HTML is at most this long (a 10,000-character formula can give 1.5 MB). */
const CACHE_ENTRY_CHARS = 100_000;

/** An unlikely colour, so KaTeX's marking of untrusted commands can be recognised. */
const UNSUPPORTED_COLOR = '#cc0001';

/**
 * `throwOnError: true` although the panel never shows KaTeX errors: a formula KaTeX rejects is
 * shown as its TeX source (see markdown.ts), which a mathematician can still read, instead of
 * KaTeX's red error text. `strict: 'ignore'` keeps LaTeX-isms that KaTeX merely frowns upon
 * (unicode in math, `\\` in inline math) rendering without console noise. `trust: false`: no
 * `\href`, `\url`, `\includegraphics`, `\htmlClass`, `\htmlData`… (KaTeX renders them as their
 * name in errorColor, which is caught below).
 */
const KATEX_OPTIONS = {
  throwOnError: true,
  trust: false,
  strict: 'ignore',
  maxExpand: 1000,
  maxSize: 20,
  output: 'htmlAndMathml',
  errorColor: UNSUPPORTED_COLOR,
} as const;

export type MacroDefinition = string | ((context: { consumeArgs(count: number): unknown }) => string);

/** A formula as HTML, or why it stays source; `skipped` when the block's budget was spent. */
export type MathResult = { html: string } | { error: string } | { skipped: true };

/** What is left of one block's math budget; a fresh one per rendered block. */
export class MathBudget {
  remaining = MAX_BLOCK_MATH_COST;
  /** The formulas asked for so far, in order (cached or not). */
  formulas = 0;
  /**
   * Called before a formula that is not in the cache is typeset, with its place among the
   * block's formulas; may throw to stop rendering the block there (markdown.ts renders a block
   * over several frames so: what was typeset is cached for the next try).
   */
  beforeTypeset: ((position: number) => void) | undefined;
}

interface Typeset {
  result: { html: string } | { error: string };
  cost: number;
  /** Characters it takes in the cache. */
  size: number;
}

class TooMuchMath extends Error {}

export type MathRenderer = (tex: string, displayMode: boolean, budget: MathBudget) => MathResult;

export function createMathRenderer(macros: Record<string, MacroDefinition>): MathRenderer {
  const cache = new Map<string, Typeset>();
  let cached = 0;

  function typeset(tex: string, displayMode: boolean): Typeset {
    if (tex.length > MAX_FORMULA_CHARS) {
      const error = `Formula longer than ${MAX_FORMULA_CHARS.toLocaleString('en')} characters`;
      return { result: { error }, cost: FORMULA_COST, size: Infinity };
    }
    let lookups = 0;
    // A copy per formula: `\gdef`/`\newcommand` must not leak into later formulas or make
    // re-rendering the streamed tail depend on what was rendered before.
    const table = new Proxy({ ...macros }, {
      getOwnPropertyDescriptor(target, name) {
        if (++lookups > MAX_FORMULA_LOOKUPS) throw new TooMuchMath();
        return Reflect.getOwnPropertyDescriptor(target, name);
      },
    });
    let result: Typeset['result'];
    try {
      const html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode, macros: table as Record<string, string> });
      result = html.includes(UNSUPPORTED_COLOR) ? { error: 'Command not allowed in the Proof panel' } : { html: deferInlineStyles(html) };
    } catch (error) {
      if (error instanceof TooMuchMath) result = { error: 'Formula too large to typeset' };
      // KaTeX underlines the failing position with combining low lines; a tooltip can't show that.
      else result = { error: (error instanceof Error ? error.message : String(error)).replace(/\u0332/g, '') };
    }
    const size = tex.length + ('html' in result ? result.html.length : result.error.length);
    return { result, cost: FORMULA_COST + Math.min(lookups, MAX_FORMULA_LOOKUPS), size };
  }

  return (tex, displayMode, budget) => {
    if (budget.remaining <= 0) return { skipped: true };
    const position = ++budget.formulas;
    const key = (displayMode ? 'D' : 'I') + tex;
    let entry = cache.get(key);
    if (entry) {
      cache.delete(key); // re-inserted: the Map's order is the recency order
      cache.set(key, entry);
    } else {
      budget.beforeTypeset?.(position);
      entry = typeset(tex, displayMode);
      if (entry.size <= CACHE_ENTRY_CHARS) {
        cache.set(key, entry);
        cached += entry.size;
        for (const [oldest, { size }] of cache) {
          if (cached <= CACHE_CHARS) break;
          cache.delete(oldest);
          cached -= size;
        }
      }
    }
    // Cached or not, a formula costs the same, so a block renders the same either way.
    budget.remaining -= entry.cost;
    return entry.result;
  };
}

export const DEFERRED_STYLE_ATTRIBUTE = 'data-katex-style';

/** KaTeX writes sizing as `style` attributes; they are moved aside for CSSOM (see dom.ts). */
function deferInlineStyles(html: string): string {
  // Safe as a plain replace: KaTeX escapes `"` in text, so ` style="` only occurs as an attribute.
  return html.replace(/ style="/g, ` ${DEFERRED_STYLE_ATTRIBUTE}="`);
}
