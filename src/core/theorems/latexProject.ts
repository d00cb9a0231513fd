/**
 * A LaTeX document as LaTeX sees it: the root file (found as LaTeX Workshop finds it), the files
 * it `\input`s, `\include`s or `\subfile`s, and the project's own `.sty`/`.cls` files. The
 * declarations of all of them, read in the order LaTeX reads them, name the theorem-like
 * environments of every document file.
 *
 * Everything derived from a file is cached by (path, version), so a re-scan after typing only
 * re-reads the changed file: masking and links per version, declarations per version and
 * incoming `\theoremstyle`/macro state, environments per version and declaration set.
 */
import * as path from 'node:path';
import {
  addWrappers,
  classTheoremDeclarations,
  DEFAULT_THEOREM_DECLARATIONS,
  defaultDeclaration,
  newDeclarationState,
  readDeclarations,
  type DeclarationState,
  type EnvironmentWrapper,
  type TheoremMacro,
} from './latexDeclarations';
import { skipTexSpaces } from '../latexLexer';
import { BraceIndex, readBraceGroup, readOptionalArgument } from './latexArguments';
import { maskLatex } from './latexMask';
import { scanMaskedLatex } from './latexScanner';
import type { ScanProblem, ScanResult, TheoremDeclaration, TheoremEnvironment } from './types';
import { pushAll } from '../arrays';

export interface ProjectFile {
  text: string;
  version: string | number;
}

/** A file that exists but is not read (see boundedFileReader.ts): why, for the outline and the log. */
export interface SkippedFile {
  skipped: string;
}

export interface ProjectFileSystem {
  /** Absolute path → contents, or undefined if missing. The VS Code adapter returns unsaved editor text with its document version. */
  readFile(path: string): Promise<ProjectFile | SkippedFile | undefined>;
}

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

// ---------------------------------------------------------------------------------------------
// One file: its links to other files

type LinkKind = 'tex' | 'package' | 'class';

/** A reference to another file, with the paths LaTeX would try, in order. */
interface Link {
  kind: LinkKind;
  /** Start of the command, and just after its arguments. */
  offset: number;
  end: number;
  /** As written, for messages. */
  written: string;
  /** Relative names to try against `relativeTo`. */
  names: string[];
  /** `root`: LaTeX's working directory (the root's folder); `file`: this file's folder (`\subimport`). */
  relativeTo: 'root' | 'file';
}

interface ParsedFile {
  path: string;
  version: string | number;
  text: string;
  masked: string;
  braces: BraceIndex;
  /** Offset just after `\begin{document}`, or -1. */
  documentStart: number;
  documentClass: { name: string; options: string } | null;
  /** `% !TEX root = …`: the path as written and where the comment is. */
  magicRoot: { written: string; offset: number } | null;
  links: Link[];
}

const LINK_COMMAND =
  /\\(input|include|subfile|import|subimport|inputfrom|includefrom|subinputfrom|subincludefrom|usepackage|RequirePackage|documentclass|LoadClass)(?![a-zA-Z@])\*?/g;
const MAGIC_ROOT = /^[ \t]*%[ \t]*!\s*tex[ \t]+root[ \t]*=[ \t]*(.*?)[ \t]*$/im;
const BEGIN_DOCUMENT = /\\begin\s*\{document\}/;
/** `\input file` without braces: TeX reads the name up to a space or the end of the line. */
const BARE_NAME = /[ \t]+([^\s{}\\%]+)/y;

function texNames(name: string): string[] {
  return path.extname(name) === '' ? [`${name}.tex`, name] : [name, `${name}.tex`];
}

function parseFile(filePath: string, file: ProjectFile): ParsedFile {
  const masked = maskLatex(file.text);
  const braces = new BraceIndex(masked);
  const documentMatch = BEGIN_DOCUMENT.exec(masked);
  const magic = MAGIC_ROOT.exec(file.text);
  const parsed: ParsedFile = {
    path: filePath,
    version: file.version,
    text: file.text,
    masked,
    braces,
    documentStart: documentMatch ? documentMatch.index + documentMatch[0].length : -1,
    documentClass: null,
    magicRoot: magic?.[1] ? { written: magic[1], offset: magic.index } : null,
    links: [],
  };
  LINK_COMMAND.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = LINK_COMMAND.exec(masked))) {
    const link = readLink(masked, braces, match[1]!, match.index, LINK_COMMAND.lastIndex, parsed);
    if (link) {
      parsed.links.push(link);
      LINK_COMMAND.lastIndex = link.end;
    }
  }
  return parsed;
}

/** Reads one link command's arguments; undefined when they are not plain names (e.g. `#1` inside a macro). */
function readLink(masked: string, braces: BraceIndex, command: string, offset: number, after: number, parsed: ParsedFile): Link | undefined {
  const group = (from: number) => readBraceGroup(masked, braces, skipTexSpaces(masked, from, masked.length, 1));
  const optional = (from: number) => {
    const argument = readOptionalArgument(masked, braces, skipTexSpaces(masked, from, masked.length, 1));
    return argument === 'unterminated' ? undefined : argument;
  };
  const text = (span: { start: number; end: number }) => masked.slice(span.start, span.end).trim();
  const plain = (name: string) => name !== '' && !/[#\\{}]/.test(name);
  const link = (kind: LinkKind, end: number, written: string, names: string[], relativeTo: 'root' | 'file' = 'root'): Link => ({
    kind, offset, end, written, names, relativeTo,
  });

  switch (command) {
    case 'input':
    case 'include':
    case 'subfile': {
      const argument = group(after);
      if (argument) return plain(text(argument.inner)) ? link('tex', argument.next, text(argument.inner), texNames(text(argument.inner))) : undefined;
      if (command !== 'input') return undefined;
      BARE_NAME.lastIndex = after;
      const bare = BARE_NAME.exec(masked);
      return bare ? link('tex', BARE_NAME.lastIndex, bare[1]!, texNames(bare[1]!)) : undefined;
    }
    case 'import':
    case 'subimport':
    case 'inputfrom':
    case 'includefrom':
    case 'subinputfrom':
    case 'subincludefrom': {
      const directory = group(after);
      const name = directory && group(directory.next);
      if (!directory || !name || !plain(text(name.inner))) return undefined;
      const joined = path.join(text(directory.inner), text(name.inner));
      return link('tex', name.next, joined, texNames(joined), command.startsWith('sub') ? 'file' : 'root');
    }
    case 'usepackage':
    case 'RequirePackage': {
      const options = optional(after);
      const names = group(options?.next ?? after);
      if (!names) return undefined;
      const packages = text(names.inner).split(',').map((name) => name.trim()).filter(plain);
      return link('package', names.next, text(names.inner), packages.map((name) => `${name}.sty`));
    }
    default: {
      // \documentclass / \LoadClass
      const options = optional(after);
      const name = group(options?.next ?? after);
      if (!name || !plain(text(name.inner))) return undefined;
      if (command === 'documentclass' && !parsed.documentClass) {
        parsed.documentClass = { name: text(name.inner), options: options ? text(options.inner) : '' };
      }
      return link('class', name.next, text(name.inner), [`${text(name.inner)}.cls`]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading files through a cache

/** Parsed files by path, re-parsed only when the file system reports a new version. */
class ParsedFiles {
  private readonly cache = new Map<string, ParsedFile>();
  /** Files that exist but were not read at their last look, and why. */
  private readonly skipped = new Map<string, string>();

  constructor(private readonly fs: ProjectFileSystem) {}

  /** `worthParsing` lets a caller skip parsing files it cannot use (root candidates without `\documentclass`). */
  async get(filePath: string, worthParsing?: (text: string) => boolean): Promise<ParsedFile | undefined> {
    const file = await this.fs.readFile(filePath);
    if (!file || 'skipped' in file) {
      this.cache.delete(filePath);
      if (file) this.skipped.set(filePath, file.skipped);
      else this.skipped.delete(filePath);
      return undefined;
    }
    this.skipped.delete(filePath);
    const cached = this.cache.get(filePath);
    if (cached && cached.version === file.version) return cached;
    if (worthParsing && !worthParsing(file.text)) return undefined;
    const parsed = parseFile(filePath, file);
    this.cache.set(filePath, parsed);
    return parsed;
  }

  /** Why `filePath` was not read when last asked for, if it exists but was skipped. */
  skipReason(filePath: string): string | undefined {
    return this.skipped.get(filePath);
  }

  /** The first of `candidates` that exists; undefined if none does, or if that one was skipped (`skipReason`). */
  async first(candidates: readonly string[]): Promise<ParsedFile | undefined> {
    for (const candidate of candidates) {
      const parsed = await this.get(candidate);
      if (parsed || this.skipped.has(candidate)) return parsed;
    }
    return undefined;
  }
}

/** Where LaTeX would look for a link's file, given the root's and the including file's folders. */
function candidatePaths(link: Link, rootDirectory: string, fileDirectory: string, name: string): string[] {
  const bases = link.relativeTo === 'file' ? [fileDirectory] : [...new Set([rootDirectory, fileDirectory])];
  return bases.map((base) => path.resolve(base, name));
}

// ---------------------------------------------------------------------------------------------
// Finding the root

interface RootResult {
  root: string;
  problems: ScanProblem[];
}

async function locateRoot(file: string, files: ParsedFiles, workspaceTexFiles: readonly string[]): Promise<RootResult> {
  const problems: ScanProblem[] = [];
  const parsed = await files.get(file);
  if (!parsed) return { root: file, problems };
  if (parsed.magicRoot) {
    const target = path.resolve(path.dirname(file), parsed.magicRoot.written);
    if (target === file || (await files.get(target))) return { root: target, problems };
    const reason = files.skipReason(target);
    problems.push({
      file,
      offset: parsed.magicRoot.offset,
      message: reason
        ? `% !TEX root points to ${parsed.magicRoot.written}, which was not read (${reason}); finding the root without it`
        : `% !TEX root points to ${parsed.magicRoot.written}, which does not exist; finding the root without it`,
      ...(reason && { skipped: { file: target, reason } }),
    });
  }
  if (parsed.documentClass) {
    // subfiles: \documentclass[main.tex]{subfiles} compiles within main.tex.
    if (parsed.documentClass.name === 'subfiles' && parsed.documentClass.options) {
      const main = await files.first(texNames(parsed.documentClass.options).map((name) => path.resolve(path.dirname(file), name)));
      if (main) return { root: main.path, problems };
    }
    return { root: file, problems };
  }
  for (const candidate of orderCandidates(file, workspaceTexFiles)) {
    const root = await files.get(candidate, (text) => text.includes('\\documentclass'));
    if (root?.documentClass && (await includes(root, file, files))) return { root: candidate, problems };
    const reason = files.skipReason(candidate);
    if (reason) problems.push({ file: candidate, offset: 0, message: `not read as a possible root document: ${reason}`, skipped: { file: candidate, reason } });
  }
  return { root: file, problems };
}

/** Workspace files in the folders above `file` first (nearest first), then the rest by path. */
function orderCandidates(file: string, workspaceTexFiles: readonly string[]): string[] {
  const directory = path.dirname(file);
  const distance = (candidate: string) => {
    const relative = path.relative(path.dirname(candidate), directory);
    return relative.startsWith('..') || path.isAbsolute(relative) ? Infinity : relative.split(path.sep).filter(Boolean).length;
  };
  return [...new Set(workspaceTexFiles.map((candidate) => path.resolve(candidate)))]
    .filter((candidate) => candidate !== file)
    .map((candidate) => ({ candidate, distance: distance(candidate) }))
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0))
    .map(({ candidate }) => candidate);
}

/** Whether `root` includes `target`, directly or transitively (each file visited once, so cycles end). */
async function includes(root: ParsedFile, target: string, files: ParsedFiles): Promise<boolean> {
  const rootDirectory = path.dirname(root.path);
  const seen = new Set([root.path]);
  const stack = [root];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const link of current.links) {
      if (link.kind !== 'tex') continue;
      const candidates = link.names.flatMap((name) => candidatePaths(link, rootDirectory, path.dirname(current.path), name));
      if (candidates.includes(target)) return true;
      const next = await files.first(candidates);
      if (next && !seen.has(next.path)) {
        seen.add(next.path);
        stack.push(next);
      }
    }
  }
  return false;
}

/** The root document of `file`: its `% !TEX root`, itself if it has `\documentclass`, else a workspace file that includes it, else itself. */
export async function findRoot(file: string, fs: ProjectFileSystem, workspaceTexFiles: readonly string[] = []): Promise<string> {
  return (await locateRoot(path.resolve(file), new ParsedFiles(fs), workspaceTexFiles)).root;
}

// ---------------------------------------------------------------------------------------------
// Scanning a project

type Role = 'document' | 'preamble' | 'package';

/** The include tree of one scan: what to scan for environments, and where included files go. */
interface TreeNode {
  file: ParsedFile;
  role: Role;
  children: Array<{ offset: number; node: TreeNode }>;
}

interface DeclarationSegment {
  declarations: TheoremDeclaration[];
  wrappers: EnvironmentWrapper[];
  stateAfter: { style: string | undefined; macros: Array<[string, TheoremMacro]> };
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

type SegmentReader = (parsed: ParsedFile, state: DeclarationState, start: number, end: number, index: number) => DeclarationSegment;

/** One traversal of the include tree from the root, in the order LaTeX reads the files. */
class ProjectWalk {
  readonly order: string[] = [];
  readonly texts = new Map<string, string>();
  readonly declarations: TheoremDeclaration[] = [];
  readonly wrappers: EnvironmentWrapper[] = [];
  private readonly state = newDeclarationState();

  constructor(
    private readonly files: ParsedFiles,
    private readonly rootDirectory: string,
    private readonly problems: ScanProblem[],
    private readonly readSegment: SegmentReader,
  ) {}

  record(parsed: ParsedFile): void {
    if (this.texts.has(parsed.path)) return;
    this.order.push(parsed.path);
    this.texts.set(parsed.path, parsed.text);
  }

  /**
   * Reads `filePath` and what it includes, depth first. `ancestors` are the files including it (a
   * cycle is reported, not followed); a file already read is not read again, as LaTeX loads a
   * package once.
   */
  async visit(filePath: string, role: Role, ancestors: readonly string[]): Promise<TreeNode | undefined> {
    const parsed = await this.files.get(filePath);
    if (!parsed) return undefined;
    this.record(parsed);
    const node: TreeNode = { file: parsed, role, children: [] };
    const isRoot = ancestors.length === 0;
    const lineage = [...ancestors, parsed.path];
    // An included file with its own preamble (a subfile) is read from its \begin{document}, as the
    // subfiles package does; the root's preamble is read, but only for declarations.
    const skipsPreamble = !isRoot && role === 'document' && parsed.documentStart >= 0;
    let segmentStart = skipsPreamble ? parsed.documentStart : 0;
    let index = 0;
    for (const link of parsed.links) {
      const inPreamble = parsed.documentStart >= 0 && link.offset < parsed.documentStart;
      if (inPreamble && skipsPreamble) continue;
      this.readDeclarations(parsed, segmentStart, link.offset, index++);
      segmentStart = link.end;
      const childRole: Role = link.kind !== 'tex' ? 'package' : role === 'document' && !inPreamble ? 'document' : 'preamble';
      for (const name of link.names) {
        const candidates = candidatePaths(link, this.rootDirectory, path.dirname(parsed.path), name);
        const existing = candidates.find((candidate) => this.texts.has(candidate));
        if (existing) {
          if (lineage.includes(existing)) {
            this.problems.push({ file: parsed.path, offset: link.offset, message: `${link.written} includes ${path.basename(existing)} again (an include cycle); not followed` });
          }
          if (link.kind === 'tex') break;
          continue;
        }
        const found = await this.files.first(candidates);
        const skipped = found ? undefined : candidates.find((candidate) => this.files.skipReason(candidate) !== undefined);
        if (skipped) {
          const reason = this.files.skipReason(skipped)!;
          this.problems.push({ file: parsed.path, offset: link.offset, message: `${link.written}: not read, ${reason}`, skipped: { file: skipped, reason } });
          if (link.kind === 'tex') break;
          continue;
        }
        if (!found) {
          // Packages and classes not in the project are LaTeX's own (amsthm…): nothing to report.
          if (link.kind === 'tex' && name === link.names[link.names.length - 1]) {
            this.problems.push({ file: parsed.path, offset: link.offset, message: `${link.written}: file not found` });
          }
          continue;
        }
        const child = await this.visit(found.path, childRole, lineage);
        if (child) node.children.push({ offset: link.offset, node: child });
        if (link.kind === 'tex') break;
      }
    }
    this.readDeclarations(parsed, segmentStart, parsed.masked.length, index);
    return node;
  }

  private readDeclarations(parsed: ParsedFile, start: number, end: number, index: number): void {
    const segment = this.readSegment(parsed, this.state, start, end, index);
    pushAll(this.declarations, segment.declarations);
    pushAll(this.wrappers, segment.wrappers);
    this.state.style = segment.stateAfter.style;
    this.state.macros = new Map(segment.stateAfter.macros);
  }
}

