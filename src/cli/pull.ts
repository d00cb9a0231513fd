/**
 * `qed pull URI --dir DIR`: downloads a model with node-llama-cpp's downloader. A stopped pull
 * leaves its partial file (`<name>.ipull`, written in 5 MB chunks) and the next pull of the same
 * URI resumes from it. Stopping means exiting: the downloader's own cancel() made the next pull
 * start over (measured), while a plain exit keeps every finished chunk.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { DownloadToHost } from '../engine/ipcProtocol';
import { UsageError } from './usageError';

export async function pullCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, 'stall-seconds': { type: 'string', default: '60' } },
  });
  const [uri] = positionals;
  if (!uri || !values.dir) throw new UsageError('pull needs a model URI and --dir DIR.');
  const stallSeconds = Number(values['stall-seconds']);
  if (!(stallSeconds > 0)) throw new UsageError('--stall-seconds must be a positive number.');
  const host = new URL(uri.startsWith('hf:') ? 'https://huggingface.co' : uri).host;
  const send = (message: DownloadToHost) => process.send?.(message);
  const { createModelDownloader } = await import('node-llama-cpp');

  // The downloader retries an unreachable server forever; someone offline must hear about it.
  const watchdog = new StallWatchdog(stallSeconds * 1000, () => new Error(`no data from ${host} for ${stallSeconds} s; check the connection`));
  let lastPrinted = 0;
  try {
    const downloader = await watchdog.race(
      createModelDownloader({
        modelUri: uri,
        deleteTempFileOnCancel: false,
        dirPath: resolve(values.dir),
        showCliProgress: false,
        onProgress: ({ downloadedSize, totalSize }) => {
          watchdog.reset();
          send({ type: 'download-progress', downloadedBytes: downloadedSize, totalBytes: totalSize });
          if (!process.send && Date.now() - lastPrinted > 1000) {
            lastPrinted = Date.now();
            process.stderr.write(`${(downloadedSize / 1e6).toFixed(0)} / ${(totalSize / 1e6).toFixed(0)} MB\n`);
          }
        },
      }),
    );
    const stop = () => process.exit(130);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop);
    const path = await watchdog.race(downloader.download());
    watchdog.stop();
    send({ type: 'downloaded', path });
    process.stdout.write(`${path}\n`);
    process.disconnect?.();
    return 0;
  } catch (error) {
    watchdog.stop();
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    send({ type: 'failed', message });
    process.stderr.write(`qed: download failed: ${message}\n`);
    process.disconnect?.();
    // The retrying downloader must not keep us alive.
    setTimeout(() => process.exit(1), 100).unref();
    return 1;
  }
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
