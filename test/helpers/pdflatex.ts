/**
 * Compiles a LaTeX body with Debian's pdflatex (packages texlive-latex-base and, through it,
 * texlive-base for amssymb), the way a user's document would be: an `article` with amsmath,
 * amssymb and amsthm, no shell escape, stopping at the first error.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PDFLATEX = '/usr/bin/pdflatex';
/** A compile that takes longer than this is stuck (e.g. waiting for input it was never meant to read). */
const COMPILE_TIMEOUT_MS = 60_000;

export function pdflatexUnavailable(): string | undefined {
  return existsSync(PDFLATEX) ? undefined : `${PDFLATEX} is not installed (apt-get install texlive-latex-base)`;
}

export interface CompileResult {
  ok: boolean;
  /** The log's error lines (`! …`) with the line of input TeX was at, when it failed. */
  errors: string[];
}

/** Compiles `body` inside `\begin{document}…\end{document}` in a temporary folder, removed afterwards. */
export async function compileLatex(body: string): Promise<CompileResult> {
  const dir = await mkdtemp(join(tmpdir(), 'qed-pdflatex-'));
  try {
    const source = ['\\documentclass{article}', '\\usepackage{amsmath,amssymb,amsthm}', '\\begin{document}', body, '\\end{document}', ''].join('\n');
    await writeFile(join(dir, 'doc.tex'), source);
    const exitCode = await new Promise<number>((resolve) => {
      execFile(
        PDFLATEX,
        ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'doc.tex'],
        { cwd: dir, timeout: COMPILE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error) => resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0),
      );
    });
    const log = await readFile(join(dir, 'doc.log'), 'latin1').catch(() => '');
    const ok = exitCode === 0 && existsSync(join(dir, 'doc.pdf'));
    return { ok, errors: ok ? [] : errorsIn(log) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function errorsIn(log: string): string[] {
  const lines = log.split('\n');
  const errors: string[] = [];
  lines.forEach((line, index) => {
    if (!line.startsWith('! ') || line.includes('==> Fatal error occurred')) return;
    const at = lines.slice(index + 1, index + 8).find((next) => /^l\.\d+/.test(next));
    errors.push(at ? `${line} (${at.trim()})` : line);
  });
  return errors.length > 0 ? errors : ['pdflatex failed without an error line in its log'];
}
