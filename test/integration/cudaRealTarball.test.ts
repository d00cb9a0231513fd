/**
 * The real `@node-llama-cpp/<platform>-cuda` tarball, when npm's cache on this machine has it
 * (`npm ci` puts it there): it passes the sha512 our table recorded from the lock, and QED's tar
 * reader unpacks it to exactly the files npm installed in node_modules. Skipped, with a warning,
 * where the cache or the installed package is missing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cudaPackagesFor, packageDir, readCudaPackageTable } from '../../src/engineShared/cuda/cudaPackages';
import { matchesIntegrity, unpackTarball } from '../../src/engine/cuda/unpackTarball';
import { REPO } from '../helpers/cliEngine';

/** npm's content-addressed cache: content-v2/sha512/<hex[0:2]>/<hex[2:4]>/<hex[4:]>. */
function cachedTarball(integrity: string): string {
  const hex = Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
  return path.join(os.homedir(), '.npm', '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

function files(root: string, under = ''): string[] {
  return readdirSync(path.join(root, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(under, entry.name);
    return entry.isDirectory() ? files(root, relative) : [relative];
  });
}

describe('the real CUDA tarball (from npm’s cache)', function () {
  this.timeout(180_000);
  const table = readCudaPackageTable(path.join(REPO, 'dist', 'cuda-packages.json'));
  const main = cudaPackagesFor(table)[0];
  let scratch: string | undefined;
  after(() => scratch && rmSync(scratch, { recursive: true, force: true }));

  it('passes its recorded sha512 and unpacks to the files npm installed', async function () {
    const tarball = main && cachedTarball(main.integrity);
    const installed = main && packageDir(path.join(REPO), main.name);
    if (!tarball || !existsSync(tarball) || !installed || !existsSync(installed)) {
      console.warn(`    (skipped: ${main ? `${main.name} is not in npm's cache or node_modules here` : 'no CUDA build for this platform'})`);
      this.skip();
    }
    assert.deepEqual(await matchesIntegrity(tarball, main.integrity), { ok: true, actual: main.integrity });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'qed-real-cuda-'));
    const target = path.join(scratch, 'package');
    await unpackTarball(tarball, target);
    const ours = files(target).sort();
    assert.deepEqual(ours, files(installed).sort());
    for (const file of ours) {
      assert.equal(statSync(path.join(target, file)).size, statSync(path.join(installed, file)).size, file);
    }
    const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    for (const file of ours.filter((name) => /\.(node|json|js)$/.test(name))) {
      assert.equal(digest(path.join(target, file)), digest(path.join(installed, file)), file);
    }
  });
});
