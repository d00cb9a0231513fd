/**
 * What QED knows about a theorem-like environment in a document, independent of the editor.
 * Positions are UTF-16 offsets into the file's text (what VS Code's `positionAt` and
 * JavaScript strings use); `LineIndex` turns them into lines and columns.
 */

/** `theorem`: a result to prove (theorem, lemma, claim, exercise, problem…). */
export type TheoremKind = 'theorem' | 'definition' | 'remark';

/** Half-open `[start, end)` span of UTF-16 offsets. */
export interface Span {
  start: number;
  end: number;
}

export interface ProofBlock {
  /** From `\begin{proof}` (or `*Proof.*`) to the end of `\end{proof}` (or of the paragraph). */
  span: Span;
  /** The proof's text without its delimiters. */
  body: Span;
}

export interface TheoremEnvironment {
  /** Environment name as written, e.g. `lem` or `theorem*`; for Markdown, the class or word used. */
  env: string;
  /** Displayed name, e.g. `Lemma`. */
  title: string;
  kind: TheoremKind;
  /** The optional argument's text without its outer brackets, e.g. `Cauchy--Schwarz, $\ell^2$ version`. */
  optionalTitle: string | null;
  label: string | null;
  /** Path of the file the environment is in (as given to the scanner). */
  file: string;
  /** From the start of `\begin{…}` to the end of `\end{…}`. */
  span: Span;
  /** The statement: the body after the optional argument and any leading `\label`/metadata, trimmed. */
  statement: Span;
  /** The proof that follows the environment (possibly after blank lines or a label), if any. */
  proof: ProofBlock | null;
}

/** Something the scanner could not make sense of; reported, never thrown. */
export interface ScanProblem {
  file: string;
  offset: number;
  message: string;
  /** A file that exists but was not read (not a regular file, too large, too slow), and why. */
  skipped?: { file: string; reason: string };
}

export interface TheoremDeclaration {
  env: string;
  title: string;
  kind: TheoremKind;
  /** Where it was declared (file and offset), or null for the built-in defaults. */
  origin: { file: string; offset: number } | null;
}

export interface ScanResult {
  environments: TheoremEnvironment[];
  problems: ScanProblem[];
}

/** Converts offsets to 0-based line and UTF-16 column, in O(log lines). */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): { line: number; character: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo]! };
  }

  offset(line: number, character = 0): number {
    const start = this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))]!;
    return start + character;
  }
}
