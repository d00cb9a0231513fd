/**
 * One LaTeX file as the project scanner keeps it: masked once, with its links to other files
 * (`\input`, `\include`, `\subfile`, `\import`, packages, classes), its `\documentclass` and its
 * `% !TEX root` comment.
 */
import * as path from 'node:path';
import { skipTexSpaces } from '../latexLexer';
import { BraceIndex, readBraceGroup, readOptionalArgument } from './latexArguments';
import { maskLatex } from './latexMask';

type LinkKind = 'tex' | 'package' | 'class';

/** A reference to another file, with the paths LaTeX would try, in order. */
export interface Link {
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

export interface ParsedFile {
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

export function texNames(name: string): string[] {
  return path.extname(name) === '' ? [`${name}.tex`, name] : [name, `${name}.tex`];
}

export function parseFile(filePath: string, file: { text: string; version: string | number }): ParsedFile {
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

/** Where LaTeX would look for a link's file, given the root's and the including file's folders. */
export function candidatePaths(link: Link, rootDirectory: string, fileDirectory: string, name: string): string[] {
  const bases = link.relativeTo === 'file' ? [fileDirectory] : [...new Set([rootDirectory, fileDirectory])];
  return bases.map((base) => path.resolve(base, name));
}
