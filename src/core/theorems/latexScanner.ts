/**
 * Finds theorem-like environments in one LaTeX file.
 *
 * Everything works on a masked copy of the text (`maskLatex`, latexMask.ts): comments, verbatim-like
 * environments and `\iffalse…\fi` become spaces, so offsets stay those of the original text and
 * nothing inside them can open an environment. Each pass is linear: a regex walks the
 * `\begin`/`\end` tokens once, a stack pairs them (environmentPairing.ts), and braces are matched
 * once per file (`BraceIndex`) so reading a `{group}` never rescans text.
 */
import { skipTexSpaces } from '../latexLexer';
import { pairEnvironments, type PairedEnvironment } from './environmentPairing';
import { BraceIndex, readBraceGroup, readOptionalArgument, trimSpan } from './latexArguments';
import { maskLatex } from './latexMask';
import { isProofEnvironment } from './proofEnvironments';
import type { ProofBlock, ScanProblem, ScanResult, Span, TheoremDeclaration, TheoremEnvironment } from './types';
import { LineIndex } from './types';

/** Commands that may sit before the statement without being part of it: labels and Lean-blueprint metadata. */
const LEADING_METADATA = new Map<string, 'argument' | 'none'>([
  ['label', 'argument'], ['lean', 'argument'], ['uses', 'argument'], ['proves', 'argument'], ['discussion', 'argument'],
  ['index', 'argument'], ['leanok', 'none'], ['notready', 'none'], ['mathlibok', 'none'],
]);
const METADATA_COMMAND = /\\([a-zA-Z]+)\*?/y;

/**
 * Skips labels and metadata commands from `from` (and the whitespace around them), in any order.
 * Returns where the first other text starts, and the first `\label`'s argument.
 */
function skipMetadata(masked: string, braces: BraceIndex, from: number, limit: number): { next: number; label: Span | null } {
  let label: Span | null = null;
  let i = from;
  for (;;) {
    const at = skipTexSpaces(masked, i, limit);
    METADATA_COMMAND.lastIndex = at;
    const command = METADATA_COMMAND.exec(masked);
    const kind = command ? LEADING_METADATA.get(command[1]!) : undefined;
    if (!command || !kind) return { next: at, label };
    i = METADATA_COMMAND.lastIndex;
    if (kind === 'argument') {
      // \label[type]{name} (cleveref) has an optional argument too.
      const optional = readOptionalArgument(masked, braces, skipTexSpaces(masked, i, limit, 1), limit);
      if (optional && optional !== 'unterminated') i = optional.next;
      const group = readBraceGroup(masked, braces, skipTexSpaces(masked, i, limit, 1), limit);
      if (!group) return { next: at, label };
      if (command[1] === 'label' && !label) label = group.inner;
      i = group.next;
    }
  }
}

interface Preamble {
  optionalTitle: Span | null;
  label: Span | null;
  /** Where the text after the optional argument and the metadata starts. */
  textStart: number;
}

/** Reads what precedes an environment's text: an optional `[title]`, then labels and metadata in any order. */
function readPreamble(masked: string, braces: BraceIndex, env: PairedEnvironment, report: (offset: number, message: string) => void): Preamble {
  let optionalTitle: Span | null = null;
  let afterTitle = env.bodyStart;
  // Like \@ifnextchar, the `[` may follow after spaces and one line break, not after a blank line.
  const bracket = skipTexSpaces(masked, env.bodyStart, env.bodyEnd, 1);
  const argument = readOptionalArgument(masked, braces, bracket, env.bodyEnd);
  if (argument === 'unterminated') report(bracket, `The optional argument of \\begin{${env.name}} is not closed`);
  else if (argument) {
    optionalTitle = argument.inner;
    afterTitle = argument.next;
  }
  const { next, label } = skipMetadata(masked, braces, afterTitle, env.bodyEnd);
  return { optionalTitle, label, textStart: next };
}

/**
 * The optional argument's text: trimmed, without one pair of braces wrapping all of it. Taken
 * from the masked text, so a comment inside the brackets is not part of the title.
 */
function optionalTitleText(masked: string, braces: BraceIndex, span: Span): string {
  const trimmed = trimSpan(masked, span.start, span.end);
  if (trimmed.end - trimmed.start >= 2 && braces.closeOf(trimmed.start) === trimmed.end - 1) {
    return masked.slice(trimmed.start + 1, trimmed.end - 1).trim();
  }
  return masked.slice(trimmed.start, trimmed.end);
}

/** The proof environment starting right after `after` (past blank lines, comments and a `\label`), if any. */
function followingProof(
  masked: string,
  braces: BraceIndex,
  after: number,
  proofsByStart: ReadonlyMap<number, PairedEnvironment>,
): ProofBlock | null {
  const { next } = skipMetadata(masked, braces, after, masked.length);
  const proof = proofsByStart.get(next);
  if (!proof) return null;
  const preamble = readPreamble(masked, braces, proof, () => undefined);
  return {
    span: { start: proof.start, end: proof.end },
    body: trimSpan(masked, preamble.textStart, proof.bodyEnd),
  };
}

/**
 * The theorem-like environments of one LaTeX file, in document order (an outer environment before
 * the ones nested in it): those `declarations` name, except proof-like ones, which become the
 * `proof` of the environment they follow. Text before `\begin{document}` is not scanned.
 */
export function scanLatex(text: string, file: string, declarations: ReadonlyMap<string, TheoremDeclaration>): ScanResult {
  return scanMaskedLatex(text, maskLatex(text), file, declarations);
}

/** `scanLatex` for a caller that already has `maskLatex(text)` and its braces (the project scanner masks each file once). */
export function scanMaskedLatex(
  text: string,
  masked: string,
  file: string,
  declarations: ReadonlyMap<string, TheoremDeclaration>,
  braces = new BraceIndex(masked),
): ScanResult {
  const problems: ScanProblem[] = [];
  let lines: LineIndex | undefined;
  const lineOf = (offset: number) => (lines ??= new LineIndex(text)).position(offset).line + 1;
  const report = (offset: number, message: string) => problems.push({ file, offset, message });

  const pairs = pairEnvironments(masked, braces, report, lineOf);
  const proofsByStart = new Map<number, PairedEnvironment>();
  for (const pair of pairs) {
    if (isProofEnvironment(pair.name, declarations.get(pair.name)?.title)) proofsByStart.set(pair.start, pair);
  }

  const environments: TheoremEnvironment[] = [];
  for (const pair of pairs) {
    const declaration = declarations.get(pair.name);
    if (!declaration || proofsByStart.has(pair.start)) continue;
    const preamble = readPreamble(masked, braces, pair, report);
    environments.push({
      env: pair.name,
      title: declaration.title,
      kind: declaration.kind,
      optionalTitle: preamble.optionalTitle && optionalTitleText(masked, braces, preamble.optionalTitle),
      label: preamble.label && masked.slice(preamble.label.start, preamble.label.end).trim(),
      file,
      span: { start: pair.start, end: pair.end },
      statement: trimSpan(masked, preamble.textStart, pair.bodyEnd),
      proof: followingProof(masked, braces, pair.end, proofsByStart),
    });
  }
  return { environments, problems: problems.sort((a, b) => a.offset - b.offset) };
}

/** The environment whose span or proof contains `offset`, innermost first. */
export function environmentAt(environments: readonly TheoremEnvironment[], file: string, offset: number): TheoremEnvironment | undefined {
  let best: TheoremEnvironment | undefined;
  let bestSize = Infinity;
  for (const environment of environments) {
    if (environment.file !== file) continue;
    for (const span of [environment.span, environment.proof?.span]) {
      if (span && span.start <= offset && offset <= span.end && span.end - span.start < bestSize) {
        best = environment;
        bestSize = span.end - span.start;
      }
    }
  }
  return best;
}
