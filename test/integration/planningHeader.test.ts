/**
 * Planning headers (models/qed-nano-shape/planningHeader.ts): what `qed plan --quant` plans from
 * before a model is downloaded. node-llama-cpp must read them as it reads a real conversion, its
 * llama.cpp simulation must accept them (it falls back to a heuristic, with a warning, when it
 * cannot), and the plans must be those of the real-tokenizer header of the same quantization.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import { ensureShapeModel, qwen3Vocabulary } from '../../models/qed-nano-shape/generate';
import { planningHeader } from '../../models/qed-nano-shape/planningHeader';
import { QUANTIZATIONS, quantizedTensors, weightBytes, type Quantization } from '../../models/qed-nano-shape/quantization';
import { planMemory, type Backend, type MemoryBudget } from '../../src/engineShared/memoryPlan';
import { createResourceEstimator } from '../../src/engine/resourceEstimator';

const GiB = 1024 ** 3;

describe('planning headers (QED-Nano before it is downloaded)', function () {
  this.timeout(300_000);
  let llama: Llama;
  let dir: string;
  const warnings: string[] = [];
  const infos = new Map<Quantization, GgufFileInfo>();

  before(async () => {
    const llamaCpp = await import('node-llama-cpp');
    llama = await llamaCpp.getLlama({
      gpu: false,
      build: 'never',
      logLevel: llamaCpp.LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === llamaCpp.LlamaLogLevel.warn || level === llamaCpp.LlamaLogLevel.error) warnings.push(message);
      },
    });
    dir = mkdtempSync(path.join(os.tmpdir(), 'qed-planning-'));
    for (const quantization of QUANTIZATIONS) {
      const file = path.join(dir, `${quantization}.gguf`);
      writeFileSync(file, planningHeader(quantization));
      infos.set(quantization, await llamaCpp.readGgufFileInfo(file, { logWarnings: false }));
    }
  });
  after(async () => {
    await llama?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each reads as its quantization: the recipe’s tensor types, the weights’ size, the architecture', async () => {
    const { GgufInsights, GgmlType } = await import('node-llama-cpp');
    const typeIds: Record<string, number> = { f32: GgmlType.F32, q4_k: GgmlType.Q4_K, q5_k: GgmlType.Q5_K, q6_k: GgmlType.Q6_K, q8_0: GgmlType.Q8_0 };
    for (const quantization of QUANTIZATIONS) {
      const info = infos.get(quantization)!;
      assert.ok(info.metadataSize < 4e6, 'a header of a few MB');
      assert.deepEqual(
        info.fullTensorInfo!.map((tensor) => [tensor.name, tensor.ggmlType]),
        quantizedTensors(quantization).map((tensor) => [tensor.name, typeIds[tensor.type]]),
      );
      const insights = await GgufInsights.from(info, llama);
      assert.equal(insights.modelSize, weightBytes(quantization), quantization);
      assert.equal(insights.totalLayers, 37);
      assert.equal(insights.trainContextSize, 262_144);
      assert.equal((info.metadata.tokenizer as unknown as { ggml: { tokens: string[] } }).ggml.tokens.length, 151_936);
    }
  });

  it('starts with GPT-2’s byte alphabet where Qwen3’s vocabulary has it', () => {
    const tokens = (infos.get('Q4_K_M')!.metadata.tokenizer as unknown as { ggml: { tokens: string[] } }).ggml.tokens;
    assert.deepEqual(tokens.slice(0, 256), qwen3Vocabulary().tokens.slice(0, 256));
  });

  it('llama.cpp’s simulation accepts every one, with the same context estimate as the real-tokenizer header', async () => {
    const llamaCpp = await import('node-llama-cpp');
    const real = await llamaCpp.GgufInsights.from(await llamaCpp.readGgufFileInfo(await ensureShapeModel('header'), { logWarnings: false }), llama);
    const shape = { contextSize: 49_152, sequences: 2, modelGpuLayers: 0, flashAttention: true, kvCacheKeyType: llamaCpp.GgmlType.Q8_0, kvCacheValueType: llamaCpp.GgmlType.Q8_0 };
    const expected = await real.estimateContextResourceRequirementsV2(shape);
    for (const quantization of QUANTIZATIONS) {
      const insights = await llamaCpp.GgufInsights.from(infos.get(quantization)!, llama);
      assert.deepEqual(await insights.estimateContextResourceRequirementsV2(shape), expected, quantization);
    }
    assert.deepEqual(warnings.filter((message) => /simulat/i.test(message)), [], 'no fallback to the estimation heuristic');
  });

  it('the Q4_K_M planning header plans exactly as the real-tokenizer header, on CPUs and GPUs', async () => {
    const llamaCpp = await import('node-llama-cpp');
    const realInfo = await llamaCpp.readGgufFileInfo(await ensureShapeModel('header'), { logWarnings: false });
    const budgets: Array<[Backend, number, number]> = [
      ['cpu', 0, 8 * GiB],
      ['cpu', 0, 16 * GiB],
      ['cuda', 6 * GiB, 16 * GiB],
      ['cuda', 12 * GiB, 32 * GiB],
      ['vulkan', 4 * GiB, 8 * GiB],
    ];
    for (const [backend, vram, ram] of budgets) {
      const budget: MemoryBudget = { backend, freeVramBytes: vram, freeRamBytes: ram };
      const fromReal = await planMemory(await createResourceEstimator(llamaCpp, llama, realInfo, backend), budget);
      const fromPlanning = await planMemory(await createResourceEstimator(llamaCpp, llama, infos.get('Q4_K_M')!, backend), budget);
      assert.deepEqual(fromPlanning, fromReal, `${backend} ${vram / GiB} GiB VRAM, ${ram / GiB} GiB RAM`);
    }
    assert.deepEqual(warnings.filter((message) => /simulat/i.test(message)), []);
  });
});
