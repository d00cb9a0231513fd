/**
 * Generates the QED tiny test model: a ~3 MB GGUF that node-llama-cpp loads like QED-Nano
 * (llama architecture, byte-level BPE tokenizer, Qwen3-style ChatML template whose generation
 * prompt opens a think block) and that writes reasoning, exactly one `</think>`, a Markdown
 * answer with balanced `$...$` math, then `<|im_end|>`.
 *
 * How a transformer becomes a bigram model: one block whose attention output and FFN down
 * projections are zero, so the residual stream is just the token embedding; one-hot embeddings
 * (n_embd >= n_vocab); `output_norm` (RMSNorm, weight 1) turns e_i into c·e_i with c known; and
 * `output.weight` row v, column i holds log P(v | i) / c. The logits are then the bigram
 * log-probabilities of `bigram.ts`, learned from `corpus.md`.
 *
 *   npx tsx models/tiny/generate.ts   (npm run tiny-model)   prints the path of the GGUF.
 *
 * The file lands in `<repo>/.cache/tiny-model/`, named after a hash of this directory's inputs,
 * so editing the corpus or the code regenerates it; the output is byte-for-byte deterministic.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBigramModel, parseCorpus } from './bigram';
import { bool, f32, i32Array, str, strArray, u32, writeGguf, type GgufTensor } from '../gguf/writer';

const MODULE_DIR = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(MODULE_DIR, '..', '..');
export const TINY_MODEL_DIR = join(REPO_ROOT, '.cache', 'tiny-model');

/** Everything the GGUF depends on; their contents name the cached file. */
const INPUT_FILES = ['generate.ts', 'bigram.ts', '../gguf/writer.ts', 'corpus.md', 'chat-template.jinja'];

export const TINY_MODEL_NAME = 'QED tiny test model';

/**
 * The logits are log-probabilities times this, so sampling at this temperature (QED-Nano's
 * model card value, which the engine uses by default) reproduces the corpus statistics exactly.
 * Higher temperatures still give well-formed output, only noisier and a little shorter.
 */
const CALIBRATION_TEMPERATURE = 0.6;
/**
 * Tuned by simulating the chain with node-llama-cpp's samplers. With the model card's sampling
 * (temperature 0.6, top-k 20, top-p 0.95) the reasoning is ~600 tokens and the answer ~350
 * (medians), and 99% of generations end within ~4,500 tokens; at temperature 1 both halve.
 */
const BIGRAM_OPTIONS = { smoothing: 0.0005, thinkEndScale: 0.5, endScale: 0.5, floor: -40 / CALIBRATION_TEMPERATURE };

const CONTEXT_LENGTH = 32_768;
const HEAD_DIM = 64;
const FEED_FORWARD = 32;
const RMS_EPS = 1e-6;

/**
 * A feed-forward width that makes each token cost real work (its weights are zero, so the text
 * is unchanged): about 5 ms per token on one core here, the pace of QED-Nano on a GPU. Only the
 * benchmark uses it, to weigh the engine's per-token overhead at a realistic speed, and the
 * code-server scenarios, where a user watches the answer stream (`npm run tiny-model -- --paced`).
 */
export const PACED_FEED_FORWARD = 12_288;

const pending = new Map<number, Promise<string>>();

/** Absolute path of the tiny GGUF, generated first if it is missing or out of date. */
export function ensureTinyModel(options: { feedForward?: number } = {}): Promise<string> {
  const feedForward = options.feedForward ?? FEED_FORWARD;
  let file = pending.get(feedForward);
  if (!file) {
    file = Promise.resolve()
      .then(() => ensureTinyModelSync(feedForward))
      .catch((error: unknown) => {
        pending.delete(feedForward);
        throw error;
      });
    pending.set(feedForward, file);
  }
  return file;
}

function ensureTinyModelSync(feedForward: number): string {
  const variant = feedForward === FEED_FORWARD ? '' : `-ff${feedForward}`;
  const file = join(TINY_MODEL_DIR, `qed-tiny-${inputsHash()}${variant}.gguf`);
  if (existsSync(file)) return file;

  mkdirSync(TINY_MODEL_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, buildTinyModel(feedForward));
    renameSync(temporary, file); // atomic: concurrent generators write identical bytes anyway
  } finally {
    rmSync(temporary, { force: true });
  }
  for (const name of readdirSync(TINY_MODEL_DIR)) {
    const sameVariant = variant ? name.endsWith(`${variant}.gguf`) : /^qed-tiny-[0-9a-f]+\.gguf$/.test(name);
    if (sameVariant && join(TINY_MODEL_DIR, name) !== file) rmSync(join(TINY_MODEL_DIR, name), { force: true });
  }
  return file;
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const name of INPUT_FILES) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(MODULE_DIR, name)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The chat template stored in the GGUF (the .jinja file without its final newline). */
export function tinyChatTemplate(): string {
  return readFileSync(join(MODULE_DIR, 'chat-template.jinja'), 'utf8').replace(/\n$/, '');
}

/** Builds the GGUF in memory. Pure: the same inputs always give the same bytes. */
export function buildTinyModel(feedForward = FEED_FORWARD): Buffer {
  const samples = parseCorpus(readFileSync(join(MODULE_DIR, 'corpus.md'), 'utf8'));
  const { vocab, logProbs } = buildBigramModel(samples, BIGRAM_OPTIONS);
  const nVocab = vocab.tokens.length;
  const nEmbd = Math.ceil(nVocab / 64) * 64;

  // RMSNorm of a one-hot vector: e_i / sqrt(1/n + eps). Fold that factor into the output matrix.
  const normScale = 1 / Math.sqrt(1 / nEmbd + RMS_EPS);
  const embeddings = new Float32Array(nEmbd * nVocab);
  const output = new Float32Array(nEmbd * nVocab);
  for (let token = 0; token < nVocab; token++) embeddings[token * nEmbd + token] = 1;
  for (let from = 0; from < nVocab; from++) {
    for (let to = 0; to < nVocab; to++) {
      output[to * nEmbd + from] = (CALIBRATION_TEMPERATURE * logProbs[from * nVocab + to]!) / normScale;
    }
  }

  const ones = () => new Float32Array(nEmbd).fill(1);
  const zeros = (rowLength: number, rows: number): GgufTensor['data'] => new Float32Array(rowLength * rows);
  const tensors: GgufTensor[] = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], type: 'f16', data: embeddings },
    { name: 'blk.0.attn_norm.weight', dims: [nEmbd], type: 'f32', data: ones() },
    { name: 'blk.0.attn_q.weight', dims: [nEmbd, HEAD_DIM], type: 'f16', data: zeros(nEmbd, HEAD_DIM) },
    { name: 'blk.0.attn_k.weight', dims: [nEmbd, HEAD_DIM], type: 'f16', data: zeros(nEmbd, HEAD_DIM) },
    { name: 'blk.0.attn_v.weight', dims: [nEmbd, HEAD_DIM], type: 'f16', data: zeros(nEmbd, HEAD_DIM) },
    { name: 'blk.0.attn_output.weight', dims: [HEAD_DIM, nEmbd], type: 'f16', data: zeros(HEAD_DIM, nEmbd) },
    { name: 'blk.0.ffn_norm.weight', dims: [nEmbd], type: 'f32', data: ones() },
    { name: 'blk.0.ffn_gate.weight', dims: [nEmbd, feedForward], type: 'f16', data: zeros(nEmbd, feedForward) },
    { name: 'blk.0.ffn_up.weight', dims: [nEmbd, feedForward], type: 'f16', data: zeros(nEmbd, feedForward) },
    { name: 'blk.0.ffn_down.weight', dims: [feedForward, nEmbd], type: 'f16', data: zeros(feedForward, nEmbd) },
    { name: 'output_norm.weight', dims: [nEmbd], type: 'f32', data: ones() },
    { name: 'output.weight', dims: [nEmbd, nVocab], type: 'f32', data: output },
  ];

  return writeGguf(
    [
      ['general.architecture', str('llama')],
      ['general.name', str(TINY_MODEL_NAME)],
      ['general.file_type', u32(1)], // mostly F16
      ['llama.context_length', u32(CONTEXT_LENGTH)],
      ['llama.embedding_length', u32(nEmbd)],
      ['llama.block_count', u32(1)],
      ['llama.feed_forward_length', u32(feedForward)],
      ['llama.attention.head_count', u32(1)],
      ['llama.attention.head_count_kv', u32(1)],
      ['llama.attention.key_length', u32(HEAD_DIM)],
      ['llama.attention.value_length', u32(HEAD_DIM)],
      ['llama.rope.dimension_count', u32(HEAD_DIM)],
      ['llama.rope.freq_base', f32(1_000_000)],
      ['llama.attention.layer_norm_rms_epsilon', f32(RMS_EPS)],
      ['llama.vocab_size', u32(nVocab)],
      ['tokenizer.ggml.model', str('gpt2')],
      ['tokenizer.ggml.pre', str('qwen2')],
      ['tokenizer.ggml.tokens', strArray(vocab.tokens)],
      ['tokenizer.ggml.token_type', i32Array(vocab.types)],
      ['tokenizer.ggml.merges', strArray([])], // required by llama.cpp; every token is a single byte
      ['tokenizer.ggml.eos_token_id', u32(vocab.special.imEnd)],
      ['tokenizer.ggml.eot_token_id', u32(vocab.special.imEnd)],
      ['tokenizer.ggml.padding_token_id', u32(vocab.special.endOfText)],
      ['tokenizer.ggml.bos_token_id', u32(vocab.special.endOfText)],
      ['tokenizer.ggml.add_bos_token', bool(false)],
      ['tokenizer.chat_template', str(tinyChatTemplate())],
    ],
    tensors,
  );
}

const invokedAs = process.argv[1] ? resolve(process.argv[1]) : '';
if (invokedAs === join(MODULE_DIR, 'generate.ts') || invokedAs === join(MODULE_DIR, 'generate')) {
  ensureTinyModel(process.argv.includes('--paced') ? { feedForward: PACED_FEED_FORWARD } : {}).then(
    (file) => console.log(file),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
