/**
 * Reads one macro declaration (`\newcommand`, `\def`, `\let`, `\DeclareMathOperator`,
 * `\newenvironment`, `\NewDocumentCommand` and their variants) at a known position of a
 * comment-masked text. A precomputed brace table keeps each read linear in the declaration's
 * own length, even on unterminated input.
 */
import { controlSequenceAt, skipAnyWhitespace, stripComments } from '../latexLexer';
import type { MacroDefinition, MacroKind } from './macros';

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

/** Longest optional argument or `\def` parameter text we look through; bounds work on garbage. */
const MAX_BRACKET_SCAN = 2000;

export interface Parsed {
  definition: Omit<MacroDefinition, 'source' | 'file' | 'offset'>;
  end: number;
}

/** Parses one declaration at a known position; null when it is not a well-formed definition. */
export class DefinitionReader {
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
    const { arity, defaultArgument, end } = this.readArgumentCount(name.end);
    const body = this.readGroup(end);
    if (!body) return null;
    return {
      definition: { name: name.name, arity, defaultArgument, body: body.inner, kind, parameterText: null },
      end: body.end,
    };
  }

  /** `\def\foo#1#2{body}`; anything but plain `#1#2…` before the brace is a delimited parameter text. */
  private readDef(at: number): Parsed | null {
    const nameStart = skipAnyWhitespace(this.masked, at);
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
    const nameStart = skipAnyWhitespace(this.masked, at);
    const name = controlSequenceAt(this.masked, nameStart);
    if (!name) return null;
    let p = skipAnyWhitespace(this.masked, nameStart + name.length);
    if (this.masked[p] === '=') p = skipAnyWhitespace(this.masked, p + 1);
    if (p >= this.masked.length) return null;
    const target = controlSequenceAt(this.masked, p) ?? this.masked[p]!;
    return {
      definition: { name, arity: 0, defaultArgument: null, body: target, kind: 'let', parameterText: null },
      end: p + target.length,
    };
  }

  /** `\DeclareMathOperator{\Hom}{Hom}`, `\DeclareMathOperator*{\argmax}{arg\,max}`. */
  private readOperator(at: number): Parsed | null {
    const starred = this.masked[skipAnyWhitespace(this.masked, at)] === '*';
    const name = this.readName(this.skipStar(at));
    if (!name) return null;
    const body = this.readGroup(skipAnyWhitespace(this.masked, name.end));
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
    const nameGroup = this.readGroup(skipAnyWhitespace(this.masked, this.skipStar(at)));
    if (!nameGroup || !/^[A-Za-z@]+\*?$/.test(nameGroup.inner.trim())) return null;
    const { arity, defaultArgument, end: afterArguments } = this.readArgumentCount(nameGroup.end);
    const begin = this.readGroup(afterArguments);
    if (!begin) return null;
    const end = this.readGroup(skipAnyWhitespace(this.masked, begin.end));
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
    const spec = this.readGroup(skipAnyWhitespace(this.masked, name.end));
    if (!spec) return null;
    const body = this.readGroup(skipAnyWhitespace(this.masked, spec.end));
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

  /** The optional `[n]` and `[default]` of `\newcommand`/`\newenvironment`, and where the body starts. */
  private readArgumentCount(at: number): { arity: number; defaultArgument: string | null; end: number } {
    let p = skipAnyWhitespace(this.masked, at);
    const count = /^\[\s*([0-9])\s*\]/.exec(this.masked.slice(p, p + 16));
    if (!count) return { arity: 0, defaultArgument: null, end: p };
    p = skipAnyWhitespace(this.masked, p + count[0].length);
    const optional = this.readBracket(p);
    if (!optional) return { arity: Number(count[1]), defaultArgument: null, end: p };
    return { arity: Number(count[1]), defaultArgument: optional.inner, end: skipAnyWhitespace(this.masked, optional.end) };
  }

  private skipStar(at: number): number {
    const p = skipAnyWhitespace(this.masked, at);
    return this.masked[p] === '*' ? p + 1 : p;
  }

  /** `{\name}` (spaces allowed inside) or `\name`. */
  private readName(at: number): { name: string; end: number } | null {
    const p = skipAnyWhitespace(this.masked, at);
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
