/**
 * Starts node-llama-cpp on a backend from its prebuilt binaries: never builds, never downloads.
 * A GPU backend that fails falls back to the CPU with one line in the log saying why.
 */
import type { Llama } from 'node-llama-cpp';
import type { Logger } from './logger';
import type { Backend } from './memoryPlan';

export type BackendChoice = 'auto' | Backend;

type LlamaCppModule = typeof import('node-llama-cpp');

export async function loadBackend(llamaCpp: LlamaCppModule, choice: BackendChoice, log: Logger): Promise<Llama> {
  const options = {
    build: 'never',
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: llamaCpp.LlamaLogLevel.warn,
    logger: (level: string, message: string) => log.debug(`llama.cpp ${level}: ${message.trimEnd()}`),
  } as const;
  if (choice === 'cpu') return llamaCpp.getLlama({ ...options, gpu: false });
  try {
    const llama = await llamaCpp.getLlama({ ...options, gpu: choice });
    if (llama.gpu === false) log.info('No usable GPU backend (CUDA, Vulkan, Metal) was found; running on the CPU.');
    return llama;
  } catch (error) {
    const which = choice === 'auto' ? 'The GPU backend' : `The ${choice} backend`;
    log.warn(`${which} failed to start (${errorText(error)}); falling back to the CPU.`);
    return llamaCpp.getLlama({ ...options, gpu: false });
  }
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
