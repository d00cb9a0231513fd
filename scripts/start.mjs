// `npm start [-- --tiny] [--code-server] [--port N] [--watch]`: builds the extension and opens VS
// Code on samples/ with it, until Ctrl+C.
//
// - With `code` on PATH: VS Code desktop with --extensionDevelopmentPath=<repo> (the F5 setup),
//   in its own profile under .cache/start/vscode-desktop so that its settings stay apart from yours.
// - Otherwise (or with --code-server): code-server from test/e2e (installed on first use, ~2 min)
//   on 127.0.0.1, with the repository linked into its extensions dir (a window reload picks up a
//   rebuild), profile under .cache/start/code-server. It prints the URL to open.
//
// The model: whatever qed.model.path says in that profile (empty: QED-Nano, downloaded on first
// use, ~2.5 GB). --tiny sets qed.model.path to the generated tiny test model: works offline.
// --watch keeps esbuild rebuilding the bundles (reload the window to load them).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(root, 'samples');
const startCache = join(root, '.cache', 'start');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionId = `${manifest.publisher}.${manifest.name}`;

function usage(message) {
  if (message) console.error(`start: ${message}`);
  console.error('usage: npm start [-- --tiny] [--code-server] [--port N] [--watch]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { tiny: false, codeServer: false, port: undefined, watch: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--tiny') options.tiny = true;
    else if (arg === '--code-server') options.codeServer = true;
    else if (arg === '--watch') options.watch = true;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg.startsWith('--port=')) options.port = Number(arg.slice('--port='.length));
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) usage('--port needs a port number');
  return options;
}

function run(command, args, extra = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...extra });
  if (result.status !== 0) {
    console.error(`start: ${command} ${args.join(' ')} failed (${result.signal ?? `exit code ${result.status}`})`);
    process.exit(1);
  }
}

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

function tinyModel() {
  const result = spawnSync('npm', ['run', '--silent', 'tiny-model'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = result.stdout?.trim().split('\n').pop()?.trim();
  if (result.status !== 0 || !path || !existsSync(path)) {
    console.error('start: npm run tiny-model gave no model');
    process.exit(1);
  }
  return path;
}

/** User settings of a start profile: workspace trust off, and qed.model.path per --tiny. */
function writeSettings(settingsFile, modelPath) {
  mkdirSync(dirname(settingsFile), { recursive: true });
  let settings = {};
  try {
    settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch {
    // first start, or a file with comments: start over with ours
  }
  settings['security.workspace.trust.enabled'] = false;
  if (modelPath) settings['qed.model.path'] = modelPath;
  // Leaving --tiny behind: back to the configured default model (QED-Nano).
  else if (String(settings['qed.model.path'] ?? '').includes(join('.cache', 'tiny-model'))) delete settings['qed.model.path'];
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
}

const children = new Set();
let stopping = false;
function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM'); // each child leads its own process group
    } catch {
      // gone already
    }
  }
  setTimeout(() => {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    process.exit(code);
  }, 3000).unref();
  Promise.all([...children].map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** A writer that starts every output line with `prefix`, however the chunks split lines. */
function prefixed(prefix) {
  let atLineStart = true;
  return (text) => {
    let out = '';
    for (const char of text) {
      if (atLineStart) out += prefix;
      out += char;
      atLineStart = char === '\n';
    }
    process.stdout.write(out);
  };
}

function startChild(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: true, ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function startDesktop(code, modelPath) {
  const profile = join(startCache, 'vscode-desktop');
  writeSettings(join(profile, 'user-data', 'User', 'settings.json'), modelPath);
  const args = [
    '--new-window',
    '--wait',
    '--user-data-dir', join(profile, 'user-data'),
    '--extensions-dir', join(profile, 'extensions'),
    `--extensionDevelopmentPath=${root}`,
    samples,
  ];
  console.log(`start: ${code} ${args.join(' ')}`);
  const child = startChild(code, args);
  child.once('exit', (exitCode) => {
    if (!stopping) stopAll(exitCode ?? 0);
  });
}

async function startCodeServer(options, modelPath) {
  const { installHarness } = await import(pathToFileURL(join(root, 'test', 'e2e', 'setup.mjs')).href);
  if (installHarness()) console.log('start: code-server installed');
  const { CodeServerProfile } = await import(pathToFileURL(join(root, 'test', 'e2e', 'lib', 'codeServer.mjs')).href);

  const profile = new CodeServerProfile(join(startCache, 'code-server'));
  writeSettings(profile.settingsFile, modelPath);
  // The repository itself is the extension. VS Code only scans the extensions dir when it has no
  // extensions.json (otherwise it loads what that lists), so the list is rebuilt on every start.
  for (const name of readdirSync(profile.extensionsDir)) {
    const path = join(profile.extensionsDir, name);
    if (name.startsWith(`${extensionId}-`) && lstatSync(path).isSymbolicLink()) rmSync(path); // the link only
  }
  rmSync(join(profile.extensionsDir, 'extensions.json'), { force: true });
  rmSync(join(profile.extensionsDir, '.obsolete'), { force: true });
  symlinkSync(root, join(profile.extensionsDir, `${extensionId}-${manifest.version}`), 'dir');

  const server = await profile.start({
    folder: samples,
    port: options.port,
    log: prefixed('[code-server] '),
  });
  children.add(server.child);
  server.child.once('exit', () => {
    children.delete(server.child);
    if (!stopping) {
      console.error('start: code-server exited');
      stopAll(1);
    }
  });
  console.log(`\nstart: VS Code (code-server) with QED is at\n\n    ${server.folderUrl()}\n\nstart: model: ${modelPath ?? 'qed.model.path of that profile (empty: QED-Nano, downloaded on first use)'}; Ctrl+C stops.\n`);
}

const options = parseArgs(process.argv.slice(2));
run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const modelPath = options.tiny ? tinyModel() : undefined;
if (options.watch) startChild(process.execPath, [join(root, 'scripts', 'build.mjs'), '--watch']);

const code = options.codeServer ? undefined : onPath('code');
if (code) await startDesktop(code, modelPath);
else await startCodeServer(options, modelPath);
