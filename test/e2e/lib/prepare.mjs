// What the harness (and `npm start`) needs from the repository: the tiny model, a freshly
// packaged VSIX, the bundled extension-host suites, and the test-runner extension's VSIX.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const e2eDir = join(repoRoot, 'test', 'e2e');
const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');

function timed(label, fn) {
  const started = Date.now();
  const value = fn();
  console.log(`      [prepare] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return value;
}

/** Path of the tiny test GGUF (generated on first use; `npm run tiny-model`). */
/** The tiny model; `paced`: its variant that costs ~2–5 ms a token, about QED-Nano's pace on a GPU. */
export function tinyModelPath({ paced = false } = {}) {
  return timed(paced ? 'tiny model (paced)' : 'tiny model', () => {
    const output = execFileSync('npm', ['run', '--silent', 'tiny-model', ...(paced ? ['--', '--paced'] : [])], { cwd: repoRoot, encoding: 'utf8' });
    const path = output.trim().split('\n').pop()?.trim();
    if (!path || !existsSync(path)) throw new Error(`npm run tiny-model printed no model path:\n${output}`);
    return path;
  });
}

export function shapeModelPath(variant) {
  return timed(`QED-Nano shape model (${variant})`, () => {
    const output = execFileSync('npm', ['run', '--silent', 'shape-model', '--', variant], { cwd: repoRoot, encoding: 'utf8' });
    const path = output.trim().split('\n').pop()?.trim();
    if (!path || !existsSync(path)) throw new Error(`npm run shape-model printed no model path:\n${output}`);
    return path;
  });
}

/** `npm run package` into `out` (production build + vsce). QED_E2E_VSIX reuses a given VSIX. */
export function buildVsix(out) {
  if (process.env.QED_E2E_VSIX) return process.env.QED_E2E_VSIX;
  return timed('VSIX (npm run package)', () => {
    const output = execFileSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--out', out], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (!existsSync(out)) throw new Error(`scripts/package.mjs made no ${out}:\n${output}`);
    return out;
  });
}

/** The test-runner extension (test/e2e/runner-extension) as a VSIX in `out`. */
export function buildRunnerVsix(out) {
  return timed('runner extension VSIX', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'qed-e2e-runner-'));
    try {
      cpSync(join(e2eDir, 'runner-extension'), scratch, { recursive: true });
      execFileSync(process.execPath, [vsce, 'package', '--skip-license', '--allow-missing-repository', '--no-dependencies', '--out', out], { cwd: scratch, stdio: 'ignore' });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return out;
  });
}
