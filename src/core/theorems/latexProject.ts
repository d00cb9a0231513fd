/**
 * A LaTeX document as LaTeX sees it: the root file (found as LaTeX Workshop finds it), the files
 * it `\input`s, `\include`s or `\subfile`s, and the project's own `.sty`/`.cls` files. The
 * declarations of all of them, read in the order LaTeX reads them, name the theorem-like
 * environments of every document file.
 *
 * Everything derived from a file is cached by (path, version), so a re-scan after typing only
 * re-reads the changed file: masking and links per version, declarations per version and
 * incoming `\theoremstyle`/macro state, environments per version and declaration set.
 *
 * The parts: latexLinks.ts reads one file's links, projectFiles.ts reads files through that cache,
 * rootDocument.ts finds the root, projectWalk.ts walks the include tree; this file puts them together.
 */
import * as path from 'node:path';
import { pushAll } from '../arrays';
import {
  addWrappers,
  classTheoremDeclarations,
  DEFAULT_THEOREM_DECLARATIONS,
  defaultDeclaration,
  readDeclarations,
  type DeclarationState,
} from './latexDeclarations';
import type { ParsedFile } from './latexLinks';
import { scanMaskedLatex } from './latexScanner';
import { ParsedFiles, type ProjectFileSystem } from './projectFiles';
import { ProjectWalk, type DeclarationSegment, type TreeNode } from './projectWalk';
import { includes, locateRoot, type RootResult } from './rootDocument';
import type { ScanProblem, ScanResult, TheoremDeclaration, TheoremEnvironment } from './types';

// The scanner's inputs are part of its API: callers implement the file system.
export type { ProjectFile, ProjectFileSystem, SkippedFile } from './projectFiles';

export interface ProjectScan {
  root: string;
  /** Every file read: the root, \input/\include/\subfile'd files, the project's own .sty/.cls. */
  files: string[];
  texts: ReadonlyMap<string, string>;
  declarations: ReadonlyMap<string, TheoremDeclaration>;
  /** All files, document order (an \input'd file's environments appear where it is included), each with its own `file`. */
  environments: TheoremEnvironment[];
  problems: ScanProblem[];
}

const MAX_SEGMENTS_PER_FILE = 256;

function stateKey(state: DeclarationState): string {
  return JSON.stringify([state.style ?? null, [...state.macros]]);
}

function declarationsKey(declarations: ReadonlyMap<string, TheoremDeclaration>): string {
  return JSON.stringify([...declarations.values()].map(({ env, title, kind }) => [env, title, kind]).sort());
}

export class ProjectScanner {
  private readonly files: ParsedFiles;
  /** Declarations per file version and segment (text between links), valid for one incoming state. */
  private readonly segments = new Map<string, { version: string | number; segments: Map<string, DeclarationSegment> }>();
  /** Environments per file version, valid for one set of declarations. */
  private readonly environments = new Map<string, { version: string | number; key: string; result: ScanResult }>();
  /** The root found for a file without \documentclass, checked again before a new search. */
  private readonly roots = new Map<string, string>();

  constructor(fs: ProjectFileSystem) {
    this.files = new ParsedFiles(fs);
  }

  /** `extraEnvironments`: names the user wants treated as results to prove although nothing declares them (e.g. a tcolorbox `problem`). */
  async scan(file: string, workspaceTexFiles: readonly string[] = [], extraEnvironments: readonly string[] = []): Promise<ProjectScan> {
    const target = path.resolve(file);
    const { root, problems } = await this.root(target, workspaceTexFiles);
    const walk = new ProjectWalk(this.files, path.dirname(root), problems, (parsed, state, start, end, index) =>
      this.declarationSegment(parsed, state, start, end, index),
    );
    const rootNode = await walk.visit(root, 'document', []);
    const declarations = this.declarationMap(walk, rootNode);
    for (const env of extraEnvironments) {
      if (!declarations.has(env)) declarations.set(env, { ...defaultDeclaration(env), kind: 'theorem' });
    }
    const key = declarationsKey(declarations);

    const environments: TheoremEnvironment[] = [];
    const emit = (node: TreeNode) => {
      const own = node.role === 'document' ? this.scanEnvironments(node.file, declarations, key, problems) : [];
      let next = 0;
      for (const child of node.children) {
        while (next < own.length && own[next]!.span.start < child.offset) environments.push(own[next++]!);
        emit(child.node);
      }
      for (; next < own.length; next++) environments.push(own[next]!);
    };
    if (rootNode) emit(rootNode);
    if (!walk.texts.has(target)) {
      // A file its root does not include (or a missing root): still show its own environments.
      const parsed = await this.files.get(target);
      if (parsed) {
        walk.record(parsed);
        pushAll(environments, this.scanEnvironments(parsed, declarations, key, problems));
      }
    }
    return { root, files: walk.order, texts: walk.texts, declarations, environments, problems };
  }

  private async root(file: string, workspaceTexFiles: readonly string[]): Promise<RootResult> {
    const remembered = this.roots.get(file);
    if (remembered) {
      const parsed = await this.files.get(file);
      const rememberedRoot = await this.files.get(remembered);
      if (parsed && !parsed.magicRoot && !parsed.documentClass && rememberedRoot?.documentClass && (await includes(rememberedRoot, file, this.files))) {
        return { root: remembered, problems: [] };
      }
      this.roots.delete(file);
    }
    const found = await locateRoot(file, this.files, workspaceTexFiles);
    if (found.root !== file) this.roots.set(file, found.root);
    return found;
  }

  /** Declared environments, plus the class's own; the defaults only when the project declares none. */
  private declarationMap(walk: ProjectWalk, rootNode: TreeNode | undefined): Map<string, TheoremDeclaration> {
    const className = rootNode?.file.documentClass?.name;
    const fromClass = className ? classTheoremDeclarations(className) : [];
    const declared = walk.declarations;
    const base = declared.length > 0 || fromClass.length > 0 ? [...fromClass, ...declared] : DEFAULT_THEOREM_DECLARATIONS;
    const map = new Map(base.map((declaration) => [declaration.env, declaration]));
    addWrappers(map, walk.wrappers);
    return map;
  }

  private declarationSegment(parsed: ParsedFile, state: DeclarationState, start: number, end: number, index: number): DeclarationSegment {
    let entry = this.segments.get(parsed.path);
    if (!entry || entry.version !== parsed.version) {
      entry = { version: parsed.version, segments: new Map() };
      this.segments.set(parsed.path, entry);
    }
    const incoming = stateKey(state);
    const key = `${index}:${start}:${end}:${incoming}`;
    let segment = entry.segments.get(key);
    if (!segment) {
      // Bounded: an unchanged file seen under many different incoming states keeps only recent ones.
      if (entry.segments.size >= MAX_SEGMENTS_PER_FILE) entry.segments.clear();
      const working: DeclarationState = { style: state.style, macros: new Map(state.macros) };
      const found = readDeclarations(parsed.masked, parsed.path, working, { start, end, braces: parsed.braces });
      segment = { ...found, stateAfter: { style: working.style, macros: [...working.macros] } };
      entry.segments.set(key, segment);
    }
    return segment;
  }

  private scanEnvironments(
    parsed: ParsedFile,
    declarations: ReadonlyMap<string, TheoremDeclaration>,
    key: string,
    problems: ScanProblem[],
  ): TheoremEnvironment[] {
    let cached = this.environments.get(parsed.path);
    if (!cached || cached.version !== parsed.version || cached.key !== key) {
      cached = { version: parsed.version, key, result: scanMaskedLatex(parsed.text, parsed.masked, parsed.path, declarations, parsed.braces) };
      this.environments.set(parsed.path, cached);
    }
    pushAll(problems, cached.result.problems);
    return cached.result.environments;
  }
}
