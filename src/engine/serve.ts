/**
 * Starts the engine: binds the HTTP API on loopback first (so /health can report loading),
 * then loads the model. Used by the CLI and, forked, by the extension.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createEngineServer, type EngineStatus } from './httpServer';
import type { EngineInfo } from '../engineShared/ipcProtocol';
import { LlamaEngine, type EngineConfig } from './llamaEngine';
import type { Logger } from '../engineShared/logger';

export interface ServeOptions extends EngineConfig {
  host: string;
  port: number;
  token: string;
  /** How often a silent stream gets an SSE comment; tests shorten it (the engine's default is 15 s). */
  keepAliveMs?: number;
  /** Where to record port and token for other local tools (written with mode 0600). */
  connectionFile?: string;
  log: Logger;
  onProgress?(fraction: number): void;
}

export interface RunningEngine {
  url: string;
  port: number;
  info: EngineInfo;
  close(): Promise<void>;
}

export function newApiKey(): string {
  return randomBytes(32).toString('base64url');
}

export async function serve(options: ServeOptions): Promise<RunningEngine> {
  let status: EngineStatus = { state: 'loading', progress: 0 };
  const server = createEngineServer({
    token: options.token,
    getStatus: () => status,
    log: options.log,
    extraHost: options.host === '127.0.0.1' ? undefined : options.host,
    keepAliveMs: options.keepAliveMs,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    if (options.connectionFile) await rm(options.connectionFile, { force: true });
  };

  let engine: LlamaEngine;
  try {
    engine = await LlamaEngine.load(options, options.log, (fraction) => {
      status = { state: 'loading', progress: fraction };
      options.onProgress?.(fraction);
    });
  } catch (error) {
    await close();
    throw error;
  }
  status = { state: 'ready', engine };

  const url = `http://${options.host}:${port}`;
  if (options.connectionFile) {
    await mkdir(dirname(options.connectionFile), { recursive: true });
    await rm(options.connectionFile, { force: true });
    await writeFile(options.connectionFile, JSON.stringify({ url, port, token: options.token, pid: process.pid }), { mode: 0o600 });
  }
  return {
    url,
    port,
    info: engine.info,
    close: async () => {
      await close();
      await engine.dispose();
    },
  };
}
