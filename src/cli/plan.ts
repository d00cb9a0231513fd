/**
 * `qed plan --model FILE`: the memory plan the engine would use, before loading anything: for
 * this machine, or for one with `--vram`/`--ram` free and a `--backend`.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes, parseByteSize } from '../core/byteSize';
import { loadBackend } from '../engine/backend';
import { createLogger } from '../engine/logger';
import { DEFAULT_PLAN_SETTINGS, formatTokens, planMemory, type Backend, type KvCacheType, type MemoryBudget, type MemoryPlan } from '../engine/memoryPlan';
import { backendOf, createResourceEstimator, machineBudget } from '../engine/resourceEstimator';
import { UsageError } from './usageError';

const BACKENDS: readonly Backend[] = ['cuda', 'vulkan', 'metal', 'cpu'];

export async function planCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      vram: { type: 'string' },
      ram: { type: 'string' },
      backend: { type: 'string' },
      'context-size': { type: 'string' },
      parallel: { type: 'string' },
      'gpu-layers': { type: 'string' },
      'kv-cache': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.model) throw new UsageError('plan needs --model PATH (a GGUF file).');
  const backend = values.backend;
  if (backend !== undefined && !BACKENDS.includes(backend as Backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}.`);
  if (backend === 'cpu' && values.vram !== undefined) throw new UsageError('--vram makes no sense with --backend cpu.');
  const vram = values.vram === undefined ? undefined : size(values.vram, '--vram');
  const ram = values.ram === undefined ? undefined : size(values.ram, '--ram');
  const kvCache = values['kv-cache'];
  if (kvCache !== undefined && kvCache !== 'f16' && kvCache !== 'q8_0') throw new UsageError('--kv-cache must be f16 or q8_0.');

  const modelPath = resolve(values.model);
  const file = await stat(modelPath).catch(() => undefined);
  if (!file?.isFile()) throw new Error(`Model file not found: ${modelPath}`);

  const log = createLogger((level, message) => process.stderr.write(`[${level}] ${message}\n`), 'warn');
  const llamaCpp = await import('node-llama-cpp');
  const { llama } = await loadBackend(llamaCpp, (backend as Backend | undefined) ?? 'auto', log);
  const here = await machineBudget(llama);
  // With --vram alone the plan is for a GPU machine: CUDA unless this one runs another GPU backend.
  const target: Backend = (backend as Backend | undefined) ?? (vram !== undefined && here.backend === 'cpu' ? 'cuda' : here.backend);
  const budget: MemoryBudget = {
    backend: target,
    ...(target === here.backend && vram === undefined && here.device ? { device: here.device } : {}),
    freeVramBytes: vram ?? (target === here.backend ? here.freeVramBytes : 0),
    freeRamBytes: ram ?? here.freeRamBytes,
  };
  if (target !== 'cpu' && budget.freeVramBytes === 0) throw new UsageError(`This machine has no ${target} backend running; say how much VRAM to plan for with --vram SIZE.`);

  try {
    const fileInfo = await llamaCpp.readGgufFileInfo(modelPath, { logWarnings: false });
    const estimator = await createResourceEstimator(llamaCpp, llama, fileInfo, target);
    const plan = await planMemory(estimator, budget, {
      ...DEFAULT_PLAN_SETTINGS,
      ...optionalInteger(values['context-size'], '--context-size', 'contextSize', 256),
      ...optionalInteger(values.parallel, '--parallel', 'parallel', 1),
      ...optionalInteger(values['gpu-layers'], '--gpu-layers', 'gpuLayers', 0),
      ...(kvCache ? { kvCache: kvCache as KvCacheType } : {}),
    });
    const simulated = target !== backendOf(llama);
    process.stdout.write(values.json ? `${JSON.stringify({ model: modelPath, simulated, ...plan })}\n` : describePlan(plan, basename(modelPath), budget, simulated));
    return plan.fits ? 0 : 1;
  } finally {
    await llama.dispose();
  }
}

export function describePlan(plan: MemoryPlan, model: string, budget: MemoryBudget, simulated: boolean): string {
  const gpu = plan.backend !== 'cpu';
  const lines = [
    `Model     ${model}`,
    `Backend   ${plan.backend}${plan.device ? ` · ${plan.device}` : ''}${simulated ? ' (planned for, not running here)' : ''}`,
    `Free      ${gpu ? `${formatBytes(budget.freeVramBytes)} VRAM, ` : ''}${formatBytes(budget.freeRamBytes)} RAM`,
    `Plan      ${plan.sequences} × ${formatTokens(plan.contextSize)} tokens (${plan.sequences} ${plan.sequences === 1 ? 'attempt' : 'attempts'} at once, ${plan.contextSize.toLocaleString('en-US')} tokens each)`,
    `          ${plan.kvCache} KV cache, flash attention ${plan.flashAttention ? 'on' : 'off'}${gpu ? `, ${plan.gpuLayers} of ${plan.totalLayers} layers on the GPU` : ''}`,
    `Estimate  ${gpu ? `${formatBytes(plan.estimate.vramBytes)} VRAM of ${formatBytes(plan.available.vramBytes)} usable, ` : ''}${formatBytes(plan.estimate.ramBytes)} RAM of ${formatBytes(plan.available.ramBytes)} usable`,
    ...plan.notes.map((note) => `Note      ${note}`),
  ];
  return `${lines.join('\n')}\n`;
}

function size(text: string, flag: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes <= 0) throw new UsageError(`${flag} must be a size in bytes or like 8GiB, 8GB, 512MiB.`);
  return bytes;
}

function optionalInteger<K extends string>(text: string | undefined, flag: string, key: K, min: number): { [P in K]?: number } {
  if (text === undefined) return {};
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer of at least ${min}.`);
  return { [key]: value } as { [P in K]?: number };
}
