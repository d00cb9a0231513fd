/**
 * `qed pull URI --dir DIR`: downloads a model with node-llama-cpp's downloader. An interrupted
 * download keeps its partial file, and the next pull of the same URI resumes it.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { DownloadToHost } from '../engine/ipcProtocol';
import { UsageError } from './usageError';

export async function pullCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { dir: { type: 'string' } } });
  const [uri] = positionals;
  if (!uri || !values.dir) throw new UsageError('pull needs a model URI and --dir DIR.');
  const send = (message: DownloadToHost) => process.send?.(message);
  const { createModelDownloader } = await import('node-llama-cpp');

  let lastPrinted = 0;
  try {
    const downloader = await createModelDownloader({
      modelUri: uri,
      dirPath: resolve(values.dir),
      deleteTempFileOnCancel: false,
      showCliProgress: false,
      onProgress: ({ downloadedSize, totalSize }) => {
        send({ type: 'download-progress', downloadedBytes: downloadedSize, totalBytes: totalSize });
        if (!process.send && Date.now() - lastPrinted > 1000) {
          lastPrinted = Date.now();
          process.stderr.write(`${(downloadedSize / 1e6).toFixed(0)} / ${(totalSize / 1e6).toFixed(0)} MB\n`);
        }
      },
    });
    const stop = () => void downloader.cancel({ deleteTempFile: false }).finally(() => process.exit(130));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop);
    const path = await downloader.download();
    send({ type: 'downloaded', path });
    process.stdout.write(`${path}\n`);
    process.disconnect?.();
    return 0;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    send({ type: 'failed', message });
    process.stderr.write(`qed: download failed: ${message}\n`);
    process.disconnect?.();
    return 1;
  }
}
