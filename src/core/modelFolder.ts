/**
 * The folder downloaded models live in (the extension's global storage): which catalog entries
 * are downloaded, which downloads are paused, every model file with its size, and deleting one.
 *
 * A finished download is recorded as `<id>.json` (its URI and path: the file's name is
 * node-llama-cpp's choice). A paused one is node-llama-cpp's `<file>.ipull`, sparse where chunks
 * are missing, so its size is what it holds on disk. Files without a record are listed too, so
 * that they can be deleted.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface FolderModel {
  id: string;
  quantization: string;
}

/** What is on disk for a catalog entry. */
export type DiskState = { kind: 'absent' } | { kind: 'partial'; bytes: number } | { kind: 'downloaded'; path: string; bytes: number };

export interface StoredFile<M extends FolderModel = FolderModel> {
  path: string;
  bytes: number;
  /** The catalog entry it belongs to, when known. */
  model?: M;
  /** An unfinished download, resumed by the next download of its model. */
  partial: boolean;
  /** A finished download of the catalog, as recorded. */
  recorded: boolean;
}

export class ModelFolder<M extends FolderModel> {
  constructor(
    readonly dir: string,
    private readonly catalog: readonly M[],
  ) {}

  /** The entry's file, when it is downloaded (recorded, and still there). */
  async downloadedPath(model: M): Promise<string | undefined> {
    try {
      const recorded = (JSON.parse(await readFile(this.recordFile(model), 'utf8')) as { path?: string }).path;
      return recorded && existsSync(recorded) ? recorded : undefined;
    } catch {
      return undefined;
    }
  }

  async record(model: M, uri: string, file: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.recordFile(model), JSON.stringify({ id: model.id, uri, path: file }));
  }

  async diskStates(): Promise<Map<string, DiskState>> {
    const files = await this.storedFiles();
    const states = new Map<string, DiskState>();
    for (const model of this.catalog) {
      const downloaded = files.find((file) => !file.partial && file.model === model && file.recorded);
      const partial = files.find((file) => file.partial && file.model === model);
      if (downloaded) states.set(model.id, { kind: 'downloaded', path: downloaded.path, bytes: downloaded.bytes });
      else if (partial) states.set(model.id, { kind: 'partial', bytes: partial.bytes });
      else states.set(model.id, { kind: 'absent' });
    }
    return states;
  }

  /** The model files in the folder, finished or not, by name. */
  async storedFiles(): Promise<Array<StoredFile<M>>> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const recorded = new Map<string, M>();
    for (const model of this.catalog) {
      const file = await this.downloadedPath(model);
      if (file) recorded.set(path.resolve(file), model);
    }
    const files: Array<StoredFile<M>> = [];
    for (const name of names.sort()) {
      if (name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const partial = name.endsWith('.ipull');
      const bytes = partial ? Math.min(info.size, info.blocks * 512) : info.size;
      const owner = recorded.get(path.resolve(file));
      const model = owner ?? this.catalog.find((entry) => namesQuantization(name, entry.quantization));
      files.push({ path: file, bytes, ...(model ? { model } : {}), partial, recorded: owner !== undefined });
    }
    return files;
  }

  /** Deletes a file, and the record of the download it was. */
  async delete(file: StoredFile<M>): Promise<void> {
    const owner = file.model && !file.partial ? await this.downloadedPath(file.model) : undefined;
    // Windows keeps a file open by a process that is exiting (the engine just stopped) busy for a moment.
    await rm(file.path, { force: true, maxRetries: 10, retryDelay: 200 });
    if (file.model && owner && path.resolve(owner) === path.resolve(file.path)) await rm(this.recordFile(file.model), { force: true });
  }

  private recordFile(model: M): string {
    return path.join(this.dir, `${model.id}.json`);
  }
}

/** Whether a file name names the quantization (`hf_Mungert_QED-Nano.Q5_K_M.gguf.ipull`). */
function namesQuantization(name: string, quantization: string): boolean {
  return new RegExp(`[._-]${quantization}[._-]`, 'i').test(name);
}
