/**
 * `qed cuda install` against a loopback server playing the npm registry, with fake CUDA packages
 * of the real names and node-llama-cpp's own version (no CUDA runs here): a good install, a
 * tarball that does not match its sha512, one cut short, a dropped connection, a cancelled
 * download that resumes; then the engine, started as the extension starts it, finds the package
 * in that folder and node-llama-cpp's own lookup accepts it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureTinyModel } from '../../models/tiny/generate';
import { cudaPackagesFor, llamaPlatform, packageDir, readCudaPackageTable, type CudaPackageTable } from '../../src/engineShared/cuda/cudaPackages';
import { createLogger } from '../../src/engineShared/logger';
import { EngineSupervisor } from '../../src/engineHost/supervisor';
import { CLI, REPO, runCli } from '../helpers/cliEngine';
import { FakeRegistry } from '../helpers/fakeRegistry';
import { fakeBinariesPackage, integrityOf } from '../helpers/tarball';

const VERSION = readCudaPackageTable(path.join(REPO, 'dist', 'cuda-packages.json')).nodeLlamaCppVersion;
const MAIN = `@node-llama-cpp/${llamaPlatform()}-cuda`;
const EXT = `${MAIN}-ext`;
const BINS = `${llamaPlatform()}-cuda`;

function tarballPath(name: string, version = VERSION): string {
  return `/${name}/-/${name.split('/')[1]}-${version}.tgz`;
}

describe('qed cuda install (a loopback registry)', function () {
  this.timeout(120_000);
  const registry = new FakeRegistry();
  let main: Buffer;
  let ext: Buffer;

  before(async function () {
    if (cudaPackagesFor(readCudaPackageTable(path.join(REPO, 'dist', 'cuda-packages.json'))).length === 0) this.skip();
    main = fakeBinariesPackage({
      name: MAIN,
      version: VERSION,
      binsFolder: BINS,
      bins: {
        'llama-addon.node': 'not a binary',
        // Unreadable on purpose: node-llama-cpp reads it only after its version check accepted the
        // package, and its error names the file, so the engine's log shows which copy it took.
        '_nlcBuildMetadata.json': '{ not json',
        // Random, so the tarball stays ~48 MB: the downloader keeps 5 MB chunks, a small file leaves nothing to resume.
        'libggml-cuda.so': randomBytes(48 << 20),
      },
    });
    ext = fakeBinariesPackage({ name: EXT, version: VERSION, binsFolder: BINS, bins: { 'fallback/libggml-cuda.so': 'cuda 12 build' } });
    await registry.start();
  });
  after(() => registry.stop());
  beforeEach(() => {
    registry.files.clear();
    registry.files.set(tarballPath(MAIN), { data: main });
    registry.files.set(tarballPath(EXT), { data: ext });
    registry.bytesPerTick = 4 << 20;
    registry.bytesServed = 0;
    registry.requested = [];
  });

  /** A package table as the build writes it, pointing at the loopback registry. */
  function tableFile(integrity: { main?: string; ext?: string } = {}): string {
    const table: CudaPackageTable = {
      nodeLlamaCppVersion: VERSION,
      packages: [
        { name: MAIN, version: VERSION, url: registry.url + tarballPath(MAIN), integrity: integrity.main ?? integrityOf(main) },
        { name: EXT, version: VERSION, url: registry.url + tarballPath(EXT), integrity: integrity.ext ?? integrityOf(ext) },
      ],
    };
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'qed-cuda-table-')), 'cuda-packages.json');
    writeFileSync(file, JSON.stringify(table));
    return file;
  }

  function install(dir: string, table: string) {
    return runCli(['cuda', 'install', '--dir', dir, '--table', table, '--stall-seconds', '5']);
  }

  function newDir(): string {
    return mkdtempSync(path.join(os.tmpdir(), 'qed-cuda-'));
  }

  function leftovers(dir: string): string[] {
    const scope = path.join(dir, 'node_modules', '@node-llama-cpp');
    const staged = existsSync(scope) ? readdirSync(scope).filter((name) => name.includes('.')) : [];
    return [...staged, ...readdirSync(path.join(dir, 'downloads'))];
  }

  it('installs both packages, each checked against its sha512, and leaves no tarball behind', async () => {
    const dir = newDir();
    const result = await install(dir, tableFile());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^installed ${MAIN}, ${EXT} in ${dir}$`, 'm'));
    for (const name of [MAIN, EXT]) {
      assert.equal(JSON.parse(readFileSync(path.join(packageDir(dir, name), 'package.json'), 'utf8')).version, VERSION);
    }
    assert.equal(readFileSync(path.join(packageDir(dir, EXT), 'bins', BINS, 'fallback', 'libggml-cuda.so'), 'utf8'), 'cuda 12 build');
    assert.deepEqual(leftovers(dir), []);
    const again = await install(dir, tableFile());
    assert.match(again.stdout, /^already installed in /m);
    const status = await runCli(['cuda', 'status', '--dir', dir, '--table', tableFile(), '--json']);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    assert.deepEqual([report.installed, report.packages, report.packagesDir], [true, [MAIN, EXT], dir]);
    assert.equal(typeof report.nvidiaDriver, 'boolean');
  });

  it('deletes a tarball that does not match the recorded sha512 and installs nothing from it', async () => {
    const dir = newDir();
    const result = await install(dir, tableFile({ ext: integrityOf(Buffer.from('what the lock recorded')) }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^qed: CUDA install failed: ${EXT}@${VERSION} as downloaded does not match the sha512 recorded in package-lock.json \\(expected sha512-\\S+, got ${integrityOf(ext).replace(/[+/]/g, '\\$&')}\\); the file was deleted and nothing was installed\\.`, 'm'));
    assert.equal(result.stderr.split('\n').filter((line) => line.startsWith('qed:')).length, 1, result.stderr);
    assert.equal(existsSync(packageDir(dir, EXT)), false);
    assert.deepEqual(leftovers(dir), []);
  });

  it('a tarball cut short by the registry fails the same check', async () => {
    const dir = newDir();
    registry.files.set(tarballPath(MAIN), { data: main.subarray(0, main.length - 4096) });
    const result = await install(dir, tableFile());
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`failed: ${MAIN}@${VERSION} as downloaded does not match the sha512`));
    assert.equal(existsSync(packageDir(dir, MAIN)), false);
    assert.deepEqual(leftovers(dir), []);
  });

  it('a connection dropped part-way: the rest is asked for again and the result passes the check', async () => {
    const dir = newDir();
    registry.files.set(tarballPath(MAIN), { data: main, dropAfter: { bytes: 20 << 20, times: 1 } });
    const result = await install(dir, tableFile());
    assert.equal(result.code, 0, result.stderr);
    assert.ok(registry.requested.filter((request) => request.path === tarballPath(MAIN)).length > 1, 'the dropped download was asked for again');
    assert.ok(existsSync(path.join(packageDir(dir, MAIN), 'bins', BINS, 'libggml-cuda.so')));
  });

  it('a cancelled download resumes where it stopped', async () => {
    const dir = newDir();
    const table = tableFile();
    registry.bytesPerTick = 256 << 10;
    const child = spawn(process.execPath, [CLI, 'cuda', 'install', '--dir', dir, '--table', table], { stdio: 'ignore' });
    while (registry.bytesServed < main.length * 0.7) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await registry.connectionsClosed(); // the server notices the closed sockets
    assert.ok(readdirSync(path.join(dir, 'downloads')).some((name) => name.endsWith('.ipull')), 'the partial download stays on disk');
    assert.equal(existsSync(packageDir(dir, MAIN)), false);

    registry.bytesPerTick = 4 << 20;
    registry.requested = [];
    const result = await install(dir, table);
    assert.equal(result.code, 0, result.stderr);
    const chunks = registry.requested.filter((request) => request.path === tarballPath(MAIN) && request.end - request.start < main.length);
    const covered = new Uint8Array(Math.ceil(main.length / 65536)); // 64 KiB cells asked for again
    for (const { start, end } of chunks) covered.fill(1, start >> 16, Math.ceil(end / 65536));
    const again = covered.reduce((sum, cell) => sum + cell, 0) / covered.length;
    assert.ok(again < 0.8, `asked for ${(again * 100).toFixed(0)}% of the tarball again`);
    assert.equal(JSON.parse(readFileSync(path.join(packageDir(dir, MAIN), 'package.json'), 'utf8')).name, MAIN);
  });

  describe('the engine, started as the extension starts it', () => {
    async function startEngine(llamaPackagesDir: string) {
      const lines: string[] = [];
      const log = createLogger((level, message) => lines.push(`[${level}] ${message}`), 'debug');
      const supervisor = new EngineSupervisor(CLI, log);
      try {
        const connection = await supervisor.connect({ modelPath: await ensureTinyModel(), gpu: 'auto', gpuLayers: 'auto', threads: 1, parallel: 1, contextSize: 2048, llamaPackagesDir });
        return { info: connection.info, log: lines.join('\n') };
      } finally {
        supervisor.stop();
      }
    }

    it('node-llama-cpp imports the CUDA package from the packages folder and accepts its version; CUDA not loading is one line and the fallbackReason', async () => {
      const dir = newDir();
      assert.equal((await install(dir, tableFile())).code, 0);
      const { info, log } = await startEngine(dir);
      assert.match(log, new RegExp(`^\\[info\\] node-llama-cpp binaries from ${dir}: ${MAIN}, ${EXT}$`, 'm'));
      // Its metadata file is read only after the version check, from the copy the import returned.
      const metadata = path.join(packageDir(dir, MAIN), 'bins', BINS, '_nlcBuildMetadata.json');
      assert.ok(log.includes(`Failed to load a prebuilt binary for platform "linux" "x64" with CUDA support. Error: SyntaxError: ${metadata}`), log);
      assert.equal(info.gpu, 'cpu');
      assert.match(info.fallbackReason ?? '', /^CUDA did not load: (no NVIDIA driver is loaded|the CUDA runtime is missing \(.*\))$/);
      assert.ok(log.includes(`[warn] ${info.fallbackReason}; running on the CPU instead.`), log);
    });

    it('a package of another version is refused by node-llama-cpp’s own check', async () => {
      const dir = newDir();
      const old = fakeBinariesPackage({ name: MAIN, version: '3.0.0', binsFolder: BINS, bins: { 'llama-addon.node': 'x', '_nlcBuildMetadata.json': '{ not json' } });
      registry.files.set(tarballPath(MAIN, '3.0.0'), { data: old });
      const table = path.join(newDir(), 'old.json');
      writeFileSync(table, JSON.stringify({ nodeLlamaCppVersion: '3.0.0', packages: [{ name: MAIN, version: '3.0.0', url: registry.url + tarballPath(MAIN, '3.0.0'), integrity: integrityOf(old) }] }));
      assert.equal((await install(dir, table)).code, 0);
      const { info, log } = await startEngine(dir);
      assert.match(log, /node-llama-cpp binaries from .*: @node-llama-cpp\/\S+-cuda$/m);
      assert.ok(!log.includes('Failed to load a prebuilt binary'), log);
      assert.match(info.fallbackReason ?? '', /^CUDA did not load: /);
    });
  });
});
