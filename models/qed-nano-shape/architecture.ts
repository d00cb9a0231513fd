/**
 * QED-Nano's architecture as a llama.cpp conversion describes it: Qwen3-4B's hyperparameters
 * (config.json of Qwen3-4B-Thinking-2507, which QED-Nano is post-trained from) and the token ids
 * of its special tokens. Pure data, shared by the shape fixture (generate.ts) and the planning
 * headers the CLI writes for models that are not downloaded (planningHeader.ts).
 */
import { f32, str, u32, type GgufValue } from '../gguf/writer';

/** Qwen3-4B's hyperparameters. */
export const QWEN3_4B = {
  blockCount: 36,
  embedding: 2560,
  feedForward: 9728,
  heads: 32,
  kvHeads: 8,
  headDim: 128,
  ropeBase: 5_000_000,
  rmsEpsilon: 1e-6,
  contextLength: 262_144,
  vocabSize: 151_936,
} as const;

export const QWEN3_TOKENS = { endOfText: 151_643, imStart: 151_644, imEnd: 151_645, thinkOpen: 151_667, thinkClose: 151_668, newline: 198 } as const;

/** The `general.*` and `qwen3.*` keys of a conversion with `blocks` of the 36 blocks. */
export function architectureMetadata(blocks: number, name: string, fileType: number): Array<readonly [string, GgufValue]> {
  const q = QWEN3_4B;
  return [
    ['general.architecture', str('qwen3')],
    ['general.type', str('model')],
    ['general.name', str(name)],
    ['general.basename', str('QED-Nano')],
    ['general.size_label', str('4B')],
    ['general.license', str('apache-2.0')],
    ['qwen3.block_count', u32(blocks)],
    ['qwen3.context_length', u32(q.contextLength)],
    ['qwen3.embedding_length', u32(q.embedding)],
    ['qwen3.feed_forward_length', u32(q.feedForward)],
    ['qwen3.attention.head_count', u32(q.heads)],
    ['qwen3.attention.head_count_kv', u32(q.kvHeads)],
    ['qwen3.rope.freq_base', f32(q.ropeBase)],
    ['qwen3.attention.layer_norm_rms_epsilon', f32(q.rmsEpsilon)],
    ['qwen3.attention.key_length', u32(q.headDim)],
    ['qwen3.attention.value_length', u32(q.headDim)],
    ['general.file_type', u32(fileType)],
    ['general.quantization_version', u32(2)],
  ];
}
