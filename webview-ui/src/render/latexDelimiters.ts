/**
 * Where LaTeX math closes in a text: the `\)` and `\]` closers and the `\end{…}` matching each
 * math environment's `\begin{…}`. The markdown-it rules ask at every `\(`, `\[` and `\begin`;
 * scanning ahead each time made hostile text quadratic (a megabyte of `\(` took minutes), so
 * each text is indexed once, in one pass, and every question is a binary search or a lookup.
 */

/**
 * One text's closers and environment pairs. Backslash pairs (`\\`, `\{`…) are one unit, counted
 * from the start of the text: an opener's `(` or `[` is never a backslash, so the scan from just
 * after any opener is aligned with this one.
 */
export class LatexDelimiters {
  private closers: { ')': number[]; ']': number[] } | undefined;
  private environments: Map<number, number> | undefined;
  private braces: Map<number, number> | undefined;

  constructor(private readonly text: string) {}

  /** Index of the backslash of the first `\)` or `\]` in [from, limit), or -1. */
  closerAfter(closer: ')' | ']', from: number, limit: number): number {
    const positions = (this.closers ??= this.findClosers())[closer];
    const found = positions[lowerBound(positions, from)];
    return found !== undefined && found < limit - 1 ? found : -1;
  }

  /** For a `\begin{name}` at `at`: the index just after its matching `\end{name}`, if any. */
  environmentEnd(at: number): number | undefined {
    return (this.environments ??= this.pairEnvironments()).get(at);
  }

  /** For a `{` at `at`: the index of its matching `}`, if any (`\{` and `\}` are not braces). */
  braceEnd(at: number): number | undefined {
    return (this.braces ??= this.pairBraces()).get(at);
  }

  private findClosers(): { ')': number[]; ']': number[] } {
    const found = { ')': [] as number[], ']': [] as number[] };
    const text = this.text;
    for (let i = text.indexOf('\\'); i !== -1 && i < text.length - 1; i = text.indexOf('\\', i + 2)) {
      const next = text[i + 1];
      if (next === ')' || next === ']') found[next].push(i);
    }
    return found;
  }

  private pairBraces(): Map<number, number> {
    const ends = new Map<number, number>();
    const open: number[] = [];
    const text = this.text;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '{') open.push(i);
      else if (c === '}' && open.length > 0) ends.set(open.pop()!, i);
    }
    return ends;
  }

  /** Pairs every `\begin{name}` with its `\end{name}`, nesting by name like TeX. */
  private pairEnvironments(): Map<number, number> {
    const ends = new Map<number, number>();
    const open = new Map<string, number[]>();
    for (const m of this.text.matchAll(/\\(begin|end)\s*\{([A-Za-z]+\*?)\}/g)) {
      const name = m[2]!;
      const stack = open.get(name) ?? [];
      open.set(name, stack);
      if (m[1] === 'begin') stack.push(m.index);
      else if (stack.length > 0) ends.set(stack.pop()!, m.index + m[0].length);
    }
    return ends;
  }
}

/** The first index of sorted `values` whose value is ≥ `target`. */
function lowerBound(values: number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The index of a markdown-it parser state's text, made once per state: markdown-it asks about
 * one block's source, then about each of its inline runs, many times each. Keyed by the state
 * object, not the text: comparing megabyte strings for equality at every question was itself
 * quadratic.
 */
const indexes = new WeakMap<object, LatexDelimiters>();

export function latexDelimiters(state: { readonly src: string }): LatexDelimiters {
  let index = indexes.get(state);
  if (!index) {
    index = new LatexDelimiters(state.src);
    indexes.set(state, index);
  }
  return index;
}
