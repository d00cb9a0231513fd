/**
 * What CUDA needs on this machine, and what is missing: an NVIDIA driver (with its libcuda), and
 * the CUDA runtime libraries the prebuilt binaries link against. node-llama-cpp's CUDA package is
 * built against CUDA 13 (libcudart.so.13, libcublas.so.13) and its `-ext` package adds a build
 * against CUDA 12, used when the first does not load; either runtime is enough.
 *
 * A library counts as found only where the dynamic loader looks (Linux: LD_LIBRARY_PATH, the
 * ld.so cache, the system folders; Windows: PATH and System32). One that sits elsewhere (a
 * /usr/local/cuda-12.4/lib64 never added to the loader's configuration) is reported with the fix.
 * All file access goes through a probe, so tests run this on fake library folders.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pushAll } from '../../core/arrays';

export type CudaMajor = 12 | 13;

/** The runtime majors the prebuilt packages load, preferred first. */
export const CUDA_MAJORS: readonly CudaMajor[] = [13, 12];

/** The oldest driver (major version) each CUDA major runs on, from NVIDIA's release notes. */
const MIN_DRIVER: Record<CudaMajor, number> = { 13: 580, 12: 525 };

export interface SystemProbe {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  exists(file: string): boolean;
  readText(file: string): string | undefined;
  list(folder: string): string[];
  /** `ldconfig -p` (Linux): the loader's cache; undefined when it cannot be read. */
  loaderCache(): Promise<string | undefined>;
}

export interface RuntimeLibraries {
  major: CudaMajor;
  /** Each library's file name and the folder it was found in (undefined: not found). */
  libraries: Array<{ file: string; folder?: string; onLoaderPath: boolean }>;
  /** Every library on the loader's path. */
  usable: boolean;
  /** Found, but some only outside the loader's path: these folders would need to be added. */
  foldersToAdd: string[];
  /** The driver is known to be too old for this major. */
  driverTooOld: boolean;
}

export interface CudaDetection {
  platform: NodeJS.Platform;
  /** An NVIDIA driver is installed and loaded. */
  nvidiaDriver: boolean;
  driverVersion?: string;
  gpuNames: string[];
  runtimes: RuntimeLibraries[];
  /** The newest CUDA major that can run here, if any. */
  usableMajor?: CudaMajor;
  /** One line each: what is missing and how to get it. Empty when CUDA can run. */
  problems: string[];
  /** What is missing, in one short line without the advice; undefined when CUDA can run. */
  summary?: string;
}

const LINUX_SYSTEM_FOLDERS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/lib/wsl/lib'];

export async function detectCuda(probe: SystemProbe = localProbe()): Promise<CudaDetection> {
  if (probe.platform === 'win32') return detectWindows(probe);
  if (probe.platform === 'linux') return detectLinux(probe);
  return { platform: probe.platform, nvidiaDriver: false, gpuNames: [], runtimes: [], problems: ['node-llama-cpp has CUDA builds for Linux x64 and Windows x64 only.'] };
}

async function detectLinux(probe: SystemProbe): Promise<CudaDetection> {
  const cache = parseLoaderCache((await probe.loaderCache()) ?? '');
  const loaderFolders = unique([...splitPath(probe.env.LD_LIBRARY_PATH, ':'), ...LINUX_SYSTEM_FOLDERS]);
  const find = (file: string) => {
    const cached = cache.get(file);
    if (cached) return { file, folder: path.posix.dirname(cached), onLoaderPath: true };
    const onPath = loaderFolders.find((folder) => probe.exists(path.posix.join(folder, file)));
    if (onPath) return { file, folder: onPath, onLoaderPath: true };
    const elsewhere = cudaToolkitFolders(probe).find((folder) => probe.exists(path.posix.join(folder, file)));
    return { file, folder: elsewhere, onLoaderPath: false };
  };

  const versionText = probe.readText('/proc/driver/nvidia/version');
  const driverVersion = /Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)/.exec(versionText ?? '')?.[1];
  const libcuda = find('libcuda.so.1');
  // WSL 2 has no /proc/driver/nvidia: the Windows driver shows up as its libcuda in /usr/lib/wsl/lib.
  const nvidiaDriver = versionText !== undefined || probe.exists('/usr/lib/wsl/lib/libcuda.so.1');
  const gpuNames = probe
    .list('/proc/driver/nvidia/gpus')
    .map((id) => /^Model:\s*(.+)$/m.exec(probe.readText(`/proc/driver/nvidia/gpus/${id}/information`) ?? '')?.[1]?.trim())
    .filter((name): name is string => !!name);

  const runtimes = CUDA_MAJORS.map((major) => runtime(major, [`libcudart.so.${major}`, `libcublas.so.${major}`, `libcublasLt.so.${major}`].map(find), driverVersion));
  const problems: string[] = [];
  if (!nvidiaDriver) problems.push('No NVIDIA driver is loaded (/proc/driver/nvidia/version is absent): install the NVIDIA driver for your GPU (Debian/Ubuntu: nvidia-driver, or ubuntu-drivers install), then reboot.');
  else if (!libcuda.onLoaderPath) problems.push('The NVIDIA driver’s libcuda.so.1 is not on the loader’s path: reinstall the driver’s user-space libraries (Debian: libcuda1; Ubuntu: libnvidia-compute-<version>).');
  pushAll(problems, runtimeProblems(runtimes, 'linux', probe));
  return finish({ platform: 'linux', nvidiaDriver, driverVersion, gpuNames, runtimes, problems });
}

async function detectWindows(probe: SystemProbe): Promise<CudaDetection> {
  const win = path.win32;
  const system32 = win.join(probe.env.SystemRoot ?? probe.env.windir ?? 'C:\\Windows', 'System32');
  const searchPath = unique([system32, ...splitPath(probe.env.PATH ?? probe.env.Path, ';')]);
  const toolkitBins = windowsToolkitBins(probe);
  const find = (file: string) => {
    const onPath = searchPath.find((folder) => probe.exists(win.join(folder, file)));
    if (onPath) return { file, folder: onPath, onLoaderPath: true };
    return { file, folder: toolkitBins.find((folder) => probe.exists(win.join(folder, file))), onLoaderPath: false };
  };
  const nvidiaDriver = find('nvcuda.dll').onLoaderPath;
  const runtimes = CUDA_MAJORS.map((major) => runtime(major, [`cudart64_${major}.dll`, `cublas64_${major}.dll`, `cublasLt64_${major}.dll`].map(find), undefined));
  const problems: string[] = [];
  if (!nvidiaDriver) problems.push('No NVIDIA driver found (nvcuda.dll is not in System32): install the driver for your GPU from https://www.nvidia.com/Download/index.aspx.');
  pushAll(problems, runtimeProblems(runtimes, 'win32', probe));
  return finish({ platform: 'win32', nvidiaDriver, gpuNames: [], runtimes, problems });
}

function runtime(major: CudaMajor, libraries: RuntimeLibraries['libraries'], driverVersion: string | undefined): RuntimeLibraries {
  const driverMajor = driverVersion ? Number(driverVersion.split('.')[0]) : undefined;
  const driverTooOld = driverMajor !== undefined && driverMajor < MIN_DRIVER[major];
  const found = libraries.every((library) => library.folder !== undefined);
  return {
    major,
    libraries,
    usable: libraries.every((library) => library.onLoaderPath) && !driverTooOld,
    foldersToAdd: found ? unique(libraries.filter((library) => !library.onLoaderPath).map((library) => library.folder!)) : [],
    driverTooOld,
  };
}

function runtimeProblems(runtimes: RuntimeLibraries[], platform: 'linux' | 'win32', probe: SystemProbe): string[] {
  if (runtimes.some((runtime) => runtime.usable)) return [];
  const problems: string[] = [];
  for (const runtime of runtimes) {
    const missing = runtime.libraries.filter((library) => !library.folder).map((library) => library.file);
    if (runtime.driverTooOld && missing.length === 0) {
      problems.push(`CUDA ${runtime.major} is installed, but the NVIDIA driver is older than it needs (${MIN_DRIVER[runtime.major]} or newer).`);
    } else if (missing.length === 0 && runtime.foldersToAdd.length) {
      const variable = platform === 'linux' ? 'LD_LIBRARY_PATH' : 'PATH';
      problems.push(
        `CUDA ${runtime.major} is installed in ${runtime.foldersToAdd.join(', ')}, where the loader does not look: add ${runtime.foldersToAdd.length === 1 ? 'it' : 'them'} to ${variable}` +
          (platform === 'linux' ? ` (or list ${runtime.foldersToAdd.length === 1 ? 'it' : 'them'} in a file in /etc/ld.so.conf.d/ and run sudo ldconfig).` : '.'),
      );
    } else {
      problems.push(`CUDA ${runtime.major} runtime: ${missing.join(', ')} not found.`);
    }
  }
  problems.push(platform === 'linux' ? linuxRuntimeAdvice(probe) : 'Install the CUDA Toolkit 13 or 12 from https://developer.nvidia.com/cuda-downloads (it adds its bin folder to PATH).');
  return problems;
}

function linuxRuntimeAdvice(probe: SystemProbe): string {
  const osRelease = probe.readText('/etc/os-release') ?? '';
  const family = `${/^ID=(.*)$/m.exec(osRelease)?.[1] ?? ''} ${/^ID_LIKE=(.*)$/m.exec(osRelease)?.[1] ?? ''}`;
  const nvidiaRepository = 'NVIDIA’s CUDA repository (https://developer.nvidia.com/cuda-downloads): sudo apt install cuda-cudart-13-0 libcublas-13-0 (CUDA 13, driver 580 or newer)';
  if (/debian|ubuntu/.test(family)) {
    return `To get the CUDA runtime: sudo apt install libcudart12 libcublas12 libcublaslt12 (CUDA 12, in Debian 13’s non-free and Ubuntu 24.04’s multiverse; driver 525 or newer), or from ${nvidiaRepository}.`;
  }
  return `To get the CUDA runtime (CUDA 13 needs driver 580 or newer, CUDA 12 driver 525): your distribution’s CUDA runtime packages (libcudart and libcublas), or ${nvidiaRepository.replace(': sudo apt install', ', packages')}.`;
}

function finish(detection: Omit<CudaDetection, 'usableMajor' | 'summary'>): CudaDetection {
  const usableMajor = detection.nvidiaDriver ? detection.runtimes.find((runtime) => runtime.usable)?.major : undefined;
  return { ...detection, usableMajor, summary: usableMajor ? undefined : summarize(detection) };
}

function summarize(detection: Omit<CudaDetection, 'usableMajor' | 'summary'>): string {
  if (!detection.nvidiaDriver) return 'no NVIDIA driver is loaded';
  const parts = detection.runtimes.map((runtime) => {
    const missing = runtime.libraries.filter((library) => !library.folder).map((library) => library.file);
    if (missing.length) return `${missing.join(', ')} not found`;
    if (runtime.driverTooOld) return `CUDA ${runtime.major} needs driver ${MIN_DRIVER[runtime.major]} or newer`;
    if (runtime.foldersToAdd.length) return `CUDA ${runtime.major} is in ${runtime.foldersToAdd.join(', ')}, outside the loader’s path`;
    return `CUDA ${runtime.major}: the driver’s libcuda.so.1 is not on the loader’s path`;
  });
  return `the CUDA runtime is missing (${parts.join('; ')})`;
}

/** Where CUDA toolkits put their libraries when the loader was not told about them. */
function cudaToolkitFolders(probe: SystemProbe): string[] {
  const roots = [probe.env.CUDA_PATH, probe.env.CUDA_HOME, '/usr/local/cuda', ...probe.list('/usr/local').filter((name) => name.startsWith('cuda-')).map((name) => `/usr/local/${name}`), '/opt/cuda'];
  return unique(roots.filter((root): root is string => !!root).flatMap((root) => [`${root}/lib64`, `${root}/lib`, `${root}/targets/x86_64-linux/lib`]));
}

function windowsToolkitBins(probe: SystemProbe): string[] {
  const win = path.win32;
  const container = win.join(probe.env.ProgramFiles ?? 'C:\\Program Files', 'NVIDIA GPU Computing Toolkit', 'CUDA');
  const installs = [probe.env.CUDA_PATH, ...probe.list(container).filter((name) => /^v\d/i.test(name)).map((name) => win.join(container, name))];
  // CUDA 13 keeps its DLLs in bin\x64.
  return unique(installs.filter((root): root is string => !!root).flatMap((root) => [win.join(root, 'bin'), win.join(root, 'bin', 'x64')]));
}

/** `ldconfig -p` lines: `\tlibcudart.so.12 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudart.so.12`. */
export function parseLoaderCache(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const match of text.matchAll(/^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$/gm)) {
    // Only 64-bit x86 entries: a 32-bit libcuda does not serve a 64-bit engine.
    if (/x86-64/.test(match[2]!) && !entries.has(match[1]!)) entries.set(match[1]!, match[3]!);
  }
  return entries;
}

function splitPath(value: string | undefined, separator: string): string[] {
  return (value ?? '').split(separator).filter(Boolean);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** The real machine, or (tests) a fake one: every absolute path is looked up under `root`. */
export function localProbe(options: { root?: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; loaderCache?: string } = {}): SystemProbe {
  const root = options.root;
  const at = (file: string) => (root ? path.join(root, file) : file);
  return {
    platform: options.platform ?? process.platform,
    env: options.env ?? process.env,
    exists: (file) => existsSync(at(file)),
    readText: (file) => {
      try {
        return readFileSync(at(file), 'utf8');
      } catch {
        return undefined;
      }
    },
    list: (folder) => {
      try {
        return readdirSync(at(folder));
      } catch {
        return [];
      }
    },
    loaderCache: () => (options.loaderCache !== undefined || root ? Promise.resolve(options.loaderCache) : runLdconfig()),
  };
}

function runLdconfig(): Promise<string | undefined> {
  return new Promise((resolve) => {
    // Not on a user's PATH on Debian; the loader cache is also readable without root.
    const candidates = ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig'];
    const attempt = (index: number) => {
      if (index >= candidates.length) return resolve(undefined);
      execFile(candidates[index]!, ['-p'], { timeout: 3000, maxBuffer: 8 << 20 }, (error, stdout) => (error ? attempt(index + 1) : resolve(stdout)));
    };
    attempt(0);
  });
}
