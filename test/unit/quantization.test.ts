/**
 * llama.cpp's tensor-type recipe for QED-Nano's quantizations (models/qed-nano-shape/quantization.ts),
 * checked against what llama-quant.cpp says for this architecture, and the catalog sizes it gives.
 */
import * as assert from 'node:assert/strict';
import { CATALOG, DEFAULT_MODEL, downloadUri, isVerifiable } from '../../models/catalog';
import { tensorByteLength } from '../../models/gguf/writer';
import { QWEN3_4B } from '../../models/qed-nano-shape/architecture';
import { QUANTIZATIONS, quantizedTensors, useMoreBits, weightBytes, type Quantization } from '../../models/qed-nano-shape/quantization';

const GiB = 1024 ** 3;
/** The layers of 36 where llama.cpp's `use_more_bits` holds: i < 36/8 (= 4), i >= 7*36/8 (= 31), (i - 4) % 3 == 2. */
const MORE_BITS = [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 31, 32, 33, 34, 35];

function typeOf(quantization: Quantization, name: string): string {
  return quantizedTensors(quantization).find((tensor) => tensor.name === name)!.type;
}

describe('QED-Nano quantizations (llama.cpp’s recipe)', () => {
  it('use_more_bits in C’s integer arithmetic: for 36 layers, 0–3 and 31–35 and every third between', () => {
    const layers = Array.from({ length: 36 }, (_, layer) => layer).filter((layer) => useMoreBits(layer, 36));
    // n/8 = 4 and 7n/8 = 31 in C (integer division); 4.5 and 31.5 in floating point would move layers 4 and 31.
    assert.deepEqual(layers, MORE_BITS);
  });

  it('Q4_K_M and Q5_K_M give attn_v and ffn_down Q6_K in those layers, the base type elsewhere', () => {
    for (const [quantization, base] of [['Q4_K_M', 'q4_k'], ['Q5_K_M', 'q5_k']] as const) {
      for (let layer = 0; layer < QWEN3_4B.blockCount; layer++) {
        const expected = MORE_BITS.includes(layer) ? 'q6_k' : base;
        assert.equal(typeOf(quantization, `blk.${layer}.attn_v.weight`), expected, `${quantization} attn_v ${layer}`);
        assert.equal(typeOf(quantization, `blk.${layer}.ffn_down.weight`), expected, `${quantization} ffn_down ${layer}`);
        for (const other of ['attn_q', 'attn_k', 'attn_output', 'ffn_gate', 'ffn_up']) assert.equal(typeOf(quantization, `blk.${layer}.${other}.weight`), base);
      }
    }
  });

  it('tied embeddings take the output matrix’s type: Q6_K, except that Q8_0 keeps Q8_0; norms stay F32', () => {
    assert.equal(typeOf('Q4_K_M', 'token_embd.weight'), 'q6_k');
    assert.equal(typeOf('Q5_K_M', 'token_embd.weight'), 'q6_k');
    assert.equal(typeOf('Q6_K', 'token_embd.weight'), 'q6_k');
    assert.equal(typeOf('Q8_0', 'token_embd.weight'), 'q8_0');
    for (const quantization of QUANTIZATIONS) {
      const tensors = quantizedTensors(quantization);
      assert.equal(tensors.length, 1 + 36 * 11 + 1);
      assert.ok(!tensors.some((tensor) => tensor.name === 'output.weight'), 'no output matrix: the embeddings are tied');
      for (const tensor of tensors) if (tensor.dims.length === 1) assert.equal(tensor.type, 'f32', tensor.name);
    }
    assert.ok(quantizedTensors('Q6_K').every((tensor) => tensor.dims.length === 1 || tensor.type === 'q6_k'));
    assert.ok(quantizedTensors('Q8_0').every((tensor) => tensor.dims.length === 1 || tensor.type === 'q8_0'));
  });

  it('sizes: every tensor is whole blocks, and the weights grow with the bits', () => {
    for (const quantization of QUANTIZATIONS) for (const tensor of quantizedTensors(quantization)) assert.ok(tensorByteLength(tensor) > 0);
    const sizes = QUANTIZATIONS.map((quantization) => weightBytes(quantization) / GiB);
    // 4.02 billion parameters at about 4.9, 5.7, 6.6 and 8.5 bits each.
    const expected = [2.32, 2.69, 3.07, 3.98];
    sizes.forEach((size, index) => assert.ok(Math.abs(size - expected[index]!) < 0.01, `${QUANTIZATIONS[index]}: ${size.toFixed(3)} GiB`));
  });
});

describe('model catalog', () => {
  it('lists the four quantizations smallest first, Q4_K_M the default, sizes estimated from the recipe', () => {
    assert.deepEqual(CATALOG.map((model) => model.quantization), ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0']);
    assert.equal(DEFAULT_MODEL.id, 'qed-nano-q4_k_m', 'the id of the records already on users’ disks');
    for (const model of CATALOG) {
      assert.equal(model.uri, `hf:Mungert/QED-Nano-GGUF:${model.quantization}`);
      assert.ok(model.estimatedBytes > weightBytes(model.quantization) && model.estimatedBytes < weightBytes(model.quantization) + 10e6);
    }
  });

  it('leaves what was not verified empty: no file, revision or sha256 (the picker says "unverified")', () => {
    for (const model of CATALOG) {
      assert.equal(model.file, undefined);
      assert.equal(model.revision, undefined);
      assert.equal(model.sha256, undefined);
      assert.equal(isVerifiable(model), false);
      assert.equal(downloadUri(model), model.uri);
    }
  });

  it('pins a download to a revision when an entry names its file and commit', () => {
    const pinned = { ...DEFAULT_MODEL, file: 'QED-Nano-q4_k_m.gguf', revision: '0123456789abcdef0123456789abcdef01234567', sha256: 'ab'.repeat(32) };
    assert.equal(downloadUri(pinned), 'hf:Mungert/QED-Nano-GGUF/QED-Nano-q4_k_m.gguf#0123456789abcdef0123456789abcdef01234567');
    assert.ok(isVerifiable(pinned));
  });
});
