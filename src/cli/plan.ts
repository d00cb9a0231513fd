/**
 * `qed plan --model FILE`: the memory plan the engine would use, before loading anything: for
 * this machine, or for one with `--vram`/`--ram` free and a `--backend`. `--quant Q` plans a
 * catalog quantization of QED-Nano that is not downloaded (from its header in the repository, or
 * from a planning header when the network does not answer in time). Several `--model`/`--quant`
 * plan in one run, paying node-llama-cpp's start-up once; `--json` then prints one line each, in
 * the order they finish.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isQuantization, QUANTIZATIONS } from '../../models/qed-nano-shape/quantization';
import { formatBytes, parseByteSize } from '../core/byteSize';
import { loadBackend } from '../engine/backend';
import { createLogger } from '../engineShared/logger';
import { DEFAULT_PLAN_SETTINGS, formatTokens, planMemory, type Backend, type BackendChoice, type KvCacheType, type MemoryBudget, type MemoryPlan, type PlanSettings } from '../engineShared/memoryPlan';
import { readModelHeader, type PlanTarget } from '../engine/modelHeader';
import type { PlanReport } from '../engineShared/planReport';
import { backendOf, createResourceEstimator, machineBudget } from '../engine/resourceEstimator';
import { UsageError } from './usageError';

const BACKENDS: readonly Backend[] = ['cuda', 'vulkan', 'metal', 'cpu'];
const DEFAULT_REMOTE_TIMEOUT_SECONDS = 8;

export async function planCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', multiple: true },
      quant: { type: 'string', multiple: true },
      vram: { type: 'string' },
      ram: { type: 'string' },
      'reclaim-vram': { type: 'string' },
      'reclaim-ram': { type: 'string' },
      backend: { type: 'string' },
      gpu: { type: 'string' },
      'remote-timeout': { type: 'string', default: String(DEFAULT_REMOTE_TIMEOUT_SECONDS) },
      'context-size': { type: 'string' },
      parallel: { type: 'string' },
      'gpu-layers': { type: 'string' },
      'kv-cache': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const targets: PlanTarget[] = [
    ...(values.model ?? []).map((file): PlanTarget => ({ kind: 'file', path: resolve(file) })),
    ...(values.quant ?? []).map((name): PlanTarget => {
      const quantization = name.toUpperCase();
      if (!isQuantization(quantization)) throw new UsageError(`--quant must be one of ${QUANTIZATIONS.join(', ')}.`);
      return { kind: 'quantization', quantization };
    }),
  ];
  if (!targets.length) throw new UsageError('plan needs --model PATH (a GGUF file) or --quant QUANTIZATION (QED-Nano from the catalog).');
  const backend = values.backend;
  if (backend !== undefined && !BACKENDS.includes(backend as Backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}.`);
  const gpu = values.gpu;
  if (gpu !== undefined && gpu !== 'auto' && !BACKENDS.includes(gpu as Backend)) throw new UsageError(`--gpu must be one of auto, ${BACKENDS.join(', ')}.`);
  if (backend === 'cpu' && values.vram !== undefined) throw new UsageError('--vram makes no sense with --backend cpu.');
  const vram = values.vram === undefined ? undefined : size(values.vram, '--vram');
  const ram = values.ram === undefined ? undefined : size(values.ram, '--ram');
  if ((values['reclaim-vram'] !== undefined && vram !== undefined) || (values['reclaim-ram'] !== undefined && ram !== undefined)) {
    throw new UsageError('--reclaim-vram/--reclaim-ram add to the memory free here; with --vram/--ram the free memory is given.');
  }
  // A running engine on the CPU holds no VRAM: 0 is a valid amount to reclaim.
  const reclaim = { vram: values['reclaim-vram'] === undefined ? 0 : size(values['reclaim-vram'], '--reclaim-vram', 0), ram: values['reclaim-ram'] === undefined ? 0 : size(values['reclaim-ram'], '--reclaim-ram', 0) };
  const remoteTimeout = Number(values['remote-timeout']);
  if (!(remoteTimeout >= 0)) throw new UsageError('--remote-timeout must be a number of seconds (0: do not try the network).');
  const kvCache = values['kv-cache'];
  if (kvCache !== undefined && kvCache !== 'f16' && kvCache !== 'q8_0') throw new UsageError('--kv-cache must be f16 or q8_0.');
  const settings: PlanSettings = {
    ...DEFAULT_PLAN_SETTINGS,
    ...optionalInteger(values['context-size'], '--context-size', 'contextSize', 256),
    ...optionalInteger(values.parallel, '--parallel', 'parallel', 1),
    ...optionalInteger(values['gpu-layers'], '--gpu-layers', 'gpuLayers', 0),
    ...(kvCache ? { kvCache: kvCache as KvCacheType } : {}),
  };
  for (const target of targets) {
    if (target.kind !== 'file') continue;
    const file = await stat(target.path).catch(() => undefined);
    if (!file?.isFile()) throw new Error(`Model file not found: ${target.path}`);
  }

  const log = createLogger((level, message) => process.stderr.write(`[${level}] ${message}\n`), 'warn');
  const llamaCpp = await import('node-llama-cpp');
  const { llama } = await loadBackend(llamaCpp, (gpu as BackendChoice | undefined) ?? (backend as Backend | undefined) ?? 'auto', log);
  const scratchDir = await mkdtemp(join(os.tmpdir(), 'qed-plan-'));
  try {
    const here = await machineBudget(llama);
    // With --vram alone the plan is for a GPU machine: CUDA unless this one runs another GPU backend.
    const target: Backend = (backend as Backend | undefined) ?? (vram !== undefined && here.backend === 'cpu' ? 'cuda' : here.backend);
    const budget: MemoryBudget = {
      backend: target,
      ...(target === here.backend && vram === undefined && here.device ? { device: here.device } : {}),
      freeVramBytes: vram ?? (target === here.backend ? here.freeVramBytes + reclaim.vram : 0),
      freeRamBytes: ram ?? here.freeRamBytes + reclaim.ram,
    };
    if (target !== 'cpu' && budget.freeVramBytes === 0) throw new UsageError(`This machine has no ${target} backend running; say how much VRAM to plan for with --vram SIZE.`);
    const simulated = target !== backendOf(llama);

    // Headers are read at once (remote ones take a while); plans are made one at a time, as headers arrive.
    let planning = Promise.resolve();
    let allFit = true;
    const outcomes = await Promise.allSettled(
      targets.map(async (planTarget) => {
        const header = await readModelHeader(llamaCpp, planTarget, { remoteTimeoutMs: remoteTimeout * 1000, scratchDir });
        const turn = planning.then(async () => {
          const estimator = await createResourceEstimator(llamaCpp, llama, header.info, target);
          const plan = await planMemory(estimator, budget, settings);
          const [model, context] = await Promise.all([
            estimator.model(plan.gpuLayers),
            estimator.context({ contextSize: plan.contextSize, sequences: plan.sequences, gpuLayers: plan.gpuLayers, kvCache: plan.kvCache, flashAttention: plan.flashAttention }),
          ]);
          allFit &&= plan.fits;
          const report: PlanReport = {
            model: header.model,
            ...(planTarget.kind === 'quantization' ? { quantization: planTarget.quantization } : {}),
            header: header.source,
            ...(header.note ? { headerNote: header.note } : {}),
            simulated,
            ...plan,
            need: { model, context },
          };
          const name = planTarget.kind === 'file' ? basename(planTarget.path) : `QED-Nano ${planTarget.quantization} (${describeHeader(report)})`;
          process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${targets.length > 1 ? '\n' : ''}${describePlan(plan, name, budget, simulated)}`);
        });
        planning = turn.catch(() => undefined);
        await turn;
      }),
    );
    // Every plan has ended before node-llama-cpp is disposed (below), whichever failed.
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return allFit ? 0 : 1;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
    await llama.dispose();
  }
}

function describeHeader(report: PlanReport): string {
  if (report.header === 'remote') return `header read from ${report.model}`;
  return `estimated from the architecture: ${report.headerNote}`;
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

function size(text: string, flag: string, min = 1): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes < min) throw new UsageError(`${flag} must be a size in bytes or like 8GiB, 8GB, 512MiB.`);
  return bytes;
}

function optionalInteger<K extends string>(text: string | undefined, flag: string, key: K, min: number): { [P in K]?: number } {
  if (text === undefined) return {};
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer of at least ${min}.`);
  return { [key]: value } as { [P in K]?: number };
}
