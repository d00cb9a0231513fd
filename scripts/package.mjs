// Builds a platform-specific VSIX: `npm run package [-- --target <vsce target>]`.
//
// 1. `node scripts/build.mjs --production` (minified bundles, no source maps).
// 2. `vsce package --target <target>` with .vscodeignore, whose node-llama-cpp block is rewritten
//    so that only the target's prebuilt llama.cpp binaries go in (never the CUDA ones).
// Output: qed-<version>-<target>.vsix in the repository root (gitignored). Prints its size.
//
// The default target is this machine's (linux-x64 here). Only binaries that npm installed on
// this machine can be shipped: package each platform on that platform (a CI matrix).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The node-llama-cpp prebuilt-binary packages shipped for each vsce target (CPU first, then GPU). */
const BINARIES = {
  'linux-x64': ['linux-x64', 'linux-x64-vulkan'],
  'linux-arm64': ['linux-arm64'],
  'linux-armhf': ['linux-armv7l'],
  'darwin-arm64': ['mac-arm64-metal'],
  'darwin-x64': ['mac-x64'],
  'win32-x64': ['win-x64', 'win-x64-vulkan'],
  'win32-arm64': ['win-arm64'],
};
const MAX_VSIX_BYTES = 150 * 1024 * 1024;

function usage(message) {
  if (message) console.error(`package: ${message}`);
  console.error(`usage: npm run package [-- --target <${Object.keys(BINARIES).join('|')}>] [--skip-build] [--out <file.vsix>]`);
  process.exit(2);
}

function defaultTarget() {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  if (process.platform === 'linux') {
    // node-llama-cpp's prebuilt binaries need glibc; Alpine (musl) would have to build from source.
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    if (!glibc) usage('this looks like a musl (Alpine) system: node-llama-cpp has no prebuilt binaries for it');
  }
  return `${process.platform}-${arch}`;
}

function parseArgs(argv) {
  const options = { target: undefined, skipBuild: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') options.target = argv[++i];
    else if (arg.startsWith('--target=')) options.target = arg.slice('--target='.length);
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '--skip-build') options.skipBuild = true;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  options.target ??= defaultTarget();
  if (!BINARIES[options.target]) usage(`unsupported target ${options.target}`);
  return options;
}

function run(command, args, extra = {}) {
  console.log(`> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...extra });
  if (result.status !== 0) {
    console.error(`package: ${command} failed (${result.signal ?? `exit code ${result.status}`})`);
    process.exit(1);
  }
}

/** .vscodeignore with its node-llama-cpp block replaced by the target's. */
function ignoreFileFor(target) {
  const text = readFileSync(join(root, '.vscodeignore'), 'utf8');
  const begin = text.indexOf('# @node-llama-cpp-target-begin');
  const end = text.indexOf('# @node-llama-cpp-target-end');
  if (begin < 0 || end < begin) throw new Error('.vscodeignore lacks the @node-llama-cpp-target markers');
  const keep = BINARIES[target].join('|');
  const block = `# @node-llama-cpp-target-begin (${target})\nnode_modules/@node-llama-cpp/!(${keep})/**\n`;
  return text.slice(0, begin) + block + text.slice(end);
}

const options = parseArgs(process.argv.slice(2));
const { version, name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const missing = BINARIES[options.target].filter((pkg) => !existsSync(join(root, 'node_modules', '@node-llama-cpp', pkg, 'package.json')));
if (missing.length) {
  console.error(
    `package: the prebuilt binaries for ${options.target} are not installed here (${missing.map((pkg) => `@node-llama-cpp/${pkg}`).join(', ')}).\n` +
      `npm installs only this platform's. Package ${options.target} on such a machine (npm ci && npm run package), e.g. in a CI matrix.`,
  );
  process.exit(1);
}

if (!options.skipBuild) run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--production']);

const out = options.out ?? join(root, `${name}-${version}-${options.target}.vsix`);
const scratch = mkdtempSync(join(tmpdir(), 'qed-package-'));
try {
  const ignoreFile = join(scratch, 'vscodeignore');
  writeFileSync(ignoreFile, ignoreFileFor(options.target));
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(process.execPath, [vsce, 'package', '--target', options.target, '--ignoreFile', ignoreFile, '--out', out]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const size = statSync(out).size;
console.log(`package: ${out} (${(size / 1024 / 1024).toFixed(1)} MB, target ${options.target}, llama.cpp binaries: ${BINARIES[options.target].join(', ')})`);
if (size > MAX_VSIX_BYTES) {
  console.error(`package: the VSIX is larger than the ${MAX_VSIX_BYTES / 1024 / 1024} MB budget`);
  process.exit(1);
}
