/**
 * What `prove`, `critique` and `deep-prove` share on the document side: the environment named by
 * --label or --line, its cleaned statement, and the document context the editor's Prove sends
 * (macros, cited results) within --context-budget. Notes about the context go to stderr.
 */
import { relative } from 'node:path';
import type { PromptContext } from '../core/context/promptContext';
import { DocumentContext } from '../core/documentContext';
import { cleanStatement } from '../core/prompts';
import { LineIndex, type TheoremEnvironment } from '../core/theorems/types';
import { integer } from './args';
import { InputError, loadDocument, warnAboutProblems, type LoadedDocument } from './documentFiles';
import { maxFileMB, theoremRecords } from './theorems';
import { UsageError } from './usageError';

/** The flags every command on an environment takes (parseArgs options). */
export const PROBLEM_OPTIONS = {
  label: { type: 'string' },
  line: { type: 'string' },
  'context-budget': { type: 'string', default: '4000' },
  'max-file-mb': { type: 'string' },
} as const;

export interface ProblemArgs {
  label?: string;
  line?: string;
  'context-budget'?: string;
  'max-file-mb'?: string;
}

export interface Problem {
  document: LoadedDocument;
  environment: TheoremEnvironment;
  /** The text of the environment's file. */
  text: string;
  statement: string;
  context: PromptContext;
  /** E.g. "Lemma (Lifting the exponent)". */
  title: string;
  /** Where the statement is: the file, its 1-based line, its label. */
  source: { file: string; line: number; label?: string };
}

/** Checks --label/--line before anything is read, so a usage error comes first. */
export function checkTarget(command: string, values: ProblemArgs): void {
  if ((values.label === undefined) === (values.line === undefined)) throw new UsageError(`${command} needs --label LABEL or --line N (one of them).`);
}

export async function problemFromArgs(file: string, values: ProblemArgs): Promise<Problem> {
  const budget = integer(values['context-budget'] ?? '4000', '--context-budget', 0, 10_000_000);
  const document = await loadDocument(file, { maxFileMB: maxFileMB(values['max-file-mb']) });
  // Files left unread leave their macros and results out of the context: say which.
  warnAboutProblems(document, (problem) => problem.skipped !== undefined);
  const environment = findEnvironment(document, values);
  const text = document.texts.get(environment.file) ?? '';
  const statement = cleanStatement(text.slice(environment.statement.start, environment.statement.end));
  const { context, outsideFiles } = new DocumentContext().forStatement(statement, document.projectEnvironments, document.texts, budget, document.projectFolder);
  if (context.omitted.length) process.stderr.write(`qed: context left out to fit --context-budget: ${context.omitted.join(', ')}\n`);
  if (outsideFiles.length) {
    const shown = (path: string) => relative(process.cwd(), path) || path;
    process.stderr.write(`qed: the prompt quotes files outside the project (${shown(document.projectFolder)}): ${outsideFiles.map(shown).join(', ')}\n`);
  }
  const line = new LineIndex(text).position(environment.span.start).line + 1;
  return {
    document,
    environment,
    text,
    statement,
    context,
    title: environment.optionalTitle ? `${environment.title} (${environment.optionalTitle})` : environment.title,
    source: { file: environment.file, line, ...(environment.label !== null && { label: environment.label }) },
  };
}

function findEnvironment(document: LoadedDocument, values: ProblemArgs): TheoremEnvironment {
  if (values.label !== undefined) {
    const found = document.projectEnvironments.find((environment) => environment.label === values.label);
    if (!found) throw new InputError(`No theorem-like environment has the label "${values.label}" in ${relative(process.cwd(), document.file) || document.file} or the files it belongs with.`);
    return found;
  }
  const line = integer(values.line!, '--line', 1, Number.MAX_SAFE_INTEGER);
  const records = theoremRecords(document);
  // The innermost environment (or its proof) around that line of FILE.
  let best: number | undefined;
  records.forEach((record, index) => {
    if (record.file !== document.file) return;
    const inside = (record.startLine <= line && line <= record.endLine) || (record.proofStartLine !== null && record.proofStartLine <= line && line <= record.proofEndLine!);
    if (inside && (best === undefined || record.startLine >= records[best]!.startLine)) best = index;
  });
  if (best === undefined) throw new InputError(`No theorem-like environment at line ${line} of ${relative(process.cwd(), document.file) || document.file}. List them with: qed theorems FILE`);
  return document.environments[best]!;
}
