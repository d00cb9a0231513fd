/**
 * The tiny model's vocabulary and its bigram transition table, learned from `corpus.md`.
 *
 * A plain character bigram forgets where it is: it would close the think block many times and
 * leave `$` unbalanced. So every character exists in several copies, one per *mode*, and the
 * Markov chain runs over (mode, character) states. All copies of a character decode to the same
 * byte, so the text looks ordinary, but the structure is enforced by which transitions exist:
 *
 *   prompt "\n" --> think <--> thinkBreak --"\n"--> </think> --> text <--> textBreak --> <|im_end|>
 *
 * Only thinking states can reach `</think>` and only answer text can reach `<|im_end|>`, so an
 * output has exactly one `</think>`. Math is not spelled character by character (a bigram of
 * LaTeX is mostly invalid LaTeX): an inline span is an opening `$` token followed by one token
 * holding the whole rest of a span seen in the corpus (`n^2$`), and display math is a `$$`
 * token followed by a whole display body (`p^2 = 2q^2.$$`). Every math span is then balanced,
 * valid KaTeX and follows markdown-it-katex's delimiter rules.
 *
 * Token layout (ids in this order):
 * - 0..255: "prompt" tokens, one per byte, with GPT-2 byte-level BPE texts. They are the only
 *   tokens the BPE tokenizer produces from text (there are no merges), so prompts always consist
 *   of them and any UTF-8 input tokenizes. From a prompt token the chain enters the thinking mode.
 * - the mode copies, BYTE-type tokens named `<0xHH>#mode`: llama.cpp decodes a BYTE token from
 *   the two hex digits after `<0x` and ignores the rest of the name, which keeps the names unique
 *   (llama.cpp rejects duplicate token texts). The tokenizer never produces them from text.
 * - the math units (`$$` and the span bodies), NORMAL tokens with byte-level texts; without
 *   merges the tokenizer never produces these multi-byte tokens either.
 * - the special tokens, last, as in Qwen3.
 */

export type Mode = 'think' | 'thinkBreak' | 'text' | 'textBreak';
const MODES: readonly Mode[] = ['think', 'thinkBreak', 'text', 'textBreak'];

export const SPECIAL_TOKENS = {
  endOfText: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  thinkOpen: '<think>',
  thinkClose: '</think>',
} as const;
type SpecialName = keyof typeof SPECIAL_TOKENS;
const SPECIAL_NAMES = Object.keys(SPECIAL_TOKENS) as SpecialName[];

/** llama.cpp token types (tokenizer.ggml.token_type). */
export const TOKEN_TYPE = { normal: 1, control: 3, userDefined: 4, byte: 6 } as const;

export interface Sample {
  title: string;
  reasoning: string;
  answer: string;
}

export interface BigramOptions {
  /** Pseudo-count added to letter -> letter transitions within a mode (a little generalization). */
  smoothing: number;
  /** Multiplies the probability of `</think>` after a thinking newline (longer or shorter reasoning). */
  thinkEndScale: number;
  /** Multiplies the probability of `<|im_end|>` wherever the answer may end. */
  endScale: number;
  /** Log-probability of impossible transitions. */
  floor: number;
}

export interface Vocab {
  tokens: string[];
  types: number[];
  special: Record<SpecialName, number>;
}

export interface BigramModel {
  vocab: Vocab;
  /** logProbs[from * n + to] = log P(to | from), n = vocab size. */
  logProbs: Float32Array;
}

const NEWLINE = 0x0a;
const DOLLAR = 0x24;

type State =
  | { kind: 'special'; name: SpecialName }
  | { kind: 'char'; mode: Mode | 'prompt'; byte: number }
  /** A multi-byte math token: `$$`, or a span body ending with its closing delimiter. */
  | { kind: 'unit'; text: string };

/** Splits corpus.md into samples: `## title`, then `<!-- reasoning -->` text, then `<!-- answer -->` text. */
export function parseCorpus(markdown: string): Sample[] {
  const samples: Sample[] = [];
  for (const section of markdown.split(/^## /m).slice(1)) {
    const title = section.slice(0, section.indexOf('\n')).trim();
    const match = /<!-- reasoning -->\n([\s\S]*?)\n<!-- answer -->\n([\s\S]*)$/.exec(section);
    if (!match) throw new Error(`corpus sample "${title}": expected <!-- reasoning --> and <!-- answer --> markers`);
    const sample = { title, reasoning: match[1]!.trim(), answer: match[2]!.trim() };
    if (!sample.reasoning || !sample.answer) throw new Error(`corpus sample "${title}": empty reasoning or answer`);
    samples.push(sample);
  }
  if (samples.length === 0) throw new Error('corpus has no samples');
  return samples;
}

/** Learns the vocabulary and the transition table. Deterministic: depends only on its arguments. */
export function buildBigramModel(samples: readonly Sample[], options: BigramOptions): BigramModel {
  const sequences = samples.map(sampleStates);

  // Vocabulary: prompt bytes, every (mode, byte) and math unit seen in the corpus, the specials.
  const tokens: string[] = [];
  const types: number[] = [];
  const byteText = byteLevelTexts();
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(byteText[byte]!);
    types.push(TOKEN_TYPE.normal);
  }
  const seenChars = new Set<string>();
  const seenUnits = new Set<string>();
  for (const sequence of sequences) {
    for (const state of sequence) {
      if (state.kind === 'char' && state.mode !== 'prompt') seenChars.add(charKey(state.mode, state.byte));
      if (state.kind === 'unit') seenUnits.add(state.text);
    }
  }
  const ids = new Map<string, number>();
  for (const mode of MODES) {
    for (let byte = 0; byte < 256; byte++) {
      if (!seenChars.has(charKey(mode, byte))) continue;
      ids.set(charKey(mode, byte), tokens.length);
      tokens.push(`<0x${hex(byte)}>#${mode}`);
      types.push(TOKEN_TYPE.byte);
    }
  }
  for (const unit of [...seenUnits].sort()) {
    ids.set(unitKey(unit), tokens.length);
    tokens.push([...Buffer.from(unit, 'latin1')].map((byte) => byteText[byte]).join(''));
    types.push(TOKEN_TYPE.normal);
  }
  const special = {} as Record<SpecialName, number>;
  for (const name of SPECIAL_NAMES) {
    special[name] = tokens.length;
    tokens.push(SPECIAL_TOKENS[name]);
    // Like Qwen3: the think tags are plain added tokens (shown as text), the rest are control tokens.
    types.push(name === 'thinkOpen' || name === 'thinkClose' ? TOKEN_TYPE.userDefined : TOKEN_TYPE.control);
  }
  const n = tokens.length;
  const idOf = (state: State): number => {
    if (state.kind === 'special') return special[state.name];
    if (state.kind === 'unit') return ids.get(unitKey(state.text))!;
    return state.mode === 'prompt' ? state.byte : ids.get(charKey(state.mode, state.byte))!;
  };

  // Bigram counts.
  const counts = new Float64Array(n * n);
  for (const sequence of sequences) {
    for (let i = 1; i < sequence.length; i++) counts[idOf(sequence[i - 1]!) * n + idOf(sequence[i]!)]! += 1;
  }

  // Smoothing: within a mode, a letter may be followed by any letter of that mode.
  const isLetter = (byte: number) => (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
  for (const mode of ['think', 'text'] as const) {
    const letters: number[] = [];
    for (let byte = 0; byte < 256; byte++) if (isLetter(byte) && ids.has(charKey(mode, byte))) letters.push(ids.get(charKey(mode, byte))!);
    for (const from of letters) for (const to of letters) counts[from * n + to]! += options.smoothing;
  }

  // Observed rows -> probabilities, with the two structural exits rescaled.
  const probs = new Float64Array(n * n);
  const thinkNewline = ids.get(charKey('think', NEWLINE));
  for (let from = 0; from < n; from++) {
    const row = counts.subarray(from * n, (from + 1) * n);
    if (from === thinkNewline) row[special.thinkClose]! *= options.thinkEndScale;
    row[special.imEnd]! *= options.endScale;
    normalizeInto(row, probs.subarray(from * n, (from + 1) * n));
  }

  // Derived rows. The newline prompt token (the "\n" after <think>) was learned as the start of
  // reasoning; other prompt bytes continue like their thinking copy, without closing the block.
  const startRow = probs.slice(NEWLINE * n, (NEWLINE + 1) * n);
  for (let byte = 0; byte < 256; byte++) {
    if (byte === NEWLINE) continue;
    const target = probs.subarray(byte * n, (byte + 1) * n);
    const thinkId = ids.get(charKey('think', byte));
    if (thinkId === undefined) {
      target.set(startRow);
    } else {
      const row = probs.slice(thinkId * n, (thinkId + 1) * n);
      row[special.thinkClose] = 0;
      normalizeInto(row, target);
    }
  }
  // Control tokens never come right before generated text in practice; start reasoning after them.
  for (const name of ['endOfText', 'imStart', 'imEnd'] as const) probs.set(startRow, special[name] * n);

  const logProbs = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) logProbs[i] = probs[i]! > 0 ? Math.log(probs[i]!) : options.floor;
  return { vocab: { tokens, types, special }, logProbs };
}

function normalizeInto(row: Float64Array, target: Float64Array): void {
  let total = 0;
  for (let i = 0; i < row.length; i++) total += row[i]!;
  if (total === 0) return;
  for (let i = 0; i < row.length; i++) target[i] = row[i]! / total;
}

/** The state sequence of one sample: `<think>\n` reasoning `\n</think>\n\n` answer `<|im_end|>`. */
function sampleStates(sample: Sample): State[] {
  const fail = (message: string, at?: number): never => {
    const context = at === undefined ? '' : ` at ${JSON.stringify(sample.answer.slice(Math.max(0, at - 30), at + 30))}`;
    throw new Error(`corpus sample "${sample.title}": ${message}${context}`);
  };
  if (/[^\n\x20-\x7e]/.test(sample.reasoning + sample.answer)) fail('only printable ASCII and newlines are allowed');
  if (sample.reasoning.includes('$')) fail('the reasoning must not contain $ (math is only learned in answers)');

  const states: State[] = [
    { kind: 'special', name: 'thinkOpen' },
    { kind: 'char', mode: 'prompt', byte: NEWLINE },
  ];
  const pushChar = (byte: number) => {
    states.push({ kind: 'char', mode: nextMode(states[states.length - 1]!, byte), byte });
  };
  for (const char of sample.reasoning + '\n') pushChar(char.charCodeAt(0));
  states.push({ kind: 'special', name: 'thinkClose' });
  pushChar(NEWLINE);
  pushChar(NEWLINE);

  const answer = sample.answer;
  for (let i = 0; i < answer.length; ) {
    if (answer[i] !== '$') {
      pushChar(answer.charCodeAt(i++));
    } else if (answer[i + 1] === '$') {
      const close = answer.indexOf('$$', i + 2);
      if (close < 0) fail('unclosed $$', i);
      const body = answer.slice(i + 2, close + 2);
      if (body.length <= 2 || body.includes('\n') || /[^$]\$[^$]/.test(body)) fail('display math must be one line without $ inside', i);
      states.push({ kind: 'unit', text: '$$' }, { kind: 'unit', text: body });
      i = close + 2;
    } else {
      const close = answer.indexOf('$', i + 1);
      if (close < 0) fail('unclosed $', i);
      const body = answer.slice(i + 1, close + 1);
      // markdown-it-katex's rules: no space after the opener or before the closer, no digit after it.
      if (body.length < 2 || body.includes('\n') || /^\s|\s\$$/.test(body) || /[0-9]/.test(answer[close + 1] ?? '')) {
        fail('inline math must be one line, without spaces inside the $ and not followed by a digit', i);
      }
      pushChar(DOLLAR); // the opener: a text-mode "$"
      states.push({ kind: 'unit', text: body });
      i = close + 1;
    }
  }
  states.push({ kind: 'special', name: 'imEnd' });
  return states;
}

/**
 * The mode a byte is in, given the previous state: reasoning continues in thinking mode, the
 * answer (after `</think>` or a math unit) in text mode, and a newline right after a newline is
 * a paragraph break.
 */
function nextMode(prev: State, byte: number): Mode {
  const afterNewline = (mode: Mode) => prev.kind === 'char' && prev.mode === mode && prev.byte === NEWLINE;
  const thinking = prev.kind === 'char' ? prev.mode === 'prompt' || prev.mode === 'think' || prev.mode === 'thinkBreak' : prev.kind === 'special' && prev.name === 'thinkOpen';
  if (thinking) return byte === NEWLINE && afterNewline('think') ? 'thinkBreak' : 'think';
  return byte === NEWLINE && afterNewline('text') ? 'textBreak' : 'text';
}

function charKey(mode: Mode, byte: number): string {
  return `${mode}:${byte}`;
}

function unitKey(text: string): string {
  return `unit:${text}`;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
function byteLevelTexts(): string[] {
  const texts: string[] = new Array(256);
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    texts[byte] = String.fromCodePoint(printable ? byte : next++);
  }
  return texts;
}
