/**
 * The default model on disk: QED-Nano from the catalog, downloaded on first use into the
 * extension's global storage by a forked `qed pull` (node-llama-cpp's downloader), with a
 * cancellable progress notification. A cancelled or failed download keeps its finished 5 MB
 * chunks, and the next attempt resumes from them.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_MODEL } from '../../models/catalog';
import { forkCli } from '../engine/forkCli';
import type { DownloadToHost } from '../engine/ipcProtocol';

export class ModelDownloadError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

export class ModelStore {
  private readonly dir: string;

  constructor(
    storage: vscode.Uri,
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.dir = path.join(storage.fsPath, 'models');
  }

  /** Path of the downloaded default model, downloading it first if the user agrees. */
  async ensureDefaultModel(): Promise<string> {
    const recorded = await this.recordedPath();
    if (recorded && existsSync(recorded)) return recorded;

    const gigabytes = (DEFAULT_MODEL.estimatedBytes / 1e9).toFixed(1);
    const choice = await vscode.window.showInformationMessage(
      `QED needs a model. Download ${DEFAULT_MODEL.name} (about ${gigabytes} GB, ${DEFAULT_MODEL.license}) now?`,
      { modal: true, detail: `It is saved in ${this.dir} and runs on this machine. You can instead point qed.model.path at a GGUF you already have, or use a server (qed.backend: endpoint).` },
      'Download',
    );
    if (choice !== 'Download') throw new ModelDownloadError('No model: the download was declined.', true);
    const modelPath = await this.download(DEFAULT_MODEL.uri, DEFAULT_MODEL.name);
    await writeFile(this.recordFile, JSON.stringify({ id: DEFAULT_MODEL.id, uri: DEFAULT_MODEL.uri, path: modelPath }));
    return modelPath;
  }

  private get recordFile(): string {
    return path.join(this.dir, `${DEFAULT_MODEL.id}.json`);
  }

  private async recordedPath(): Promise<string | undefined> {
    try {
      return (JSON.parse(await readFile(this.recordFile, 'utf8')) as { path?: string }).path;
    } catch {
      return undefined;
    }
  }

  private async download(uri: string, name: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    this.log.info(`Downloading ${uri} into ${this.dir}`);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `QED: downloading ${name}`, cancellable: true },
      (progress, cancellation) =>
        new Promise<string>((resolve, reject) => {
          const child = forkCli(this.cliPath, ['pull', uri, '--dir', this.dir], { stdout: 'ignore' });
          let stderr = '';
          let reported = 0;
          child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
          cancellation.onCancellationRequested(() => {
            child.kill('SIGTERM');
            reject(new ModelDownloadError('Download paused; it resumes where it stopped next time.', true));
          });
          child.on('message', (message: DownloadToHost) => {
            if (message.type === 'download-progress' && message.totalBytes > 0) {
              const percent = (message.downloadedBytes / message.totalBytes) * 100;
              progress.report({
                increment: percent - reported,
                message: `${(message.downloadedBytes / 1e9).toFixed(2)} of ${(message.totalBytes / 1e9).toFixed(2)} GB`,
              });
              reported = percent;
            } else if (message.type === 'downloaded') {
              this.log.info(`Downloaded ${message.path}`);
              resolve(message.path);
            } else if (message.type === 'failed') {
              reject(new ModelDownloadError(`Could not download ${name}: ${message.message}. Set qed.model.path to a GGUF on disk, or use an endpoint.`));
            }
          });
          child.on('exit', (code) => {
            if (code !== 0) reject(new ModelDownloadError(`Could not download ${name}: ${stderr.trim().split('\n').pop() || `exit code ${code}`}. Set qed.model.path to a GGUF on disk, or use an endpoint.`));
          });
        }),
    );
  }
}
