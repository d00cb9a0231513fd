/**
 * What the model should know about the document around a statement: the definitions of the
 * macros it uses and the statements of the results it references, nearest first, cut to a
 * token budget.
 *
 * Priority (what a tight budget keeps): the statement's own macros; the results it references,
 * in order of reference; then one level further: the macros those results use and the results
 * they reference. The prompt text groups macros before results regardless, so notation is
 * defined before it is used.
 */
import type { TheoremEnvironment } from '../theorems/types';
import { cleanStatement } from './cleanStatement';
import { katexMacros as toKatexMacros, macrosUsedBy, type MacroDefinition } from './macros';
import { referencedLabels } from './references';

export interface ContextSource {
  environments: readonly TheoremEnvironment[];
  /** File path → text, for every file an environment lives in. */
  texts: ReadonlyMap<string, string>;
  /** Name → definition in force (see `macroTable`). */
  macros: ReadonlyMap<string, MacroDefinition>;
}

export interface ContextReference {
  label: string;
  /** `Lemma (Jensen bound)`; empty when no theorem-like environment has the label. */
  title: string;
  found: boolean;
}

export interface PromptContext {
  /** What goes in the prompt, '' if nothing. */
  text: string;
  /** The macro definitions in `text`. */
  macros: MacroDefinition[];
  /** Every label the statement references, then those its references reference. */
  references: ContextReference[];
  /** Human-readable: what the budget left out, in priority order. */
  omitted: string[];
  /** The files `text` quotes (macro definitions, cited results), each once, in order. */
  sources: string[];
  /** Every macro of the project KaTeX can use, for rendering (not only those in the prompt). */
  katexMacros: Record<string, string>;
}

interface ResultItem {
  kind: 'result';
  label: string;
  environment: TheoremEnvironment;
  /** Cleaned statement text. */
  statement: string;
}
type ContextItem = { kind: 'macro'; definition: MacroDefinition } | ResultItem;

/**
 * Tokens for a text, estimated as characters / 3.5 rounded up. Qwen's BPE vocabulary averages
 * about 4 characters per token on English prose, but LaTeX splits finer (backslash commands,
 * braces, one-letter variables), so 3.5 errs towards overestimating: the real prompt stays
 * within the budget rather than over it. (Not measured against the real tokenizer.)
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/** `budgetTokens` bounds `text` only (estimated with `estimateTokens`), not the statement itself. */
export function buildPromptContext(statement: string, source: ContextSource, budgetTokens: number): PromptContext {
  const lookup = new EnvironmentLookup(source);
  const own = lookup.environmentWithStatement(statement);
  const seenLabels = new Set<string>(own?.label ? [own.label] : []);
  const references: ContextReference[] = [];

  const resolve = (labels: string[]): ResultItem[] => {
    const results: ResultItem[] = [];
    for (const label of labels) {
      if (seenLabels.has(label)) continue;
      seenLabels.add(label);
      const found = lookup.byLabel(label);
      references.push({ label, title: found ? heading(found.environment) : '', found: found !== null });
      if (found) results.push({ kind: 'result', label, ...found });
    }
    return results;
  };

  // The statement's own header may carry blueprint `\uses{…}`, which the statement span excludes.
  const ownText = own ? `${lookup.header(own)}\n${statement}` : statement;
  // Macros are looked up in cleaned text: a blueprint's `\uses`/`\lean` stubs are not notation.
  const ownMacros = macrosUsedBy(cleanStatement(statement), source.macros);
  const seenMacros = new Set(ownMacros.map((definition) => definition.name));
  const directResults = resolve(referencedLabels(ownText));

  const directStatements = directResults.map((result) => result.statement).join('\n');
  const indirectMacros = macrosUsedBy(directStatements, source.macros).filter((definition) => !seenMacros.has(definition.name));
  const indirectResults = resolve(referencedLabels(directResults.map((result) => lookup.rawText(result.environment)).join('\n')));

  const items: ContextItem[] = [
    ...ownMacros.map((definition): ContextItem => ({ kind: 'macro', definition })),
    ...directResults,
    ...indirectMacros.map((definition): ContextItem => ({ kind: 'macro', definition })),
    ...indirectResults,
  ];
  const omitted: string[] = [];
  let text = renderContext(items);
  while (items.length > 0 && estimateTokens(text) > budgetTokens) {
    omitted.unshift(describe(items.pop()!));
    text = renderContext(items);
  }
  return {
    text,
    macros: items.flatMap((item) => (item.kind === 'macro' ? [item.definition] : [])),
    references,
    omitted,
    sources: [...new Set(items.map((item) => (item.kind === 'macro' ? item.definition.file : item.environment.file)))],
    katexMacros: toKatexMacros(source.macros.values()),
  };
}

class EnvironmentLookup {
  private readonly labels = new Map<string, TheoremEnvironment>();

  constructor(private readonly source: ContextSource) {
    for (const environment of source.environments) {
      // LaTeX keeps the first of two equal labels (with a warning); so do we.
      if (environment.label && !this.labels.has(environment.label)) this.labels.set(environment.label, environment);
    }
  }

  byLabel(label: string): { environment: TheoremEnvironment; statement: string } | null {
    const environment = this.labels.get(label);
    if (!environment) return null;
    const statement = this.statementOf(environment);
    return statement === null ? null : { environment, statement };
  }

  /** The environment whose statement is `statement` (compared cleaned), if the selection is one. */
  environmentWithStatement(statement: string): TheoremEnvironment | null {
    const wanted = cleanStatement(statement);
    if (wanted === '') return null;
    return this.source.environments.find((environment) => this.statementOf(environment) === wanted) ?? null;
  }

  /** From `\begin{…}` to the statement: the optional title, `\label`, blueprint metadata. */
  header(environment: TheoremEnvironment): string {
    return this.source.texts.get(environment.file)?.slice(environment.span.start, environment.statement.start) ?? '';
  }

  /** Header and statement as written, for following references one level further. */
  rawText(environment: TheoremEnvironment): string {
    return this.source.texts.get(environment.file)?.slice(environment.span.start, environment.statement.end) ?? '';
  }

  private statementOf(environment: TheoremEnvironment): string | null {
    const text = this.source.texts.get(environment.file);
    return text === undefined ? null : cleanStatement(text.slice(environment.statement.start, environment.statement.end));
  }
}

function heading(environment: TheoremEnvironment): string {
  return environment.optionalTitle ? `${environment.title} (${environment.optionalTitle})` : environment.title;
}

function renderContext(items: readonly ContextItem[]): string {
  const macros: string[] = [];
  const results: string[] = [];
  for (const item of items) {
    if (item.kind === 'macro') {
      macros.push(item.definition.source);
    } else {
      const { title, optionalTitle } = item.environment;
      // `\ref{label}` in the heading ties the result to the `\cref{label}` in the statement.
      const name = `${title} \\ref{${item.label}}${optionalTitle ? ` (${optionalTitle})` : ''}`;
      results.push(`**${name}.** ${item.statement}`);
    }
  }
  const sections = macros.length > 0 ? [`LaTeX macros:\n${macros.join('\n')}`, ...results] : results;
  return sections.join('\n\n');
}

function describe(item: ContextItem): string {
  return item.kind === 'macro' ? `macro ${item.definition.name}` : `${heading(item.environment)} [${item.label}]`;
}
