/** Runs the real engine CLI (`node dist/cli.js serve`) on the tiny test model for integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { ensureTinyModel } from '../../models/tiny/generate';

export const REPO = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO, 'dist', 'cli.js');

export interface CliEngine {
  url: string;
  port: number;
  apiKey: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * One engine thread by default: on a 2-core machine that also runs the test process, llama.cpp's
 * spinning thread barrier with 2 threads decodes 15–50× slower (measured, see bench/RESULTS.md).
 */
export const TEST_THREADS = 1;

/** `threads: 'default'` leaves the choice to the engine (the machine's math cores), as the extension does. */
/** `parallel: 'auto'` leaves the number of sequences to the memory plan. */
export async function startCliEngine(options: { parallel?: number | 'auto'; threads?: number | 'default'; extraArgs?: string[]; modelPath?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliEngine> {
  const modelPath = options.modelPath ?? (await ensureTinyModel());
  const threads = options.threads === 'default' ? [] : ['--threads', String(options.threads ?? TEST_THREADS)];
  const args = [CLI, 'serve', '--model', modelPath, '--parallel', String(options.parallel ?? 4), '--gpu', 'cpu', ...threads, ...(options.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, QED_API_KEY: '', ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const { url, apiKey } = await new Promise<{ url: string; apiKey: string }>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      stdout += data.toString();
      const key = /^api key: (\S+)$/m.exec(stdout)?.[1];
      const listening = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)?.[1];
      if (key && listening) resolve({ url: listening, apiKey: key });
    });
    child.on('exit', (code) => reject(new Error(`engine exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    apiKey,
    child,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The engine's /health (threads, context size, generations in flight). */
export interface EngineHealthReport {
  threads: number;
  contextSize: number;
  parallel: number;
  kvCache: string;
  flashAttention: boolean;
  active: number;
}

export async function engineHealth(engine: Pick<CliEngine, 'url' | 'apiKey'>): Promise<EngineHealthReport> {
  const response = await fetch(`${engine.url}/health`, { headers: { authorization: `Bearer ${engine.apiKey}` } });
  return (await response.json()) as EngineHealthReport;
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
