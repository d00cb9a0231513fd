/**
 * The theorem-like environments of a document, from the core scanners. LaTeX documents are
 * scanned as part of their project (root, \input files, the project's own .sty/.cls), reading
 * open editors' unsaved text; results are cached per document version by the core scanner, so
 * CodeLens and outline requests while typing only re-scan the file that changed.
 */
import { readFile, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ProjectScanner, type ProjectFile, type ProjectScan } from '../core/theorems/latexProject';
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

/** The scanner's key for a document: its path on disk, or its URI when it has none. */
export function documentKey(document: vscode.TextDocument): string {
  return document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString();
}

export class TheoremIndex implements vscode.Disposable {
  private readonly scanner = new ProjectScanner({ readFile: (file) => this.readFile(file) });
  private readonly markdown = new Map<string, { version: number; result: DocumentTheorems }>();
  private texFiles: Promise<string[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.tex', false, true, false);
    const forget = () => (this.texFiles = undefined);
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
    const project = await this.scanner.scan(key, await this.workspaceTexFiles(), readSettings().codeLens.extraEnvironments);
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
  private async readFile(file: string): Promise<ProjectFile | undefined> {
    const open = vscode.workspace.textDocuments.find((document) => documentKey(document) === file);
    if (open) return { text: open.getText(), version: `editor:${open.version}` };
    try {
      const [info, bytes] = await Promise.all([stat(file), readFile(file)]);
      // Non-UTF-8 bytes become U+FFFD instead of failing the whole project.
      return { text: new TextDecoder('utf-8').decode(bytes), version: `disk:${info.mtimeMs}:${info.size}` };
    } catch {
      return undefined;
    }
  }

  private workspaceTexFiles(): Promise<string[]> {
    this.texFiles ??= Promise.resolve(vscode.workspace.findFiles('**/*.tex', '**/{node_modules,.git}/**', 5000)).then(
      (uris) => uris.filter((uri) => uri.scheme === 'file').map((uri) => uri.fsPath),
      () => [],
    );
    return this.texFiles;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
