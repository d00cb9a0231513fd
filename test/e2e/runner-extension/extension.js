// A helper extension for the code-server harness (test/e2e). It is installed next to QED in the
// harness's throwaway extensions dir and does nothing unless these environment variables (given
// to code-server, hence to its extension host) are set:
//
//   QED_E2E_CONFIG_PROBE=<file>     write the effective qed.* settings to <file> at startup and on
//                                   every change.
//   QED_E2E_CONTROL=<file>          apply the user settings in <file> ({ seq, settings: { key:
//                                   value|null } }, null removes) through the configuration API
//                                   (as the Settings editor does: code-server does not notice
//                                   settings.json being rewritten behind its back), then
//                                   acknowledge `seq` in the probe file.
//   QED_EXTENSION_TESTS=<file>      time `activate()` of qed-prover.qed and record what it loaded,
//                                   then run the mocha suites QED_EXTENSION_TESTS_FILES (paths
//                                   separated by the path delimiter) with the mocha module at
//                                   QED_E2E_MOCHA, and write the results to <file> as JSON.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const vscode = require('vscode');

const QED_ID = 'qed-prover.qed';

function writeJson(file, value) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(value, null, 2));
  fs.renameSync(temporary, file);
}

function qedSettings() {
  const config = vscode.workspace.getConfiguration('qed');
  const keys = ['backend', 'model.path', 'endpoint.url', 'endpoint.model', 'generation.maxTokens'];
  return Object.fromEntries(keys.map((key) => [key, config.get(key)]));
}

function startConfigProbe(context, file) {
  let count = 0;
  let acknowledged;
  const write = () => writeJson(file, { count: count++, at: Date.now(), acknowledged, settings: qedSettings() });
  write();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('qed')) write();
    }),
  );
  const control = process.env.QED_E2E_CONTROL;
  if (!control) return;
  let applied;
  let busy = false;
  const apply = async () => {
    if (busy) return;
    busy = true;
    try {
      const request = JSON.parse(fs.readFileSync(control, 'utf8'));
      if (request.seq === applied) return;
      const config = vscode.workspace.getConfiguration();
      for (const [key, value] of Object.entries(request.settings)) {
        await config.update(key, value === null ? undefined : value, vscode.ConfigurationTarget.Global);
      }
      applied = request.seq;
      acknowledged = request.seq;
      write();
    } catch {
      // not written yet, or half written: the next poll sees it whole
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void apply(), 100);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
}

/** Native libraries mapped into this process whose path mentions llama.cpp. */
function llamaLibrariesLoaded() {
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    return [...new Set(maps.split('\n').map((line) => line.split(/\s+/)[5]).filter((file) => file && /llama|ggml/.test(file)))];
  } catch {
    return [];
  }
}

async function measureActivation() {
  const extension = vscode.extensions.getExtension(QED_ID);
  if (!extension) return { error: `${QED_ID} is not installed` };
  const wasActive = extension.isActive;
  const modulesBefore = new Set(Object.keys(require.cache));
  const builtinsBefore = new Set(process.moduleLoadList ?? []);
  const started = performance.now();
  await extension.activate();
  const activateMs = performance.now() - started;
  const loaded = Object.keys(require.cache).filter((file) => !modulesBefore.has(file));
  return {
    wasActiveBefore: wasActive,
    activateMs: Math.round(activateMs * 10) / 10,
    // QED's own share (evaluating its bundle, then its activate()); the rest is VS Code's.
    ours: extension.exports?.activation,
    modulesLoaded: loaded,
    builtinsLoaded: (process.moduleLoadList ?? []).filter((name) => !builtinsBefore.has(name)),
    nodeLlamaCppInRequireCache: Object.keys(require.cache).some((file) => file.includes('node-llama-cpp')),
    llamaNativeLibraries: llamaLibrariesLoaded(),
    extensionPath: extension.extensionPath,
    runtime: `${process.release.name} ${process.version}`,
  };
}

function runMocha(files) {
  const Mocha = require(process.env.QED_E2E_MOCHA || 'mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  for (const file of files) mocha.addFile(file);
  const tests = [];
  return new Promise((resolve) => {
    const runner = mocha.run((failures) => resolve({ failures, tests }));
    const record = (state) => (test, error) =>
      tests.push({
        title: test.fullTitle(),
        state,
        durationMs: test.duration,
        error: error ? String(error.stack || error.message || error) : undefined,
      });
    runner.on('pass', record('passed'));
    runner.on('fail', record('failed'));
    runner.on('pending', record('pending'));
  });
}

async function runExtensionTests(resultFile) {
  const result = { startedAt: new Date().toISOString() };
  try {
    result.activation = await measureActivation();
    const files = (process.env.QED_EXTENSION_TESTS_FILES || '').split(path.delimiter).filter(Boolean);
    if (!files.length) throw new Error('QED_EXTENSION_TESTS_FILES is empty');
    result.files = files;
    const started = performance.now();
    const { failures, tests } = await runMocha(files);
    result.durationMs = Math.round(performance.now() - started);
    result.failures = failures;
    result.tests = tests;
    // Figures the suites recorded (test/vscode/extensionHost.ts recordMeasurement).
    result.measurements = globalThis.qedMeasurements ?? [];
    result.activation.llamaNativeLibrariesAfterTests = llamaLibrariesLoaded();
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error);
  }
  result.finishedAt = new Date().toISOString();
  writeJson(resultFile, result);
}

exports.activate = function activate(context) {
  if (process.env.QED_E2E_CONFIG_PROBE) startConfigProbe(context, process.env.QED_E2E_CONFIG_PROBE);
  const resultFile = process.env.QED_EXTENSION_TESTS;
  // Not awaited: activation must finish, and the suites open editors and panels of their own.
  if (resultFile) setTimeout(() => void runExtensionTests(resultFile), 0);
};

exports.deactivate = function deactivate() {};
