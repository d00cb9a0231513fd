/**
 * QED-Nano on disk: the catalog's quantizations, downloaded into the extension's global storage
 * by a forked `qed pull` (node-llama-cpp's downloader), with a progress notification (bytes,
 * speed, time left) and Cancel. The pull checks the free disk space before fetching anything and,
 * when the catalog has one, the file's sha256 after. A cancelled or failed download keeps its
 * finished 5 MB chunks, and the next attempt resumes from them. What is in the folder, and
 * deleting from it, is ModelFolder's (src/core/modelFolder.ts).
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CATALOG, downloadUri, type CatalogModel } from '../../models/catalog';
import { formatBytes } from '../core/byteSize';
import { downloadProgressText, TransferRate } from '../core/download';
import { ModelFolder, type DiskState, type StoredFile } from '../core/modelFolder';
import { forkCli } from '../engineHost/forkCli';
import type { DownloadToHost } from '../engineShared/ipcProtocol';

export type { StoredFile };

export class ModelDownloadError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

export class ModelStore {
  private readonly folder: ModelFolder<CatalogModel>;

  constructor(
    storage: vscode.Uri,
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.folder = new ModelFolder(path.join(storage.fsPath, 'models'), CATALOG);
  }

  get dir(): string {
    return this.folder.dir;
  }

  /** The model's file, when it is downloaded. */
  downloadedPath(model: CatalogModel): Promise<string | undefined> {
    return this.folder.downloadedPath(model);
  }

  /** What is on disk for each catalog entry. */
  diskStates(): Promise<Map<string, DiskState>> {
    return this.folder.diskStates();
  }

  /** The model files in the folder, finished or not. */
  storedFiles(): Promise<Array<StoredFile<CatalogModel>>> {
    return this.folder.storedFiles();
  }

  async delete(file: StoredFile<CatalogModel>): Promise<void> {
    await this.folder.delete(file);
    this.log.info(`Deleted ${file.path}`);
  }

  /** The model's file for a run: downloaded, or downloaded now if the user agrees. */
  async ensureModel(model: CatalogModel): Promise<string> {
    const downloaded = await this.downloadedPath(model);
    if (downloaded) return downloaded;
    const choice = await vscode.window.showInformationMessage(
      `QED needs a model. Download ${model.name} (about ${formatBytes(model.estimatedBytes)}, ${model.license}) now?`,
      {
        modal: true,
        detail: `It is saved in ${this.dir} and runs on this machine. QED: Choose Model… shows the other quantizations with what each gives on this machine; you can also use a GGUF you already have, or a server.`,
      },
      'Download',
      'Choose Model…',
    );
    if (choice === 'Choose Model…') {
      void vscode.commands.executeCommand('qed.chooseModel');
      throw new ModelDownloadError('Choose a model, then run again.', true);
    }
    if (choice !== 'Download') throw new ModelDownloadError('No model: the download was declined.', true);
    return this.download(model);
  }

  /** Downloads the model (or resumes its download), records it and returns its path. */
  async download(model: CatalogModel): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const uri = downloadUri(model);
    this.log.info(`Downloading ${uri} into ${this.dir}${model.sha256 ? '' : ' (no published sha256 to check it against)'}`);
    const modelPath = await this.pull(uri, model);
    await this.folder.record(model, uri, modelPath);
    return modelPath;
  }

  private async pull(uri: string, model: CatalogModel): Promise<string> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `QED: downloading ${model.name}`, cancellable: true },
      (progress, cancellation) =>
        new Promise<string>((resolve, reject) => {
          const args = ['pull', uri, '--dir', this.dir, ...(model.sha256 ? ['--sha256', model.sha256] : [])];
          const child = forkCli(this.cliPath, args, { stdout: 'ignore' });
          const rate = new TransferRate();
          let stderr = '';
          let reported = 0;
          let failure: string | undefined;
          const fix = 'Set qed.model.path to a GGUF on disk, or use a server.';
          child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
          cancellation.onCancellationRequested(() => {
            child.kill('SIGTERM');
            reject(new ModelDownloadError('Download paused; it resumes where it stopped next time.', true));
          });
          child.on('message', (message: DownloadToHost) => {
            if (message.type === 'download-progress' && message.totalBytes > 0) {
              const percent = (message.downloadedBytes / message.totalBytes) * 100;
              const speed = rate.add(message.downloadedBytes, Date.now());
              progress.report({ increment: percent - reported, message: downloadProgressText(message.downloadedBytes, message.totalBytes, speed) });
              reported = percent;
            } else if (message.type === 'verifying') {
              progress.report({ message: 'checking the file against its published sha256…' });
            } else if (message.type === 'downloaded') {
              this.log.info(`Downloaded ${message.path}`);
              resolve(message.path);
            } else if (message.type === 'failed') {
              failure = message.message;
            }
          });
          child.on('exit', (code) => {
            if (code === 0) return;
            const why = failure ?? (stderr.trim().split('\n').pop() || `exit code ${code}`);
            this.log.error(`Download of ${uri} failed: ${why}`);
            reject(new ModelDownloadError(`Could not download ${model.name}: ${why}. ${fix}`));
          });
        }),
    );
  }
}
