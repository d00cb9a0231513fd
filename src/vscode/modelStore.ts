/**
 * QED-Nano on disk: the catalog's quantizations, downloaded into the extension's global storage
 * by a forked `qed pull` (node-llama-cpp's downloader), with a progress notification (bytes,
 * speed, time left) and Cancel. The pull checks the free disk space before fetching anything and,
 * when the catalog has one, the file's sha256 after. A cancelled or failed download keeps its
 * finished 5 MB chunks, and the next attempt resumes from them.
 *
 * Each finished download is recorded as `<id>.json` next to the file (the file's name is
 * node-llama-cpp's choice); a file whose record is missing is still listed, and deletable, in
 * Manage downloaded models.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CATALOG, downloadUri, type CatalogModel } from '../../models/catalog';
import { formatBytes } from '../core/byteSize';
import { downloadProgressText, TransferRate } from '../core/download';
import { forkCli } from '../engine/forkCli';
import type { DownloadToHost } from '../engine/ipcProtocol';
import type { DiskState } from '../engine/modelChoices';

export class ModelDownloadError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

/** A file in the models folder. */
export interface StoredFile {
  path: string;
  bytes: number;
  /** The catalog entry it belongs to, when known. */
  model?: CatalogModel;
  /** An unfinished download (node-llama-cpp's `.ipull`), resumed by the next download of its model. */
  partial: boolean;
}

export class ModelStore {
  readonly dir: string;

  constructor(
    storage: vscode.Uri,
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.dir = path.join(storage.fsPath, 'models');
  }

  /** The model's file, when it is downloaded. */
  async downloadedPath(model: CatalogModel): Promise<string | undefined> {
    try {
      const recorded = (JSON.parse(await readFile(this.recordFile(model), 'utf8')) as { path?: string }).path;
      return recorded && existsSync(recorded) ? recorded : undefined;
    } catch {
      return undefined;
    }
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
    await writeFile(this.recordFile(model), JSON.stringify({ id: model.id, uri, path: modelPath }));
    return modelPath;
  }

  /** What is on disk for each catalog entry. */
  async diskStates(): Promise<Map<string, DiskState>> {
    const files = await this.storedFiles();
    const states = new Map<string, DiskState>();
    for (const model of CATALOG) {
      const downloaded = await this.downloadedPath(model);
      const partial = files.find((file) => file.partial && file.model === model);
      if (downloaded) states.set(model.id, { kind: 'downloaded', path: downloaded, bytes: (await stat(downloaded)).size });
      else if (partial) states.set(model.id, { kind: 'partial', bytes: partial.bytes });
      else states.set(model.id, { kind: 'absent' });
    }
    return states;
  }

  /** The model files in the folder, finished or not (records left out). */
  async storedFiles(): Promise<StoredFile[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const recorded = new Map<string, CatalogModel>();
    for (const model of CATALOG) {
      const file = await this.downloadedPath(model);
      if (file) recorded.set(path.resolve(file), model);
    }
    const files: StoredFile[] = [];
    for (const name of names) {
      if (name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const partial = name.endsWith('.ipull');
      // Allocated bytes: a partial download is sparse where chunks are still missing.
      const bytes = partial ? Math.min(info.size, info.blocks * 512) : info.size;
      const model = recorded.get(path.resolve(file)) ?? CATALOG.find((entry) => namesQuantization(name, entry.quantization));
      files.push({ path: file, bytes, ...(model ? { model } : {}), partial });
    }
    return files.sort((a, b) => a.path.localeCompare(b.path));
  }

  /** Deletes a stored file, and its record when it is a downloaded catalog model. */
  async delete(file: StoredFile): Promise<void> {
    await rm(file.path, { force: true });
    if (file.model && !file.partial) {
      const recorded = await this.downloadedPath(file.model).catch(() => undefined);
      if (!recorded) await rm(this.recordFile(file.model), { force: true });
    }
    this.log.info(`Deleted ${file.path}`);
  }

  private recordFile(model: CatalogModel): string {
    return path.join(this.dir, `${model.id}.json`);
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

/** Whether a file name names the quantization (`hf_Mungert_QED-Nano.Q5_K_M.gguf.ipull`). */
function namesQuantization(name: string, quantization: string): boolean {
  return new RegExp(`[._-]${quantization}[._-]`, 'i').test(name);
}
