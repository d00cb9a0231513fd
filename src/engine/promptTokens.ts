/**
 * Turns a rendered prompt (the parts of `ChatTemplate.renderParts`) into tokens:
 *
 * - Special tokens come only from the template's own text. Message text is plain text, so a
 *   document quoting `<|im_end|><|im_start|>system` cannot open a turn of its own.
 * - The engine's one JavaScript thread is never held for long. llama.cpp tokenizes synchronously,
 *   and its pass over special tokens grows with the square of their number in one call (40,000
 *   `<|im_end|>` took 6 s), so text goes to it a slice at a time, with a turn of the event loop
 *   between slices: `/health` and other requests are answered while a long prompt is prepared.
 * - The tokens are the ones llama.cpp gives for the whole prompt in one call, for ordinary text.
 *
 * How: the template's text is split at special tokens here, longest first, as llama.cpp does.
 * The plain text between two special tokens, template and message text together, goes to llama.cpp
 * with special-token parsing off, so merges across their boundary happen as before (Qwen writes
 * `\n\n` after `user\n` as one token). Parsing off still matches the vocabulary's user-defined
 * tokens, such as Qwen's `<think>` and `</think>`, as Hugging Face tokenizers do. Tokens that
 * strip the whitespace around them (Qwen's vocabulary has none) keep it here.
 */
import type { LlamaModel, Token } from 'node-llama-cpp';
import type { PromptPart } from './chatTemplate';

/** What is used of the model: a vocabulary-only load will do. */
export type Vocabulary = Pick<LlamaModel, 'tokenize' | 'detokenize' | 'iterateAllTokens' | 'getTokenAttributes' | 'vocabularyType'>;

export interface TokenizedPrompt {
  tokens: Token[];
  /** Tokenizing stopped past `maxTokens`: the prompt is longer than `tokens`. */
  truncated: boolean;
}

/** About 10 ms of llama.cpp's tokenizer for Qwen's vocabulary on a slow core. */
export const SLICE_CHARS = 8192;
/** The longest the thread is held before other requests get a turn. */
const TURN_MS = 10;
/** Tokens looked at between turns when listing the special tokens (Qwen has 151,936). */
const SCAN_BATCH = 8192;

export class PromptTokenizer {
  private vocabularyFacts: Promise<{ specials: SpecialTokens; cuts: CutFinder }> | undefined;

  constructor(private readonly vocabulary: Vocabulary) {}

  async tokenize(parts: readonly PromptPart[], options: { maxTokens?: number; signal?: AbortSignal } = {}): Promise<TokenizedPrompt> {
    options.signal?.throwIfAborted();
    // Learnt once, for every request to come: a cancelled request must not cancel that.
    const { specials, cuts } = await (this.vocabularyFacts ??= scanSpecialTokens(this.vocabulary).then((specials) => ({
      specials,
      cuts: new CutFinder(specials.userDefined, this.vocabulary.vocabularyType === 'bpe'),
    })));
    const pacer = new Pacer(options.signal);
    const maxTokens = options.maxTokens ?? Infinity;
    const tokens: Token[] = [];
    for (const piece of pieces(parts, specials)) {
      if (typeof piece !== 'string') {
        tokens.push(piece.token);
        continue;
      }
      for (const slice of cuts.slices(piece)) {
        for (const token of this.vocabulary.tokenize(slice, false)) tokens.push(token);
        if (tokens.length > maxTokens) return { tokens, truncated: true };
        await pacer.turn();
      }
    }
    return { tokens, truncated: false };
  }
}

interface SpecialToken {
  text: string;
  token: Token;
}

interface SpecialTokens {
  /** Every token llama.cpp parses as special (control, user-defined, unknown), longest first. */
  all: SpecialToken[];
  /** Texts of the user-defined ones, which llama.cpp matches in plain text too. */
  userDefined: string[];
}

/** Lists the vocabulary's special tokens once, giving other requests a turn now and then. */
async function scanSpecialTokens(vocabulary: Vocabulary): Promise<SpecialTokens> {
  const pacer = new Pacer();
  const all: SpecialToken[] = [];
  const userDefined: string[] = [];
  let seen = 0;
  for (const token of vocabulary.iterateAllTokens()) {
    const attributes = vocabulary.getTokenAttributes(token);
    if (attributes.control || attributes.userDefined || attributes.unknown) {
      const text = vocabulary.detokenize([token], true);
      if (text !== '') {
        all.push({ text, token });
        if (attributes.userDefined) userDefined.push(text);
      }
    }
    if (++seen % SCAN_BATCH === 0) await pacer.turn();
  }
  all.sort((a, b) => b.text.length - a.text.length);
  return { all, userDefined };
}

/**
 * The prompt as special tokens and the runs of plain text between them. Template text is split
 * at special tokens (each distinct template text once: they repeat with every message).
 */
function* pieces(parts: readonly PromptPart[], specials: SpecialTokens): Generator<string | SpecialToken> {
  const splits = new Map<string, (string | SpecialToken)[]>();
  let run = '';
  for (const part of parts) {
    if (part.fromMessage) {
      run += part.text;
      continue;
    }
    let split = splits.get(part.text);
    if (!split) splits.set(part.text, (split = splitAtSpecialTokens(part.text, specials.all)));
    for (const piece of split) {
      if (typeof piece === 'string') {
        run += piece;
        continue;
      }
      if (run) yield run;
      run = '';
      yield piece;
    }
  }
  if (run) yield run;
}

/** llama.cpp's partition: each special token in turn, longest first, splits the text left around. */
function splitAtSpecialTokens(text: string, specials: readonly SpecialToken[]): (string | SpecialToken)[] {
  let pieces: (string | SpecialToken)[] = [text];
  for (const special of specials) {
    if (!text.includes(special.text)) continue;
    pieces = pieces.flatMap((piece) => {
      if (typeof piece !== 'string') return [piece];
      const split: (string | SpecialToken)[] = [];
      piece.split(special.text).forEach((between, index) => {
        if (index > 0) split.push(special);
        if (between) split.push(between);
      });
      return split;
    });
  }
  return pieces;
}

/**
 * Where a long run of plain text can be cut, for byte-level BPE vocabularies, without changing its
 * tokens. Exact: at either end of a user-defined token, where llama.cpp itself splits; and, for
 * the pre-tokenizers of the GPT-2 family (GPT-2, Llama 3, Qwen2 and so QED-Nano), whose pieces
 * never span them: after a newline before a non-space, before a space that precedes a letter, and
 * between a letter and an ASCII digit or sign. Only text with none of these in 4 KB is cut anywhere
 * (never inside a character or a user-defined token): the tokens at that one cut may differ from
 * one call's, the text never does. Other vocabularies are not cut: SentencePiece starts every call
 * with a space, so a cut would change the text.
 */
class CutFinder {
  private readonly byFirst = new Map<string, string[]>();
  private readonly byLast = new Map<string, string[]>();
  private readonly longest: number;

  constructor(
    userDefined: readonly string[],
    private readonly bpe: boolean,
  ) {
    for (const text of userDefined) {
      push(this.byFirst, text[0]!, text);
      push(this.byLast, text[text.length - 1]!, text);
    }
    this.longest = userDefined.reduce((longest, text) => Math.max(longest, text.length), 0);
  }

  *slices(text: string): Generator<string> {
    let start = 0;
    while (this.bpe && text.length - start > SLICE_CHARS) {
      const cut = this.find(text, start + SLICE_CHARS / 2, start + SLICE_CHARS);
      yield text.slice(start, cut);
      start = cut;
    }
    yield text.slice(start);
  }

  /** The last exact cut in [from, to], else the last one that splits no character or token. */
  private find(text: string, from: number, to: number): number {
    for (let at = to; at >= from; at--) {
      if ((this.atTokenEdge(text, at) || pieceBoundary(text, at)) && !this.insideToken(text, at)) return at;
    }
    for (let at = to; at > from; at--) {
      if (!isLowSurrogate(text.charCodeAt(at)) && !this.insideToken(text, at)) return at;
    }
    return to;
  }

  private atTokenEdge(text: string, at: number): boolean {
    return (
      (this.byFirst.get(text[at]!)?.some((token) => text.startsWith(token, at)) ?? false) ||
      (this.byLast.get(text[at - 1]!)?.some((token) => text.startsWith(token, at - token.length)) ?? false)
    );
  }

  private insideToken(text: string, at: number): boolean {
    for (let start = Math.max(0, at - this.longest + 1); start < at; start++) {
      if (this.byFirst.get(text[start]!)?.some((token) => start + token.length > at && text.startsWith(token, start))) return true;
    }
    return false;
  }
}

function pieceBoundary(text: string, at: number): boolean {
  const before = text[at - 1]!;
  const after = text[at]!;
  if (before === '\n') return !/\s/.test(after);
  if (after === ' ') return !/\s/.test(before) && isAsciiLetter(text[at + 1] ?? '');
  return isAsciiLetter(before) && /^[\x21-\x40\x5b-\x60\x7b-\x7e]$/.test(after); // digits and ASCII signs
}

function isAsciiLetter(char: string): boolean {
  return /^[A-Za-z]$/.test(char);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Gives other requests a turn once the thread has been held for TURN_MS; stops on abort. */
class Pacer {
  private since = performance.now();

  constructor(private readonly signal?: AbortSignal) {}

  async turn(): Promise<void> {
    if (performance.now() - this.since < TURN_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.since = performance.now();
    this.signal?.throwIfAborted();
  }
}
