/**
 * One walk of a project's include tree from the root, in the order LaTeX reads the files: which
 * files are read, in which role, and the declarations they make along the way (read between links,
 * since an included file can change `\theoremstyle` and macros for what follows).
 */
import * as path from 'node:path';
import { pushAll } from '../arrays';
import { newDeclarationState, type DeclarationState, type EnvironmentWrapper, type TheoremMacro } from './latexDeclarations';
import { candidatePaths, type Link, type ParsedFile } from './latexLinks';
import type { ParsedFiles } from './projectFiles';
import type { ScanProblem, TheoremDeclaration } from './types';

export type Role = 'document' | 'preamble' | 'package';

/** The include tree of one scan: what to scan for environments, and where included files go. */
export interface TreeNode {
  file: ParsedFile;
  role: Role;
  children: Array<{ offset: number; node: TreeNode }>;
}

export interface DeclarationSegment {
  declarations: TheoremDeclaration[];
  wrappers: EnvironmentWrapper[];
  stateAfter: { style: string | undefined; macros: Array<[string, TheoremMacro]> };
}

export type SegmentReader = (parsed: ParsedFile, state: DeclarationState, start: number, end: number, index: number) => DeclarationSegment;

/** One traversal of the include tree from the root, in the order LaTeX reads the files. */
export class ProjectWalk {
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
      // A `\input`'s names are alternatives (`x.tex`, then `x`); a `\usepackage{a,b}` names several files.
      for (const name of link.names) {
        if ((await this.visitLinked(parsed, link, name, childRole, lineage, node)) && link.kind === 'tex') break;
      }
    }
    this.readDeclarations(parsed, segmentStart, parsed.masked.length, index);
    return node;
  }

  /**
   * Reads the file `name` of `link` points to and adds it to `node`, unless it was read before (a
   * cycle is reported) or is skipped (reported). False when no such file exists.
   */
  private async visitLinked(parsed: ParsedFile, link: Link, name: string, role: Role, lineage: readonly string[], node: TreeNode): Promise<boolean> {
    const candidates = candidatePaths(link, this.rootDirectory, path.dirname(parsed.path), name);
    const existing = candidates.find((candidate) => this.texts.has(candidate));
    if (existing) {
      if (lineage.includes(existing)) {
        this.problems.push({ file: parsed.path, offset: link.offset, message: `${link.written} includes ${path.basename(existing)} again (an include cycle); not followed` });
      }
      return true;
    }
    const found = await this.files.first(candidates);
    const skipped = found ? undefined : candidates.find((candidate) => this.files.skipReason(candidate) !== undefined);
    if (skipped) {
      const reason = this.files.skipReason(skipped)!;
      this.problems.push({ file: parsed.path, offset: link.offset, message: `${link.written}: not read, ${reason}`, skipped: { file: skipped, reason } });
      return true;
    }
    if (!found) {
      // Packages and classes not in the project are LaTeX's own (amsthm…): nothing to report.
      if (link.kind === 'tex' && name === link.names[link.names.length - 1]) {
        this.problems.push({ file: parsed.path, offset: link.offset, message: `${link.written}: file not found` });
      }
      return false;
    }
    const child = await this.visit(found.path, role, lineage);
    if (child) node.children.push({ offset: link.offset, node: child });
    return true;
  }

  private readDeclarations(parsed: ParsedFile, start: number, end: number, index: number): void {
    const segment = this.readSegment(parsed, this.state, start, end, index);
    pushAll(this.declarations, segment.declarations);
    pushAll(this.wrappers, segment.wrappers);
    this.state.style = segment.stateAfter.style;
    this.state.macros = new Map(segment.stateAfter.macros);
  }
}
