/**
 * Makes node-llama-cpp find binaries packages that QED downloaded (the CUDA ones) outside the
 * extension's node_modules. node-llama-cpp looks for them with `import("@node-llama-cpp/<name>")`,
 * a bare specifier that ESM resolves from the importing file's folders only (NODE_PATH does not
 * apply), so the engine process registers a module resolve hook: a specifier naming a package that
 * is in the packages folder resolves as if imported from that folder, by Node's own resolution
 * (the package's `exports` included). Anything else resolves as before.
 *
 * `module.registerHooks` (Node 22.15+, 23.5+: in-thread and synchronous) where it exists, else
 * `module.register` (Node 20.6+: hooks on a loader thread, given as a data: URL module).
 */
import { readdirSync } from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { llamaPlatform } from '../../engineShared/cuda/cudaPackages';

let inUse: readonly string[] = [];

/** The packages the hook serves (set by useLlamaPackages). */
export function llamaPackagesInUse(): readonly string[] {
  return inUse;
}

/** Whether a CUDA package for this platform is among the packages the hook serves. */
export function cudaPackagesInUse(platform = llamaPlatform()): boolean {
  return inUse.includes(`@node-llama-cpp/${platform}-cuda`);
}

interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
}
type NextResolve = (specifier: string, context?: ResolveContext) => unknown;
type RegisterHooks = (hooks: { resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): unknown }) => unknown;

/**
 * Registers the hook for the `@node-llama-cpp/*` packages in `dir` (laid out as `node_modules/…`);
 * returns their names (empty: nothing there, nothing registered).
 */
export function useLlamaPackages(dir: string): string[] {
  const scope = path.join(dir, 'node_modules', '@node-llama-cpp');
  let names: string[];
  try {
    names = readdirSync(scope, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.includes('.'))
      .map((entry) => `@node-llama-cpp/${entry.name}`);
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  inUse = names;
  // A file URL inside the folder: resolving from it walks up into <dir>/node_modules.
  const anchor = pathToFileURL(path.join(dir, 'qed-llama-packages.js')).href;
  const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (registerHooks) {
    const ours = new Set(names);
    registerHooks({
      resolve(specifier, context, nextResolve) {
        if (!ours.has(specifier)) return nextResolve(specifier, context);
        try {
          return nextResolve(specifier, { ...context, parentURL: anchor });
        } catch {
          return nextResolve(specifier, context);
        }
      },
    });
  } else {
    nodeModule.register(`data:text/javascript,${encodeURIComponent(ASYNC_HOOK)}`, { data: { names, anchor } });
  }
  return names;
}

/** The same hook for `module.register`, which runs it on the loader thread as a module of its own. */
const ASYNC_HOOK = `
let ours = new Set();
let anchor;
export function initialize(data) {
  ours = new Set(data.names);
  anchor = data.anchor;
}
export async function resolve(specifier, context, nextResolve) {
  if (!ours.has(specifier)) return nextResolve(specifier, context);
  try {
    return await nextResolve(specifier, { ...context, parentURL: anchor });
  } catch {
    return nextResolve(specifier, context);
  }
}
`;
