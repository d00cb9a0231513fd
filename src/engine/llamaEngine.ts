/**
 * The model side of the engine: loads a GGUF with node-llama-cpp and generates chat answers on
 * the sequences of one shared context, so concurrent requests are batched together.
 *
 * node-llama-cpp is ESM with native binaries, so it is imported lazily: nothing pays for it
 * until a model is actually loaded.
 */
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { GgufFileInfo, Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import type { ChatMessage, FinishReason, SamplingOptions } from '../core/chat';
import { MODEL_CARD_SAMPLING } from '../core/sampling';
import { ChatTemplate, QED_NANO_FALLBACK_TEMPLATE } from './chatTemplate';
import { PromptTokenizer } from './promptTokens';
import { StopStrings } from './stopStrings';
import { guardParallelSampling } from './samplingRaceGuard';
import { SequencePool } from './sequencePool';
import { ThroughputMeter } from './throughput';
import { defaultThreads } from './threads';
import { measureDecodeSpeed } from './decodeProbe';
import { errorText, loadBackend } from './backend';
import { DEFAULT_PLAN_SETTINGS, formatTokens, planMemory, type BackendChoice, type KvCacheType, type MemoryPlan } from '../engineShared/memoryPlan';
import { backendOf, createResourceEstimator, machineBudget } from './resourceEstimator';
import type { EngineInfo } from '../engineShared/ipcProtocol';
import type { Logger } from '../engineShared/logger';

export interface EngineConfig {
  modelPath: string;
  /** Parallel sequences in the one context; undefined lets the memory plan decide. */
  parallel?: number;
  /** Tokens per sequence; undefined lets the memory plan decide. */
  contextSize?: number;
  /** CPU threads; undefined: `defaultThreads` (never node-llama-cpp's default, which oversubscribes). */
  threads?: number;
  gpu: BackendChoice;
  gpuLayers: 'auto' | number;
  /** KV cache type; undefined lets the memory plan decide (f16, else q8_0 when that gives a whole attempt). */
  kvCache?: KvCacheType;
}

export interface EnginePrompt {
  messages: readonly ChatMessage[];
  /** Assistant text the answer continues, appended after the generation prompt (which opens `<think>`). */
  assistantPrefix?: string;
}

export interface GenerationOptions extends SamplingOptions {
  /** Generation ends before the first of these strings, which is not passed on (OpenAI's `stop`). */
  stop?: readonly string[];
}

export interface GenerationResult {
  finishReason: FinishReason;
  promptTokens: number;
  /** Prompt tokens whose KV cache was reused from an earlier request on the same sequence. */
  cachedPromptTokens: number;
  completionTokens: number;
  /** ms from the call until a sequence was free, until the first token, and in all. */
  queuedMs: number;
  firstTokenMs: number | undefined;
  totalMs: number;
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: 'model_not_found' | 'invalid_model' | 'load_failed' | 'prompt_too_long',
  ) {
    super(message);
  }
}

export class LlamaEngine {
  private readonly promptTokenizer: PromptTokenizer;

  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly template: ChatTemplate,
    private readonly pool: SequencePool,
    readonly info: EngineInfo,
    private readonly log: Logger,
  ) {
    this.promptTokenizer = new PromptTokenizer(model);
  }

  static async load(config: EngineConfig, log: Logger, onProgress?: (fraction: number) => void): Promise<LlamaEngine> {
    await checkModelFile(config.modelPath);
    const llamaCpp = await import('node-llama-cpp');
    const fileInfo = await llamaCpp.readGgufFileInfo(config.modelPath, { readTensorInfo: true, logWarnings: false }).catch((error: unknown) => {
      throw new EngineError(`${config.modelPath} is not a valid GGUF model file (${errorText(error)}).`, 'invalid_model');
    });

    const { llama, fallbackReason } = await loadBackend(llamaCpp, config.gpu, log);
    const threads = config.threads ?? defaultThreads(llama.cpuMathCores, availableParallelism());
    let plan: MemoryPlan;
    try {
      plan = await planFor(llamaCpp, llama, fileInfo, config);
    } catch (error) {
      await llama.dispose();
      throw new EngineError(`Could not plan memory for ${basename(config.modelPath)}: ${errorText(error)}.`, 'invalid_model');
    }
    log.info(`Memory plan: ${describePlanShort(plan)}${plan.notes.length ? `. ${plan.notes.join(' ')}` : ''}`);

    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: config.modelPath,
        gpuLayers: plan.gpuLayers,
        defaultContextFlashAttention: plan.flashAttention,
        onLoadProgress: onProgress,
      });
    } catch (error) {
      await llama.dispose();
      throw new EngineError(`Could not load ${basename(config.modelPath)}: ${errorText(error)}. The file may be truncated or corrupt; download it again.`, 'load_failed');
    }

    let context: LlamaContext | undefined;
    let lastError: unknown;
    // The plan comes from estimates; when the allocation still fails, ask for less before giving up.
    for (const attempt of shrinkingPlans(plan, config)) {
      try {
        context = await model.createContext({
          sequences: attempt.sequences,
          contextSize: attempt.contextSize,
          threads,
          flashAttention: attempt.flashAttention,
          experimentalKvCacheKeyType: attempt.kvCache === 'q8_0' ? 'Q8_0' : 'F16',
          experimentalKvCacheValueType: attempt.kvCache === 'q8_0' ? 'Q8_0' : 'F16',
        });
        if (attempt !== plan) {
          log.warn(`The planned ${describePlanShort(plan)} did not fit (${errorText(lastError)}); running ${describePlanShort(attempt)} instead.`);
          plan = { ...attempt, notes: [...attempt.notes, `Reduced from ${describePlanShort(plan)}, which did not fit when allocated.`] };
        }
        break;
      } catch (error) {
        lastError = error;
      }
    }
    if (!context) {
      await model.dispose();
      await llama.dispose();
      throw new EngineError(`Not enough memory for ${plan.sequences} × ${plan.contextSize} tokens: ${errorText(lastError)}. Lower qed.engine.contextSize or qed.engine.parallel.`, 'load_failed');
    }

    if (plan.sequences > 1) guardParallelSampling(context);
    const probeToken = model.tokens.bos ?? model.tokens.eos;
    const decodeTokensPerSecond = probeToken == null ? undefined : await measureDecodeSpeed(context, probeToken).catch(() => undefined);

    const metadata = fileInfo.metadata as { tokenizer?: { chat_template?: string }; general?: { name?: string } };
    const ggufTemplate = metadata.tokenizer?.chat_template;
    if (!ggufTemplate) log.warn('The GGUF has no chat template; using QED-Nano\'s ChatML format.');
    const template = new ChatTemplate(ggufTemplate ?? QED_NANO_FALLBACK_TEMPLATE, {
      bos: tokenText(model, model.tokens.bos),
      eos: tokenText(model, model.tokens.eos),
    });

    const info: EngineInfo = {
      model: metadata.general?.name ?? basename(config.modelPath, '.gguf'),
      modelPath: config.modelPath,
      gpu: backendOf(llama),
      devices: plan.backend === 'cpu' ? [] : await llama.getGpuDeviceNames().catch(() => []),
      ...(fallbackReason ? { fallbackReason } : {}),
      gpuLayers: model.gpuLayers,
      threads,
      contextSize: context.contextSize,
      parallel: plan.sequences,
      kvCache: plan.kvCache,
      flashAttention: plan.flashAttention,
      plan,
      ...(decodeTokensPerSecond ? { decodeTokensPerSecond } : {}),
      chatTemplate: ggufTemplate ? 'gguf' : 'fallback',
      opensThinking: template.opensThinking,
    };
    log.info(
      `Loaded ${info.model} (${basename(config.modelPath)}): backend ${info.gpu}${info.devices[0] ? ` (${info.devices[0]})` : ''}, ${info.gpuLayers} GPU layers, ` +
        `${threads} threads, ${info.parallel} sequences × ${info.contextSize} tokens, ${info.kvCache} KV cache, chat template from ${info.chatTemplate}`,
    );
    return new LlamaEngine(llama, model, context, template, new SequencePool(context), info, log);
  }

  /** Memory in use and free now, for /health. */
  async memory(): Promise<{ vram?: { used: number; free: number; total: number }; ram: { free: number; total: number }; processRss: number }> {
    const ram = await this.llama.getRamState();
    const vram = this.info.gpu === 'cpu' ? undefined : await this.llama.getVramState().catch(() => undefined);
    return {
      ...(vram ? { vram: { used: vram.used, free: vram.free, total: vram.total } } : {}),
      ram: { free: ram.free, total: ram.total },
      processRss: process.memoryUsage.rss(),
    };
  }

  private readonly throughput = new ThroughputMeter();

  get queued(): number {
    return this.pool.queued;
  }

  /** Tokens per second generated over the last few seconds, all sequences together. */
  get tokensPerSecond(): number {
    return this.throughput.rate();
  }

  /**
   * Generates one answer, calling `onText` with raw model text (reasoning and answer, with the
   * `</think>` that separates them). Aborting `signal` stops generation before the next token
   * and frees the sequence; the result then says `cancelled`.
   */
  async generate(
    prompt: EnginePrompt,
    sampling: GenerationOptions,
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<GenerationResult> {
    const startedAt = performance.now();
    const cancelled = (promptTokens: number): GenerationResult => {
      const ms = performance.now() - startedAt;
      return { finishReason: 'cancelled', promptTokens, cachedPromptTokens: 0, completionTokens: 0, queuedMs: ms, firstTokenMs: undefined, totalMs: ms };
    };
    let tokenized;
    try {
      // Tokenizing stops past the context size: the rest of a prompt that cannot fit is not needed.
      tokenized = await this.promptTokenizer.tokenize(this.template.renderParts(prompt.messages, prompt.assistantPrefix), { maxTokens: this.info.contextSize, signal });
    } catch (error) {
      if (signal?.aborted) return cancelled(0);
      throw error;
    }
    const promptTokens = tokenized.tokens;
    const room = this.info.contextSize - promptTokens.length;
    if (room <= 0) {
      const length = tokenized.truncated ? 'longer than that' : `${promptTokens.length} tokens`;
      throw new EngineError(`The context holds ${this.info.contextSize} tokens and the prompt is ${length}. Shorten it or raise qed.engine.contextSize.`, 'prompt_too_long');
    }
    // Without a limit an answer may use all the room its context has left.
    const maxTokens = Math.min(sampling.maxTokens ?? room, room);

    let acquired;
    try {
      acquired = await this.pool.acquire(promptTokens, signal);
    } catch {
      return cancelled(promptTokens.length);
    }
    const queuedMs = performance.now() - startedAt;
    const { LlamaCompletion } = await import('node-llama-cpp');
    const { sequence, cachedTokens } = acquired;
    const completion = new LlamaCompletion({ contextSequence: sequence });
    let completionTokens = 0;
    let firstTokenMs: number | undefined;
    let failed = true;
    // A stop string ends generation as a client's abort does, but as a normal finish.
    const stops = new StopStrings(sampling.stop ?? []);
    const stopped = new AbortController();
    try {
      const { metadata } = await completion.generateCompletionWithMeta(promptTokens, {
        temperature: sampling.temperature ?? MODEL_CARD_SAMPLING.temperature,
        topP: sampling.topP ?? MODEL_CARD_SAMPLING.topP,
        topK: sampling.topK ?? MODEL_CARD_SAMPLING.topK,
        minP: sampling.minP ?? MODEL_CARD_SAMPLING.minP,
        // node-llama-cpp's default seed is the current second: requests in the same second (a
        // quick Retry, parallel attempts at one problem) would all be the same sample.
        seed: sampling.seed ?? randomInt(2 ** 32),
        maxTokens,
        signal: signal ? AbortSignal.any([signal, stopped.signal]) : stopped.signal,
        stopOnAbortSignal: true,
        disableContextShift: true,
        onToken: (tokens) => {
          completionTokens += tokens.length;
          this.throughput.add(tokens.length);
          firstTokenMs ??= performance.now() - startedAt;
        },
        onTextChunk: (text) => {
          const passed = stops.push(text);
          if (passed) onText(passed);
          if (stops.stopped) stopped.abort();
        },
      });
      const rest = stops.end();
      if (rest && !signal?.aborted) onText(rest);
      const finishReason: FinishReason = signal?.aborted ? 'cancelled' : metadata.stopReason === 'maxTokens' && !stops.stopped ? 'length' : 'stop';
      failed = false;
      return { finishReason, promptTokens: promptTokens.length, cachedPromptTokens: cachedTokens, completionTokens, queuedMs, firstTokenMs, totalMs: performance.now() - startedAt };
    } finally {
      completion.dispose();
      this.pool.release(sequence, !failed);
    }
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
    this.log.debug('Engine disposed');
  }
}

async function checkModelFile(modelPath: string): Promise<void> {
  const info = await stat(modelPath).catch(() => undefined);
  if (!info) throw new EngineError(`Model file not found: ${modelPath}`, 'model_not_found');
  if (!info.isFile()) throw new EngineError(`${modelPath} is not a file.`, 'invalid_model');
}

function tokenText(model: LlamaModel, token: number | null): string | undefined {
  return token == null ? undefined : model.detokenize([token as never], true);
}


type LlamaCppModule = typeof import('node-llama-cpp');

/** The memory plan for this machine now, with the user's overrides. */
async function planFor(llamaCpp: LlamaCppModule, llama: Llama, fileInfo: GgufFileInfo, config: EngineConfig): Promise<MemoryPlan> {
  const budget = await machineBudget(llama);
  const estimator = await createResourceEstimator(llamaCpp, llama, fileInfo, budget.backend);
  return planMemory(estimator, budget, {
    ...DEFAULT_PLAN_SETTINGS,
    ...(config.contextSize ? { contextSize: config.contextSize } : {}),
    ...(config.parallel ? { parallel: config.parallel } : {}),
    ...(config.gpuLayers !== 'auto' ? { gpuLayers: config.gpuLayers } : {}),
    ...(config.kvCache ? { kvCache: config.kvCache } : {}),
  });
}

/** The plan, then (unless the user fixed them) one sequence, then three quarters of the context, twice. */
function* shrinkingPlans(plan: MemoryPlan, config: EngineConfig): Generator<MemoryPlan> {
  yield plan;
  let current = plan;
  if (current.sequences > 1 && !config.parallel) {
    current = { ...current, sequences: 1 };
    yield current;
  }
  for (let i = 0; i < 2 && !config.contextSize; i++) {
    current = { ...current, contextSize: Math.max(2048, Math.floor((current.contextSize * 0.75) / 1024) * 1024), belowFloor: true };
    yield current;
  }
}

/** "1 × 64k, q8_0 KV cache, 37/37 layers on cuda". */
export function describePlanShort(plan: MemoryPlan): string {
  const where = plan.backend === 'cpu' ? 'on the CPU' : `${plan.gpuLayers}/${plan.totalLayers} layers on ${plan.backend}`;
  return `${plan.sequences} × ${formatTokens(plan.contextSize)} tokens, ${plan.kvCache} KV cache, ${where}`;
}
