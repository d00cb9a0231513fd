/**
 * Forks `dist/cli.js` with the caller's own runtime, for the engine and for downloads alike.
 */
import { fork, type ChildProcess } from 'node:child_process';

export function forkCli(cliPath: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdout: 'pipe' | 'ignore' }): ChildProcess {
  return fork(cliPath, args, {
    execPath: process.execPath,
    // Not the parent's flags: a loader or inspector there (tsx, --inspect) would slow or break the child.
    execArgv: [],
    // VS Code desktop's runtime is Electron; this makes it behave as plain Node.
    env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', options.stdout, 'pipe', 'ipc'],
  });
}
