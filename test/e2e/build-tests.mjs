// `npm run build:tests`: bundles the extension-host suites test/vscode/*.test.ts into
// out/test/vscode/*.test.js (CommonJS, `vscode` external; mocha's globals come from whoever runs
// them). Both runners use these files: @vscode/test-cli with VS Code desktop (.vscode-test.mjs)
// and the code-server harness here (test/e2e/runner-extension).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sources = join(root, 'test', 'vscode');
export const testsOutDir = join(root, 'out', 'test', 'vscode');

export async function buildTests() {
  const entryPoints = readdirSync(sources)
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join(sources, name));
  if (!entryPoints.length) throw new Error(`no *.test.ts in ${sources}`);
  rmSync(testsOutDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir: testsOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return readdirSync(testsOutDir)
    .filter((name) => name.endsWith('.test.js'))
    .map((name) => join(testsOutDir, name));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildTests();
  console.log(`build:tests: ${files.map((file) => file.slice(root.length + 1)).join(', ')}`);
}
