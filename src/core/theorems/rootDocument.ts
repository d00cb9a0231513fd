/**
 * Finding the root document of a file, as LaTeX Workshop does: its `% !TEX root`, itself if it has
 * `\documentclass` (or the main file of a `subfiles` class), else a workspace file that includes it.
 */
import * as path from 'node:path';
import { candidatePaths, texNames, type ParsedFile } from './latexLinks';
import { ParsedFiles, type ProjectFileSystem } from './projectFiles';
import type { ScanProblem } from './types';

export interface RootResult {
  root: string;
  problems: ScanProblem[];
}

export async function locateRoot(file: string, files: ParsedFiles, workspaceTexFiles: readonly string[]): Promise<RootResult> {
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
export async function includes(root: ParsedFile, target: string, files: ParsedFiles): Promise<boolean> {
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
