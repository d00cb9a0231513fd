/**
 * The tensor types llama.cpp's quantizer gives QED-Nano's tensors, for each quantization QED
 * offers: `llama_tensor_get_type` in src/llama-quant.cpp of the llama.cpp that node-llama-cpp
 * 3.21.1 ships (its llama/gitRelease.bundle), followed for this architecture:
 *
 * - 1-D tensors (the norms) are never quantized: F32, as the converter wrote them.
 * - The embeddings are tied (no output.weight), so token_embd is typed as the output matrix
 *   would be: Q6_K, unless the base type is already Q8_0, which it keeps.
 * - Q4_K_M and Q5_K_M give attn_v and ffn_down Q6_K in the layers `use_more_bits` picks (the
 *   first and last eighth and every third layer between); Q6_K and Q8_0 change nothing else.
 * - Every row here (2560, 4096, 9728 values) is whole 256-value blocks: no fallback types.
 *
 * Nothing else in the recipe applies: it is a dense model (no experts), not 70B, and its GQA
 * factor (4) matters only to quantizations below Q4.
 */
import { tensorByteLength, type GgmlTypeName, type GgufTensorInfo } from '../gguf/writer';
import { QWEN3_4B } from './architecture';

export type Quantization = 'Q4_K_M' | 'Q5_K_M' | 'Q6_K' | 'Q8_0';

interface Recipe {
  /** llama.cpp's `llama_ftype`, written as general.file_type. */
  fileType: number;
  /** `llama_ftype_get_default_type`. */
  base: GgmlTypeName;
  /** The type of attn_v and ffn_down where `use_more_bits` says so, if the recipe does that. */
  moreBits?: GgmlTypeName;
}

const RECIPES: Record<Quantization, Recipe> = {
  Q4_K_M: { fileType: 15, base: 'q4_k', moreBits: 'q6_k' },
  Q5_K_M: { fileType: 17, base: 'q5_k', moreBits: 'q6_k' },
  Q6_K: { fileType: 18, base: 'q6_k' },
  Q8_0: { fileType: 7, base: 'q8_0' },
};

/** Smallest first. */
export const QUANTIZATIONS: readonly Quantization[] = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0'];

export function isQuantization(name: string): name is Quantization {
  return (QUANTIZATIONS as readonly string[]).includes(name);
}

export function fileTypeOf(quantization: Quantization): number {
  return RECIPES[quantization].fileType;
}

/** The tensors of a Qwen3 GGUF with `blocks` blocks, typed as llama.cpp types them for `quantization`. */
export function quantizedTensors(quantization: Quantization, blocks: number = QWEN3_4B.blockCount): GgufTensorInfo[] {
  const { base, moreBits } = RECIPES[quantization];
  const { embedding: n, feedForward: ff, heads, kvHeads, headDim, vocabSize } = QWEN3_4B;
  const outputType: GgmlTypeName = base === 'q8_0' ? 'q8_0' : 'q6_k';
  const tensors: GgufTensorInfo[] = [{ name: 'token_embd.weight', dims: [n, vocabSize], type: outputType }];
  for (let i = 0; i < blocks; i++) {
    // The layer's index among all 36, also in a file with fewer blocks: the recipe is the full model's.
    const sensitive: GgmlTypeName = moreBits && useMoreBits(i, QWEN3_4B.blockCount) ? moreBits : base;
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, dims: [n], type: 'f32' },
      { name: `blk.${i}.attn_q.weight`, dims: [n, heads * headDim], type: base },
      { name: `blk.${i}.attn_k.weight`, dims: [n, kvHeads * headDim], type: base },
      { name: `blk.${i}.attn_v.weight`, dims: [n, kvHeads * headDim], type: sensitive },
      { name: `blk.${i}.attn_output.weight`, dims: [heads * headDim, n], type: base },
      { name: `blk.${i}.attn_q_norm.weight`, dims: [headDim], type: 'f32' },
      { name: `blk.${i}.attn_k_norm.weight`, dims: [headDim], type: 'f32' },
      { name: `blk.${i}.ffn_norm.weight`, dims: [n], type: 'f32' },
      { name: `blk.${i}.ffn_gate.weight`, dims: [n, ff], type: base },
      { name: `blk.${i}.ffn_up.weight`, dims: [n, ff], type: base },
      { name: `blk.${i}.ffn_down.weight`, dims: [ff, n], type: sensitive },
    );
  }
  tensors.push({ name: 'output_norm.weight', dims: [n], type: 'f32' });
  return tensors;
}

/** llama.cpp's `use_more_bits` (llama-quant.cpp), in C's integer arithmetic. */
export function useMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.trunc(layers / 8);
  return layer < eighth || layer >= Math.trunc((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/** Bytes of all the weights of the full model (36 blocks) in `quantization`. */
export function weightBytes(quantization: Quantization): number {
  return quantizedTensors(quantization).reduce((sum, tensor) => sum + tensorByteLength(tensor), 0);
}
