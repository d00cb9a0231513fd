// The CUDA builds of node-llama-cpp's prebuilt binaries, as package-lock.json records them: the
// table that `qed cuda install` downloads from (scripts/build.mjs writes it to
// dist/cuda-packages.json, so the installed extension, which has no lock file, knows exactly
// which tarballs to fetch and which sha512 each must have).

const DEFAULT_REGISTRY = 'https://registry.npmjs.org';
const CUDA_PACKAGE = /^@node-llama-cpp\/[a-z0-9]+-[a-z0-9]+-cuda(-ext)?$/;

/**
 * npm's tarball URL for a package version: `<registry>/<name>/-/<name without scope>-<version>.tgz`,
 * used when the lock has no `resolved` field (npm 11 leaves it out for the default registry).
 */
export function registryTarballUrl(name, version, registry = DEFAULT_REGISTRY) {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return `${registry.replace(/\/+$/, '')}/${name}/-/${base}-${version}.tgz`;
}

/**
 * `{ nodeLlamaCppVersion, packages: [{ name, version, url, integrity }] }` from a parsed
 * package-lock.json (lockfileVersion 2 or 3). Throws when the lock lacks what the table needs:
 * a build must not ship a table that cannot install.
 */
export function cudaPackageTable(lock) {
  const entries = lock?.packages;
  if (!entries || typeof entries !== 'object') throw new Error('package-lock.json has no "packages" (lockfileVersion 2 or 3 is needed)');
  const nodeLlamaCppVersion = entries['node_modules/node-llama-cpp']?.version;
  if (!nodeLlamaCppVersion) throw new Error('package-lock.json does not record node-llama-cpp');
  const packages = [];
  for (const [key, entry] of Object.entries(entries)) {
    const name = key.startsWith('node_modules/') ? key.slice('node_modules/'.length) : undefined;
    if (!name || !CUDA_PACKAGE.test(name)) continue;
    if (entry.version !== nodeLlamaCppVersion) {
      throw new Error(`package-lock.json has ${name}@${entry.version}, but node-llama-cpp@${nodeLlamaCppVersion} only accepts its own version`);
    }
    if (!/^sha512-[A-Za-z0-9+/]+={0,2}$/.test(entry.integrity ?? '')) throw new Error(`package-lock.json has no sha512 integrity for ${name}`);
    packages.push({ name, version: entry.version, url: entry.resolved ?? registryTarballUrl(name, entry.version), integrity: entry.integrity });
  }
  if (packages.length === 0) throw new Error('package-lock.json records no @node-llama-cpp/*-cuda packages');
  packages.sort((a, b) => a.name.localeCompare(b.name));
  return { nodeLlamaCppVersion, packages };
}
