/**
 * Which backends the engine asks node-llama-cpp for, in which order, and what it says when one
 * does not load (node-llama-cpp itself is scripted here: which GPU types load and which throw).
 */
import * as assert from 'node:assert/strict';
import { loadBackend } from '../../src/engine/backend';
import type { BackendChoice } from '../../src/engineShared/memoryPlan';
import { createLogger } from '../../src/engineShared/logger';

type Gpu = 'cuda' | 'vulkan' | 'metal' | false;

function scriptedLlamaCpp(loads: { auto: Gpu; cuda?: boolean; vulkan?: boolean }) {
  const asked: unknown[] = [];
  const llamaCpp = {
    LlamaLogLevel: { warn: 'warn' },
    async getLlama(options: { gpu: Gpu | 'auto' | { type: 'auto'; exclude: Gpu[] } }) {
      asked.push(options.gpu);
      const gpu = options.gpu;
      if (gpu === 'cuda' || gpu === 'vulkan') {
        if (!loads[gpu]) throw new Error('NoBinaryFoundError\n    at getLlamaForOptions');
        return { gpu };
      }
      if (gpu === false) return { gpu: false };
      const excluded = typeof gpu === 'object' ? gpu.exclude : [];
      return { gpu: excluded.includes(loads.auto) ? false : loads.auto };
    },
  };
  return { llamaCpp: llamaCpp as unknown as typeof import('node-llama-cpp'), asked };
}

async function load(choice: BackendChoice, loads: { auto: Gpu; cuda?: boolean; vulkan?: boolean }, cudaInstalled = false) {
  const { llamaCpp, asked } = scriptedLlamaCpp(loads);
  const lines: string[] = [];
  const log = createLogger((level, message) => lines.push(`[${level}] ${message}`), 'debug');
  const { llama, fallbackReason } = await loadBackend(llamaCpp, choice, log, cudaInstalled);
  return { gpu: llama.gpu, fallbackReason, asked, lines };
}

describe('loading a backend', () => {
  it('auto leaves the choice to node-llama-cpp, and the CPU says nothing is wrong', async () => {
    const vulkan = await load('auto', { auto: 'vulkan' });
    assert.deepEqual(vulkan.asked, ['auto']);
    assert.equal(vulkan.fallbackReason, undefined);
    const cpu = await load('auto', { auto: false });
    assert.equal(cpu.fallbackReason, undefined);
    assert.deepEqual(cpu.lines, ['[info] No usable GPU backend (CUDA, Vulkan, Metal) was found; running on the CPU.']);
  });

  it('auto tries CUDA first once QED installed it', async () => {
    const loaded = await load('auto', { auto: 'vulkan', cuda: true }, true);
    assert.deepEqual(loaded.asked, ['cuda']);
    assert.equal(loaded.gpu, 'cuda');
    assert.equal(loaded.fallbackReason, undefined);
  });

  it('CUDA installed but not loading: the next best backend, and why in one line', async () => {
    const loaded = await load('auto', { auto: 'vulkan', cuda: false }, true);
    assert.deepEqual(loaded.asked, ['cuda', { type: 'auto', exclude: ['cuda'] }]);
    assert.equal(loaded.gpu, 'vulkan');
    assert.match(loaded.fallbackReason ?? '', /^CUDA did not load: .+/);
    assert.doesNotMatch(loaded.fallbackReason!, /\n/);
    assert.ok(loaded.lines.includes(`[warn] ${loaded.fallbackReason}; running on Vulkan instead.`), loaded.lines.join('\n'));
  });

  it('a chosen backend that does not load gives way to the next best (it used to be the CPU, always)', async () => {
    const loaded = await load('vulkan', { auto: 'cuda', cuda: true, vulkan: false });
    assert.deepEqual(loaded.asked, ['vulkan', { type: 'auto', exclude: ['vulkan'] }]);
    assert.equal(loaded.gpu, 'cuda');
    assert.equal(loaded.fallbackReason, 'Vulkan did not load: NoBinaryFoundError');
    assert.deepEqual(loaded.lines, ['[warn] Vulkan did not load: NoBinaryFoundError; running on CUDA instead.']);
  });

  it('cpu asks for the CPU only', async () => {
    const loaded = await load('cpu', { auto: 'vulkan' });
    assert.deepEqual(loaded.asked, [false]);
    assert.equal(loaded.fallbackReason, undefined);
  });
});
