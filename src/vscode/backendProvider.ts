/**
 * Picks the chat backend for a run from the settings: the local engine (started on demand) or
 * the configured endpoint. Both are the same client; only the URL and key differ.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { catalogModel } from '../../models/catalog';
import type { ChatBackend } from '../core/chat';
import { backendLabel } from '../engineShared/engineLabels';
import { formatTokens } from '../engineShared/memoryPlan';
import { CpuNotice } from './cpuNotice';
import type { CudaBackend } from './cudaBackend';
import type { LocalEngine } from './localEngine';
import type { ModelStore } from './modelStore';
import { readSettings, type QedSettings } from './settings';

export const ENDPOINT_KEY_SECRET = 'qed.endpoint.apiKey';

export interface ResolvedBackend {
  backend: ChatBackend;
  /** Shown in the panel: where the answer comes from. */
  source: string;
  settings: QedSettings;
  /** Tokens one answer's context holds (prompt included), when the backend says: the local engine's plan. */
  contextTokens?: number;
  /** Answers the backend writes at once, when it says: the local engine's plan (its sequences). */
  sequences?: number;
}

export class NotConfiguredError extends Error {}

export class BackendProvider {
  constructor(
    private readonly engine: LocalEngine,
    private readonly models: ModelStore,
    private readonly secrets: vscode.SecretStorage,
    private readonly cuda: CudaBackend,
    private readonly cpuNotice = new CpuNotice(),
  ) {}

  async resolve(onStatus: (message: string) => void): Promise<ResolvedBackend> {
    const settings = readSettings();
    // Loaded on the first run, not at activation: the OpenAI SDK is most of the extension's code.
    const { OpenAIChatBackend } = await import('../client/openaiBackend');
    if (settings.backend === 'endpoint') {
      if (!settings.endpoint.url) throw new NotConfiguredError('qed.backend is “endpoint” but qed.endpoint.url is empty.');
      const apiKey = await this.secrets.get(ENDPOINT_KEY_SECRET);
      const model = settings.endpoint.model || 'lm-provers/QED-Nano';
      return {
        backend: new OpenAIChatBackend({ baseUrl: settings.endpoint.url, apiKey, model, timeoutMs: settings.endpoint.timeoutSeconds * 1000 }),
        source: `${model} at ${settings.endpoint.url}`,
        settings,
      };
    }
    const modelPath = settings.engine.modelPath ?? (await this.models.ensureModel(catalogModel(settings.modelQuantization)));
    onStatus(`Starting the local engine with ${path.basename(modelPath)}…`);
    const connection = await this.engine.connect({ ...settings.engine, modelPath, llamaPackagesDir: this.cuda.launchDir() });
    await this.cpuNotice.confirm(connection.info);
    return {
      // The engine can take minutes per proof on a CPU; only the connection itself may time out.
      backend: new OpenAIChatBackend({ baseUrl: connection.baseUrl, apiKey: connection.apiKey, model: connection.info.model, timeoutMs: 24 * 60 * 60 * 1000 }),
      source: `local engine · ${path.basename(modelPath)} · ${backendLabel(connection.info)} · ${formatTokens(connection.info.contextSize)} tokens per attempt`,
      settings,
      contextTokens: connection.info.contextSize,
      sequences: connection.info.parallel,
    };
  }
}
