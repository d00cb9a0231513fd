/** Typed access to the `qed.*` settings; the schema itself lives in package.json. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isQuantization, type Quantization } from '../../models/qed-nano-shape/quantization';
import type { SamplingOptions } from '../core/chat';
import { seedOf } from '../core/sampling';
import type { BackendChoice } from '../engineShared/memoryPlan';
import { DEFAULT_MAX_FILE_MB } from '../core/theorems/boundedFileReader';
import type { EngineLaunchSettings } from '../engineHost/supervisor';
import { deepProveSettingsFrom, type DeepProveSettingsResult } from './deepProve/deepProveSettings';

/** The engine's launch settings, except that the model path may be unset (the catalog's model, downloaded). */
export type EngineSettings = Omit<EngineLaunchSettings, 'modelPath'> & { modelPath: string | undefined };

export interface QedSettings {
  backend: 'local' | 'endpoint';
  endpoint: { url: string; model: string; timeoutSeconds: number };
  engine: EngineSettings;
  /** The catalog quantization used when qed.model.path is empty. */
  modelQuantization: Quantization;
  sampling: SamplingOptions;
  codeLens: { enabled: boolean; extraEnvironments: string[]; hiddenEnvironments: string[] };
  /** Most tokens of document context in a prompt. */
  contextBudget: number;
  /** Files of a LaTeX project larger than this are not read (`qed.files.maxSizeMB`). */
  maxFileBytes: number;
}

export function readSettings(): QedSettings {
  const config = vscode.workspace.getConfiguration('qed');
  const gpuLayers = config.get<string | number>('engine.gpuLayers', 'auto');
  const parallel = config.get<string | number>('engine.parallel', 'auto');
  const gpu = config.get<string>('engine.gpu', 'auto');
  const kvCache = config.get<string>('engine.kvCache', 'auto');
  const quantization = config.get<string>('model.quantization', 'Q4_K_M').trim().toUpperCase();
  const names = config.get<string[]>('codeLens.environments', []).map((name) => name.trim()).filter(Boolean);
  return {
    backend: config.get('backend') === 'endpoint' ? 'endpoint' : 'local',
    endpoint: {
      url: config.get<string>('endpoint.url', '').trim(),
      model: config.get<string>('endpoint.model', '').trim(),
      timeoutSeconds: config.get<number>('endpoint.timeoutSeconds', 60),
    },
    engine: {
      modelPath: expandPath(config.get<string>('model.path', '')),
      threads: positiveOrUndefined(config.get<number>('engine.threads', 0)),
      gpu: BACKEND_CHOICES.includes(gpu as BackendChoice) ? (gpu as BackendChoice) : 'auto',
      gpuLayers: countOrAuto(gpuLayers, 0) ?? 'auto',
      contextSize: positiveOrUndefined(config.get<number>('engine.contextSize', 0)),
      parallel: countOrAuto(parallel, 1),
      kvCache: kvCache === 'f16' || kvCache === 'q8_0' ? kvCache : undefined,
    },
    modelQuantization: isQuantization(quantization) ? quantization : 'Q4_K_M',
    sampling: {
      temperature: config.get<number>('generation.temperature'),
      topP: config.get<number>('generation.topP'),
      topK: config.get<number>('generation.topK'),
      minP: config.get<number>('generation.minP'),
      // 0: as much as the attempt's context leaves (the engine's room, or the server's limit).
      maxTokens: positiveOrUndefined(config.get<number>('generation.maxTokens', 0)),
      seed: seedOf(config.get<unknown>('generation.seed', null)),
    },
    codeLens: {
      enabled: config.get<boolean>('codeLens.enabled', true),
      extraEnvironments: names.filter((name) => !name.startsWith('!')),
      hiddenEnvironments: names.filter((name) => name.startsWith('!')).map((name) => name.slice(1)),
    },
    contextBudget: Math.max(0, config.get<number>('prompt.contextBudget', 4000)),
    maxFileBytes: Math.max(0.1, config.get<number>('files.maxSizeMB', DEFAULT_MAX_FILE_MB)) * 1024 * 1024,
  };
}

/** The `qed.deepProve.*` settings, checked (deepProveSettings.ts says what is wrong, by setting). */
export function readDeepProveSettings(): DeepProveSettingsResult {
  const config = vscode.workspace.getConfiguration('qed.deepProve');
  const read = (key: string) => config.get<unknown>(key, null);
  return deepProveSettingsFrom({
    poolSize: read('poolSize'),
    verifications: read('verifications'),
    rounds: read('rounds'),
    verificationsPerRefinement: read('verificationsPerRefinement'),
    summaries: read('summaries'),
    tokenBudget: read('tokenBudget'),
    timeLimitMinutes: read('timeLimitMinutes'),
    temperature: read('temperature'),
    topP: read('topP'),
    maxTokensPerCall: read('maxTokensPerCall'),
    endpointConcurrency: read('endpointConcurrency'),
  });
}

function positiveOrUndefined(value: number): number | undefined {
  return value > 0 ? value : undefined;
}

/** A setting that is `auto` or a whole number of at least `min` (a number or a string of digits). */
function countOrAuto(value: string | number, min: number): number | undefined {
  const count = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  return count !== undefined && Number.isInteger(count) && count >= min ? count : undefined;
}

const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'cuda', 'vulkan', 'metal', 'cpu'];

/** `~` and `${workspaceFolder}` in paths, as users write them in settings.json. */
function expandPath(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const expanded = trimmed.replace(/^~(?=$|[\\/])/, os.homedir()).replace(/\$\{workspaceFolder\}/g, folder);
  return path.isAbsolute(expanded) || !folder ? expanded : path.join(folder, expanded);
}
