/**
 * The model behind `prove`, `critique` and `deep-prove`: an OpenAI-compatible endpoint
 * (--endpoint URL), or a GGUF (--model PATH) run by a local engine that this process forks and
 * stops (EngineSupervisor, as the extension does).
 */
import { resolve } from 'node:path';
import type { ChatBackend } from '../core/chat';
import { OpenAIChatBackend } from '../client/openaiBackend';
import { createLogger } from '../engineShared/logger';
import { EngineSupervisor } from '../engineHost/supervisor';
import { integer } from './args';
import { UsageError } from './usageError';

export const DEFAULT_ENDPOINT_MODEL = 'lm-provers/QED-Nano';

export const BACKEND_OPTIONS = {
  endpoint: { type: 'string' },
  'endpoint-model': { type: 'string', default: DEFAULT_ENDPOINT_MODEL },
  'api-key': { type: 'string' },
  model: { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'string', default: 'auto' },
  verbose: { type: 'boolean', default: false },
} as const;

export interface BackendArgs {
  endpoint?: string;
  'endpoint-model'?: string;
  'api-key'?: string;
  model?: string;
  threads?: string;
  gpu?: string;
  verbose?: boolean;
}

export interface OpenedBackend {
  backend: ChatBackend;
  close(): void;
  /** The local engine: its pid, the sequences it runs at once, and whether it went away by itself. */
  engine?: { pid: number; parallel: number; exited: Promise<void>; hasExited(): boolean };
}

export function checkBackend(command: string, values: BackendArgs): void {
  if (!values.endpoint && !values.model) throw new UsageError(`${command} needs a model: --endpoint URL (an OpenAI-compatible server) or --model PATH (a GGUF file).`);
  if (values.endpoint && values.model) throw new UsageError(`${command} takes --endpoint or --model, not both.`);
  if (values.gpu !== undefined && values.gpu !== 'auto' && values.gpu !== 'cpu') throw new UsageError('--gpu must be auto or cpu.');
  if (values.threads !== undefined) integer(values.threads, '--threads', 1, 1024);
}

/** `parallel`: the engine's sequences; undefined lets its memory plan decide. */
export async function openBackend(values: BackendArgs, options: { parallel?: number }): Promise<OpenedBackend> {
  if (values.endpoint) {
    const apiKey = values['api-key'] || process.env.QED_API_KEY || undefined;
    return { backend: new OpenAIChatBackend({ baseUrl: values.endpoint, apiKey, model: values['endpoint-model'] ?? 'lm-provers/QED-Nano', timeoutMs: 10 * 60_000 }), close: () => undefined };
  }
  let closed = false;
  // Once we stop the engine, what it says about the requests it drops is noise.
  const log = createLogger((level, message) => closed || process.stderr.write(`[engine ${level}] ${message}\n`), values.verbose ? 'debug' : 'warn');
  let exited = false;
  let onExit!: () => void;
  const exit = new Promise<void>((done) => (onExit = done));
  const supervisor = new EngineSupervisor(process.argv[1]!, log, undefined, {
    onExit: () => {
      exited = true;
      onExit();
    },
  });
  const threads = values.threads === undefined ? undefined : integer(values.threads, '--threads', 1, 1024);
  const gpu = values.gpu === 'cpu' ? 'cpu' : 'auto';
  const connection = await supervisor.connect({ modelPath: resolve(values.model!), parallel: options.parallel, gpu, gpuLayers: 'auto', threads });
  return {
    backend: new OpenAIChatBackend({ baseUrl: connection.baseUrl, apiKey: connection.apiKey, model: connection.info.model, timeoutMs: 24 * 60 * 60_000 }),
    close: () => {
      closed = true;
      supervisor.stop();
    },
    engine: { pid: connection.pid, parallel: connection.info.parallel, exited: exit, hasExited: () => exited },
  };
}
