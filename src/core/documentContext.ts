/**
 * The document context of a statement for the prompt (its macros, the results it cites) and
 * the document's macros for KaTeX, from the core context builder. Macro definitions are found
 * once per file text, so re-proving in a large project does not re-read every preamble.
 */
import * as path from 'node:path';
import { buildPromptContext, type PromptContext } from './context/promptContext';
import { findMacroDefinitions, katexMacros, type MacroDefinition } from './context/macros';
import type { TheoremEnvironment } from './theorems/types';

export interface StatementContext {
  context: PromptContext;
  /** One line for the panel: what went in and what the budget left out. */
  summary: string | undefined;
  /**
   * Files outside the project that the prompt quotes (LaTeX reads an `\input{../elsewhere}` too):
   * the user should know what else goes to the model.
   */
  outsideFiles: string[];
}

export class DocumentContext {
  private readonly definitions = new Map<string, { text: string; macros: MacroDefinition[] }>();

  /**
   * `environments` and `texts`: the whole project's (LaTeX) or just the document's (Markdown).
   * `projectFolder`: the workspace folder or repository; files outside it are named in `outsideFiles`.
   */
  forStatement(
    statement: string,
    environments: readonly TheoremEnvironment[],
    texts: ReadonlyMap<string, string>,
    budgetTokens: number,
    projectFolder?: string,
  ): StatementContext {
    const macros = new Map<string, MacroDefinition>();
    for (const [file, text] of texts) {
      // Later definitions win, as \renewcommand does in LaTeX.
      for (const definition of this.macrosOf(file, text)) macros.set(definition.name, definition);
    }
    const context = buildPromptContext(statement, { environments, texts, macros }, budgetTokens);
    const outsideFiles = projectFolder === undefined ? [] : context.sources.filter((file) => isOutside(file, projectFolder));
    return { context, summary: summarize(context, outsideFiles), outsideFiles };
  }

  katexMacrosOf(texts: ReadonlyMap<string, string>): Record<string, string> {
    return katexMacros([...texts].flatMap(([file, text]) => this.macrosOf(file, text)));
  }

  private macrosOf(file: string, text: string): MacroDefinition[] {
    const cached = this.definitions.get(file);
    if (cached?.text === text) return cached.macros;
    const macros = findMacroDefinitions(text, file);
    this.definitions.set(file, { text, macros });
    return macros;
  }
}

/** Whether `file` lies outside `folder` (paths only: an unsaved document's key is a URI, and is the document itself). */
export function isOutside(file: string, folder: string): boolean {
  if (!path.isAbsolute(file)) return false;
  const relative = path.relative(folder, file);
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

function summarize(context: PromptContext, outsideFiles: readonly string[]): string | undefined {
  const parts: string[] = [];
  if (context.macros.length) parts.push(`${context.macros.length} macro definition${context.macros.length === 1 ? '' : 's'}`);
  const found = context.references.filter((reference) => reference.found);
  if (found.length) parts.push(`${found.length} cited result${found.length === 1 ? '' : 's'} (${found.map((reference) => reference.label).join(', ')})`);
  const missing = context.references.filter((reference) => !reference.found);
  if (missing.length) parts.push(`not found: ${missing.map((reference) => reference.label).join(', ')}`);
  if (context.omitted.length) parts.push(`left out to fit the budget: ${context.omitted.join(', ')}`);
  if (outsideFiles.length) parts.push(`from outside the project: ${outsideFiles.map((file) => path.basename(file)).join(', ')} (see Prompt)`);
  return parts.length ? `Document context: ${parts.join(' · ')}` : undefined;
}
