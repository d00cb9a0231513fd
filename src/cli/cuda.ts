/**
 * `qed cuda status` says whether CUDA can run here and what is missing; `qed cuda install --dir DIR`
 * fetches node-llama-cpp's prebuilt CUDA packages of exactly its own version into DIR (resumable,
 * sha512-checked). The engine finds them when started with QED_LLAMA_PACKAGES=DIR.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { pushAll } from '../core/arrays';
import { CUDA_TABLE_FILE, cudaPackagesFor, cudaPackagesInstalled, llamaPlatform, readCudaPackageTable } from '../engineShared/cuda/cudaPackages';
import { detectCuda, type CudaDetection } from '../engineShared/cuda/detectCuda';
import { installCudaPackages } from '../engine/cuda/installCuda';
import type { CudaInstallToHost } from '../engineShared/ipcProtocol';
import { downloadResumable, exitWhenStopped } from '../engine/resumableDownload';
import { UsageError } from './usageError';

export async function cudaCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      registry: { type: 'string' },
      table: { type: 'string' },
      'stall-seconds': { type: 'string', default: '60' },
      json: { type: 'boolean', default: false },
    },
  });
  // Next to dist/cli.js, where the build writes it.
  const table = readCudaPackageTable(values.table ?? path.join(__dirname, CUDA_TABLE_FILE));
  const packages = cudaPackagesFor(table);
  const dir = values.dir ?? process.env.QED_LLAMA_PACKAGES;

  if (action === 'status') {
    const detection = await detectCuda();
    const installed = dir ? cudaPackagesInstalled(dir, packages) : false;
    if (values.json) process.stdout.write(`${JSON.stringify({ ...detection, packages: packages.map((pkg) => pkg.name), packagesDir: dir, installed })}\n`);
    else process.stdout.write(describeStatus(detection, packages.length > 0, installed, dir));
    return 0;
  }
  if (action !== 'install') throw new UsageError('cuda needs "status" or "install".');
  if (!dir) throw new UsageError('cuda install needs --dir DIR (the folder QED_LLAMA_PACKAGES will name).');
  if (packages.length === 0) throw new UsageError(`node-llama-cpp ${table.nodeLlamaCppVersion} has no CUDA build for ${llamaPlatform()}.`);
  const stallSeconds = Number(values['stall-seconds']);
  if (!(stallSeconds > 0)) throw new UsageError('--stall-seconds must be a positive number.');

  const send = (message: CudaInstallToHost) => process.send?.(message);
  let lastPrinted = 0;
  try {
    exitWhenStopped();
    const installed = await installCudaPackages({
      packages,
      dir: path.resolve(dir),
      registry: values.registry,
      stallSeconds,
      download: downloadResumable,
      onProgress: (progress) => {
        send({ type: 'cuda-progress', progress });
        if (process.send || (progress.step === 'download' && Date.now() - lastPrinted < 1000)) return;
        lastPrinted = Date.now();
        const bytes = progress.totalBytes ? `: ${(progress.downloadedBytes! / 1e6).toFixed(0)} / ${(progress.totalBytes / 1e6).toFixed(0)} MB` : '';
        process.stderr.write(`${progress.step} ${progress.package} (${progress.index + 1}/${progress.count})${bytes}\n`);
      },
    });
    send({ type: 'cuda-installed', dir: path.resolve(dir), installed });
    process.stdout.write(`${installed.length ? `installed ${installed.join(', ')}` : 'already installed'} in ${path.resolve(dir)}\n`);
    process.disconnect?.();
    return 0;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    const shown = /ENOSPC/.test(message) ? `the disk is full (${message}); the CUDA packages take about 540 MB unpacked, plus the download` : message;
    send({ type: 'failed', message: shown });
    process.stderr.write(`qed: CUDA install failed: ${shown}\n`);
    process.disconnect?.();
    setTimeout(() => process.exit(1), 100).unref();
    return 1;
  }
}

function describeStatus(detection: CudaDetection, hasBuild: boolean, installed: boolean, dir: string | undefined): string {
  const lines: string[] = [];
  const gpu = detection.gpuNames.length ? detection.gpuNames.join(', ') : 'NVIDIA GPU';
  // A missing driver is the first of the problems below.
  if (detection.nvidiaDriver) lines.push(`${gpu}: driver ${detection.driverVersion ?? 'found'}`);
  for (const runtime of detection.runtimes) {
    const where = runtime.libraries.map((library) => `${library.file} ${library.folder ? `in ${library.folder}${library.onLoaderPath ? '' : ' (not on the loader’s path)'}` : 'missing'}`);
    lines.push(`CUDA ${runtime.major}: ${runtime.usable ? 'ready' : 'not usable'} (${where.join(', ')})`);
  }
  if (!hasBuild) lines.push(`node-llama-cpp has no CUDA build for ${llamaPlatform()}.`);
  else lines.push(dir ? `CUDA packages in ${dir}: ${installed ? 'installed' : 'not installed'}` : 'CUDA packages: no folder given (--dir or QED_LLAMA_PACKAGES)');
  pushAll(lines, detection.problems);
  return `${lines.join('\n')}\n`;
}
