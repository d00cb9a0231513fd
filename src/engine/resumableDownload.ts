/**
 * One file downloaded with node-llama-cpp's downloader (ipull: parallel ranged requests, progress
 * kept in 5 MB chunks in `<name>.ipull`), for models (`qed pull`) and the CUDA packages
 * (`qed cuda install`) alike. A download stopped by exiting the process keeps every finished chunk
 * and the next download of the same URL into the same folder resumes from them; the downloader's
 * own cancel() made the next one start over (measured), so stopping means exiting
 * (`exitWhenStopped`). Before any data is fetched it checks that the disk has room for what is
 * still missing.
 */
import { stat, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { diskSpaceProblem } from '../core/download';

export interface DownloadProgress {
  downloadedBytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  url: string;
  dir: string;
  /** Give up when no data has come for this long (the downloader itself retries forever). */
  stallSeconds: number;
  /** The file name in `dir`; default: the downloader's choice from the URL. */
  fileName?: string;
  onProgress?(progress: DownloadProgress): void;
}

/** Downloads (or resumes) the file and returns its path. */
export async function downloadResumable(options: DownloadOptions): Promise<string> {
  const host = new URL(options.url.startsWith('hf:') ? 'https://huggingface.co' : options.url).host;
  const { createModelDownloader } = await import('node-llama-cpp');
  const watchdog = new StallWatchdog(options.stallSeconds * 1000, () => new Error(`no data from ${host} for ${options.stallSeconds} s; check the connection`));
  try {
    const downloader = await watchdog.race(
      createModelDownloader({
        modelUri: options.url,
        deleteTempFileOnCancel: false,
        dirPath: resolve(options.dir),
        fileName: options.fileName,
        showCliProgress: false,
        onProgress: ({ downloadedSize, totalSize }) => {
          watchdog.reset();
          options.onProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize });
        },
      }),
    );
    const dir = resolve(options.dir);
    const onDisk = Math.max(await allocatedBytes(downloader.entrypointFilePath), await allocatedBytes(`${downloader.entrypointFilePath}.ipull`));
    const { bavail, bsize } = await statfs(dir);
    const noRoom = diskSpaceProblem(downloader.totalSize - onDisk, bavail * bsize, dir);
    if (noRoom) throw new Error(noRoom);
    return await watchdog.race(downloader.download());
  } finally {
    watchdog.stop();
  }
}

/** Bytes a file takes on disk (a partial download is sparse where chunks are missing); 0 when absent. */
async function allocatedBytes(file: string): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  return info ? info.blocks * 512 : 0;
}

/** Ends the process (keeping the partial download) on SIGTERM, SIGINT or when the parent goes away. */
export function exitWhenStopped(): void {
  const stop = () => process.exit(130);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
}

/** Rejects `race`d promises once `reset` has not been called for `ms`. */
class StallWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private reject: ((error: Error) => void) | undefined;
  private readonly stalled: Promise<never>;

  constructor(
    private readonly ms: number,
    private readonly error: () => Error,
  ) {
    this.stalled = new Promise<never>((_, reject) => (this.reject = reject));
    this.stalled.catch(() => undefined);
    this.reset();
  }

  reset(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reject?.(this.error()), this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.stalled]);
  }
}
