/**
 * `qed pull URI --dir DIR`: downloads a model with node-llama-cpp's downloader. A stopped pull
 * leaves its partial file (`<name>.ipull`, written in 5 MB chunks) and the next pull of the same
 * URI resumes from it. Stopping means exiting: the downloader's own cancel() made the next pull
 * start over (measured), while a plain exit keeps every finished chunk.
 *
 * Before any data is fetched it checks that the disk has room for what is still missing; with
 * `--sha256` the finished file is checked, and deleted when it does not match.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat, statfs } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { diskSpaceProblem } from '../core/download';
import type { DownloadToHost } from '../engine/ipcProtocol';
import { UsageError } from './usageError';

export async function pullCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: 'string' }, 'stall-seconds': { type: 'string', default: '60' }, sha256: { type: 'string' } },
  });
  const [uri] = positionals;
  if (!uri || !values.dir) throw new UsageError('pull needs a model URI and --dir DIR.');
  const sha256 = values.sha256?.toLowerCase();
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) throw new UsageError('--sha256 must be 64 hexadecimal digits.');
  const stallSeconds = Number(values['stall-seconds']);
  if (!(stallSeconds > 0)) throw new UsageError('--stall-seconds must be a positive number.');
  const dir = resolve(values.dir);
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
        dirPath: dir,
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
    const onDisk = Math.max(await allocatedBytes(downloader.entrypointFilePath), await allocatedBytes(`${downloader.entrypointFilePath}.ipull`));
    const { bavail, bsize } = await statfs(dir);
    const noRoom = diskSpaceProblem(downloader.totalSize - onDisk, bavail * bsize, dir);
    if (noRoom) throw new Error(noRoom);
    const path = await watchdog.race(downloader.download());
    watchdog.stop();
    if (sha256) {
      send({ type: 'verifying' });
      const actual = await sha256Of(path);
      if (actual !== sha256) {
        await rm(path, { force: true });
        throw new Error(`the downloaded file does not match its published sha256 (expected ${sha256}, got ${actual}); it was deleted`);
      }
    }
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

/** Bytes a file takes on disk (a partial download is sparse where chunks are missing); 0 when absent. */
async function allocatedBytes(file: string): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  return info ? info.blocks * 512 : 0;
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolveHash(hash.digest('hex')));
  });
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
