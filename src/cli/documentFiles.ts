/**
 * The CLI's view of a document: its theorem-like environments (for LaTeX, with its project:
 * root, \input files, .sty/.cls), read from disk with the same core scanners the editor uses.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { ProjectScanner, type ProjectFile } from '../core/theorems/latexProject';
import { scanMarkdown } from '../core/theorems/markdownScanner';
import type { ScanProblem, TheoremEnvironment } from '../core/theorems/types';

export interface LoadedDocument {
  file: string;
  format: 'latex' | 'markdown';
  /** The environments of this file and of the files it includes (all of them when it is the root). */
  environments: TheoremEnvironment[];
  /** The whole project's environments and texts, for context (cited results, macros). */
  projectEnvironments: TheoremEnvironment[];
  texts: ReadonlyMap<string, string>;
  problems: ScanProblem[];
}

/** A missing or unreadable input file: one line, exit code 1. */
export class InputError extends Error {}

const MARKDOWN = new Set(['.md', '.markdown', '.qmd', '.rmd']);
const MAX_WORKSPACE_FILES = 2000;

export async function loadDocument(path: string): Promise<LoadedDocument> {
  const file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new InputError(`No such file: ${path}`);
  if (!info.isFile()) throw new InputError(`Not a file: ${path}`);
  if (MARKDOWN.has(extname(file).toLowerCase())) {
    const text = await readText(file);
    const scan = scanMarkdown(text, file);
    return { file, format: 'markdown', environments: scan.environments, projectEnvironments: scan.environments, texts: new Map([[file, text]]), problems: scan.problems };
  }
  const scanner = new ProjectScanner({ readFile: readProjectFile });
  const project = await scanner.scan(file, await texFilesAround(file));
  const environments = project.root === file ? project.environments : project.environments.filter((environment) => environment.file === file);
  return { file, format: 'latex', environments, projectEnvironments: project.environments, texts: project.texts, problems: project.problems };
}

async function readText(file: string): Promise<string> {
  // Non-UTF-8 bytes become U+FFFD rather than failing the whole document.
  return new TextDecoder('utf-8').decode(await readFile(file));
}

async function readProjectFile(file: string): Promise<ProjectFile | undefined> {
  try {
    const info = await stat(file);
    return { text: await readText(file), version: `${info.mtimeMs}:${info.size}` };
  } catch {
    return undefined;
  }
}

/** The .tex files of the project around `file` (up to its repository root), to find the root document that \input's it. */
async function texFilesAround(file: string): Promise<string[]> {
  let top = dirname(file);
  for (let dir = top; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) {
      top = dir;
      break;
    }
  }
  if (top === dirname(file)) top = dirname(top);
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
