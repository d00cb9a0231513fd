// ESLint (flat config): typescript-eslint's recommended rules, and import rules that keep each
// folder in the process it runs in (README, Architecture):
//   src/vscode        the extension host's VS Code adapters: the only code that imports `vscode`;
//   src/engineHost    the host's side of the engine (supervisor, fork of the CLI);
//   src/engine        the forked `dist/cli.js` process: node-llama-cpp lives here only;
//   src/engineShared  definitions both sides use (IPC messages, memory plan, labels);
//   src/core          pure: no `vscode`, no engine, no adapters;
//   webview-ui        the browser: no host code, no Node built-ins.
// Host code that pulled in engine code would load node-llama-cpp (native, ESM) into the extension
// host, and a webview that pulled in host code would not even bundle for the browser.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Each restriction: the import names as `no-restricted-imports` takes them, and `source`, the same
// as a regular expression for the lazy `import()` (esquery's regex may hold no slash: \x2F).
const VSCODE = {
  paths: [{ name: 'vscode', message: 'Only the VS Code adapters (src/vscode, test/vscode) import vscode.' }],
  source: '^vscode$',
};
const NODE_LLAMA_CPP = {
  patterns: [{ group: ['node-llama-cpp', 'node-llama-cpp/*', '@node-llama-cpp/*'], message: 'node-llama-cpp runs in the engine process only (src/engine, src/cli).' }],
  source: '^@?node-llama-cpp',
};
/** A folder of src/ by name, wherever the importing file is. */
const folder = (name, message) => ({ patterns: [{ group: [`**/${name}/**`], message }], source: `(^|\\x2F)${name}\\x2F` });
const ENGINE = folder('engine', 'Engine-process code (src/engine) is not for this layer: share through src/engineShared.');
const ENGINE_HOST = folder('engineHost', "The host's side of the engine (src/engineHost) is not for this layer.");
const ENGINE_SHARED = folder('engineShared', 'src/core does not depend on the engine.');
const ADAPTERS = folder('vscode', 'The VS Code adapters (src/vscode) are not for this layer.');
const CLIENT = folder('client', 'The chat client (src/client) is not for this layer.');
const CLI = folder('cli', 'The CLI (src/cli) is not for this layer.');
const HOST_FROM_WEBVIEW = {
  patterns: [{
    group: ['**/src/vscode/**', '**/src/engine/**', '**/src/engineHost/**', '**/src/engineShared/**', '**/src/client/**', '**/src/cli/**'],
    message: 'The webview runs in the browser: it imports only pure modules of src/core.',
  }],
  source: '\\x2Fsrc\\x2F(vscode|engine|engineHost|engineShared|client|cli)\\x2F',
};
const NODE_BUILTINS = {
  paths: builtinModules.map((name) => ({ name, message: 'The webview runs in the browser: no Node built-ins.' })),
  patterns: [{ group: ['node:*'], message: 'The webview runs in the browser: no Node built-ins.' }],
  source: `^(node:.*|${builtinModules.join('|').replace(/\//g, '\\x2F')})$`,
};

/**
 * The import rules of one layer. `no-restricted-imports` covers static imports and re-exports;
 * `no-restricted-syntax` the lazy `import()` and `typeof import()` that code uses to load a module
 * on first use. Flat config replaces a rule's options per block, so each block lists all of them.
 */
function layer(...restrictions) {
  const source = restrictions.map((r) => `(${r.source})`).join('|');
  const message = 'This layer does not load that module (see eslint.config.mjs).';
  return {
    'no-restricted-imports': ['error', { paths: restrictions.flatMap((r) => r.paths ?? []), patterns: restrictions.flatMap((r) => r.patterns ?? []) }],
    'no-restricted-syntax': [
      'error',
      { selector: `ImportExpression[source.value=/${source}/]`, message },
      { selector: `TSImportType[argument.literal.value=/${source}/]`, message },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '**/node_modules/**', 'test/e2e/artifacts/**', '.vscode-test/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore names what is there only to be left out (`{ turns: _turns, ...header }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The hostile-TeX and control-character filters match control characters on purpose.
      'no-control-regex': 'off',
      'max-len': ['error', { code: 200, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
  // Everything (the CLI, tests, bench, models, scripts) but the adapters keeps off `vscode`.
  { files: ['**/*.{ts,mts,js,mjs}'], rules: layer(VSCODE) },
  { files: ['src/vscode/**', 'test/vscode/**', 'test/e2e/runner-extension/**'], rules: layer(NODE_LLAMA_CPP, ENGINE) },
  { files: ['src/client/**', 'src/engineHost/**'], rules: layer(VSCODE, NODE_LLAMA_CPP, ENGINE, ADAPTERS, CLI) },
  { files: ['src/core/**'], rules: layer(VSCODE, NODE_LLAMA_CPP, ENGINE, ENGINE_HOST, ENGINE_SHARED, ADAPTERS, CLIENT, CLI) },
  { files: ['src/engineShared/**'], rules: layer(VSCODE, NODE_LLAMA_CPP, ENGINE, ENGINE_HOST, ADAPTERS, CLIENT, CLI) },
  { files: ['src/engine/**'], rules: layer(VSCODE, ENGINE_HOST, ADAPTERS, CLIENT, CLI) },
  {
    files: ['webview-ui/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: layer(VSCODE, NODE_LLAMA_CPP, HOST_FROM_WEBVIEW, NODE_BUILTINS),
  },
  // Mocha suites in plain JS, with callbacks that Playwright runs in the page.
  { files: ['test/e2e/**/*.{js,mjs}'], languageOptions: { globals: { ...globals.node, ...globals.mocha, ...globals.browser } } },
  // The e2e runner extension is CommonJS, as VS Code loads it; its requires are module-scoped.
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
);
