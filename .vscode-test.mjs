// Extension-host tests for people with VS Code desktop: `npm run build && npm run build:tests &&
// npx vscode-test`. Here, where VS Code desktop cannot be downloaded, the same bundled suites
// (out/test/vscode/*.test.js, from test/vscode/*.test.ts) run inside code-server via test/e2e.
import { execFileSync } from 'node:child_process';
import { defineConfig } from '@vscode/test-cli';

// The tiny model's file name carries a hash of its generator's inputs: ask the generator.
const tinyModel = execFileSync('npm', ['run', '--silent', 'tiny-model'], { encoding: 'utf8' }).trim().split('\n').pop();
const shapeModel = execFileSync('npm', ['run', '--silent', 'shape-model', '--', 'reduced'], { encoding: 'utf8' }).trim().split('\n').pop();

export default defineConfig({
  files: 'out/test/vscode/**/*.test.js',
  workspaceFolder: 'samples',
  env: { QED_TEST_MODEL: tinyModel, QED_TEST_SHAPE_MODEL: shapeModel },
  mocha: { ui: 'bdd', timeout: 120000 },
});
