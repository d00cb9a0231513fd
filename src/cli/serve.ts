/**
 * `qed serve`: runs the engine from a terminal, or forked by the extension, in which case
 * progress, readiness, failures and logs travel over the IPC channel instead of stdout.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { LLAMA_PACKAGES_ENV } from '../engineShared/cuda/cudaPackages';
import { llamaPackagesInUse } from '../engine/cuda/llamaPackagesHook';
import type { BackendChoice } from '../engineShared/memoryPlan';
import type { EngineToHost } from '../engineShared/ipcProtocol';
import { createLogger, type Logger } from '../engineShared/logger';
import { EngineError } from '../engine/llamaEngine';
import { newApiKey, serve, type ServeOptions } from '../engine/serve';
import { UsageError } from './usageError';

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);
const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cuda', 'vulkan', 'metal', 'cpu'];

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      port: { type: 'string', default: '0' },
      'api-key': { type: 'string' },
      parallel: { type: 'string', default: 'auto' },
      'kv-cache': { type: 'string', default: 'auto' },
      threads: { type: 'string' },
      'context-size': { type: 'string' },
      gpu: { type: 'string', default: 'auto' },
      'gpu-layers': { type: 'string', default: 'auto' },
      host: { type: 'string' },
      'connection-file': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (!values.model) throw new UsageError('serve needs --model PATH (a GGUF file).');
  const explicitKey = values['api-key'] || process.env.QED_API_KEY || undefined;
  const host = values.host === 'localhost' ? '127.0.0.1' : (values.host ?? '127.0.0.1');
  if (!LOOPBACK.has(host) && !explicitKey) {
    throw new UsageError(`Refusing to listen on ${host} without an API key: pass --api-key or set QED_API_KEY.`);
  }
  if (!BACKEND_CHOICES.includes(values.gpu as BackendChoice)) throw new UsageError(`--gpu must be one of ${BACKEND_CHOICES.join(', ')}.`);
  const kvCache = values['kv-cache'];
  if (kvCache !== 'auto' && kvCache !== 'f16' && kvCache !== 'q8_0') throw new UsageError('--kv-cache must be auto, f16 or q8_0.');

  const forked = typeof process.send === 'function';
  const send = (message: EngineToHost) => process.send?.(message);
  const log: Logger = createLogger(
    forked ? (level, message) => send({ type: 'log', level, message }) : (level, message) => process.stderr.write(`[${level}] ${message}\n`),
    values.verbose ? 'debug' : forked ? 'debug' : 'info',
  );
  const extraPackages = llamaPackagesInUse();
  if (extraPackages.length) log.info(`node-llama-cpp binaries from ${process.env[LLAMA_PACKAGES_ENV]}: ${extraPackages.join(', ')}`);
  const token = explicitKey ?? newApiKey();
  const options: ServeOptions = {
    modelPath: resolve(values.model),
    port: integer(values.port, '--port', 0, 65535),
    parallel: values.parallel === 'auto' ? undefined : integer(values.parallel, '--parallel', 1, 64),
    kvCache: kvCache === 'auto' ? undefined : kvCache,
    threads: values.threads === undefined ? undefined : integer(values.threads, '--threads', 1, 1024),
    contextSize: values['context-size'] === undefined ? undefined : integer(values['context-size'], '--context-size', 256, 10_000_000),
    gpu: values.gpu as BackendChoice,
    gpuLayers: values['gpu-layers'] === 'auto' ? 'auto' : integer(values['gpu-layers'], '--gpu-layers', 0, 10_000),
    host,
    token,
    connectionFile: values['connection-file'],
    // Only the tests shorten it, to see a keep-alive without waiting 15 s.
    keepAliveMs: process.env.QED_ENGINE_KEEPALIVE_MS ? integer(process.env.QED_ENGINE_KEEPALIVE_MS, 'QED_ENGINE_KEEPALIVE_MS', 10, 3_600_000) : undefined,
    log,
    onProgress: forked ? (fraction) => send({ type: 'progress', fraction }) : undefined,
  };
  let engine;
  try {
    engine = await serve(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (forked) {
      send({ type: 'failed', message, code: error instanceof EngineError ? error.code : undefined });
      process.disconnect?.();
    }
    process.stderr.write(`qed: ${message}\n`);
    return 1;
  }

  if (forked) send({ type: 'ready', url: engine.url, port: engine.port, info: engine.info });
  else process.stdout.write(`${explicitKey ? '' : `api key: ${token}\n`}listening on ${engine.url}\n`);

  await new Promise<void>((done) => {
    const stop = () => done();
    // Forked, Ctrl-C in a terminal reaches the parent too (`qed deep-prove`, `qed prove`), which
    // stops its calls and then this engine: stopping here first would fail those calls instead.
    // A parent that goes away without stopping us is seen by the disconnect below.
    process.on('SIGINT', forked ? () => log.info('Ctrl-C: left to the parent process, which stops the engine.') : stop);
    process.once('SIGTERM', stop);
    // The extension host went away without stopping us (crash, killed window): don't linger.
    process.once('disconnect', stop);
  });
  await engine.close();
  if (process.connected) process.disconnect();
  // Native handles of node-llama-cpp can outlive dispose; don't let them keep a stopped engine alive.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

function integer(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}.`);
  return value;
}
