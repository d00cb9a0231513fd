/**
 * node-llama-cpp's prebuilt CUDA packages (`@node-llama-cpp/<platform>-cuda` and `-cuda-ext`):
 * which ones this machine needs, where QED keeps them, and whether they are there.
 *
 * The table comes from the project's package-lock.json at build time (scripts/cudaPackageTable.mjs,
 * written to dist/cuda-packages.json). They are kept in
 * `<storage>/llama-packages/<node-llama-cpp version>/node_modules/@node-llama-cpp/…`: node-llama-cpp
 * only accepts a binaries package of exactly its own version, so each version has its own folder and
 * an extension update that brings a new node-llama-cpp needs a new download.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface CudaPackage {
  /** `@node-llama-cpp/linux-x64-cuda` */
  name: string;
  version: string;
  /** The registry's tarball. */
  url: string;
  /** Subresource integrity of the tarball, `sha512-<base64>`, as package-lock.json records it. */
  integrity: string;
}

export interface CudaPackageTable {
  nodeLlamaCppVersion: string;
  packages: CudaPackage[];
}

export const CUDA_TABLE_FILE = 'cuda-packages.json';

/** The environment variable that names the packages folder for the engine process. */
export const LLAMA_PACKAGES_ENV = 'QED_LLAMA_PACKAGES';

/** node-llama-cpp's name for the platform: `linux-x64`, `win-x64`, `mac-arm64`. */
export function llamaPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'win' : platform === 'darwin' ? 'mac' : platform;
  return `${os}-${arch}`;
}

/** The CUDA packages for this platform, main package first; empty where node-llama-cpp has no CUDA build. */
export function cudaPackagesFor(table: CudaPackageTable, platform = llamaPlatform()): CudaPackage[] {
  const main = `@node-llama-cpp/${platform}-cuda`;
  return table.packages.filter((pkg) => pkg.name === main || pkg.name === `${main}-ext`).sort((a, b) => a.name.length - b.name.length);
}

/** Reads and checks the table the build wrote; a clear error when it is missing or malformed. */
export function readCudaPackageTable(file: string): CudaPackageTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the CUDA package table ${file} (${(error as Error).message}); rebuild QED (npm run build).`);
  }
  const table = parsed as Partial<CudaPackageTable>;
  const valid =
    typeof table.nodeLlamaCppVersion === 'string' &&
    Array.isArray(table.packages) &&
    table.packages.every(
      (pkg) =>
        typeof pkg?.name === 'string' &&
        /^@node-llama-cpp\/[a-z0-9-]+$/.test(pkg.name) &&
        typeof pkg.version === 'string' &&
        typeof pkg.url === 'string' &&
        /^sha512-[A-Za-z0-9+/]+={0,2}$/.test(pkg.integrity ?? ''),
    );
  if (!valid) throw new Error(`The CUDA package table ${file} is malformed; rebuild QED (npm run build).`);
  return table as CudaPackageTable;
}

/** The folder of one node-llama-cpp version's downloaded packages (the engine's `QED_LLAMA_PACKAGES`). */
export function llamaPackagesDir(storageDir: string, nodeLlamaCppVersion: string): string {
  return path.join(storageDir, 'llama-packages', nodeLlamaCppVersion);
}

/** Where a package is unpacked inside that folder, laid out as npm would. */
export function packageDir(packagesDir: string, name: string): string {
  return path.join(packagesDir, 'node_modules', name);
}

/** The version of a package unpacked there, if any. */
export function installedVersion(packagesDir: string, name: string): string | undefined {
  const manifest = path.join(packageDir(packagesDir, name), 'package.json');
  if (!existsSync(manifest)) return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Every package of the list unpacked, each of the version the table names. */
export function cudaPackagesInstalled(packagesDir: string, packages: readonly CudaPackage[]): boolean {
  return packages.length > 0 && packages.every((pkg) => installedVersion(packagesDir, pkg.name) === pkg.version);
}
