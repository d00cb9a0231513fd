// Installs the harness's own dependencies (code-server, Node 24, playwright-core, mocha) into
// test/e2e/node_modules, or does nothing (in well under a second) when the installed set matches
// package-lock.json. Runs on whatever Node runs npm (20 here).
//
// code-server 4.139 requires Node 24 for its postinstall (it compiles native modules against
// the Node that will run it), but npm would run that script with the Node that runs npm. So:
//   1. npm ci --ignore-scripts         everything, no lifecycle scripts
//   2. npm rebuild node                the `node` package's preinstall fetches the Node 24 binary
//   3. npm rebuild argon2 code-server  with node_modules/.bin (Node 24) first on PATH
// Step 3 needs a C/C++ toolchain and Debian's libkrb5-dev; it takes ~2 minutes on 2 cores.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, 'node_modules');
const stampFile = join(modules, '.qed-e2e-installed');
const bin = join(modules, '.bin');

function lockHash() {
  return createHash('sha256').update(readFileSync(join(here, 'package-lock.json'))).digest('hex');
}

export function harnessInstalled() {
  try {
    return (
      readFileSync(stampFile, 'utf8').trim() === lockHash() &&
      existsSync(join(modules, 'code-server', 'out', 'node', 'entry.js')) &&
      existsSync(join(modules, 'node', 'bin', 'node'))
    );
  } catch {
    return false;
  }
}

// Under `npm test`, the outer npm's npm_* variables reach us; the inner npm would take them as
// its own config. code-server's postinstall reads the Node version from npm_config_user_agent,
// which would then still say Node 20.
function withoutNpmVariables(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

function npm(args, env = process.env) {
  const started = Date.now();
  console.log(`[e2e setup] npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, { cwd: here, stdio: 'inherit', env: withoutNpmVariables(env) });
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed (${result.signal ?? `exit code ${result.status}`})`);
  }
  console.log(`[e2e setup]   done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export function installHarness({ force = false } = {}) {
  if (!force && harnessInstalled()) return false;
  const started = Date.now();
  rmSync(stampFile, { force: true });
  npm(['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
  npm(['rebuild', 'node']);
  const node24 = join(modules, 'node', 'bin', 'node');
  const version = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith('v24.')) throw new Error(`the node package gave ${version || 'no Node binary'}, not Node 24`);
  npm(['rebuild', 'argon2', 'code-server'], { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` });
  writeFileSync(stampFile, `${lockHash()}\n`);
  console.log(`[e2e setup] code-server and Node ${version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (!installHarness({ force: process.argv.includes('--force') })) console.log('[e2e setup] already installed');
  } catch (error) {
    console.error(`[e2e setup] ${error.message}`);
    process.exit(1);
  }
}
