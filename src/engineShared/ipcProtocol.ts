/** Messages from a forked engine process to the extension that owns it. */
import type { InstallProgress } from '../engine/cuda/installCuda';
import type { EngineInfo } from '../engine/llamaEngine';
import type { LogLevel } from './logger';

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
