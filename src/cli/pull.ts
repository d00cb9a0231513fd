/**
 * `qed pull URI --dir DIR`: downloads a model with node-llama-cpp's downloader. A stopped pull
 * leaves its partial file (`<name>.ipull`, written in 5 MB chunks) and the next pull of the same
 * URI resumes from it; the disk must have room for what is still missing (see
 * engine/resumableDownload). With `--sha256` the finished file is checked, and deleted when it
 * does not match.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { DownloadToHost } from '../engineShared/ipcProtocol';
import { downloadResumable, exitWhenStopped } from '../engine/resumableDownload';
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
  const send = (message: DownloadToHost) => process.send?.(message);

  let lastPrinted = 0;
  try {
    exitWhenStopped();
    const path = await downloadResumable({
      url: uri,
      dir: values.dir,
      stallSeconds,
      onProgress: ({ downloadedBytes, totalBytes }) => {
        send({ type: 'download-progress', downloadedBytes, totalBytes });
        if (!process.send && Date.now() - lastPrinted > 1000) {
          lastPrinted = Date.now();
          process.stderr.write(`${(downloadedBytes / 1e6).toFixed(0)} / ${(totalBytes / 1e6).toFixed(0)} MB\n`);
        }
      },
    });
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
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    send({ type: 'failed', message });
    process.stderr.write(`qed: download failed: ${message}\n`);
    process.disconnect?.();
    // The retrying downloader must not keep us alive.
    setTimeout(() => process.exit(1), 100).unref();
    return 1;
  }
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
