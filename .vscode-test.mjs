// Extension-host tests for people with VS Code desktop (`npx vscode-test`). Here, where VS Code
// desktop cannot be downloaded, the same suites run inside code-server via test/e2e.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/vscode/**/*.test.js',
  workspaceFolder: 'samples',
  env: { QED_TEST_MODEL: `${process.cwd()}/.cache/tiny-model/qed-tiny.gguf` },
  mocha: { ui: 'bdd', timeout: 120000 },
});
