/**
 * The memory plan: how many layers go to the GPU, how long each sequence's context is, how many
 * sequences run at once, and which KV cache type, for one model on one machine.
 *
 * A QED-Nano proof attempt is 10k–50k tokens, so the plan puts one whole attempt first: the
 * longest context up to `target` for a single sequence, with an f16 KV cache, else a q8_0 one
 * (half the size; llama.cpp needs flash attention for a quantized V cache), else with fewer
 * layers on the GPU. Only then does it add sequences, each with that same context, while they
 * fit. Every size comes from the estimator (node-llama-cpp's own estimates of the model and
 * context); the plan only searches.
 */

export type Backend = 'cuda' | 'vulkan' | 'metal' | 'cpu';
/** The `qed.engine.gpu` setting and `serve --gpu`: a backend, or the best that loads. */
export type BackendChoice = 'auto' | Backend;
export type KvCacheType = 'f16' | 'q8_0';

export interface Resources {
  vramBytes: number;
  ramBytes: number;
}

export interface ContextShape {
  contextSize: number;
  sequences: number;
  gpuLayers: number;
  kvCache: KvCacheType;
  flashAttention: boolean;
}

/** What a model and a context of a given shape need, on the backend being planned for. */
export interface ResourceEstimator {
  /** Layers node-llama-cpp can offload, the output layer included. */
  readonly totalLayers: number;
  /** The model's training context: no plan goes beyond it. */
  readonly trainContextSize: number;
  readonly flashAttentionSupported: boolean;
  /** Weights, with `gpuLayers` of them on the GPU. */
  model(gpuLayers: number): Promise<Resources>;
  /** The KV cache and compute buffers of a context. */
  context(shape: ContextShape): Promise<Resources>;
}

export interface MemoryBudget {
  backend: Backend;
  /** A device name for display, e.g. "NVIDIA GeForce RTX 4070". */
  device?: string;
  freeVramBytes: number;
  freeRamBytes: number;
}

export interface PlanSettings {
  /** The attempt context to aim for. */
  targetContext: number;
  /** The shortest context that still holds a whole attempt; below it the plan says so. */
  floorContext: number;
  /** Most sequences when `parallel` is not set. */
  maxSequences: number;
  /** Overrides: each one, when set, is used as is. */
  contextSize?: number;
  parallel?: number;
  gpuLayers?: number;
  kvCache?: KvCacheType;
}

export const DEFAULT_PLAN_SETTINGS: PlanSettings = { targetContext: 65_536, floorContext: 49_152, maxSequences: 4 };

export interface MemoryPlan {
  backend: Backend;
  device?: string;
  gpuLayers: number;
  totalLayers: number;
  /** Tokens per sequence: the room of one attempt, prompt included. */
  contextSize: number;
  sequences: number;
  kvCache: KvCacheType;
  flashAttention: boolean;
  /** What the plan is estimated to use. */
  estimate: Resources;
  /** The memory it was planned against, after the headroom left for everything else. */
  available: Resources;
  /** False when even the smallest context does not fit: the engine will most likely fail to start. */
  fits: boolean;
  /** Below `floorContext`: a long attempt will be cut at `contextSize` tokens. */
  belowFloor: boolean;
  /** One-line notes for the user, in the order the plan made its choices. */
  notes: string[];
}

/** Contexts are multiples of this (llama.cpp pads to 256; coarser steps keep the search short). */
const CONTEXT_STEP = 1024;
const MIN_CONTEXT = 2048;

/** Memory left for the editor, the OS and the driver: a fixed part plus a share of what is free. */
export function usableMemory(budget: MemoryBudget): Resources {
  const GiB = 1024 ** 3;
  const keep = (free: number, fixed: number, share: number) => Math.max(0, free - Math.max(fixed, free * share));
  return {
    vramBytes: budget.backend === 'cpu' ? 0 : keep(budget.freeVramBytes, 0.25 * GiB, 0.05),
    ramBytes: keep(budget.freeRamBytes, 1 * GiB, 0.1),
  };
}

export async function planMemory(estimator: ResourceEstimator, budget: MemoryBudget, settings: PlanSettings = DEFAULT_PLAN_SETTINGS): Promise<MemoryPlan> {
  const available = usableMemory(budget);
  const gpu = budget.backend !== 'cpu';
  const allLayers = gpu ? estimator.totalLayers : 0;
  const notes: string[] = [];
  const ceiling = roundDown(Math.min(settings.contextSize ?? settings.targetContext, estimator.trainContextSize));
  const floor = Math.min(settings.floorContext, ceiling);
  const kvChoices: KvCacheType[] = settings.kvCache ? [settings.kvCache] : ['f16', 'q8_0'];
  const flashFor = (kvCache: KvCacheType) => kvCache !== 'f16' || estimator.flashAttentionSupported;

  const total = async (shape: ContextShape): Promise<Resources> => {
    const [model, context] = await Promise.all([estimator.model(shape.gpuLayers), estimator.context(shape)]);
    return { vramBytes: model.vramBytes + context.vramBytes, ramBytes: model.ramBytes + context.ramBytes };
  };
  const fitsIn = (need: Resources) => need.vramBytes <= available.vramBytes && need.ramBytes <= available.ramBytes;
  const shapeOf = (contextSize: number, gpuLayers: number, kvCache: KvCacheType, sequences = 1): ContextShape => ({
    contextSize,
    sequences,
    gpuLayers,
    kvCache,
    flashAttention: flashFor(kvCache),
  });

  /** The longest context (a step multiple, at most `ceiling`) that fits with one sequence, or 0. */
  const longestContext = async (gpuLayers: number, kvCache: KvCacheType): Promise<number> => {
    if (settings.contextSize) return (await fitsShape(shapeOf(ceiling, gpuLayers, kvCache))) ? ceiling : 0;
    let low = 0;
    let high = ceiling / CONTEXT_STEP;
    if (!(await fitsShape(shapeOf(MIN_CONTEXT, gpuLayers, kvCache)))) return 0;
    low = MIN_CONTEXT / CONTEXT_STEP;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (await fitsShape(shapeOf(middle * CONTEXT_STEP, gpuLayers, kvCache))) low = middle;
      else high = middle - 1;
    }
    return low * CONTEXT_STEP;
  };
  const fitsShape = async (shape: ContextShape) => fitsIn(await total(shape));

  // 1. One whole attempt: f16 then q8_0 with every layer on the GPU, then fewer layers.
  let chosen: { gpuLayers: number; kvCache: KvCacheType; contextSize: number } | undefined;
  let best: { gpuLayers: number; kvCache: KvCacheType; contextSize: number } | undefined;
  const layerChoices = settings.gpuLayers !== undefined ? [Math.min(settings.gpuLayers, allLayers)] : [allLayers];
  for (const gpuLayers of layerChoices) {
    for (const kvCache of kvChoices) {
      const contextSize = await longestContext(gpuLayers, kvCache);
      if (contextSize > (best?.contextSize ?? 0)) best = { gpuLayers, kvCache, contextSize };
      if (contextSize >= floor) {
        chosen = { gpuLayers, kvCache, contextSize };
        break;
      }
    }
    if (chosen) break;
  }
  if (!chosen && gpu && settings.gpuLayers === undefined && allLayers > 0) {
    // The most layers that still leave room for the floor, with the smaller of the caches allowed.
    const kvCache = kvChoices[kvChoices.length - 1]!;
    let low = 0;
    let high = allLayers - 1;
    if ((await longestContext(0, kvCache)) >= floor) {
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if ((await longestContext(middle, kvCache)) >= floor) low = middle;
        else high = middle - 1;
      }
      chosen = { gpuLayers: low, kvCache, contextSize: await longestContext(low, kvCache) };
      notes.push(`${allLayers - low} of ${allLayers} layers run on the CPU so that an attempt of ${count(chosen.contextSize)} tokens fits.`);
    }
  }
  if (chosen?.kvCache === 'q8_0' && !settings.kvCache) notes.push('The KV cache is q8_0 (half the memory of f16) so that a whole attempt fits.');

  const first = chosen ?? best ?? { gpuLayers: layerChoices[0]!, kvCache: kvChoices[kvChoices.length - 1]!, contextSize: settings.contextSize ? ceiling : MIN_CONTEXT };
  const fits = chosen !== undefined || best !== undefined;
  const belowFloor = first.contextSize < settings.floorContext;
  if (!fits) notes.push(`Not even ${count(first.contextSize)} tokens fit in the memory that is free; the engine will most likely fail to start.`);
  else if (belowFloor) {
    const why = settings.contextSize ? 'by qed.engine.contextSize' : `on this ${gpu ? 'GPU' : 'machine'}`;
    notes.push(`Each attempt is limited to ${count(first.contextSize)} tokens ${why}; a proof attempt can need ${count(settings.floorContext)} or more.`);
  }

  // 2. More sequences at the same context, while they fit.
  let sequences = 1;
  const wanted = settings.parallel ?? settings.maxSequences;
  if (settings.parallel !== undefined) sequences = settings.parallel;
  else {
    while (sequences < wanted && fits && (await fitsShape(shapeOf(first.contextSize, first.gpuLayers, first.kvCache, sequences + 1)))) sequences++;
  }
  const shape = shapeOf(first.contextSize, first.gpuLayers, first.kvCache, sequences);
  const estimate = await total(shape);
  if (settings.parallel !== undefined && !fitsIn(estimate)) notes.push(`${sequences} sequences of ${count(first.contextSize)} tokens need more memory than is free.`);

  return {
    backend: budget.backend,
    ...(budget.device ? { device: budget.device } : {}),
    gpuLayers: first.gpuLayers,
    totalLayers: estimator.totalLayers,
    contextSize: first.contextSize,
    sequences,
    kvCache: first.kvCache,
    flashAttention: shape.flashAttention,
    estimate,
    available,
    fits: fits && fitsIn(estimate),
    belowFloor,
    notes,
  };
}

function roundDown(tokens: number): number {
  return Math.max(MIN_CONTEXT, Math.floor(tokens / CONTEXT_STEP) * CONTEXT_STEP);
}

const count = (tokens: number) => tokens.toLocaleString('en-US');

/** 65,536 → "64k"; 50,000 → "48k": binary thousands, as context sizes are chosen. */
export function formatTokens(tokens: number): string {
  return tokens >= 1024 ? `${Math.floor(tokens / 1024)}k` : String(tokens);
}
