/**
 * The macros a LaTeX document defines: read from its preamble/style files, followed from a
 * statement to everything it needs, and turned into KaTeX's `macros` option for the panel.
 *
 * Reading is a single linear scan over a comment-masked copy of the text (see latexText.ts), so
 * offsets stay those of the original file and `source` is the declaration exactly as written.
 * Only definitions at the top level (brace depth 0) count: a `\def` inside a group or inside
 * another macro's argument is local or not executed yet (e.g. napkin's
 * `\pdfstringdefDisableCommands{\def\Spec{…}}` only applies to PDF bookmarks). The exception is
 * `\AtBeginDocument{…}` and friends, whose argument runs at the top level.
 */
import { controlSequenceAt, maskComments, matchBraces, skipWhitespace, stripComments } from './latexText';

export type MacroKind =
  | 'newcommand'
  | 'renewcommand'
  | 'providecommand'
  | 'def'
  | 'let'
  | 'operator'
  | 'operator*'
  | 'newenvironment'
  | 'documentcommand';

export interface MacroDefinition {
  /** With backslash, e.g. `\R`; for environments the bare environment name, e.g. `moral`. */
  name: string;
  arity: number;
  /** `\newcommand{\f}[2][x]{…}`: `x`. */
  defaultArgument: string | null;
  /**
   * Replacement text without comments. `\let\a\b`: `\b`. Environments: the begin code, a line
   * break, the end code.
   */
  body: string;
  kind: MacroKind;
  /**
   * Argument syntax that `#1…#n` cannot express: a `\def`'s delimited parameter text
   * (`#1:#2\@end`) or an xparse spec other than plain `m`s (`o m`). Null when arguments are plain.
   */
  parameterText: string | null;
  /** The exact declaration text, comments included. */
  source: string;
  file: string;
  offset: number;
}

const NEWCOMMAND_KINDS: Record<string, MacroKind> = {
  '\\newcommand': 'newcommand',
  '\\renewcommand': 'renewcommand',
  '\\providecommand': 'providecommand',
  '\\DeclareRobustCommand': 'renewcommand',
};
const DEF_COMMANDS = new Set(['\\def', '\\gdef', '\\edef', '\\xdef']);
const LET_COMMANDS = new Set(['\\let', '\\glet']);
const OPERATOR_COMMANDS = new Set(['\\DeclareMathOperator']);
const ENVIRONMENT_COMMANDS = new Set(['\\newenvironment', '\\renewenvironment']);
const DOCUMENT_COMMANDS = new Set([
  '\\NewDocumentCommand',
  '\\RenewDocumentCommand',
  '\\ProvideDocumentCommand',
  '\\DeclareDocumentCommand',
]);
/** Commands whose argument is executed at the top level, so definitions inside it count. */
const TOP_LEVEL_HOOKS = new Set(['\\AtBeginDocument', '\\AtEndPreamble', '\\AtEndOfPackage', '\\AtEndOfClass']);

/** Longest optional argument or `\def` parameter text we look through; bounds work on garbage. */
const MAX_BRACKET_SCAN = 2000;

interface Parsed {
  definition: Omit<MacroDefinition, 'source' | 'file' | 'offset'>;
  end: number;
}

/** Every macro definition in `text`, in document order (redefinitions included). */
export function findMacroDefinitions(text: string, file: string): MacroDefinition[] {
  const masked = maskComments(text);
  const braces = matchBraces(masked);
  const reader = new DefinitionReader(text, masked, braces);
  const definitions: MacroDefinition[] = [];
  // One entry per open brace: does it hide definitions (an ordinary group) or not (a hook)?
  const groups: boolean[] = [];
  let hiddenDepth = 0;
  let hookPending = false;
  for (let i = 0; i < masked.length; i++) {
    const c = masked.charCodeAt(i);
    if (c === 0x7b /* { */) {
      if (braces[i]! < 0) continue; // unbalanced: ignore rather than hide the rest of the file
      groups.push(!hookPending);
      if (!hookPending) hiddenDepth++;
      hookPending = false;
      continue;
    }
    if (c === 0x7d /* } */) {
      if (braces[i]! >= 0 && groups.pop()) hiddenDepth--;
      continue;
    }
    if (c !== 0x5c /* \ */) {
      if (!/\s/.test(masked[i]!)) hookPending = false;
      continue;
    }
    const name = controlSequenceAt(masked, i);
    if (name === null) break;
    hookPending = TOP_LEVEL_HOOKS.has(name);
    const parsed = hiddenDepth === 0 ? reader.read(name, i) : null;
    if (parsed) {
      definitions.push({ ...parsed.definition, source: text.slice(i, parsed.end), file, offset: i });
      i = parsed.end - 1;
    } else {
      i += name.length - 1;
    }
  }
  return definitions;
}

/** Parses one declaration at a known position; null when it is not a well-formed definition. */
class DefinitionReader {
  constructor(
    private readonly text: string,
    private readonly masked: string,
    private readonly braces: Int32Array,
  ) {}

  read(command: string, at: number): Parsed | null {
    const after = at + command.length;
    const kind = NEWCOMMAND_KINDS[command];
    if (kind) return this.readNewcommand(kind, after);
    if (DEF_COMMANDS.has(command)) return this.readDef(after);
    if (LET_COMMANDS.has(command)) return this.readLet(after);
    if (OPERATOR_COMMANDS.has(command)) return this.readOperator(after);
    if (ENVIRONMENT_COMMANDS.has(command)) return this.readEnvironment(after);
    if (DOCUMENT_COMMANDS.has(command)) return this.readDocumentCommand(after);
    return null;
  }

  /** `\newcommand*{\f}[2][x]{body}`, also `\newcommand\f{body}`. */
  private readNewcommand(kind: MacroKind, at: number): Parsed | null {
    const name = this.readName(this.skipStar(at));
    if (!name) return null;
    let p = skipWhitespace(this.masked, name.end);
    let arity = 0;
    let defaultArgument: string | null = null;
    const count = /^\[\s*([0-9])\s*\]/.exec(this.masked.slice(p, p + 16));
    if (count) {
      arity = Number(count[1]);
      p = skipWhitespace(this.masked, p + count[0].length);
      const optional = this.readBracket(p);
      if (optional) {
        defaultArgument = optional.inner;
        p = skipWhitespace(this.masked, optional.end);
      }
    }
    const body = this.readGroup(p);
    if (!body) return null;
    return {
      definition: { name: name.name, arity, defaultArgument, body: body.inner, kind, parameterText: null },
      end: body.end,
    };
  }

  /** `\def\foo#1#2{body}`; anything but plain `#1#2…` before the brace is a delimited parameter text. */
  private readDef(at: number): Parsed | null {
    const nameStart = skipWhitespace(this.masked, at);
    const name = controlSequenceAt(this.masked, nameStart);
    if (!name) return null;
    const parametersStart = nameStart + name.length;
    let p = parametersStart;
    const limit = Math.min(this.masked.length, parametersStart + MAX_BRACKET_SCAN);
    while (p < limit && this.masked[p] !== '{') {
      if (this.masked[p] === '}') return null;
      if (this.masked[p] === '\\') p++;
      p++;
    }
    const body = this.readGroup(p);
    if (!body) return null;
    const parameters = this.masked.slice(parametersStart, p).replace(/\s+/g, '');
    const arity = (parameters.match(/#[1-9]/g) ?? []).length;
    const plain = parameters === Array.from({ length: arity }, (_, k) => `#${k + 1}`).join('');
    return {
      definition: { name, arity, defaultArgument: null, body: body.inner, kind: 'def', parameterText: plain ? null : parameters },
      end: body.end,
    };
  }

  /** `\let\a\b`, `\let\a=\b`, `\let\a = b`. */
  private readLet(at: number): Parsed | null {
    const nameStart = skipWhitespace(this.masked, at);
    const name = controlSequenceAt(this.masked, nameStart);
    if (!name) return null;
    let p = skipWhitespace(this.masked, nameStart + name.length);
    if (this.masked[p] === '=') p = skipWhitespace(this.masked, p + 1);
    if (p >= this.masked.length) return null;
    const target = controlSequenceAt(this.masked, p) ?? this.masked[p]!;
    return {
      definition: { name, arity: 0, defaultArgument: null, body: target, kind: 'let', parameterText: null },
      end: p + target.length,
    };
  }

  /** `\DeclareMathOperator{\Hom}{Hom}`, `\DeclareMathOperator*{\argmax}{arg\,max}`. */
  private readOperator(at: number): Parsed | null {
    const starred = this.masked[skipWhitespace(this.masked, at)] === '*';
    const name = this.readName(this.skipStar(at));
    if (!name) return null;
    const body = this.readGroup(skipWhitespace(this.masked, name.end));
    if (!body) return null;
    return {
      definition: {
        name: name.name,
        arity: 0,
        defaultArgument: null,
        body: body.inner,
        kind: starred ? 'operator*' : 'operator',
        parameterText: null,
      },
      end: body.end,
    };
  }

  /** `\newenvironment{name}[n][default]{begin}{end}`. */
  private readEnvironment(at: number): Parsed | null {
    const nameGroup = this.readGroup(skipWhitespace(this.masked, this.skipStar(at)));
    if (!nameGroup || !/^[A-Za-z@]+\*?$/.test(nameGroup.inner.trim())) return null;
    let p = skipWhitespace(this.masked, nameGroup.end);
    let arity = 0;
    let defaultArgument: string | null = null;
    const count = /^\[\s*([0-9])\s*\]/.exec(this.masked.slice(p, p + 16));
    if (count) {
      arity = Number(count[1]);
      p = skipWhitespace(this.masked, p + count[0].length);
      const optional = this.readBracket(p);
      if (optional) {
        defaultArgument = optional.inner;
        p = skipWhitespace(this.masked, optional.end);
      }
    }
    const begin = this.readGroup(p);
    if (!begin) return null;
    const end = this.readGroup(skipWhitespace(this.masked, begin.end));
    if (!end) return null;
    return {
      definition: {
        name: nameGroup.inner.trim(),
        arity,
        defaultArgument,
        body: `${begin.inner}\n${end.inner}`,
        kind: 'newenvironment',
        parameterText: null,
      },
      end: end.end,
    };
  }

  /** `\NewDocumentCommand{\f}{m m}{body}`: plain when the spec is only `m`s. */
  private readDocumentCommand(at: number): Parsed | null {
    const name = this.readName(at);
    if (!name) return null;
    const spec = this.readGroup(skipWhitespace(this.masked, name.end));
    if (!spec) return null;
    const body = this.readGroup(skipWhitespace(this.masked, spec.end));
    if (!body) return null;
    const compact = spec.inner.replace(/\s+/g, '');
    const plain = /^m*$/.test(compact);
    // Best effort for other specs: one argument per letter outside braces (o, O{…}, s, m…).
    const arity = plain ? compact.length : (compact.replace(/\{[^{}]*\}/g, '').match(/[A-Za-z]/g) ?? []).length;
    return {
      definition: { name: name.name, arity, defaultArgument: null, body: body.inner, kind: 'documentcommand', parameterText: plain ? null : compact },
      end: body.end,
    };
  }

  private skipStar(at: number): number {
    const p = skipWhitespace(this.masked, at);
    return this.masked[p] === '*' ? p + 1 : p;
  }

  /** `{\name}` (spaces allowed inside) or `\name`. */
  private readName(at: number): { name: string; end: number } | null {
    const p = skipWhitespace(this.masked, at);
    if (this.masked[p] === '{') {
      const group = this.readGroup(p);
      if (!group) return null;
      const inner = group.inner.trim();
      const name = controlSequenceAt(inner, 0);
      return name !== null && name.length === inner.length ? { name, end: group.end } : null;
    }
    const name = controlSequenceAt(this.masked, p);
    return name ? { name, end: p + name.length } : null;
  }

  /** A balanced `{…}` at exactly `at`: its text (comments removed) and the index after it. */
  private readGroup(at: number): { inner: string; end: number } | null {
    if (this.masked[at] !== '{') return null;
    const close = this.braces[at]!;
    if (close < 0) return null;
    return { inner: stripComments(this.text.slice(at + 1, close)), end: close + 1 };
  }

  /** `[…]` at exactly `at`, where `]` inside braces does not count. */
  private readBracket(at: number): { inner: string; end: number } | null {
    if (this.masked[at] !== '[') return null;
    const limit = Math.min(this.masked.length, at + MAX_BRACKET_SCAN);
    for (let p = at + 1; p < limit; p++) {
      const c = this.masked[p];
      if (c === '\\') p++;
      else if (c === '{') {
        if (this.braces[p]! < 0) return null;
        p = this.braces[p]!;
      } else if (c === ']') return { inner: stripComments(this.text.slice(at + 1, p)), end: p + 1 };
    }
    return null;
  }
}

/**
 * Name → the definition in force after `definitions` (in document order), with LaTeX's rules:
 * `\newcommand`, `\providecommand` and `\newenvironment` leave an existing definition alone
 * (`\newcommand` would stop with an error), everything else replaces it.
 */
export function macroTable(definitions: Iterable<MacroDefinition>): Map<string, MacroDefinition> {
  const table = new Map<string, MacroDefinition>();
  for (const definition of definitions) {
    const keepsExisting = definition.kind === 'newcommand' || definition.kind === 'providecommand' || definition.kind === 'newenvironment';
    if (keepsExisting && table.has(definition.name)) continue;
    table.set(definition.name, definition);
  }
  return table;
}

/**
 * The definitions `text` uses, transitively (a macro whose body uses another brings that one
 * too): first those `text` uses directly in first-use order, then what their bodies use, and so
 * on (breadth first, so a budget that cuts from the end drops the indirect ones first). Each
 * definition is visited once, so recursive definitions terminate and the work is linear in the
 * text plus the bodies reached.
 */
export function macrosUsedBy(text: string, definitions: ReadonlyMap<string, MacroDefinition>): MacroDefinition[] {
  const used: MacroDefinition[] = [];
  const seen = new Set<string>();
  const visit = (source: string) => {
    for (const name of namesUsedIn(source)) {
      const definition = definitions.get(name);
      if (definition && !seen.has(name)) {
        seen.add(name);
        used.push(definition);
      }
    }
  };
  visit(maskComments(text));
  for (let i = 0; i < used.length; i++) visit(used[i]!.body);
  return used;
}

/** Control sequences (`\foo`, `\,`) and environment names (`\begin{foo}` → `foo`) in order. */
function* namesUsedIn(text: string): Generator<string> {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x5c) continue;
    const name = controlSequenceAt(text, i);
    if (name === null) return;
    yield name;
    i += name.length - 1;
    if (name === '\\begin') {
      const environment = /^\s*\{([A-Za-z@]+\*?)\}/.exec(text.slice(i + 1, i + 80));
      if (environment) yield environment[1]!;
    }
  }
}

/** TeX primitives and package internals KaTeX cannot run. */
const KATEX_UNSUPPORTED = new Set([
  '\\if', '\\ifx', '\\ifnum', '\\ifdim', '\\ifcat', '\\ifcase', '\\ifodd', '\\ifmmode', '\\ifdefined', '\\ifcsname',
  '\\ifthenelse', '\\ifdef', '\\ifundef', '\\ifstrequal', '\\ifblank', '\\else', '\\fi', '\\or', '\\the',
  '\\csname', '\\endcsname', '\\expandafter', '\\noexpand', '\\futurelet', '\\afterassignment',
  '\\makeatletter', '\\makeatother', '\\ExplSyntaxOn', '\\ExplSyntaxOff', '\\begingroup', '\\endgroup',
]);

/**
 * KaTeX's `macros` option: `\R` → `\mathbb{R}`, operators → `\operatorname{Hom}` /
 * `\operatorname*{…}`, `#1…` kept (KaTeX expands them). Left out, so that an unknown macro shows
 * as its source text instead of breaking the render: environments, optional-argument defaults,
 * delimited/xparse parameters, bodies using `@` internals, expl3, TeX conditionals or `##`, and `\let`
 * to a non-command. KaTeX lacks `\ensuremath` and `\xspace`, which only matter outside math, so
 * they are dropped from bodies. Later definitions win as in `macroTable`.
 */
export function katexMacros(definitions: Iterable<MacroDefinition>): Record<string, string> {
  const macros: Record<string, string> = {};
  for (const definition of macroTable(definitions).values()) {
    const expansion = katexExpansion(definition);
    if (expansion !== null) macros[definition.name] = expansion;
  }
  return macros;
}

function katexExpansion(definition: MacroDefinition): string | null {
  if (definition.kind === 'newenvironment' || definition.defaultArgument !== null || definition.parameterText !== null) return null;
  if (definition.name.includes('@') || !definition.name.startsWith('\\')) return null;
  if (usesUnsupported(definition.body)) return null;
  switch (definition.kind) {
    case 'operator':
      return `\\operatorname{${definition.body}}`;
    case 'operator*':
      return `\\operatorname*{${definition.body}}`;
    case 'let':
      return definition.body.startsWith('\\') && definition.body.length > 1 ? definition.body : null;
    default:
      return withEveryParameter(dropTextOnlyCommands(definition.body), definition.arity);
  }
}

function usesUnsupported(body: string): boolean {
  for (const name of namesUsedIn(body)) {
    if (name.includes('@') || KATEX_UNSUPPORTED.has(name)) return true;
  }
  // `##`: the body defines macros itself; expl3 names such as \clist_map_inline:nn
  return body.includes('##') || /\\[A-Za-z]+_[A-Za-z_]*:[A-Za-z]*/.test(body);
}

function dropTextOnlyCommands(body: string): string {
  return body.replace(/\\(?:ensuremath|xspace)(?![A-Za-z@])/g, '');
}

/**
 * KaTeX infers a macro's argument count from the `#1…#k` its expansion mentions, so a declared
 * argument the body never uses would be left in the output. An invisible zero-size
 * `\smash{\vphantom{#k}}` consumes it.
 */
function withEveryParameter(body: string, arity: number): string {
  let padded = body;
  for (let k = 1; k <= arity; k++) {
    if (!body.includes(`#${k}`)) padded += `\\smash{\\vphantom{#${k}}}`;
  }
  return padded;
}
