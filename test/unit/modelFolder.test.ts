/**
 * The folder of downloaded models (src/core/modelFolder.ts), as the model picker and Manage
 * downloaded models see it: recorded downloads, paused ones (sparse `.ipull` files), strays.
 */
import * as assert from 'node:assert/strict';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG, type CatalogModel } from '../../models/catalog';
import { ModelFolder } from '../../src/core/modelFolder';

const [Q4, Q5, Q6] = CATALOG as [CatalogModel, CatalogModel, CatalogModel, CatalogModel];
const MiB = 1024 ** 2;

describe('the folder of downloaded models', () => {
  let dir: string;
  let folder: ModelFolder<CatalogModel>;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qed-models-'));
    folder = new ModelFolder(dir, CATALOG);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty before anything is downloaded, even when the folder does not exist yet', async () => {
    const missing = new ModelFolder(path.join(dir, 'not-yet'), CATALOG);
    assert.deepEqual(await missing.storedFiles(), []);
    assert.deepEqual([...(await missing.diskStates()).values()].map((state) => state.kind), ['absent', 'absent', 'absent', 'absent']);
  });

  it('a recorded download is downloaded, with its size; a record whose file is gone is not', async () => {
    const file = path.join(dir, 'hf_Mungert_QED-Nano.Q4_K_M.gguf');
    writeFileSync(file, Buffer.alloc(3 * MiB));
    await folder.record(Q4, Q4.uri, file);
    await folder.record(Q6, Q6.uri, path.join(dir, 'deleted-by-hand.gguf'));
    assert.equal(await folder.downloadedPath(Q4), file);
    assert.equal(await folder.downloadedPath(Q6), undefined);
    const states = await folder.diskStates();
    assert.deepEqual(states.get(Q4.id), { kind: 'downloaded', path: file, bytes: 3 * MiB });
    assert.deepEqual(states.get(Q6.id), { kind: 'absent' });
    assert.deepEqual(await folder.storedFiles(), [{ path: file, bytes: 3 * MiB, model: Q4, partial: false, recorded: true }], 'records are not model files');
  });

  it('a paused download counts what it holds on disk, not its full length, and belongs to its quantization', async () => {
    const partial = path.join(dir, 'hf_Mungert_QED-Nano.Q5_K_M.gguf.ipull');
    const fd = openSync(partial, 'w');
    writeSync(fd, Buffer.alloc(2 * MiB, 1), 0, 2 * MiB, 0);
    ftruncateSync(fd, 2 * 1024 * MiB); // the rest is a hole, as the downloader leaves chunks it has not fetched
    closeSync(fd);
    const [stored] = await folder.storedFiles();
    assert.equal(stored!.model, Q5);
    assert.ok(stored!.partial && !stored!.recorded);
    assert.ok(stored!.bytes >= 2 * MiB && stored!.bytes < 16 * MiB, `${stored!.bytes} bytes on disk`);
    assert.deepEqual((await folder.diskStates()).get(Q5.id), { kind: 'partial', bytes: stored!.bytes });
  });

  it('lists files it did not download, so they can be deleted, without calling them downloaded', async () => {
    writeFileSync(path.join(dir, 'my-model.gguf'), 'x');
    writeFileSync(path.join(dir, 'QED-Nano-q6_k.gguf'), 'xy');
    const files = await folder.storedFiles();
    assert.deepEqual(files.map((file) => [path.basename(file.path), file.model?.id, file.recorded]), [
      ['QED-Nano-q6_k.gguf', Q6.id, false],
      ['my-model.gguf', undefined, false],
    ]);
    assert.equal((await folder.diskStates()).get(Q6.id)!.kind, 'absent', 'not recorded: not known to be a complete download');
  });

  it('deleting a download removes the file and its record; deleting a paused one leaves the finished download alone', async () => {
    const file = path.join(dir, 'hf_Mungert_QED-Nano.Q4_K_M.gguf');
    writeFileSync(file, 'model');
    await folder.record(Q4, Q4.uri, file);
    const partial = path.join(dir, 'hf_Mungert_QED-Nano.Q4_K_M.gguf.ipull');
    writeFileSync(partial, 'part');
    const files = await folder.storedFiles();
    await folder.delete(files.find((stored) => stored.partial)!);
    assert.ok(!existsSync(partial));
    assert.equal(await folder.downloadedPath(Q4), file, 'the finished download and its record stay');
    await folder.delete(files.find((stored) => !stored.partial)!);
    assert.deepEqual(readdirSync(dir), []);
    assert.deepEqual((await folder.diskStates()).get(Q4.id), { kind: 'absent' });
  });
});
