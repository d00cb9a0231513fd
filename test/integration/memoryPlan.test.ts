/**
 * The memory plan for QED-Nano's real shape (the header-only fixture) through node-llama-cpp's own
 * estimates, for the GPUs and CPU-only machines users have. Each plan is checked against bounds
 * this test computes by itself from the file's metadata: the KV cache's bytes per token and the
 * weights' bytes, with a generous allowance for llama.cpp's compute buffers.
 */
import * as assert from 'node:assert/strict';
import type { GgufFileInfo, Llama } from 'node-llama-cpp';
import { ensureShapeModel } from '../../models/qed-nano-shape/generate';
import { DEFAULT_PLAN_SETTINGS, planMemory, usableMemory, type Backend, type MemoryBudget, type MemoryPlan } from '../../src/engineShared/memoryPlan';
import { createResourceEstimator } from '../../src/engine/resourceEstimator';

const GiB = 1024 ** 3;
const FLOOR = DEFAULT_PLAN_SETTINGS.floorContext;
const TARGET = DEFAULT_PLAN_SETTINGS.targetContext;
/** Compute buffers and the like, beyond weights and KV cache: generous on purpose. */
const SLACK = 1 * GiB;

/** Bytes per stored value of the ggml types in the file (ggml type id → bytes). */
const BYTES_PER_VALUE = new Map([
  [0, 4], // F32
  [12, 144 / 256], // Q4_K
  [14, 210 / 256], // Q6_K
]);

interface Shape {
  weights: number;
  /** Weights that stay in RAM whatever is offloaded (the token embeddings). */
  embeddings: number;
  kvPerToken: { f16: number; q8_0: number };
}

function shapeOf(info: GgufFileInfo): Shape {
  const meta = info.architectureMetadata;
  const layers = meta.block_count!;
  const kvValues = 2 * layers * meta.attention!.head_count_kv! * meta.attention!.key_length!;
  let weights = 0;
  let embeddings = 0;
  for (const tensor of info.fullTensorInfo!) {
    const bytes = tensor.dimensions.reduce<number>((a, b) => a * Number(b), 1) * BYTES_PER_VALUE.get(tensor.ggmlType)!;
    weights += bytes;
    if (tensor.name === 'token_embd.weight') embeddings += bytes;
  }
  return { weights, embeddings, kvPerToken: { f16: kvValues * 2, q8_0: (kvValues * 34) / 32 } };
}

describe('memory plan for QED-Nano’s shape (node-llama-cpp estimates)', function () {
  this.timeout(300_000);
  let llama: Llama;
  let info: GgufFileInfo;
  let shape: Shape;
  const plans: Array<{ label: string; plan: MemoryPlan }> = [];

  before(async () => {
    const llamaCpp = await import('node-llama-cpp');
    llama = await llamaCpp.getLlama({ gpu: false, build: 'never', logLevel: llamaCpp.LlamaLogLevel.error });
    info = await llamaCpp.readGgufFileInfo(await ensureShapeModel('header'), { logWarnings: false });
    shape = shapeOf(info);
    assert.equal(shape.kvPerToken.f16, 144 * 1024, 'QED-Nano: 144 KiB of KV cache per token at f16');
  });
  after(async () => {
    if (plans.length) console.log(`      ${plans.map(({ label, plan }) => `${label}: ${plan.sequences}×${plan.contextSize} ${plan.kvCache} ${plan.gpuLayers}/${plan.totalLayers}`).join('; ')}`);
    await llama?.dispose();
  });

  async function plan(backend: Backend, freeVram: number, freeRam: number): Promise<{ plan: MemoryPlan; budget: MemoryBudget }> {
    const llamaCpp = await import('node-llama-cpp');
    const budget: MemoryBudget = { backend, freeVramBytes: freeVram, freeRamBytes: freeRam };
    const result = await planMemory(await createResourceEstimator(llamaCpp, llama, info, backend), budget);
    plans.push({ label: backend === 'cpu' ? `CPU ${freeRam / GiB} GB` : `${freeVram / GiB} GB GPU`, plan: result });
    return { plan: result, budget };
  }

  for (const gb of [6, 8, 12, 16, 24, 48, 80]) {
    it(`a ${gb} GB GPU: fits, and gives a whole attempt first`, async () => {
      const { plan: p, budget } = await plan('cuda', gb * GiB, 32 * GiB);
      const usable = usableMemory(budget).vramBytes;
      assert.ok(p.fits, p.notes.join(' '));
      assert.ok(p.estimate.vramBytes <= gb * GiB && p.estimate.ramBytes <= 32 * GiB, `estimate within free memory: ${JSON.stringify(p.estimate)}`);

      // Never more than physically possible: offloaded weights and KV cache within the VRAM.
      const blocks = p.totalLayers - 1;
      const gpuShare = Math.min(p.gpuLayers, blocks) / blocks;
      const gpuBytes = (shape.weights - shape.embeddings) * gpuShare + p.sequences * p.contextSize * shape.kvPerToken[p.kvCache] * gpuShare;
      assert.ok(gpuBytes <= gb * GiB, `${(gpuBytes / GiB).toFixed(2)} GiB of weights and cache on a ${gb} GB GPU`);

      // With RAM to spare, some layers can always move off the GPU: a whole attempt must fit.
      assert.ok(p.contextSize >= FLOOR, `an attempt of at least ${FLOOR} tokens, got ${p.contextSize}`);
      const allOnGpu = (kv: number, tokens: number) => shape.weights - shape.embeddings + tokens * kv + SLACK <= usable;
      if (allOnGpu(shape.kvPerToken.q8_0, FLOOR)) assert.equal(p.gpuLayers, p.totalLayers, 'every layer on the GPU when a q8_0 attempt fits there');
      if (allOnGpu(shape.kvPerToken.f16, FLOOR)) assert.equal(p.kvCache, 'f16', 'f16 when an f16 attempt fits');
      if (allOnGpu(shape.kvPerToken.f16, TARGET)) assert.equal(p.contextSize, TARGET, 'the whole target when it fits');
      // Then more attempts at once, each as long, while they fit.
      if (p.contextSize === TARGET && p.kvCache === 'f16') {
        const room = Math.floor((usable - (shape.weights - shape.embeddings) - SLACK) / (TARGET * shape.kvPerToken.f16));
        assert.ok(p.sequences >= Math.min(DEFAULT_PLAN_SETTINGS.maxSequences, room), `${p.sequences} sequences where ${room} fit`);
      }
    });
  }

  for (const gb of [8, 16, 32]) {
    it(`a CPU-only machine with ${gb} GB free: fits with the weights counted twice, and says when an attempt is cut short`, async () => {
      const { plan: p, budget } = await plan('cpu', 0, gb * GiB);
      const usable = usableMemory(budget).ramBytes;
      assert.ok(p.fits, p.notes.join(' '));
      assert.equal(p.gpuLayers, 0);
      assert.ok(p.estimate.ramBytes <= gb * GiB && p.estimate.ramBytes >= 2 * shape.weights, `estimate ${(p.estimate.ramBytes / GiB).toFixed(2)} GiB counts the repacked copy`);
      assert.ok(2 * shape.weights + p.sequences * p.contextSize * shape.kvPerToken[p.kvCache] <= gb * GiB, 'within what is physically free');
      const fitsAt = (kv: number, tokens: number) => 2 * shape.weights + tokens * kv + SLACK <= usable;
      if (fitsAt(shape.kvPerToken.q8_0, FLOOR)) assert.ok(p.contextSize >= FLOOR && !p.belowFloor);
      else {
        assert.ok(p.belowFloor);
        assert.match(p.notes.join(' '), new RegExp(`limited to ${p.contextSize.toLocaleString('en-US')} tokens`));
        const physical = (usable - 2 * shape.weights - SLACK) / shape.kvPerToken.q8_0;
        assert.ok(p.contextSize >= physical, `${p.contextSize} tokens where about ${Math.round(physical)} fit`);
      }
      if (fitsAt(shape.kvPerToken.f16, FLOOR)) assert.equal(p.kvCache, 'f16');
    });
  }
});
