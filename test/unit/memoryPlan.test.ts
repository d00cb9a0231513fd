/**
 * The memory plan's choices, with a scripted estimator whose sizes are simple to follow: 10 GB of
 * weights over 10 layers plus an output layer, 1 MB of KV cache per token at f16 and 0.5 MB at
 * q8_0 (split by layer like the weights), no compute buffers.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_PLAN_SETTINGS, planMemory, type ContextShape, type MemoryBudget, type ResourceEstimator } from '../../src/engineShared/memoryPlan';

const GB = 1e9;
const MB = 1e6;
const LAYERS = 11;

function scriptedEstimator(calls: ContextShape[] = []): ResourceEstimator {
  return {
    totalLayers: LAYERS,
    trainContextSize: 262_144,
    flashAttentionSupported: true,
    async model(gpuLayers) {
      const onGpu = (10 * GB * gpuLayers) / LAYERS;
      return { vramBytes: onGpu, ramBytes: 10 * GB - onGpu };
    },
    async context(shape) {
      calls.push(shape);
      const kv = shape.contextSize * shape.sequences * (shape.kvCache === 'f16' ? MB : 0.5 * MB);
      const onGpu = (kv * shape.gpuLayers) / LAYERS;
      return { vramBytes: onGpu, ramBytes: kv - onGpu };
    },
  };
}

/** Free memory such that, after the plan's headroom, exactly `usable` bytes are left. */
function gpu(usableVram: number, usableRam = 1000 * GB): MemoryBudget {
  return { backend: 'cuda', freeVramBytes: usableVram / 0.95, freeRamBytes: usableRam / 0.9 };
}

describe('memory plan (scripted estimator)', () => {
  it('takes f16 and the whole target when it fits, then adds sequences of the same context up to the cap', async () => {
    const plan = await planMemory(scriptedEstimator(), gpu(10 * GB + 3 * 65_536 * MB + 1));
    assert.equal(plan.kvCache, 'f16');
    assert.equal(plan.contextSize, 65_536);
    assert.equal(plan.sequences, 3);
    assert.equal(plan.gpuLayers, LAYERS);
    assert.ok(plan.fits && !plan.belowFloor);
    assert.deepEqual(plan.notes, []);
  });

  it('keeps f16 at a shorter context when that still holds a whole attempt, rather than quantizing the cache', async () => {
    const plan = await planMemory(scriptedEstimator(), gpu(10 * GB + 55_000 * MB));
    assert.equal(plan.kvCache, 'f16');
    assert.equal(plan.contextSize, 53 * 1024);
  });

  it('switches to a q8_0 cache when f16 cannot hold a whole attempt, and says so', async () => {
    const plan = await planMemory(scriptedEstimator(), gpu(10 * GB + 40_000 * MB));
    assert.equal(plan.kvCache, 'q8_0');
    assert.ok(plan.flashAttention, 'a quantized V cache needs flash attention');
    assert.ok(plan.contextSize >= DEFAULT_PLAN_SETTINGS.floorContext);
    assert.match(plan.notes.join(' '), /q8_0/);
  });

  it('moves layers to the CPU when even q8_0 cannot hold a whole attempt on the GPU', async () => {
    const plan = await planMemory(scriptedEstimator(), gpu(9 * GB));
    assert.ok(plan.gpuLayers < LAYERS && plan.gpuLayers > 0, `${plan.gpuLayers} layers`);
    assert.ok(plan.contextSize >= DEFAULT_PLAN_SETTINGS.floorContext);
    assert.ok(plan.estimate.vramBytes <= 9 * GB);
    assert.match(plan.notes.join(' '), /layers run on the CPU/);
  });

  it('below the floor it still runs, with the longest context there is, and says how long an attempt can be', async () => {
    const plan = await planMemory(scriptedEstimator(), { backend: 'cpu', freeVramBytes: 0, freeRamBytes: (10 * GB + 20_000 * MB) / 0.9 });
    assert.ok(plan.fits && plan.belowFloor);
    assert.equal(plan.kvCache, 'q8_0');
    assert.equal(plan.contextSize, 39 * 1024);
    assert.match(plan.notes.join(' '), /limited to 39,936 tokens on this machine/);
  });

  it('says when nothing fits at all', async () => {
    const plan = await planMemory(scriptedEstimator(), { backend: 'cpu', freeVramBytes: 0, freeRamBytes: 5 * GB });
    assert.ok(!plan.fits);
    assert.match(plan.notes.join(' '), /fail to start/);
  });

  it('uses each override as is: context size, sequences, GPU layers, cache type', async () => {
    const calls: ContextShape[] = [];
    const budget = gpu(10 * GB + 200_000 * MB);
    const plan = await planMemory(scriptedEstimator(calls), budget, { ...DEFAULT_PLAN_SETTINGS, contextSize: 20_480, parallel: 2, gpuLayers: 4, kvCache: 'q8_0' });
    assert.deepEqual(
      { contextSize: plan.contextSize, sequences: plan.sequences, gpuLayers: plan.gpuLayers, kvCache: plan.kvCache },
      { contextSize: 20_480, sequences: 2, gpuLayers: 4, kvCache: 'q8_0' },
    );
    assert.ok(calls.every((shape) => shape.contextSize === 20_480 && shape.kvCache === 'q8_0' && shape.gpuLayers === 4));
    assert.match(plan.notes.join(' '), /limited to 20,480 tokens by qed\.engine\.contextSize/);
  });

  it('an override that does not fit is kept, and the plan says it does not fit', async () => {
    const plan = await planMemory(scriptedEstimator(), gpu(11 * GB), { ...DEFAULT_PLAN_SETTINGS, parallel: 8 });
    assert.equal(plan.sequences, 8);
    assert.ok(!plan.fits);
    assert.match(plan.notes.join(' '), /8 sequences .* need more memory than is free/);
  });

  it('never plans past the model’s training context', async () => {
    const estimator = { ...scriptedEstimator(), trainContextSize: 32_768 };
    const plan = await planMemory(estimator, gpu(100 * GB));
    assert.equal(plan.contextSize, 32_768);
  });
});
