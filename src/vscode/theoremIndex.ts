/**
 * The theorem-like environments of a document, from the core scanners. LaTeX documents are
 * scanned as part of their project (root, \input files, the project's own .sty/.cls), reading
 * open editors' unsaved text; results are cached per document version by the core scanner, so
 * CodeLens and outline requests while typing only re-scan the file that changed.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BoundedFileReader } from '../core/theorems/boundedFileReader';
import { ProjectScanner, type ProjectFile, type ProjectScan, type SkippedFile } from '../core/theorems/latexProject';
import { scanMarkdown } from '../core/theorems/markdownScanner';
import type { ScanProblem, TheoremEnvironment } from '../core/theorems/types';
import { readSettings } from './settings';

export const THEOREM_DOCUMENTS: vscode.DocumentSelector = [
  { language: 'latex' },
  { language: 'tex' },
  { language: 'markdown' },
];

export interface DocumentTheorems {
  /** The environments in this document, in order. */
  environments: TheoremEnvironment[];
  /** The whole project for LaTeX files on disk (for context: macros, cited results). */
  project: ProjectScan | undefined;
  problems: ScanProblem[];
  format: 'latex' | 'markdown';
}

export function documentFormat(document: vscode.TextDocument): 'latex' | 'markdown' | undefined {
  if (document.languageId === 'markdown') return 'markdown';
  if (document.languageId === 'latex' || document.languageId === 'tex') return 'latex';
  return undefined;
}

/**
 * Where a document's root is looked for and what counts as its project: its workspace folder, else
 * its own folder (undefined for a document not on disk).
 */
export function projectFolder(document: vscode.TextDocument): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (folder?.uri.scheme === 'file') return folder.uri.fsPath;
  return document.uri.scheme === 'file' ? path.dirname(document.uri.fsPath) : undefined;
}

/** The scanner's key for a document: its path on disk, or its URI when it has none. */
export function documentKey(document: vscode.TextDocument): string {
  return document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString();
}

export class TheoremIndex implements vscode.Disposable {
  private readonly scanner = new ProjectScanner({ readFile: (file) => this.readFile(file) });
  private readonly disk = new BoundedFileReader(() => ({ maxBytes: readSettings().maxFileBytes, maxBytesSetting: 'qed.files.maxSizeMB' }));
  /** Skipped files already named in the log, with the reason given (a new reason is logged again). */
  private readonly loggedSkips = new Map<string, string>();
  private readonly markdown = new Map<string, { version: number; result: DocumentTheorems }>();
  /** The .tex files of each workspace folder, by folder URI, until one is created or deleted. */
  private readonly texFiles = new Map<string, Promise<string[]>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.tex', false, true, false);
    const forget = () => this.texFiles.clear();
    this.disposables.push(
      watcher,
      watcher.onDidCreate(forget),
      watcher.onDidDelete(forget),
      vscode.workspace.onDidCloseTextDocument((document) => this.markdown.delete(document.uri.toString())),
    );
  }

  async theorems(document: vscode.TextDocument): Promise<DocumentTheorems | undefined> {
    const format = documentFormat(document);
    if (format === 'markdown') return this.markdownTheorems(document);
    if (format !== 'latex') return undefined;
    const key = documentKey(document);
    const project = await this.scanner.scan(key, await this.rootCandidates(document), readSettings().codeLens.extraEnvironments);
    this.logSkippedFiles(project.problems);
    return {
      environments: project.environments.filter((environment) => environment.file === key),
      project,
      problems: project.problems.filter((problem) => problem.file === key),
      format,
    };
  }

  private markdownTheorems(document: vscode.TextDocument): DocumentTheorems {
    const cached = this.markdown.get(document.uri.toString());
    if (cached?.version === document.version) return cached.result;
    const scan = scanMarkdown(document.getText(), documentKey(document));
    const result: DocumentTheorems = { environments: scan.environments, project: undefined, problems: scan.problems, format: 'markdown' };
    this.markdown.set(document.uri.toString(), { version: document.version, result });
    return result;
  }

  /** Open documents win over the disk, so the scan sees what the user sees. */
  private async readFile(file: string): Promise<ProjectFile | SkippedFile | undefined> {
    const open = vscode.workspace.textDocuments.find((document) => documentKey(document) === file);
    if (open) return { text: open.getText(), version: `editor:${open.version}` };
    const read = await this.disk.read(file);
    if (read.status === 'read') return { text: read.text, version: `disk:${read.version}` };
    return read.status === 'skipped' ? { skipped: read.reason } : undefined;
  }

  /** One line per skipped file, not one per scan (a scan runs on every keystroke). */
  private logSkippedFiles(problems: readonly ScanProblem[]): void {
    for (const { skipped, file } of problems) {
      if (!skipped || this.loggedSkips.get(skipped.file) === skipped.reason) continue;
      this.loggedSkips.set(skipped.file, skipped.reason);
      this.log.warn(`Theorems: not reading ${skipped.file} (named in ${file}): ${skipped.reason}`);
    }
  }

  /**
   * The .tex files that may be the document's root: those of its own workspace folder. The search
   * never leaves it (another folder's root would bring that project's macros into the prompt); a
   * document outside every folder is its own root unless it names one (`% !TEX root`).
   */
  private rootCandidates(document: vscode.TextDocument): Promise<string[]> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) return Promise.resolve([]);
    const key = folder.uri.toString();
    let files = this.texFiles.get(key);
    if (!files) {
      files = Promise.resolve(vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.tex'), '**/{node_modules,.git}/**', 5000)).then(
        (uris) => uris.filter((uri) => uri.scheme === 'file').map((uri) => uri.fsPath),
        () => [],
      );
      this.texFiles.set(key, files);
    }
    return files;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
