/**
 * The CLI's view of a document: its theorem-like environments (for LaTeX, with its project:
 * root, \input files, .sty/.cls), read from disk with the same core scanners the editor uses.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { BoundedFileReader, DEFAULT_MAX_FILE_MB, type FileRead } from '../core/theorems/boundedFileReader';
import { ProjectScanner } from '../core/theorems/latexProject';
import { scanMarkdown } from '../core/theorems/markdownScanner';
import { LineIndex, type ScanProblem, type TheoremEnvironment } from '../core/theorems/types';

export interface LoadedDocument {
  file: string;
  format: 'latex' | 'markdown';
  /** Its repository (`.git` found upward), else its folder: where its root is looked for. */
  projectFolder: string;
  /** The environments of this file and of the files it includes (all of them when it is the root). */
  environments: TheoremEnvironment[];
  /** The whole project's environments and texts, for context (cited results, macros). */
  projectEnvironments: TheoremEnvironment[];
  texts: ReadonlyMap<string, string>;
  problems: ScanProblem[];
}

export interface LoadOptions {
  /** Files larger than this are not read (`--max-file-mb`). */
  maxFileMB?: number;
}

/** A missing or unreadable input file: one line, exit code 1. */
export class InputError extends Error {}

const MARKDOWN = new Set(['.md', '.markdown', '.qmd', '.rmd']);
const MAX_WORKSPACE_FILES = 2000;

export async function loadDocument(path: string, options: LoadOptions = {}): Promise<LoadedDocument> {
  const file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new InputError(`No such file: ${path}`);
  if (!info.isFile()) throw new InputError(`Not a file: ${path}`);
  const maxBytes = (options.maxFileMB ?? DEFAULT_MAX_FILE_MB) * 1024 * 1024;
  const reader = new BoundedFileReader(() => ({ maxBytes, maxBytesSetting: '--max-file-mb' }));
  // The document itself is read once, here, so that one it cannot read fails with the reason.
  const own = await reader.read(file);
  if (own.status === 'missing') throw new InputError(`No such file: ${path}`);
  if (own.status === 'skipped') throw new InputError(`${path} was not read: ${own.reason}`);
  const projectFolder = repositoryOf(file) ?? dirname(file);
  if (MARKDOWN.has(extname(file).toLowerCase())) {
    const scan = scanMarkdown(own.text, file);
    return { file, format: 'markdown', projectFolder, environments: scan.environments, projectEnvironments: scan.environments, texts: new Map([[file, own.text]]), problems: scan.problems };
  }
  const readProjectFile = async (path: string) => projectFile(path === file ? own : await reader.read(path));
  const scanner = new ProjectScanner({ readFile: readProjectFile });
  const project = await scanner.scan(file, await texFilesIn(projectFolder));
  const environments = project.root === file ? project.environments : project.environments.filter((environment) => environment.file === file);
  return { file, format: 'latex', projectFolder, environments, projectEnvironments: project.environments, texts: project.texts, problems: project.problems };
}

function projectFile(read: FileRead) {
  if (read.status === 'read') return { text: read.text, version: read.version };
  return read.status === 'skipped' ? { skipped: read.reason } : undefined;
}

/** The scanner's problems (all, or those `which` keeps) as warnings on stderr, one line each, `file:line: message`. */
export function warnAboutProblems(document: LoadedDocument, which: (problem: ScanProblem) => boolean = () => true): void {
  for (const problem of document.problems.filter(which)) {
    const line = new LineIndex(document.texts.get(problem.file) ?? '').position(problem.offset).line + 1;
    process.stderr.write(`qed: warning: ${relative(process.cwd(), problem.file) || problem.file}:${line}: ${problem.message}\n`);
  }
}

/** The nearest folder holding `file` that has a `.git` (the document's own folder included), if any. */
export function repositoryOf(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The .tex files under `top`, the candidates for the root document that \input's a file. The search
 * never leaves the project: a root found above it would be another project's, and its macros
 * would go to the model with the prompt.
 */
async function texFilesIn(top: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (found.length >= MAX_WORKSPACE_FILES) return;
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') await walk(join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith('.tex')) found.push(join(dir, entry.name));
    }
  };
  await walk(top);
  return found;
}
