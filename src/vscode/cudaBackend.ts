/**
 * QED: Install the CUDA Backend…: on an NVIDIA machine where the shipped backends give Vulkan or
 * the CPU, fetches node-llama-cpp's prebuilt CUDA packages (a forked `qed cuda install`) into the
 * global storage, versioned by node-llama-cpp's version so they survive extension updates that
 * keep it; the engine then starts with them (QED_LLAMA_PACKAGES) and `auto` tries CUDA first.
 * Offered once by a notification and always in the engine menu while it applies.
 */
import { readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CUDA_TABLE_FILE, cudaPackagesFor, cudaPackagesInstalled, llamaPackagesDir, llamaPlatform, readCudaPackageTable, type CudaPackage, type CudaPackageTable } from '../engineShared/cuda/cudaPackages';
import { detectCuda, type CudaDetection } from '../engineShared/cuda/detectCuda';
import type { EngineIdentity } from '../engineShared/engineLabels';
import { forkCli } from '../engineHost/forkCli';
import type { CudaInstallToHost } from '../engineShared/ipcProtocol';
import { TransferRate, transferText } from '../engineHost/transferProgress';
import type { LocalEngine } from './localEngine';

export const INSTALL_CUDA_COMMAND = 'qed.installCudaBackend';
const OFFERED_KEY = 'qed.cudaBackend.offered';
/** The Linux tarballs of node-llama-cpp 3.21 (143 MB + 177 MB); other platforms' are not quoted. */
const LINUX_DOWNLOAD_MB = 320;

export class CudaBackend {
  private table: CudaPackageTable | undefined;
  private detection: Promise<CudaDetection> | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly storageDir: string,
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly engine: LocalEngine,
    private readonly state: vscode.Memento,
  ) {}

  /** The build's table, or QED_CUDA_TABLE's (the same format, e.g. a mirror's URLs; the sha512 still decide). */
  private get tableFile(): string {
    return process.env.QED_CUDA_TABLE || path.join(this.extensionPath, 'dist', CUDA_TABLE_FILE);
  }

  /** This platform's CUDA packages (none where node-llama-cpp has no CUDA build). */
  private get packages(): CudaPackage[] {
    if (!this.table) {
      try {
        this.table = readCudaPackageTable(this.tableFile);
      } catch (error) {
        this.log.warn((error as Error).message);
        return [];
      }
    }
    return cudaPackagesFor(this.table);
  }

  private get dir(): string | undefined {
    return this.packages.length && this.table ? llamaPackagesDir(this.storageDir, this.table.nodeLlamaCppVersion) : undefined;
  }

  /** The folder the engine should take its CUDA packages from, once they are all there. */
  launchDir(): string | undefined {
    const dir = this.dir;
    return dir && cudaPackagesInstalled(dir, this.packages) ? dir : undefined;
  }

  /** What this machine has for CUDA (looked at once per window). */
  detect(): Promise<CudaDetection> {
    this.detection ??= detectCuda();
    return this.detection;
  }

  /**
   * Whether to offer the install: an NVIDIA GPU, a CUDA build for this platform not yet installed,
   * the engine on Vulkan or the CPU, and qed.engine.gpu leaving room for CUDA (auto or cuda).
   */
  async offerable(info: Pick<EngineIdentity, 'gpu'> | undefined): Promise<boolean> {
    if (!info || (info.gpu !== 'vulkan' && info.gpu !== 'cpu')) return false;
    const chosen = vscode.workspace.getConfiguration('qed').get<string>('engine.gpu', 'auto');
    if (chosen !== 'auto' && chosen !== 'cuda') return false;
    if (this.packages.length === 0 || this.launchDir()) return false;
    return (await this.detect()).nvidiaDriver;
  }

  /** The notification, once per machine, when the engine came up on Vulkan or the CPU beside an NVIDIA GPU. */
  async maybeOffer(info: EngineIdentity): Promise<void> {
    if (this.state.get(OFFERED_KEY) || !(await this.offerable(info))) return;
    await this.state.update(OFFERED_KEY, true);
    const where = info.gpu === 'cpu' ? 'the CPU' : 'Vulkan';
    const picked = await vscode.window.showInformationMessage(
      `This machine has an NVIDIA GPU, but QED runs on ${where}. Install the CUDA backend (a download of about ${this.downloadSize()})? It is usually the fastest on NVIDIA GPUs.`,
      'Install…',
      'Not Now',
    );
    if (picked === 'Install…') await this.install();
  }

  async install(): Promise<void> {
    const packages = this.packages;
    const dir = this.dir;
    if (!dir || packages.length === 0) {
      void vscode.window.showInformationMessage(`QED: node-llama-cpp has no CUDA build for ${llamaPlatform()} (only Linux x64 and Windows x64).`);
      return;
    }
    const detection = await this.detect();
    for (const line of describe(detection)) this.log.info(`CUDA: ${line}`);
    if (this.launchDir()) {
      const message = detection.usableMajor
        ? 'QED: the CUDA backend is installed. If the engine does not run on it, see the log.'
        : `QED: the CUDA backend is installed, but it cannot load here: ${detection.summary}.`;
      const picked = await vscode.window.showInformationMessage(message, { detail: detection.problems.join('\n') || undefined }, 'Show Log');
      if (picked === 'Show Log') this.log.show();
      return;
    }

    const detail = [
      `QED downloads node-llama-cpp’s prebuilt CUDA build of exactly the version it ships (${packages.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ')}) from the npm registry, checks each file against the sha512 recorded in QED’s package-lock.json, and unpacks it into ${dir}. A cancelled download resumes where it stopped.`,
      '',
      ...describe(detection),
      ...(detection.usableMajor ? [] : ['', 'Until that is fixed the CUDA backend will not load, and the engine keeps running on Vulkan or the CPU (the status bar says why).']),
    ].join('\n');
    const picked = await vscode.window.showInformationMessage(`Install the CUDA backend (about ${this.downloadSize()})?`, { modal: true, detail }, 'Install');
    if (picked !== 'Install') return;

    try {
      await this.download(dir);
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof CancelledError) void vscode.window.showInformationMessage(`QED: ${message}`);
      else void vscode.window.showErrorMessage(`QED: the CUDA backend was not installed: ${message}`);
      return;
    }
    await this.removeOtherVersions(dir);
    // The next request starts the engine again, now with the CUDA packages (its launch settings changed).
    if (this.engine.state.kind !== 'stopped') this.engine.stop();
    if (detection.usableMajor) {
      void vscode.window.showInformationMessage('QED: CUDA backend installed. The engine starts on CUDA with the next request.');
    } else {
      const fix = await vscode.window.showWarningMessage(`QED: CUDA backend installed, but it cannot load until this is fixed: ${detection.summary}.`, { detail: detection.problems.join('\n') }, 'Show Log');
      if (fix === 'Show Log') this.log.show();
    }
  }

  private downloadSize(): string {
    return llamaPlatform() === 'linux-x64' ? `${LINUX_DOWNLOAD_MB} MB` : 'several hundred MB';
  }

  private async download(dir: string): Promise<void> {
    this.log.info(`Installing the CUDA backend into ${dir}`);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'QED: CUDA backend', cancellable: true }, (progress, cancellation) => {
      const child = forkCli(this.cliPath, ['cuda', 'install', '--dir', dir, '--table', this.tableFile], { stdout: 'ignore' });
      const rate = new TransferRate();
      let reported = 0;
      let stderr = '';
      child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
      return new Promise<void>((resolve, reject) => {
        cancellation.onCancellationRequested(() => {
          child.kill('SIGTERM');
          reject(new CancelledError('CUDA download paused; it resumes where it stopped next time.'));
        });
        child.on('message', (message: CudaInstallToHost) => {
          if (message.type === 'cuda-progress') {
            const { package: name, index, count, step, downloadedBytes = 0, totalBytes = 0 } = message.progress;
            if (step === 'download') rate.add(downloadedBytes);
            const within = step === 'download' && totalBytes > 0 ? (downloadedBytes / totalBytes) * 0.95 : step === 'download' ? 0 : 0.95;
            const percent = ((index + within) / count) * 100;
            const what = step === 'download' ? transferText(downloadedBytes, totalBytes, rate.bytesPerSecond()) : step === 'verify' ? 'checking sha512' : 'unpacking';
            progress.report({ increment: Math.max(0, percent - reported), message: `${name.split('/')[1]} (${index + 1}/${count}): ${what}` });
            reported = Math.max(reported, percent);
          } else if (message.type === 'cuda-installed') {
            this.log.info(message.installed.length ? `Installed ${message.installed.join(', ')} in ${message.dir}` : `The CUDA packages were already in ${message.dir}`);
            resolve();
          } else if (message.type === 'failed') {
            this.log.error(`CUDA install failed: ${message.message}`);
            reject(new Error(message.message));
          }
        });
        child.on('exit', (code) => {
          if (code !== 0) reject(new Error(stderr.trim().split('\n').pop() || `exit code ${code}`));
        });
      });
    });
  }

  /** Other node-llama-cpp versions' packages: no engine of this extension can use them any more. */
  private async removeOtherVersions(keep: string): Promise<void> {
    const root = path.dirname(keep);
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const folder = path.join(root, name);
      if (folder === keep || !/^\d+\.\d+\.\d+/.test(name)) continue;
      this.log.info(`Removing the CUDA packages of node-llama-cpp ${name} (${folder}): this QED uses ${path.basename(keep)}.`);
      await rm(folder, { recursive: true, force: true });
    }
  }
}

class CancelledError extends Error {}

/** The detection as lines for a dialog and the log (a missing driver is the first problem). */
function describe(detection: CudaDetection): string[] {
  const lines: string[] = [];
  if (detection.nvidiaDriver) {
    const gpu = detection.gpuNames.length ? detection.gpuNames.join(', ') : 'an NVIDIA driver';
    lines.push(`Found: ${gpu}${detection.driverVersion ? `, driver ${detection.driverVersion}` : ''}.`);
  }
  if (detection.usableMajor) lines.push(`CUDA ${detection.usableMajor} runtime: found.`);
  return [...lines, ...detection.problems];
}
