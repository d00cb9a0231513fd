/**
 * The project's files as the scanner reads them: through a file system the caller provides (the
 * VS Code adapter, the CLI, a test), parsed once per version.
 */
import { parseFile, type ParsedFile } from './latexLinks';

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

/** Parsed files by path, re-parsed only when the file system reports a new version. */
export class ParsedFiles {
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
