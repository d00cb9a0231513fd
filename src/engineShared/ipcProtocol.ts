/** Messages from a forked engine process to the extension that owns it. */
import type { LogLevel } from './logger';
import type { KvCacheType, MemoryPlan } from './memoryPlan';

export type EngineToHost =
  | { type: 'progress'; fraction: number }
  | { type: 'ready'; url: string; port: number; info: EngineInfo }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'log'; level: LogLevel; message: string };

/** Messages from a forked `qed pull` (model download) process. */
export type DownloadToHost =
  | { type: 'download-progress'; downloadedBytes: number; totalBytes: number }
  /** Checking the finished file against its published sha256. */
  | { type: 'verifying' }
  | { type: 'downloaded'; path: string }
  | { type: 'failed'; message: string };

/** Messages from a forked `qed cuda install`. */
export type CudaInstallToHost =
  | { type: 'cuda-progress'; progress: InstallProgress }
  | { type: 'cuda-installed'; dir: string; installed: string[] }
  | { type: 'failed'; message: string };

/** What a started engine reports in its `ready` message. */
export interface EngineInfo {
  model: string;
  modelPath: string;
  /** The backend it runs on: cuda, vulkan, metal or cpu. */
  gpu: string;
  /** GPU names, as the backend reports them; empty on the CPU. */
  devices: string[];
  /** Why the engine does not run on the backend asked for (or on CUDA, once QED installed it), in one line. */
  fallbackReason?: string;
  gpuLayers: number;
  threads: number;
  contextSize: number;
  parallel: number;
  kvCache: KvCacheType;
  flashAttention: boolean;
  /** What the memory plan chose and why, before the model was loaded. */
  plan: MemoryPlan;
  /** Single-sequence decode speed measured right after loading. */
  decodeTokensPerSecond?: number;
  chatTemplate: 'gguf' | 'fallback';
  opensThinking: boolean;
}

export type InstallStep = 'download' | 'verify' | 'unpack';

export interface InstallProgress {
  package: string;
  /** 0-based position of this package among those being installed, and their count. */
  index: number;
  count: number;
  step: InstallStep;
  downloadedBytes?: number;
  totalBytes?: number;
}
