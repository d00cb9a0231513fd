/**
 * The memory plan's estimator and budget, from node-llama-cpp: `GgufInsights` for what a model
 * and a context need, `getVramState`/`getRamState` for what this machine has free.
 *
 * When the plan is for the backend node-llama-cpp is running on, its estimates are used as they
 * are: they come from llama.cpp itself, loading the model's header without allocating. When it
 * is for another machine (`qed plan --backend cuda --vram 8GiB` on a laptop), the context is
 * simulated on the local backend and its buffers are counted on the GPU in proportion to the
 * offloaded layers; the output (logits) buffer, which llama.cpp keeps in host memory, is then
 * counted against the GPU too, so the plan errs by ~0.3 GB on the safe side.
 *
 * On the CPU backend the weights count twice: llama.cpp keeps a repacked copy of the quantized
 * weights for its CPU kernels next to the memory-mapped file (measured: 4.3 GiB resident for
 * QED-Nano's 2.3 GiB of Q4_K_M weights).
 */
import type { GgmlType as GgmlTypeEnum, GgufFileInfo, Llama } from 'node-llama-cpp';
import type { Backend, ContextShape, MemoryBudget, ResourceEstimator } from '../engineShared/memoryPlan';

type LlamaCppModule = typeof import('node-llama-cpp');

/** `fileInfo` must have been read with its tensor info (the default of `readGgufFileInfo`). */
export async function createResourceEstimator(llamaCpp: LlamaCppModule, llama: Llama, fileInfo: GgufFileInfo, backend: Backend): Promise<ResourceEstimator> {
  const insights = await llamaCpp.GgufInsights.from(fileInfo, llama);
  const simulated = backendOf(llama) !== backend;
  const totalLayers = insights.totalLayers;
  const kvType = (kvCache: ContextShape['kvCache']): GgmlTypeEnum => (kvCache === 'q8_0' ? llamaCpp.GgmlType.Q8_0 : llamaCpp.GgmlType.F16);

  return {
    totalLayers,
    trainContextSize: insights.trainContextSize ?? 4096,
    flashAttentionSupported: insights.flashAttentionSupported,

    async model(gpuLayers) {
      // The split by layer is a sum of tensor sizes; the simulation adds nothing for the weights.
      const need = simulated ? insights.estimateModelResourceRequirements({ gpuLayers }) : await insights.estimateModelResourceRequirementsV2({ gpuLayers });
      const ramBytes = backend === 'cpu' ? 2 * need.cpuRam : need.cpuRam;
      return { vramBytes: backend === 'cpu' ? 0 : need.gpuVram, ramBytes };
    },

    async context(shape) {
      const need = await insights.estimateContextResourceRequirementsV2({
        contextSize: shape.contextSize,
        sequences: shape.sequences,
        // Simulated on another backend, the layer split is ours (below): one model handle serves every shape.
        modelGpuLayers: simulated ? totalLayers : shape.gpuLayers,
        flashAttention: shape.flashAttention,
        kvCacheKeyType: kvType(shape.kvCache),
        kvCacheValueType: kvType(shape.kvCache),
      });
      if (!simulated) return { vramBytes: need.gpuVram, ramBytes: need.cpuRam };
      const all = need.cpuRam + need.gpuVram;
      if (backend === 'cpu') return { vramBytes: 0, ramBytes: all };
      const onGpu = Math.round(all * (shape.gpuLayers / totalLayers));
      return { vramBytes: onGpu, ramBytes: all - onGpu };
    },
  };
}

/** The backend a node-llama-cpp instance runs on. */
export function backendOf(llama: Llama): Backend {
  return llama.gpu === false ? 'cpu' : llama.gpu;
}

/** What this machine has free now, on the backend `llama` runs on. */
export async function machineBudget(llama: Llama): Promise<MemoryBudget> {
  const backend = backendOf(llama);
  const ram = await llama.getRamState();
  if (backend === 'cpu') return { backend, freeVramBytes: 0, freeRamBytes: ram.free };
  const [vram, devices] = await Promise.all([llama.getVramState(), llama.getGpuDeviceNames().catch(() => [] as string[])]);
  return { backend, ...(devices[0] ? { device: devices[0] } : {}), freeVramBytes: vram.free, freeRamBytes: ram.free };
}
