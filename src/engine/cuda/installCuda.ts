/**
 * Installs node-llama-cpp's CUDA packages into a packages folder: for each one not there yet,
 * download the registry's tarball (resumable), check it against the sha512 that package-lock.json
 * recorded, unpack it beside its final place and move it in. A package appears whole or not at all,
 * and a tarball that fails its check is deleted, so the next attempt downloads it again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { registryTarballUrl } from '../../../scripts/cudaPackageTable.mjs';
import type { DownloadOptions } from '../resumableDownload';
import { installedVersion, packageDir, type CudaPackage } from '../../engineShared/cuda/cudaPackages';
import type { InstallProgress, InstallStep } from '../../engineShared/ipcProtocol';
import { matchesIntegrity, unpackTarball } from './unpackTarball';

export interface InstallOptions {
  packages: readonly CudaPackage[];
  /** The packages folder (the engine's QED_LLAMA_PACKAGES). */
  dir: string;
  /** Another registry with npm's layout (a mirror); default: the URL the table records. */
  registry?: string;
  stallSeconds: number;
  download(options: DownloadOptions): Promise<string>;
  onProgress?(progress: InstallProgress): void;
}

export class IntegrityError extends Error {}

/** Installs what is missing; returns the names installed now (empty when all were there). */
export async function installCudaPackages(options: InstallOptions): Promise<string[]> {
  const missing = options.packages.filter((pkg) => installedVersion(options.dir, pkg.name) !== pkg.version);
  const downloads = path.join(options.dir, 'downloads');
  await mkdir(downloads, { recursive: true });
  for (const [index, pkg] of missing.entries()) {
    const report = (step: InstallStep, bytes?: { downloadedBytes: number; totalBytes: number }) =>
      options.onProgress?.({ package: pkg.name, index, count: missing.length, step, ...bytes });
    report('download', { downloadedBytes: 0, totalBytes: 0 });
    const fileName = path.basename(registryTarballUrl(pkg.name, pkg.version));
    const tarball = await options.download({
      url: options.registry ? registryTarballUrl(pkg.name, pkg.version, options.registry) : pkg.url,
      dir: downloads,
      fileName,
      stallSeconds: options.stallSeconds,
      onProgress: (progress) => report('download', progress),
    });

    report('verify');
    const { ok, actual } = await matchesIntegrity(tarball, pkg.integrity);
    if (!ok) {
      await rm(tarball, { force: true });
      throw new IntegrityError(
        `${pkg.name}@${pkg.version} as downloaded does not match the sha512 recorded in package-lock.json (expected ${pkg.integrity}, got ${actual}); ` +
          'the file was deleted and nothing was installed. Try again; if it happens again, the registry or a proxy on the way serves a different file.',
      );
    }

    report('unpack');
    await moveIntoPlace(tarball, pkg, options.dir);
    await rm(tarball, { force: true });
  }
  return missing.map((pkg) => pkg.name);
}

/** Unpacks beside the final folder, checks the manifest, then swaps it in with renames. */
async function moveIntoPlace(tarball: string, pkg: CudaPackage, dir: string): Promise<void> {
  const final = packageDir(dir, pkg.name);
  const suffix = randomBytes(4).toString('hex');
  const staging = `${final}.unpacking-${suffix}`;
  try {
    await unpackTarball(tarball, staging);
    const manifest = JSON.parse(await readFile(path.join(staging, 'package.json'), 'utf8')) as { name?: string; version?: string };
    if (manifest.name !== pkg.name || manifest.version !== pkg.version) {
      throw new IntegrityError(`The tarball of ${pkg.name}@${pkg.version} holds ${manifest.name}@${manifest.version}; nothing was installed.`);
    }
    if (existsSync(final)) {
      const old = `${final}.old-${suffix}`;
      await rename(final, old);
      await rm(old, { recursive: true, force: true });
    }
    await rename(staging, final);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
