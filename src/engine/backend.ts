/**
 * Starts node-llama-cpp on a backend from its prebuilt binaries: never builds, never downloads.
 * A GPU backend that fails to load gives way to the next best one (in the end the CPU), and the
 * reason goes in one line to the log and, as `fallbackReason`, to the status bar.
 *
 * With `auto`, node-llama-cpp tries CUDA only when its own search finds the CUDA libraries in a
 * few fixed folders. When QED installed the CUDA packages (the user asked for CUDA), `auto` tries
 * CUDA first whatever that search says, so a CUDA that cannot load says why instead of being
 * silently skipped.
 */
import type { Llama, LlamaGpuType } from 'node-llama-cpp';
import { llamaPlatform } from '../engineShared/cuda/cudaPackages';
import { detectCuda } from '../engineShared/cuda/detectCuda';
import { cudaPackagesInUse } from './cuda/llamaPackagesHook';
import { backendName } from '../engineShared/engineLabels';
import type { Logger } from '../engineShared/logger';
import type { BackendChoice } from '../engineShared/memoryPlan';

type LlamaCppModule = typeof import('node-llama-cpp');

export interface LoadedBackend {
  llama: Llama;
  /** Why the backend asked for (or CUDA, under `auto` with QED's CUDA packages) is not the one running. */
  fallbackReason?: string;
}

export async function loadBackend(llamaCpp: LlamaCppModule, choice: BackendChoice, log: Logger, cudaInstalled = cudaPackagesInUse()): Promise<LoadedBackend> {
  const options = {
    build: 'never',
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: llamaCpp.LlamaLogLevel.warn,
    logger: (level: string, message: string) => log.debug(`llama.cpp ${level}: ${message.trimEnd()}`),
  } as const;
  if (choice === 'cpu') return { llama: await llamaCpp.getLlama({ ...options, gpu: false }) };

  const first: LlamaGpuType | 'auto' = choice === 'auto' && cudaInstalled ? 'cuda' : choice;
  if (first === 'auto') {
    try {
      const llama = await llamaCpp.getLlama({ ...options, gpu: 'auto' });
      if (llama.gpu === false) log.info('No usable GPU backend (CUDA, Vulkan, Metal) was found; running on the CPU.');
      return { llama };
    } catch (error) {
      const reason = `the GPU backend did not load (${errorText(error)})`;
      log.warn(`${capitalize(reason)}; running on the CPU.`);
      return { llama: await llamaCpp.getLlama({ ...options, gpu: false }), fallbackReason: capitalize(reason) };
    }
  }

  try {
    return { llama: await llamaCpp.getLlama({ ...options, gpu: first }) };
  } catch (error) {
    const why = first === 'cuda' ? await cudaFailure(error, log) : errorText(error);
    let llama: Llama;
    try {
      llama = await llamaCpp.getLlama({ ...options, gpu: { type: 'auto', exclude: [first] } });
    } catch {
      llama = await llamaCpp.getLlama({ ...options, gpu: false });
    }
    const reason = `${backendName(first)} did not load: ${why}`;
    log.warn(`${reason}; running on ${llama.gpu ? backendName(llama.gpu) : 'the CPU'} instead.`);
    return { llama, fallbackReason: reason };
  }
}

/** What is missing for CUDA here (the log gets each problem with its fix), else node-llama-cpp's error. */
async function cudaFailure(error: unknown, log: Logger): Promise<string> {
  const build = `@node-llama-cpp/${llamaPlatform()}-cuda`;
  // The same lookup node-llama-cpp makes (through the resolve hook when QED installed it).
  const installed = await import(build).then(
    () => true,
    () => false,
  );
  if (!installed) return `its build (${build}) is not installed: run “QED: Install the CUDA Backend…” or qed cuda install`;
  const detection = await detectCuda().catch(() => undefined);
  if (!detection?.summary) {
    return `${errorText(error)}; the driver may be older than the CUDA runtime needs (CUDA 13: driver 580 or newer, CUDA 12: 525), see “qed cuda status”`;
  }
  for (const problem of detection.problems) log.warn(problem);
  return detection.summary;
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
