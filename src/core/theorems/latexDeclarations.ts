/**
 * Which environments a LaTeX document declares as theorem-like, and what they are called.
 *
 * Read from the masked text in document order, because `\theoremstyle` is state: amsthm/ntheorem
 * `\newtheorem` and its variants, thmtools `\declaretheorem`, user macros whose body declares a
 * theorem (`\defthm{lem}{Lemma}{Lemmas}` with `\def\defthm#1#2#3{…\newtheorem{#1}[#1]{#2}…}`),
 * and `\newenvironment`s that wrap a theorem environment.
 */
import { skipTexSpaces } from '../latexLexer';
import { BraceIndex, readBraceGroup, readOptionalArgument } from './latexArguments';
import { maskLatex } from './latexMask';
import { isProofEnvironment, normalizeName } from './proofEnvironments';
import type { TheoremDeclaration, TheoremKind } from './types';

// ---------------------------------------------------------------------------------------------
// Kinds

/*
 * The kind rule. Every word of the title (lowercased, accents dropped) is looked up in the three
 * word lists below; if the title names no kind, the env name is looked up instead (whole, as a
 * known abbreviation such as `thm` or `rmk`, or as the start or end of a compound such as
 * `wichtigedefinition`). One kind found: that kind. Several (`Definition und Satz`): the one the
 * `\theoremstyle` suggests (`plain` → theorem, `definition` → definition, `remark` → remark, and
 * thmtools style names containing those words), else theorem before definition before remark,
 * because offering a Prove lens on a definition costs less than hiding one on a result. None: the
 * style's kind, else theorem. Proof-like names (`beweis`/`Beweis`) are not results: remark.
 */
const KIND_WORDS: Record<TheoremKind, readonly string[]> = {
  theorem: [
    'theorem', 'theorems', 'lemma', 'lemmas', 'lemmata', 'sublemma', 'proposition', 'propositions', 'corollary', 'corollaries',
    'claim', 'claims', 'conjecture', 'conjectures', 'exercise', 'exercises', 'problem', 'problems', 'question', 'questions',
    'fact', 'facts', 'property', 'properties', 'criterion', 'assertion',
    // German
    'satz', 'satze', 'hauptsatz', 'hilfssatz', 'folgerung', 'folgerungen', 'korollar', 'behauptung', 'vermutung', 'aufgabe',
    'aufgaben', 'ubung', 'ubungsaufgabe', 'eigenschaft', 'eigenschaften',
    // French
    'theoreme', 'lemme', 'corollaire', 'affirmation', 'exercice', 'probleme', 'propriete',
  ],
  definition: [
    'definition', 'definitions', 'notation', 'notations', 'example', 'examples', 'counterexample', 'axiom', 'axioms',
    'assumption', 'assumptions', 'convention', 'conventions', 'situation', 'hypothesis', 'hypotheses', 'construction',
    'setup', 'setting', 'terminology', 'abuse', 'condition', 'conditions',
    // German
    'beispiel', 'beispiele', 'gegenbeispiel', 'definitionen', 'schreibweise', 'schreibweisen', 'annahme', 'annahmen',
    'konvention', 'vereinbarung', 'vereinbarungen', 'axiome', 'voraussetzung', 'voraussetzungen', 'anwendung', 'anwendungen',
    // French
    'exemple', 'exemples', 'hypothese', 'axiome',
  ],
  remark: [
    'remark', 'remarks', 'note', 'notes', 'observation', 'observations', 'comment', 'comments', 'intuition', 'warning',
    'caution', 'summary', 'discussion', 'digression', 'aside', 'history', 'reminder', 'idea', 'heuristic', 'heuristics',
    // German
    'bemerkung', 'bemerkungen', 'anmerkung', 'anmerkungen', 'hinweis', 'beobachtung', 'erinnerung', 'motivation',
    'vorbetrachtung', 'vorbetrachtungen',
    // French
    'remarque', 'remarques',
  ],
};

/** Short env names that are not words. `ex` is left out: it is Exercise in some books and Example in others. */
const KIND_ABBREVIATIONS: Record<TheoremKind, readonly string[]> = {
  theorem: ['thm', 'thms', 'lem', 'lemm', 'prop', 'props', 'cor', 'coro', 'corr', 'conj', 'clm', 'exer', 'exe', 'prob', 'prb', 'ques', 'qn', 'fct'],
  definition: ['def', 'defn', 'dfn', 'defi', 'eg', 'egs', 'exa', 'exmp', 'expl', 'ax', 'asm', 'assum', 'hyp', 'nota', 'notn', 'conv'],
  remark: ['rmk', 'rem', 'rmks', 'obs', 'nb'],
};

const KIND_PRIORITY: readonly TheoremKind[] = ['theorem', 'definition', 'remark'];

const WORD_KIND = new Map<string, TheoremKind>();
const NAME_KIND = new Map<string, TheoremKind>();
for (const kind of KIND_PRIORITY) {
  for (const word of KIND_WORDS[kind]) WORD_KIND.set(word, kind);
  for (const word of [...KIND_WORDS[kind], ...KIND_ABBREVIATIONS[kind]]) NAME_KIND.set(word, kind);
}
/** Longest first, so `wichtigebemerkungen` is read as `bemerkungen`, not `bemerkung`… */
const COMPOUND_PARTS = [...WORD_KIND.keys()].filter((word) => word.length >= 4).sort((a, b) => b.length - a.length);

function kindsOfTitle(title: string): Set<TheoremKind> {
  const kinds = new Set<TheoremKind>();
  for (const word of normalizeName(title).split(/[^a-z]+/)) {
    const kind = WORD_KIND.get(word);
    if (kind) kinds.add(kind);
  }
  return kinds;
}

function kindOfEnvName(env: string): TheoremKind | undefined {
  const name = normalizeName(env).replace(/[^a-z]/g, '');
  const exact = NAME_KIND.get(name);
  if (exact) return exact;
  const part = COMPOUND_PARTS.find((word) => name.endsWith(word)) ?? COMPOUND_PARTS.find((word) => name.startsWith(word));
  return part === undefined ? undefined : WORD_KIND.get(part);
}

function kindOfStyle(style: string | undefined): TheoremKind | undefined {
  if (!style) return undefined;
  const name = normalizeName(style);
  if (name.includes('remark') || name.includes('note')) return 'remark';
  if (name.includes('definition') || name.includes('example') || name.includes('defn')) return 'definition';
  if (name.includes('plain') || name.includes('theorem') || name.includes('thm')) return 'theorem';
  return undefined;
}

/** Whether an environment is a result to prove, a definition-like statement, or a remark (rule above). */
export function kindOf(env: string, title: string, style?: string): TheoremKind {
  if (isProofEnvironment(env, title)) return 'remark';
  let candidates = kindsOfTitle(title);
  if (candidates.size === 0) {
    const fromName = kindOfEnvName(env);
    if (fromName) candidates = new Set([fromName]);
  }
  const styleKind = kindOfStyle(style);
  if (candidates.size === 1) return [...candidates][0]!;
  if (candidates.size > 1) return styleKind && candidates.has(styleKind) ? styleKind : KIND_PRIORITY.find((kind) => candidates.has(kind))!;
  return styleKind ?? 'theorem';
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A declaration for a name nothing declares: a default one, or one the user added. */
export function defaultDeclaration(env: string): TheoremDeclaration {
  const title = capitalize(env.replace(/\*$/, ''));
  return { env, title, kind: kindOf(env, title), origin: null };
}

const DEFAULT_NAMES = ['theorem', 'lemma', 'proposition', 'corollary', 'claim', 'conjecture', 'definition', 'example', 'exercise', 'problem', 'remark'];

/** The names that count when a project declares none. */
export const DEFAULT_THEOREM_DECLARATIONS: readonly TheoremDeclaration[] = DEFAULT_NAMES.flatMap((name) => [
  defaultDeclaration(name),
  defaultDeclaration(`${name}*`),
]);

/**
 * Environments that document classes declare themselves (so a paper declaring one extra
 * environment keeps the class's `theorem`). Only classes whose lists are stable and well known.
 */
const CLASS_ENVIRONMENTS: Record<string, readonly string[]> = {
  llncs: ['theorem', 'lemma', 'proposition', 'corollary', 'claim', 'conjecture', 'definition', 'example', 'exercise', 'problem', 'remark', 'note', 'property', 'question', 'solution', 'case'],
  acmart: ['theorem', 'conjecture', 'proposition', 'lemma', 'corollary', 'example', 'definition'],
};

export function classTheoremDeclarations(documentClass: string): TheoremDeclaration[] {
  return (CLASS_ENVIRONMENTS[documentClass] ?? []).map(defaultDeclaration);
}

// ---------------------------------------------------------------------------------------------
// Reading declarations

/** A user macro whose body declares theorems, e.g. HoTT's `\defthm`. */
export interface TheoremMacro {
  arity: number;
  /** The default of an optional first parameter (`\newcommand{\x}[2][Theorem]{…}`), or null. */
  optionalDefault: string | null;
  body: string;
}

/** `\theoremstyle` and known macros carry over from one file to the next in document order. */
export interface DeclarationState {
  style: string | undefined;
  macros: Map<string, TheoremMacro>;
}

/** `\newenvironment{definition}{\begin{plaindefinition}}{…}`: `definition` is whatever `plaindefinition` is. */
export interface EnvironmentWrapper {
  env: string;
  wraps: string;
  origin: { file: string; offset: number };
}

export interface FileDeclarations {
  declarations: TheoremDeclaration[];
  wrappers: EnvironmentWrapper[];
}

export function newDeclarationState(): DeclarationState {
  return { style: undefined, macros: new Map() };
}

const THEOREM_COMMANDS = ['newtheorem', 'renewtheorem', 'newframedtheorem', 'newshadedtheorem', 'spnewtheorem', 'newmdtheoremenv'];
const MACRO_COMMANDS = ['def', 'gdef', 'edef', 'xdef', 'newcommand', 'renewcommand', 'providecommand', 'DeclareRobustCommand'];
const DOCUMENT_COMMANDS = ['NewDocumentCommand', 'RenewDocumentCommand', 'ProvideDocumentCommand', 'DeclareDocumentCommand'];
const ENVIRONMENT_COMMANDS = ['newenvironment', 'renewenvironment', 'provideenvironment'];
const DOCUMENT_ENVIRONMENT_COMMANDS = ['NewDocumentEnvironment', 'RenewDocumentEnvironment', 'ProvideDocumentEnvironment', 'DeclareDocumentEnvironment'];
const FIXED_COMMANDS = [
  ...THEOREM_COMMANDS, ...MACRO_COMMANDS, ...DOCUMENT_COMMANDS, ...ENVIRONMENT_COMMANDS, ...DOCUMENT_ENVIRONMENT_COMMANDS,
  'theoremstyle', 'declaretheorem',
];
const DECLARES_THEOREM = /\\(?:newtheorem|renewtheorem|newframedtheorem|newshadedtheorem|spnewtheorem|newmdtheoremenv|declaretheorem)(?![a-zA-Z@])/;
const BEGIN_IN_CODE = /\\begin\s*\{([^{}\\]+)\}/;
const CONTROL_SEQUENCE = /\\(?:[a-zA-Z@]+|.)/y;
/** Macros may expand to macros; this bounds a macro that calls itself. */
const MAX_EXPANSION_DEPTH = 8;

function commandPattern(macros: ReadonlyMap<string, TheoremMacro>): RegExp {
  const names = [...FIXED_COMMANDS, ...[...macros.keys()].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))];
  return new RegExp(String.raw`\\(${names.join('|')})(?![a-zA-Z@])`, 'g');
}

/**
 * Reads one masked file's declarations in order, updating `state` (`\theoremstyle`, macros) as
 * LaTeX would. `range` limits reading to the commands starting in `[start, end)`, so a project can
 * read the text between two `\input`s; pass the file's `BraceIndex` to share it between ranges.
 */
export function readDeclarations(
  masked: string,
  file: string,
  state: DeclarationState,
  range?: { start: number; end: number; braces: BraceIndex },
): FileDeclarations {
  const result: FileDeclarations = { declarations: [], wrappers: [] };
  const braces = range?.braces ?? new BraceIndex(masked);
  new DeclarationReader(masked, braces, file, state, result, 0, null).read(range?.start ?? 0, range?.end ?? masked.length);
  return result;
}

/** Reads one text; macro expansions are read by nested readers that attribute what they find to the call. */
class DeclarationReader {
  constructor(
    private readonly text: string,
    private readonly braces: BraceIndex,
    private readonly file: string,
    private readonly state: DeclarationState,
    private readonly result: FileDeclarations,
    private readonly depth: number,
    /** Where a macro expansion was called; its declarations are reported there. */
    private readonly callOffset: number | null,
  ) {}

  read(start: number, end: number): void {
    let pattern = commandPattern(this.state.macros);
    pattern.lastIndex = start;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(this.text)) && match.index < end) {
      const command = match[1]!;
      const at = match.index;
      const after = match.index + match[0].length;
      const macroCount = this.state.macros.size;
      const next = this.readCommand(command, at, after);
      if (this.state.macros.size !== macroCount) pattern = commandPattern(this.state.macros);
      pattern.lastIndex = Math.max(next, after);
    }
  }

  /** Handles one command; returns where reading continues. */
  private readCommand(command: string, at: number, after: number): number {
    if (THEOREM_COMMANDS.includes(command)) return this.readNewTheorem(at, after);
    if (command === 'theoremstyle') {
      const group = this.group(after);
      if (group) this.state.style = this.slice(group.inner).trim();
      return group?.next ?? after;
    }
    if (command === 'declaretheorem') return this.readDeclareTheorem(at, after);
    if (MACRO_COMMANDS.includes(command)) return this.readMacroDefinition(command, after);
    if (DOCUMENT_COMMANDS.includes(command)) return this.skipArguments(after, 'ngg');
    if (ENVIRONMENT_COMMANDS.includes(command)) return this.readEnvironmentDefinition(at, after, false);
    if (DOCUMENT_ENVIRONMENT_COMMANDS.includes(command)) return this.readEnvironmentDefinition(at, after, true);
    const macro = this.state.macros.get(command);
    return macro ? this.expandMacro(macro, at, after) : after;
  }

  /** `\newtheorem{env}{Title}`, `\newtheorem{env}[counter]{Title}`, `\newtheorem{env}{Title}[within]`, `\newtheorem*{…}`. */
  private readNewTheorem(at: number, after: number): number {
    let i = this.text[after] === '*' ? after + 1 : after;
    const options = this.optional(i); // mdframed's \newmdtheoremenv[options]{env}…
    if (options) i = options.next;
    const env = this.group(i);
    if (!env) return after;
    i = env.next;
    const counter = this.optional(i);
    if (counter) i = counter.next;
    const title = this.group(i);
    if (!title) return after;
    this.declare(this.slice(env.inner).trim(), this.slice(title.inner).trim(), this.state.style, at);
    return title.next;
  }

  /** thmtools: `\declaretheorem[name=Lemma, style=…]{lemma}` or `\declaretheorem{lemma}[…]`; without `name=` the title is `Lemma`. */
  private readDeclareTheorem(at: number, after: number): number {
    let i = after;
    const before = this.optional(i);
    if (before) i = before.next;
    const envs = this.group(i);
    if (!envs) return after;
    i = envs.next;
    const afterwards = this.optional(i);
    if (afterwards) i = afterwards.next;
    const options = keyValues([before, afterwards].map((option) => (option ? this.slice(option.inner) : '')).join(','));
    const style = options.get('style') ?? this.state.style;
    for (const env of this.slice(envs.inner).split(',').map((name) => name.trim()).filter(Boolean)) {
      const title = options.get('name') ?? options.get('title') ?? options.get('heading') ?? capitalize(env);
      this.declare(env, title, style, at);
    }
    return i;
  }

  private declare(env: string, title: string, style: string | undefined, at: number): void {
    if (!env || /[#\\{}\s]/.test(env)) return; // a parameter (#1) or a command: not a real name
    this.result.declarations.push({ env, title, kind: kindOf(env, title, style), origin: { file: this.file, offset: this.callOffset ?? at } });
  }

  /** `\def\x#1#2{…}` / `\newcommand{\x}[2]{…}`: remembered when the body declares a theorem; always skipped. */
  private readMacroDefinition(command: string, after: number): number {
    const isDef = command.endsWith('def');
    let i = this.text[after] === '*' ? after + 1 : after;
    const name = this.commandName(i);
    if (!name) return after;
    i = name.next;
    let arity = 0;
    let optionalDefault: string | null = null;
    if (isDef) {
      const brace = this.text.indexOf('{', i);
      if (brace < 0 || brace - i > 200) return after;
      arity = (this.text.slice(i, brace).match(/#[1-9]/g) ?? []).length;
      i = brace;
    } else {
      const count = this.optional(i);
      if (count) {
        arity = Number.parseInt(this.slice(count.inner).trim(), 10) || 0;
        i = count.next;
        const fallback = this.optional(i);
        if (fallback) {
          optionalDefault = this.slice(fallback.inner);
          i = fallback.next;
        }
      }
    }
    const body = this.group(i);
    if (!body) return after;
    const bodyText = this.slice(body.inner);
    if (DECLARES_THEOREM.test(bodyText)) this.state.macros.set(name.name, { arity, optionalDefault, body: bodyText });
    return body.next;
  }

  /** `\newenvironment{name}[n][default]{begin code}{end code}`; a wrapper when the begin code opens an environment. */
  private readEnvironmentDefinition(at: number, after: number, documentStyle: boolean): number {
    let i = !documentStyle && this.text[after] === '*' ? after + 1 : after;
    const name = this.group(i);
    if (!name) return after;
    i = name.next;
    if (documentStyle) {
      const spec = this.group(i);
      if (!spec) return after;
      i = spec.next;
    } else {
      for (let k = 0; k < 2; k++) {
        const optional = this.optional(i);
        if (optional) i = optional.next;
      }
    }
    const beginCode = this.group(i);
    if (!beginCode) return after;
    const endCode = this.group(beginCode.next);
    const wrapped = BEGIN_IN_CODE.exec(this.slice(beginCode.inner))?.[1]?.trim();
    const env = this.slice(name.inner).trim();
    if (wrapped && env && !env.includes('#')) {
      this.result.wrappers.push({ env, wraps: wrapped, origin: { file: this.file, offset: this.callOffset ?? at } });
    }
    return endCode?.next ?? beginCode.next;
  }

  /** Reads the call's arguments, substitutes them into the body and reads the result as if it stood here. */
  private expandMacro(macro: TheoremMacro, at: number, after: number): number {
    const args: string[] = [];
    let i = after;
    if (macro.optionalDefault !== null) {
      const optional = this.optional(i);
      args.push(optional ? this.slice(optional.inner) : macro.optionalDefault);
      if (optional) i = optional.next;
    }
    while (args.length < macro.arity) {
      const start = skipTexSpaces(this.text, i, this.text.length, 1);
      const group = readBraceGroup(this.text, this.braces, start);
      if (group) {
        args.push(this.slice(group.inner));
        i = group.next;
        continue;
      }
      CONTROL_SEQUENCE.lastIndex = start;
      const token = CONTROL_SEQUENCE.exec(this.text)?.[0] ?? this.text[start];
      if (token === undefined) return after;
      args.push(token);
      i = start + token.length;
    }
    if (this.depth < MAX_EXPANSION_DEPTH) {
      const expansion = macro.body.replace(/#([1-9])/g, (whole, digit: string) => args[Number(digit) - 1] ?? whole);
      new DeclarationReader(expansion, new BraceIndex(expansion), this.file, this.state, this.result, this.depth + 1, this.callOffset ?? at).read(0, expansion.length);
    }
    return i;
  }

  /** Skips arguments described by `pattern` (`n` command name, `g` group); returns where they end. */
  private skipArguments(after: number, pattern: string): number {
    let i = after;
    for (const step of pattern) {
      const argument = step === 'n' ? this.commandName(i) : this.group(i);
      if (!argument) return after;
      i = argument.next;
    }
    return i;
  }

  /** `\foo` or `{\foo}`. */
  private commandName(from: number): { name: string; next: number } | undefined {
    const at = skipTexSpaces(this.text, from, this.text.length, 1);
    CONTROL_SEQUENCE.lastIndex = at;
    const direct = CONTROL_SEQUENCE.exec(this.text);
    if (direct) return { name: direct[0].slice(1), next: at + direct[0].length };
    const group = this.group(at);
    const inner = group && this.slice(group.inner).trim();
    if (!group || !inner?.startsWith('\\')) return undefined;
    return { name: inner.slice(1), next: group.next };
  }

  private group(from: number) {
    return readBraceGroup(this.text, this.braces, skipTexSpaces(this.text, from, this.text.length, 1));
  }

  private optional(from: number) {
    const argument = readOptionalArgument(this.text, this.braces, skipTexSpaces(this.text, from, this.text.length, 1));
    return argument === 'unterminated' ? undefined : argument;
  }

  private slice(span: { start: number; end: number }): string {
    return this.text.slice(span.start, span.end);
  }
}

/** `name=Lemma, style={thm}, numbered=no` → map; values lose one pair of wrapping braces. */
function keyValues(options: string): Map<string, string> {
  const values = new Map<string, string>();
  let depth = 0;
  let start = 0;
  const add = (item: string) => {
    const equals = item.indexOf('=');
    if (equals < 0) return;
    const key = item.slice(0, equals).trim();
    let value = item.slice(equals + 1).trim();
    if (value.startsWith('{') && value.endsWith('}')) value = value.slice(1, -1).trim();
    if (key) values.set(key, value);
  };
  for (let i = 0; i < options.length; i++) {
    const c = options[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      add(options.slice(start, i));
      start = i + 1;
    }
  }
  add(options.slice(start));
  return values;
}

/**
 * Adds the wrappers whose wrapped environment is known (wrappers of wrappers too) to `byName`.
 * A wrapper of amsthm's `proof` becomes a proof-like declaration titled `Proof`.
 */
export function addWrappers(byName: Map<string, TheoremDeclaration>, wrappers: readonly EnvironmentWrapper[]): void {
  let pending = [...wrappers];
  while (pending.length > 0) {
    const waiting: EnvironmentWrapper[] = [];
    for (const wrapper of pending) {
      const wrapped = byName.get(wrapper.wraps) ?? (isProofEnvironment(wrapper.wraps) ? { title: 'Proof', kind: 'remark' as const } : undefined);
      if (wrapped) byName.set(wrapper.env, { env: wrapper.env, title: wrapped.title, kind: wrapped.kind, origin: wrapper.origin });
      else waiting.push(wrapper);
    }
    if (waiting.length === pending.length) return;
    pending = waiting;
  }
}

/**
 * The theorem-like environments one file declares, in order (a redeclaration appears again; the
 * last one wins when building a map). Wrappers count when what they wrap is declared in the same
 * file; `ProjectScanner` resolves them across files. Proof-like declarations (ntheorem's
 * `\newtheorem{beweis}{Beweis}`) are included so the scanner knows them; `isProofEnvironment`
 * tells them apart, and their kind is `remark`.
 */
export function findTheoremDeclarations(text: string, file: string): TheoremDeclaration[] {
  const { declarations, wrappers } = readDeclarations(maskLatex(text), file, newDeclarationState());
  const byName = new Map(declarations.map((declaration) => [declaration.env, declaration]));
  addWrappers(byName, wrappers);
  const wrapperDeclarations = wrappers.flatMap((wrapper) => {
    const declaration = byName.get(wrapper.env);
    return declaration && declaration.origin === wrapper.origin ? [declaration] : [];
  });
  return [...declarations, ...wrapperDeclarations].sort((a, b) => a.origin!.offset - b.origin!.offset);
}
