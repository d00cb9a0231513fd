// code-server (VS Code in the browser) from test/e2e/node_modules, run by its Node 24, with
// throwaway user-data and extensions dirs. Used by the e2e harness and by `npm start`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const e2eDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const node24 = join(e2eDir, 'node_modules', 'node', 'bin', 'node');
export const codeServerEntry = join(e2eDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The environment for code-server: Node 24 first on PATH, nothing from a surrounding VS Code. */
export function codeServerEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_)/.test(key)) continue; // e.g. when run from a VS Code terminal
    env[key] = value;
  }
  env.PATH = `${dirname(node24)}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

function commonArgs({ userDataDir, extensionsDir, configFile }) {
  return ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check'];
}

/**
 * A code-server profile: user-data dir (with User/settings.json) and extensions dir under `dir`.
 * Several servers may use one profile's extensions dir in turn.
 */
export class CodeServerProfile {
  constructor(dir, { extensionsDir } = {}) {
    this.dir = dir;
    this.userDataDir = join(dir, 'user-data');
    this.extensionsDir = extensionsDir ?? join(dir, 'extensions');
    // code-server writes a default config (with a password) where --config points if it is missing.
    this.configFile = join(dir, 'config.yaml');
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    mkdirSync(this.extensionsDir, { recursive: true });
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, 'auth: none\ncert: false\n');
  }

  get settingsFile() {
    return join(this.userDataDir, 'User', 'settings.json');
  }

  readSettings() {
    try {
      return JSON.parse(readFileSync(this.settingsFile, 'utf8'));
    } catch {
      return {};
    }
  }

  /** Replaces User/settings.json (workspace trust is always off: untrusted folders hide commands). */
  writeSettings(settings) {
    writeFileSync(this.settingsFile, `${JSON.stringify({ 'security.workspace.trust.enabled': false, ...settings }, null, 2)}\n`);
  }

  updateSettings(changes) {
    const next = { ...this.readSettings(), ...changes };
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete next[key];
    this.writeSettings(next);
  }

  /** `code-server --install-extension` for each VSIX (or gallery id), before the server starts. */
  installExtensions(vsixes) {
    const args = [codeServerEntry, ...commonArgs(this)];
    for (const vsix of vsixes) args.push('--install-extension', vsix);
    args.push('--force');
    const result = spawnSync(node24, args, { encoding: 'utf8', env: codeServerEnv(), timeout: 120_000 });
    const output = `${result.stdout}\n${result.stderr}`.trim();
    if (result.status !== 0 || /failed|error/i.test(result.stderr ?? '')) {
      throw new Error(`code-server --install-extension failed (${result.status ?? result.signal}):\n${output}`);
    }
    return output;
  }

  /** Starts code-server on 127.0.0.1 and resolves once it answers. `env` reaches the extension host. */
  async start({ folder, env = {}, port, log } = {}) {
    port ??= await freePort();
    const args = [
      codeServerEntry,
      ...commonArgs(this),
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ];
    if (folder) args.push(folder);
    // Its own process group, so that stop() also ends the extension hosts and engines it started.
    const child = spawn(node24, args, { env: codeServerEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const server = new CodeServer(child, port, folder, log);
    await server.ready();
    return server;
  }
}

export class CodeServer {
  constructor(child, port, folder, log) {
    this.child = child;
    this.port = port;
    this.folder = folder;
    this.url = `http://127.0.0.1:${port}`;
    this.output = '';
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const collect = (data) => {
      const text = data.toString();
      this.output += text;
      if (this.output.length > 2_000_000) this.output = this.output.slice(-1_000_000);
      log?.(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
  }

  /** The URL that opens `folder` (default: the folder it was started with). */
  folderUrl(folder = this.folder) {
    return folder ? `${this.url}/?folder=${encodeURIComponent(folder)}` : this.url;
  }

  async ready(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let exit;
    void this.exited.then((value) => (exit = value));
    while (Date.now() < deadline) {
      if (exit) throw new Error(`code-server exited (${exit.signal ?? exit.code}) before it was ready:\n${this.output.slice(-4000)}`);
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`code-server did not answer on ${this.url} within ${timeoutMs / 1000} s:\n${this.output.slice(-4000)}`);
  }

  /** Stops code-server and its extension hosts (and their engine processes). */
  async stop() {
    await stopProcessGroup(this.child, this.exited);
  }
}

/** SIGTERM to a detached child's process group, SIGKILL to what is left after 5 s or its exit. */
export async function stopProcessGroup(child, exited) {
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  // Children that outlived the leader (extension hosts, engines) go with the group.
  signalGroup('SIGKILL');
}
