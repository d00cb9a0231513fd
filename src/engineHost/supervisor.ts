/**
 * Starts and owns engine processes (`dist/cli.js serve`, forked with the caller's own runtime),
 * one at a time. A connection is reused while the settings stay the same; a crashed engine is
 * forgotten, so the next `connect` starts a new one. No VS Code here: the extension wraps this
 * with a progress notification and its log channel.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { forkCli } from './forkCli';
import { LLAMA_PACKAGES_ENV } from '../engineShared/cuda/cudaPackages';
import type { EngineInfo, EngineToHost } from '../engineShared/ipcProtocol';
import type { BackendChoice, KvCacheType } from '../engineShared/memoryPlan';
import type { Logger } from '../engineShared/logger';

export interface EngineLaunchSettings {
  modelPath: string;
  gpu: BackendChoice;
  gpuLayers: 'auto' | number;
  threads?: number;
  /** Each unset: the memory plan decides. */
  parallel?: number;
  contextSize?: number;
  kvCache?: KvCacheType;
  /** A folder of node-llama-cpp binaries packages to look in first (the CUDA ones QED downloaded). */
  llamaPackagesDir?: string;
}

export interface EngineConnection {
  baseUrl: string;
  apiKey: string;
  pid: number;
  info: EngineInfo;
}

/** The engine could not start; `code` tells the UI which fix to offer. */
export class EngineStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export class EngineSupervisor {
  private child: ChildProcess | undefined;
  private connection: Promise<EngineConnection> | undefined;
  private settingsKey: string | undefined;

  constructor(
    private readonly cliPath: string,
    private readonly log: Logger,
    private readonly connectionFile?: string,
    /** `onExit`: the running engine went away by itself (a crash, killed from outside). */
    private readonly events: { onExit?(): void } = {},
  ) {}

  /** The engine already started (or starting) for exactly these settings, if any. */
  existing(settings: EngineLaunchSettings): Promise<EngineConnection> | undefined {
    return this.settingsKey === JSON.stringify(settings) ? this.connection : undefined;
  }

  /** The running engine for these settings, started (and its model loaded) if needed. */
  connect(settings: EngineLaunchSettings, events: { onProgress?(fraction: number): void; signal?: AbortSignal } = {}): Promise<EngineConnection> {
    const key = JSON.stringify(settings);
    const existing = this.existing(settings);
    if (existing) return existing;
    if (this.child) this.log.info('Engine settings changed; restarting the engine.');
    this.stop();
    this.settingsKey = key;
    const connection = this.start(settings, events);
    this.connection = connection;
    connection.catch(() => {
      if (this.connection === connection) this.connection = undefined;
    });
    return connection;
  }

  stop(): void {
    this.connection = undefined;
    const child = this.child;
    this.child = undefined;
    child?.kill();
  }

  private start(settings: EngineLaunchSettings, events: { onProgress?(fraction: number): void; signal?: AbortSignal }): Promise<EngineConnection> {
    const apiKey = randomBytes(32).toString('base64url');
    const args = ['serve', '--model', settings.modelPath, '--gpu', settings.gpu, '--gpu-layers', String(settings.gpuLayers)];
    if (settings.parallel) args.push('--parallel', String(settings.parallel));
    if (settings.kvCache) args.push('--kv-cache', settings.kvCache);
    if (settings.threads) args.push('--threads', String(settings.threads));
    if (settings.contextSize) args.push('--context-size', String(settings.contextSize));
    if (this.connectionFile) args.push('--connection-file', this.connectionFile);
    this.log.info(`Starting engine: ${path.basename(settings.modelPath)} (${settings.modelPath})`);

    const env: NodeJS.ProcessEnv = { QED_API_KEY: apiKey, [LLAMA_PACKAGES_ENV]: settings.llamaPackagesDir ?? '' };
    const child = forkCli(this.cliPath, args, { env, stdout: 'pipe' });
    this.child = child;
    child.stdout?.on('data', (data: Buffer) => this.log.info(data.toString().trimEnd()));
    child.stderr?.on('data', (data: Buffer) => this.log.warn(data.toString().trimEnd()));

    return new Promise<EngineConnection>((resolve, reject) => {
      let ready = false;
      events.signal?.addEventListener('abort', () => {
        if (ready) return;
        if (this.child === child) this.stop();
        reject(new EngineStartError('Loading the model was cancelled.', 'cancelled'));
      });
      child.on('message', (message: EngineToHost) => {
        switch (message.type) {
          case 'log':
            this.log[message.level](message.message);
            break;
          case 'progress':
            events.onProgress?.(message.fraction);
            break;
          case 'ready':
            ready = true;
            resolve({ baseUrl: `${message.url}/v1`, apiKey, pid: child.pid!, info: message.info });
            break;
          case 'failed':
            reject(new EngineStartError(message.message, message.code));
            break;
        }
      });
      child.on('error', (error) => reject(new EngineStartError(`The engine process could not start: ${error.message}`, 'spawn_failed')));
      child.on('exit', (code, signal) => {
        const stoppedByUs = this.child !== child;
        if (!stoppedByUs) {
          this.child = undefined;
          this.connection = undefined;
        }
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!ready) reject(new EngineStartError(`The engine exited while starting (${how}); see “QED: Show Engine Log”.`, 'crashed'));
        else if (stoppedByUs) this.log.info('Engine stopped.');
        else {
          // What happens next is the owner's to say: the extension starts a new engine on the next request, the CLI stops.
          this.log.warn(`Engine exited (${how}).`);
          this.events.onExit?.();
        }
      });
    });
  }
}
