/**
 * TeX in a proof about to be inserted that does more than typeset: reads or writes files, runs
 * programs, ends the document early, or changes how the rest of the document is read. Math and
 * ```` ```latex ```` blocks are inserted as written (they must be), so a model's answer can carry
 * `\write18{…}`, `\input{/etc/passwd}` or `\end{document}` into the user's file. They are found
 * here, shown before insertion, and inserted commented out unless the user says otherwise.
 *
 * The scan reads the LaTeX the way TeX will: comments and verbatim text are skipped, control
 * words are matched whole (`\inputs` is not `\input`), and TeX's `^^` notation, which can spell
 * any character (`^^5cinput` is `\input`), is flagged itself. Not covered: commands assembled
 * with `\csname…\endcsname` or `\expandafter`, and macros defined elsewhere in the document.
 * One linear pass: every character is read a bounded number of times.
 */

export interface RiskyTex {
  /** 1-based line of the text where the command (or the definition around it) starts. */
  line: number;
  /** The command as written: `\write18`, `\input`, `\end{document}`, `\def\input`, `^^`. */
  command: string;
  /** What it does, for the warning: "reads files". */
  reason: string;
  /** The command with its arguments, as written, shortened for a warning. */
  excerpt: string;
  /** Offsets of what is commented out: the command, its arguments and a definition around it. */
  start: number;
  end: number;
}

const WRITES = 'writes files or runs programs';
const READS = 'reads files';
const RUNS_LUA = 'runs Lua code, which can read and write files';
const ENDS = 'ends the document early: what follows is lost';
const CHANGES_READING = 'changes how the rest of the document is read';
const SPELLS_CHARACTERS = "spells a character in TeX's ^^ notation, which can hide any command";

/** Control words (without the backslash) and what they do. */
const RISKY_COMMANDS: ReadonlyMap<string, string> = new Map([
  ...['write', 'immediate', 'openout', 'closeout', 'ShellEscape'].map((name) => [name, WRITES] as const),
  ...[
    'input', 'include', 'InputIfFileExists', 'openin', 'read', 'readline', 'closein', 'lstinputlisting', 'verbatiminput',
    'VerbatimInput', 'import', 'subimport', 'subfile', 'includegraphics', 'includepdf', 'pdffiledump',
  ].map((name) => [name, READS] as const),
  ...['directlua', 'latelua', 'luaexec', 'luadirect'].map((name) => [name, RUNS_LUA] as const),
  ...['endinput', 'stop'].map((name) => [name, ENDS] as const),
  ...['catcode', 'makeatletter', 'ExplSyntaxOn', 'endlinechar', 'scantokens'].map((name) => [name, CHANGES_READING] as const),
]);
/** Commands that read a file name up to a blank when no braced argument follows (`\input file`). */
const READS_FILE_NAME = new Set(['input', 'include', 'openin', 'openout']);
const WRITING_ENVIRONMENTS = new Set(['filecontents', 'filecontents*']);
const VERBATIM_ENVIRONMENTS = new Set(['verbatim', 'verbatim*']);

/** A definition just before a risky command redefines it: `\def\input`, `\renewcommand{\input}`, `\let\input`. */
const DEFINITION_BEFORE = /(?:\\(?:global|long|outer|protected)\s*)*\\([gex]?def|let|(?:re)?newcommand\*?|providecommand\*?|DeclareRobustCommand\*?)\s*(\{\s*)?$/;
/** How far back a definition is looked for: a few prefixes and the definer. */
const DEFINITION_LOOKBACK = 80;
/** Pieces of a command's arguments besides braced groups: `18`, `` `\$ ``, `=`, `to\x`, `[opt]`, `#1`. */
const ARGUMENT_PIECE = /\d+|`(?:\\[A-Za-z]+|\\?[^])|=|to[ \t]*\\[A-Za-z]+|\[[^\]\n]*\]|#\d/y;
const FILE_NAME = /[^\s$\\{}%&#]+/y;
const ENVIRONMENT_NAME = /[ \t]*\{[ \t]*([A-Za-z]+\*?)[ \t]*\}/y;
const EXCERPT_CHARS = 60;
/** Longer control words are not on the list; reading a bounded prefix keeps the scan linear. */
const MAX_NAME = 40;

export function findRiskyTex(latex: string): RiskyTex[] {
  const found: RiskyTex[] = [];
  const lines = new LineCounter(latex);
  /** Where the previous finding ended: a definition is not looked for before it. */
  let previousEnd = 0;
  const add = (start: number, end: number, command: string, reason: string): void => {
    found.push({ line: lines.lineAt(start), command, reason, excerpt: excerptOf(latex.slice(start, end)), start, end });
    previousEnd = end;
  };
  let i = 0;
  while (i < latex.length) {
    const char = latex[i]!;
    if (char === '%') {
      i = lineEnd(latex, i);
    } else if (char === '^' && latex[i + 1] === '^') {
      const end = caretNotationEnd(latex, i);
      add(i, end, '^^', SPELLS_CHARACTERS);
      i = end;
    } else if (char !== '\\') {
      i++;
    } else {
      const name = /^[A-Za-z]*/.exec(latex.slice(i + 1, i + 1 + MAX_NAME))![0];
      // A control symbol is skipped, except `\^`: in `\^^69nput` (`\input`) its `^^` is read next.
      if (name === '') i += latex[i + 1] === '^' ? 1 : 2;
      else i = command(i, name);
    }
  }
  return found;

  /** Reads the control word `\name` at `at`; returns where the scan goes on. */
  function command(at: number, name: string): number {
    const after = at + 1 + name.length;
    if (name === 'verb') return afterVerb(latex, after);
    if (name === 'begin' || name === 'end') {
      ENVIRONMENT_NAME.lastIndex = after;
      const environment = ENVIRONMENT_NAME.exec(latex);
      const argumentEnd = environment ? ENVIRONMENT_NAME.lastIndex : after;
      if (name === 'begin' && environment && VERBATIM_ENVIRONMENTS.has(environment[1]!)) {
        // Verbatim ends at the first `\end{verbatim}`, exactly as written, as in LaTeX.
        const close = latex.indexOf(`\\end{${environment[1]}}`, argumentEnd);
        return close === -1 ? latex.length : close + `\\end{${environment[1]}}`.length;
      }
      if (name === 'begin' && environment && WRITING_ENVIRONMENTS.has(environment[1]!)) {
        const closing = `\\end{${environment[1]}}`;
        const close = latex.indexOf(closing, argumentEnd);
        const end = close === -1 ? latex.length : close + closing.length;
        add(at, end, `\\begin{${environment[1]}}`, WRITES);
        return end;
      }
      if (name === 'end' && environment?.[1] === 'document') {
        add(at, argumentEnd, '\\end{document}', ENDS);
        return argumentEnd;
      }
      return argumentEnd;
    }
    const reason = RISKY_COMMANDS.get(name);
    if (!reason) return after;
    // On the command's own line only: a line before may end in a comment.
    const window = Math.max(previousEnd, at - DEFINITION_LOOKBACK);
    const lookbackFrom = window + latex.slice(window, at).lastIndexOf('\n') + 1;
    const definition = DEFINITION_BEFORE.exec(latex.slice(lookbackFrom, at));
    if (definition) {
      const end = definitionEnd(latex, after, definition[1]!, definition[2] !== undefined);
      add(lookbackFrom + definition.index, end, `\\${definition[1]}\\${name}`, `redefines \\${name}`);
      return end;
    }
    const end = argumentsEnd(latex, after, READS_FILE_NAME.has(name));
    const stream = name === 'write' ? /^[ \t]*(\d+)/.exec(latex.slice(after, after + 12))?.[1] ?? '' : '';
    add(at, end, `\\${name}${stream}`, reason);
    return end;
  }
}

/**
 * Comments out every finding: the command with its arguments goes on a comment line of its own,
 * `% QED: commented out (reads files): \input{/etc/passwd}`, and the text after it on the same
 * line goes on the next line, so the rest of the line (and math around the command) still
 * compiles. Findings separated only by blanks share one comment. No blank line is introduced.
 */
export function commentOutRiskyTex(latex: string, found: readonly RiskyTex[] = findRiskyTex(latex)): string {
  let out = '';
  let from = 0;
  /** Start of the line the next region is on, followed along (no search back from each region). */
  let lineStart = 0;
  for (const region of mergedRegions(latex, found)) {
    const head = latex.slice(from, region.start);
    const lastBreak = head.lastIndexOf('\n');
    if (lastBreak !== -1) lineStart = from + lastBreak + 1;
    const indent = /^[ \t]*/.exec(latex.slice(lineStart, region.start))![0];
    const headOnThisLine = head.slice(lastBreak + 1);
    if (headOnThisLine.trim() === '' && (lastBreak !== -1 || from === 0)) {
      // The command starts its line: the comment takes its place, after the indentation.
      out += head.slice(0, head.length - headOnThisLine.length) + indent;
    } else {
      out += `${trimEndBlanks(head)}\n${indent}`;
    }
    const regionLines = latex.slice(region.start, region.end).split('\n');
    out += regionLines
      .map((line, index) => (index === 0 ? `% QED: commented out (${region.reasons.join('; ')}): ${line}` : `${indent}% ${line.trimStart()}`))
      .join('\n');
    if (regionLines.length > 1) lineStart = region.end - regionLines[regionLines.length - 1]!.length;
    const restStart = skipBlanks(latex, region.end);
    if (restStart < latex.length && latex[restStart] !== '\n') out += `\n${indent}`; // the rest of the line goes on the next
    from = restStart; // else the line's own line break follows the comment
  }
  return out + latex.slice(from);
}

interface Region {
  start: number;
  end: number;
  reasons: string[];
}

/** Findings in order, those separated only by spaces and tabs merged: `\immediate\write18{…}` is one comment. */
function mergedRegions(latex: string, found: readonly RiskyTex[]): Region[] {
  const regions: Region[] = [];
  for (const finding of [...found].sort((a, b) => a.start - b.start)) {
    const last = regions[regions.length - 1];
    if (last && finding.start <= skipBlanks(latex, last.end)) {
      last.end = Math.max(last.end, finding.end);
      if (!last.reasons.includes(finding.reason)) last.reasons.push(finding.reason);
    } else {
      regions.push({ start: finding.start, end: finding.end, reasons: [finding.reason] });
    }
  }
  return regions;
}

/**
 * The end of a command's arguments, in TeX's order: numbers (`\write18`, `` \catcode`\$ ``), `=`,
 * `to\x`, parameters and optional `[…]`, then braced groups; a file-reading command without a
 * braced argument reads a file name (`\input file.tex`). Nothing but groups after the first group:
 * the `=` in `\[ \input{x} = y \]` is the formula's.
 */
function argumentsEnd(latex: string, from: number, readsFileName: boolean): number {
  let end = from;
  let braced = false;
  for (;;) {
    const at = skipArgumentBlanks(latex, end);
    if (latex[at] === '{') {
      end = groupEnd(latex, at);
      braced = true;
      continue;
    }
    if (braced) break;
    ARGUMENT_PIECE.lastIndex = at;
    if (!ARGUMENT_PIECE.test(latex)) break;
    end = ARGUMENT_PIECE.lastIndex;
  }
  if (!braced && readsFileName) {
    FILE_NAME.lastIndex = skipArgumentBlanks(latex, end);
    if (FILE_NAME.test(latex)) end = FILE_NAME.lastIndex;
  }
  return end;
}

/** After `\def\input`: its parameters and body; after `\renewcommand{\input`: `}`, `[n]` and the body; after `\let\input`: one token. */
function definitionEnd(latex: string, from: number, definer: string, braced: boolean): number {
  if (definer === 'let') {
    const token = /^[ \t]*=?[ \t]?(?:\\[A-Za-z]+|\\[^]|[^\s])/.exec(latex.slice(from, from + MAX_NAME + 8));
    return token ? from + token[0].length : from;
  }
  let at = from;
  if (braced) {
    const close = /^\s*\}/.exec(latex.slice(at, at + 40));
    if (close) at += close[0].length;
  }
  return argumentsEnd(latex, at, false);
}

/** After `^^` and two lowercase hex digits, or `^^` and one character (not the line break). */
function caretNotationEnd(latex: string, at: number): number {
  if (/^[0-9a-f]{2}$/.test(latex.slice(at + 2, at + 4))) return at + 4;
  return at + 2 < latex.length && latex[at + 2] !== '\n' ? at + 3 : at + 2;
}

/** `\verb|…|`: skipped to its closing delimiter; without one on its line, LaTeX reads the rest of the line verbatim. */
function afterVerb(latex: string, from: number): number {
  let at = latex[from] === '*' ? from + 1 : from;
  const delimiter = latex[at];
  if (delimiter === undefined || delimiter === '\n') return at;
  for (at++; at < latex.length && latex[at] !== delimiter && latex[at] !== '\n'; at++);
  return latex[at] === delimiter ? at + 1 : at;
}

/** The index after the `}` closing the group opened at `open`; `\{`, `\}` and comments do not count. Unclosed: the end. */
function groupEnd(latex: string, open: number): number {
  let depth = 0;
  for (let i = open; i < latex.length; i++) {
    const char = latex[i];
    if (char === '\\') i++;
    else if (char === '%') i = lineEnd(latex, i) - 1;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return i + 1;
  }
  return latex.length;
}

/** Blanks between a command and its arguments: spaces, tabs and at most one line break (a blank line ends them). */
function skipArgumentBlanks(latex: string, from: number): number {
  let at = skipBlanks(latex, from);
  if (latex[at] === '\n') at = skipBlanks(latex, at + 1);
  return at;
}

function skipBlanks(latex: string, from: number): number {
  let at = from;
  while (latex[at] === ' ' || latex[at] === '\t') at++;
  return at;
}

function trimEndBlanks(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(0, end);
}

function lineEnd(latex: string, from: number): number {
  const end = latex.indexOf('\n', from);
  return end === -1 ? latex.length : end;
}

function excerptOf(source: string): string {
  const oneLine = source.slice(0, 4 * EXCERPT_CHARS).replace(/\s+/g, ' ').trim();
  return oneLine.length > EXCERPT_CHARS || source.length > 4 * EXCERPT_CHARS ? `${oneLine.slice(0, EXCERPT_CHARS)}…` : oneLine;
}

/** Line numbers of increasing offsets, counted once. */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  lineAt(offset: number): number {
    if (offset < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    for (; this.offset < offset; this.offset++) if (this.text.charCodeAt(this.offset) === 0x0a) this.line++;
    return this.line;
  }
}
