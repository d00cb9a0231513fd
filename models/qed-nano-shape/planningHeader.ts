/**
 * A planning header: the GGUF header (metadata and tensor infos, no tensor data) of QED-Nano in
 * one of its quantizations, for planning memory before the model is downloaded. node-llama-cpp's
 * GgufInsights reads it as it reads a real file, and its llama.cpp simulation loads it without
 * allocating.
 *
 * What the plan depends on is exact: the architecture, and every tensor's shape and type from
 * llama.cpp's recipe (quantization.ts). The vocabulary is not Qwen3's real one (a devDependency,
 * not shipped): it has the right size, GPT-2's 256 byte tokens where Qwen3 has them, the special
 * tokens at their ids, placeholders elsewhere and no merges. It tokenizes nothing usefully, and
 * nothing here needs it to.
 */
import { bool, i32Array, layoutGguf, str, strArray, u32 } from '../gguf/writer';
import { architectureMetadata, QWEN3_4B, QWEN3_TOKENS } from './architecture';
import { fileTypeOf, quantizedTensors, type Quantization } from './quantization';

const TokenType = { NORMAL: 1, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5 } as const;

/** The bytes of the planning header for `quantization` (a few MB). */
export function planningHeader(quantization: Quantization): Buffer {
  const vocabulary = placeholderVocabulary();
  const metadata = [
    ...architectureMetadata(QWEN3_4B.blockCount, `QED-Nano ${quantization} planning header (no weights, placeholder vocabulary)`, fileTypeOf(quantization)),
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str('qwen2')],
    ['tokenizer.ggml.tokens', strArray(vocabulary.tokens)],
    ['tokenizer.ggml.token_type', i32Array(vocabulary.types)],
    ['tokenizer.ggml.merges', strArray([])],
    ['tokenizer.ggml.eos_token_id', u32(QWEN3_TOKENS.imEnd)],
    ['tokenizer.ggml.padding_token_id', u32(QWEN3_TOKENS.endOfText)],
    ['tokenizer.ggml.bos_token_id', u32(QWEN3_TOKENS.endOfText)],
    ['tokenizer.ggml.add_bos_token', bool(false)],
  ] as const;
  return layoutGguf(metadata, quantizedTensors(quantization)).header;
}

function placeholderVocabulary(): { tokens: string[]; types: number[] } {
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < QWEN3_4B.vocabSize; id++) {
    tokens.push(`[PAD${id}]`);
    types.push(TokenType.UNUSED);
  }
  byteLevelAlphabet().forEach((token, id) => {
    tokens[id] = token;
    types[id] = TokenType.NORMAL;
  });
  const special: Array<[number, string, number]> = [
    [QWEN3_TOKENS.endOfText, '<|endoftext|>', TokenType.CONTROL],
    [QWEN3_TOKENS.imStart, '<|im_start|>', TokenType.CONTROL],
    [QWEN3_TOKENS.imEnd, '<|im_end|>', TokenType.CONTROL],
    [QWEN3_TOKENS.thinkOpen, '<think>', TokenType.USER_DEFINED],
    [QWEN3_TOKENS.thinkClose, '</think>', TokenType.USER_DEFINED],
  ];
  for (const [id, token, type] of special) {
    tokens[id] = token;
    types[id] = type;
  }
  return { tokens, types };
}

/**
 * GPT-2's byte-level alphabet (`bytes_to_unicode`) in its order: the printable bytes stand for
 * themselves, the rest are shifted to U+0100 and up. Qwen's vocabulary starts with these 256.
 */
function byteLevelAlphabet(): string[] {
  const printable = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const order: number[] = [];
  for (let byte = 0; byte < 256; byte++) if (printable(byte)) order.push(byte);
  const shifted: number[] = [];
  for (let byte = 0; byte < 256; byte++) if (!printable(byte)) shifted.push(byte);
  return [...order.map((byte) => String.fromCodePoint(byte)), ...shifted.map((_, index) => String.fromCodePoint(256 + index))];
}
