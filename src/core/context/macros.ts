/**
 * The macros a LaTeX document defines: read from its preamble/style files, followed from a
 * statement to everything it needs, and turned into KaTeX's `macros` option for the panel.
 *
 * Reading is a single linear scan over a comment-masked copy of the text (see latexLexer.ts), so
 * offsets stay those of the original file and `source` is the declaration exactly as written.
 * Only definitions at the top level (brace depth 0) count: a `\def` inside a group or inside
 * another macro's argument is local or not executed yet (e.g. napkin's
 * `\pdfstringdefDisableCommands{\def\Spec{…}}` only applies to PDF bookmarks). The exception is
 * `\AtBeginDocument{…}` and friends, whose argument runs at the top level.
 */
import { DefinitionReader } from './definitionReader';
import { controlSequenceAt, maskComments, matchBraces } from '../latexLexer';

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

/** Commands whose argument is executed at the top level, so definitions inside it count. */
const TOP_LEVEL_HOOKS = new Set(['\\AtBeginDocument', '\\AtEndPreamble', '\\AtEndOfPackage', '\\AtEndOfClass']);

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
