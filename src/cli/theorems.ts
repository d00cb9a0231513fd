/**
 * `qed theorems FILE [--json]`: lists the theorem-like environments of a LaTeX or Markdown file
 * (with the files it \input's), one per line or as JSON for scripts.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { LineIndex, type TheoremEnvironment } from '../core/theorems/types';
import { loadDocument, warnAboutProblems, type LoadedDocument } from './documentFiles';
import { UsageError } from './usageError';

export interface TheoremRecord {
  env: string;
  title: string;
  kind: TheoremEnvironment['kind'];
  optionalTitle: string | null;
  label: string | null;
  file: string;
  /** 1-based lines of `\begin` and `\end`. */
  startLine: number;
  endLine: number;
  hasProof: boolean;
  proofStartLine: number | null;
  proofEndLine: number | null;
}

export async function theoremsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'max-file-mb': { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('theorems needs exactly one FILE.');
  const document = await loadDocument(positionals[0]!, { maxFileMB: maxFileMB(values['max-file-mb']) });
  const records = theoremRecords(document);
  warnAboutProblems(document);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  } else {
    for (const record of records) {
      const name = record.optionalTitle ? `${record.title} (${record.optionalTitle})` : record.title;
      const label = record.label ? ` [${record.label}]` : '';
      const proof = record.kind === 'theorem' ? (record.hasProof ? ' · proof' : ' · no proof') : '';
      process.stdout.write(`${relative(process.cwd(), record.file) || record.file}:${record.startLine}-${record.endLine}  ${name}${label}${proof}\n`);
    }
  }
  return 0;
}

/** `--max-file-mb N`: files larger than N MB are not read. */
export function maxFileMB(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number > 0 && number <= 1024)) throw new UsageError('--max-file-mb must be a number of megabytes above 0, at most 1024.');
  return number;
}

export function theoremRecords(document: LoadedDocument): TheoremRecord[] {
  const indexes = new Map<string, LineIndex>();
  const line = (file: string, offset: number) => {
    let index = indexes.get(file);
    if (!index) indexes.set(file, (index = new LineIndex(document.texts.get(file) ?? '')));
    return index.position(offset).line + 1;
  };
  return document.environments.map((environment) => ({
    env: environment.env,
    title: environment.title,
    kind: environment.kind,
    optionalTitle: environment.optionalTitle,
    label: environment.label,
    file: environment.file,
    startLine: line(environment.file, environment.span.start),
    // The line holding the last character of `\end{…}`.
    endLine: line(environment.file, Math.max(environment.span.start, environment.span.end - 1)),
    hasProof: environment.proof !== null,
    proofStartLine: environment.proof ? line(environment.file, environment.proof.span.start) : null,
    proofEndLine: environment.proof ? line(environment.file, Math.max(environment.proof.span.start, environment.proof.span.end - 1)) : null,
  }));
}
