import type { CudaPackageTable } from '../src/engineShared/cuda/cudaPackages';

export function registryTarballUrl(name: string, version: string, registry?: string): string;
export function cudaPackageTable(lock: unknown): CudaPackageTable;
