/**
 * CUDA detection on fake machines: Linux as folders under a temporary root (the driver's /proc
 * files, libraries in system folders, in LD_LIBRARY_PATH, in the loader cache, or in a CUDA
 * toolkit folder the loader does not search), Windows as a set of files.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectCuda, localProbe, parseLoaderCache, type SystemProbe } from '../../src/engineShared/cuda/detectCuda';

const CUDA12 = ['libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12'];
const CUDA13 = ['libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13'];
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nID=debian\n';

/** A Linux root with these files (path → content; empty for libraries). */
function linuxRoot(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'qed-cuda-root-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

function driver(version: string, model = 'NVIDIA GeForce RTX 4070'): Record<string, string> {
  return {
    '/proc/driver/nvidia/version': `NVRM version: NVIDIA UNIX x86_64 Kernel Module  ${version}  Release Build  (dvs-builder@U16-I3-B03-4-3)  Thu Jul  3 21:19:49 UTC 2025\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n`,
    '/proc/driver/nvidia/gpus/0000:01:00.0/information': `Model: \t\t ${model}\nIRQ:   \t\t 130\nVideo BIOS: \t ??.??.??.??.??\n`,
    '/usr/lib/x86_64-linux-gnu/libcuda.so.1': '',
  };
}

function libraries(folder: string, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`${folder}/${name}`, '']));
}

function linux(files: Record<string, string>, options: { env?: NodeJS.ProcessEnv; loaderCache?: string } = {}) {
  return detectCuda(localProbe({ root: linuxRoot({ '/etc/os-release': DEBIAN, ...files }), platform: 'linux', env: options.env ?? {}, loaderCache: options.loaderCache ?? '' }));
}

describe('CUDA detection', () => {
  it('a machine without an NVIDIA driver: says so first', async () => {
    const found = await linux({});
    assert.equal(found.nvidiaDriver, false);
    assert.equal(found.usableMajor, undefined);
    assert.equal(found.summary, 'no NVIDIA driver is loaded');
    assert.match(found.problems[0]!, /^No NVIDIA driver is loaded \(\/proc\/driver\/nvidia\/version is absent\)/);
  });

  it('the driver without the CUDA runtime: names the missing libraries and the Debian packages', async () => {
    const found = await linux(driver('550.163.01'));
    assert.equal(found.nvidiaDriver, true);
    assert.equal(found.driverVersion, '550.163.01');
    assert.deepEqual(found.gpuNames, ['NVIDIA GeForce RTX 4070']);
    assert.equal(found.usableMajor, undefined);
    assert.equal(found.summary, 'the CUDA runtime is missing (libcudart.so.13, libcublas.so.13, libcublasLt.so.13 not found; libcudart.so.12, libcublas.so.12, libcublasLt.so.12 not found)');
    assert.deepEqual(found.problems.slice(0, 2), [
      'CUDA 13 runtime: libcudart.so.13, libcublas.so.13, libcublasLt.so.13 not found.',
      'CUDA 12 runtime: libcudart.so.12, libcublas.so.12, libcublasLt.so.12 not found.',
    ]);
    assert.match(found.problems[2]!, /sudo apt install libcudart12 libcublas12 libcublaslt12 .* or from NVIDIA’s CUDA repository \(https:\/\/developer\.nvidia\.com\/cuda-downloads\): sudo apt install cuda-cudart-13-0 libcublas-13-0/);
  });

  it('Debian’s CUDA 12 in the system folder: ready, nothing to report', async () => {
    const found = await linux({ ...driver('550.163.01'), ...libraries('/usr/lib/x86_64-linux-gnu', CUDA12) });
    assert.equal(found.usableMajor, 12);
    assert.deepEqual(found.problems, []);
    assert.equal(found.summary, undefined);
  });

  it('CUDA 13 with a driver too old for it, and CUDA 12 beside it: CUDA 12 runs', async () => {
    const cache = CUDA13.map((name) => `\t${name} (libc6,x86-64) => /usr/local/cuda-13.0/lib64/${name}`).join('\n');
    const older = await linux({ ...driver('550.54.14'), ...libraries('/usr/local/cuda-13.0/lib64', CUDA13) }, { loaderCache: `3 libs found in cache \`/etc/ld.so.cache'\n${cache}\n` });
    assert.equal(older.usableMajor, undefined);
    assert.equal(older.runtimes[0]!.driverTooOld, true);
    assert.match(older.problems[0]!, /CUDA 13 is installed, but the NVIDIA driver is older than it needs \(580 or newer\)/);
    const both = await linux({ ...driver('550.54.14'), ...libraries('/usr/local/cuda-13.0/lib64', CUDA13), ...libraries('/usr/lib/x86_64-linux-gnu', CUDA12) }, { loaderCache: cache });
    assert.equal(both.usableMajor, 12);
    const newer = await linux({ ...driver('580.65.06'), ...libraries('/usr/local/cuda-13.0/lib64', CUDA13) }, { loaderCache: cache });
    assert.equal(newer.usableMajor, 13);
  });

  it('a toolkit the loader does not search: found, with the folder to add', async () => {
    const files = { ...driver('580.65.06'), ...libraries('/usr/local/cuda-13.0/targets/x86_64-linux/lib', CUDA13) };
    const found = await linux(files);
    assert.equal(found.usableMajor, undefined);
    assert.deepEqual(found.runtimes[0]!.foldersToAdd, ['/usr/local/cuda-13.0/targets/x86_64-linux/lib']);
    assert.match(found.problems[0]!, /^CUDA 13 is installed in \/usr\/local\/cuda-13\.0\/targets\/x86_64-linux\/lib, where the loader does not look: add it to LD_LIBRARY_PATH \(or list it in a file in \/etc\/ld\.so\.conf\.d\/ and run sudo ldconfig\)/);
    assert.equal(found.summary, 'the CUDA runtime is missing (CUDA 13 is in /usr/local/cuda-13.0/targets/x86_64-linux/lib, outside the loader’s path; libcudart.so.12, libcublas.so.12, libcublasLt.so.12 not found)');
    // The same folder in LD_LIBRARY_PATH is where the loader looks.
    const withPath = await linux(files, { env: { LD_LIBRARY_PATH: '/opt/other:/usr/local/cuda-13.0/targets/x86_64-linux/lib' } });
    assert.equal(withPath.usableMajor, 13);
  });

  it('WSL 2: the Windows driver’s libcuda in /usr/lib/wsl/lib', async () => {
    const found = await linux({ '/usr/lib/wsl/lib/libcuda.so.1': '', ...libraries('/usr/lib/x86_64-linux-gnu', CUDA12) });
    assert.equal(found.nvidiaDriver, true);
    assert.equal(found.usableMajor, 12);
  });

  it('another distribution gets package names, not apt', async () => {
    const root = linuxRoot({ '/etc/os-release': 'ID=fedora\n', ...driver('580.65.06') });
    const found = await detectCuda(localProbe({ root, platform: 'linux', env: {}, loaderCache: '' }));
    assert.doesNotMatch(found.problems.at(-1)!, /apt/);
    assert.match(found.problems.at(-1)!, /your distribution’s CUDA runtime packages \(libcudart and libcublas\)/);
  });

  it('reads 64-bit entries of the loader cache', () => {
    const cache = parseLoaderCache('2 libs found\n\tlibcuda.so.1 (libc6) => /usr/lib/i386-linux-gnu/libcuda.so.1\n\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n');
    assert.deepEqual([...cache], [['libcuda.so.1', '/usr/lib/x86_64-linux-gnu/libcuda.so.1']]);
  });

  describe('on Windows', () => {
    function windows(files: string[], env: NodeJS.ProcessEnv): SystemProbe {
      const set = new Set(files.map((file) => file.toLowerCase()));
      return {
        platform: 'win32',
        env: { SystemRoot: 'C:\\Windows', ProgramFiles: 'C:\\Program Files', ...env },
        exists: (file) => set.has(file.toLowerCase()),
        readText: () => undefined,
        list: (folder) => [...new Set(files.filter((file) => file.toLowerCase().startsWith(`${folder.toLowerCase()}\\`)).map((file) => file.slice(folder.length + 1).split('\\')[0]!))],
        loaderCache: async () => undefined,
      };
    }
    const toolkit = 'C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13.0\\bin\\x64';
    const dlls = ['cudart64_13.dll', 'cublas64_13.dll', 'cublasLt64_13.dll'].map((dll) => `${toolkit}\\${dll}`);

    it('the driver and a CUDA 13 toolkit on PATH: ready', async () => {
      const found = await detectCuda(windows(['C:\\Windows\\System32\\nvcuda.dll', ...dlls], { PATH: `C:\\Windows;${toolkit}` }));
      assert.equal(found.nvidiaDriver, true);
      assert.equal(found.usableMajor, 13);
    });

    it('the toolkit installed but not on PATH: says to add its folder', async () => {
      const found = await detectCuda(windows(['C:\\Windows\\System32\\nvcuda.dll', ...dlls], { PATH: 'C:\\Windows' }));
      assert.equal(found.usableMajor, undefined);
      assert.match(found.problems[0]!, /^CUDA 13 is installed in C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13\.0\\bin\\x64, where the loader does not look: add it to PATH\.$/);
    });

    it('no driver: names nvcuda.dll and the download page', async () => {
      const found = await detectCuda(windows([], { PATH: '' }));
      assert.equal(found.nvidiaDriver, false);
      assert.match(found.problems[0]!, /nvcuda\.dll is not in System32.*https:\/\/www\.nvidia\.com\/Download/);
      assert.match(found.problems.at(-1)!, /CUDA Toolkit 13 or 12 from https:\/\/developer\.nvidia\.com\/cuda-downloads/);
    });
  });
});
