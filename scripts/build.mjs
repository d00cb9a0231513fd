// Builds the three bundles: the extension host, the engine/CLI (node-llama-cpp stays external:
// it is ESM with native binaries), and the webviews' browser bundles with KaTeX's assets; and
// dist/cuda-packages.json, the CUDA packages `qed cuda install` may fetch (from package-lock.json).
import * as esbuild from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cudaPackageTable } from './cudaPackageTable.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const dist = join(root, 'dist');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
};

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'node-llama-cpp'],
    // When the bundle started and finished running: activate() reports that apart from VS Code's part.
    // The directive first: a banner before esbuild's "use strict" would turn strict mode off.
    banner: { js: '"use strict";\nvar __qedBundleStarted = performance.now();' },
    footer: { js: 'var __qedBundleEvaluated = performance.now();' },
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/index.ts' },
    outdir: dist,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['node-llama-cpp'],
    // The eval report uses the webviews' renderer: one KaTeX, as in the webview bundles below.
    alias: { katex: 'katex/dist/katex.mjs' },
  },
  {
    ...common,
    // The Proof panel, the side-panel chat and the Deep Prove panel: one chunk-free bundle each.
    entryPoints: { panel: 'webview-ui/src/main.ts', chat: 'webview-ui/src/chat/main.ts', deep: 'webview-ui/src/deep/main.ts' },
    outdir: join(dist, 'webview'),
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css' },
    // @vscode/markdown-it-katex pulls in its own KaTeX; one copy (ours) is enough.
    alias: { katex: 'katex/dist/katex.mjs' },
  },
];

async function copyKatexAssets() {
  const katexDist = join(root, 'node_modules', 'katex', 'dist');
  const target = join(dist, 'webview', 'katex');
  await mkdir(target, { recursive: true });
  await cp(join(katexDist, 'katex.min.css'), join(target, 'katex.min.css'));
  // Only woff2: every browser engine VS Code ships reads it, and it keeps the package small.
  await cp(join(katexDist, 'fonts'), join(target, 'fonts'), {
    recursive: true,
    filter: (source) => !/\.(woff|ttf)$/.test(source),
  });
}

async function writeCudaPackageTable() {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8'));
  await mkdir(dist, { recursive: true });
  await writeFile(join(dist, 'cuda-packages.json'), `${JSON.stringify(cudaPackageTable(lock), null, 2)}\n`);
}

if (!watch) await rm(dist, { recursive: true, force: true });
await copyKatexAssets();
await writeCudaPackageTable();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
