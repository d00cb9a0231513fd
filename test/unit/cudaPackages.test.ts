/**
 * The CUDA package table: built from the project's real package-lock.json (whose CUDA entries
 * have no `resolved` URL under npm 11), with the registry URL derived as npm does, and read back
 * as the installed extension reads it.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cudaPackageTable, registryTarballUrl } from '../../scripts/cudaPackageTable.mjs';
import { cudaPackagesFor, llamaPlatform, readCudaPackageTable } from '../../src/engineShared/cuda/cudaPackages';

const REPO = path.resolve(__dirname, '../..');
const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8'));

describe('CUDA package table', () => {
  it('lists every platform’s CUDA packages from package-lock.json with their sha512', () => {
    const table = cudaPackageTable(lock);
    const version = lock.packages['node_modules/node-llama-cpp'].version;
    assert.equal(table.nodeLlamaCppVersion, version);
    assert.deepEqual(
      table.packages.map((pkg) => pkg.name),
      ['@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext', '@node-llama-cpp/win-x64-cuda', '@node-llama-cpp/win-x64-cuda-ext'],
    );
    for (const pkg of table.packages) {
      const entry = lock.packages[`node_modules/${pkg.name}`];
      assert.equal(pkg.version, version);
      assert.equal(pkg.integrity, entry.integrity);
      assert.equal(pkg.url, entry.resolved ?? `https://registry.npmjs.org/${pkg.name}/-/${pkg.name.split('/')[1]}-${version}.tgz`);
    }
  });

  it('derives the tarball URL as npm does, and keeps a recorded one', () => {
    assert.equal(registryTarballUrl('@node-llama-cpp/linux-x64-cuda', '3.21.1'), 'https://registry.npmjs.org/@node-llama-cpp/linux-x64-cuda/-/linux-x64-cuda-3.21.1.tgz');
    assert.equal(registryTarballUrl('@node-llama-cpp/win-x64-cuda-ext', '3.21.1', 'http://mirror:4873/'), 'http://mirror:4873/@node-llama-cpp/win-x64-cuda-ext/-/win-x64-cuda-ext-3.21.1.tgz');
    const resolved = 'https://npm.example.com/x.tgz';
    const custom = structuredClone(lock);
    custom.packages['node_modules/@node-llama-cpp/linux-x64-cuda'].resolved = resolved;
    assert.equal(cudaPackageTable(custom).packages[0]!.url, resolved);
  });

  it('refuses a lock it cannot install from', () => {
    const wrongVersion = structuredClone(lock);
    wrongVersion.packages['node_modules/@node-llama-cpp/win-x64-cuda'].version = '3.20.0';
    assert.throws(() => cudaPackageTable(wrongVersion), /win-x64-cuda@3\.20\.0, but node-llama-cpp@3\.21\.1 only accepts its own version/);
    const noIntegrity = structuredClone(lock);
    noIntegrity.packages['node_modules/@node-llama-cpp/linux-x64-cuda-ext'].integrity = 'sha1-abc';
    assert.throws(() => cudaPackageTable(noIntegrity), /no sha512 integrity for @node-llama-cpp\/linux-x64-cuda-ext/);
    assert.throws(() => cudaPackageTable({ lockfileVersion: 1, dependencies: {} }), /lockfileVersion 2 or 3/);
  });

  it('picks this platform’s packages, main package first', () => {
    const table = cudaPackageTable(lock);
    assert.deepEqual(cudaPackagesFor(table, 'linux-x64').map((pkg) => pkg.name), ['@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext']);
    assert.deepEqual(cudaPackagesFor(table, 'win-x64').map((pkg) => pkg.name), ['@node-llama-cpp/win-x64-cuda', '@node-llama-cpp/win-x64-cuda-ext']);
    assert.deepEqual(cudaPackagesFor(table, 'mac-arm64'), []);
    assert.deepEqual(cudaPackagesFor(table, 'linux-arm64'), []);
    assert.equal(llamaPlatform('win32', 'x64'), 'win-x64');
    assert.equal(llamaPlatform('darwin', 'arm64'), 'mac-arm64');
  });

  it('reads the table the build wrote, and names a broken one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-table-'));
    const file = path.join(dir, 'cuda-packages.json');
    writeFileSync(file, JSON.stringify(cudaPackageTable(lock)));
    assert.equal(readCudaPackageTable(file).packages.length, 4);
    writeFileSync(file, JSON.stringify({ nodeLlamaCppVersion: '3.21.1', packages: [{ name: '@node-llama-cpp/x', version: '1', url: 'u', integrity: 'md5-x' }] }));
    assert.throws(() => readCudaPackageTable(file), /cuda-packages\.json is malformed; rebuild QED/);
    assert.throws(() => readCudaPackageTable(path.join(dir, 'missing.json')), /Cannot read the CUDA package table .*missing\.json/);
  });
});
