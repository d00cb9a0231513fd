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
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import type { ChatMessage, FinishReason, SamplingOptions } from '../core/chat';
import { MODEL_CARD_SAMPLING } from '../core/sampling';
import { ChatTemplate, QED_NANO_FALLBACK_TEMPLATE } from './chatTemplate';
import { PromptTokenizer } from './promptTokens';
import { StopStrings } from './stopStrings';
import { guardParallelSampling } from './samplingRaceGuard';
import { SequencePool } from './sequencePool';
import type { Logger } from './logger';

export interface EngineConfig {
  modelPath: string;
  /** Parallel sequences in the one context. */
  parallel: number;
  /** Tokens per sequence; undefined picks the largest that fits, up to DEFAULT_MAX_CONTEXT. */
  contextSize?: number;
  /** CPU threads; undefined uses the machine's math cores (never node-llama-cpp's default). */
  threads?: number;
  gpu: 'auto' | 'cpu';
  gpuLayers: 'auto' | number;
}

export interface EngineInfo {
  model: string;
  modelPath: string;
  gpu: string;
  gpuLayers: number;
  threads: number;
  contextSize: number;
  parallel: number;
  chatTemplate: 'gguf' | 'fallback';
  opensThinking: boolean;
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

/** Enough for a 32,768-token answer plus a long prompt; more only when asked for explicitly. */
export const DEFAULT_MAX_CONTEXT = 36_864;

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
    const fileInfo = await llamaCpp.readGgufFileInfo(config.modelPath, { readTensorInfo: false }).catch((error: unknown) => {
      throw new EngineError(`${config.modelPath} is not a valid GGUF model file (${errorText(error)}).`, 'invalid_model');
    });

    const llama = await loadBackend(llamaCpp, config.gpu, log);
    const threads = config.threads ?? llama.cpuMathCores;
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: config.modelPath,
        gpuLayers: config.gpuLayers,
        onLoadProgress: onProgress,
      });
    } catch (error) {
      await llama.dispose();
      throw new EngineError(`Could not load ${basename(config.modelPath)}: ${errorText(error)}. The file may be truncated or corrupt; download it again.`, 'load_failed');
    }

    let context: LlamaContext;
    try {
      context = await model.createContext({
        sequences: config.parallel,
        contextSize: config.contextSize ?? { min: 2048, max: Math.min(DEFAULT_MAX_CONTEXT, model.trainContextSize) },
        threads,
      });
    } catch (error) {
      await model.dispose();
      await llama.dispose();
      throw new EngineError(`Not enough memory for ${config.parallel} sequences of ${config.contextSize ?? 'auto'} tokens: ${errorText(error)}. Lower qed.engine.contextSize or qed.engine.parallel.`, 'load_failed');
    }

    if (config.parallel > 1) guardParallelSampling(context);

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
      gpu: llama.gpu === false ? 'cpu' : llama.gpu,
      gpuLayers: model.gpuLayers,
      threads,
      contextSize: context.contextSize,
      parallel: config.parallel,
      chatTemplate: ggufTemplate ? 'gguf' : 'fallback',
      opensThinking: template.opensThinking,
    };
    log.info(
      `Loaded ${info.model} (${basename(config.modelPath)}): backend ${info.gpu}, ${info.gpuLayers} GPU layers, ` +
        `${threads} threads, ${info.parallel} sequences × ${info.contextSize} tokens, chat template from ${info.chatTemplate}`,
    );
    return new LlamaEngine(llama, model, context, template, new SequencePool(context), info, log);
  }

  get queued(): number {
    return this.pool.queued;
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
    const requested = sampling.maxTokens ?? MODEL_CARD_SAMPLING.maxTokens;
    const maxTokens = Math.min(requested, room);

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

type LlamaCppModule = typeof import('node-llama-cpp');

/** GPU from node-llama-cpp's prebuilt binaries when one works, otherwise CPU; never builds or downloads. */
async function loadBackend(llamaCpp: LlamaCppModule, gpu: 'auto' | 'cpu', log: Logger): Promise<Llama> {
  const options = {
    build: 'never',
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: llamaCpp.LlamaLogLevel.warn,
    logger: (level: string, message: string) => log.debug(`llama.cpp ${level}: ${message.trimEnd()}`),
  } as const;
  if (gpu === 'cpu') return llamaCpp.getLlama({ ...options, gpu: false });
  try {
    const llama = await llamaCpp.getLlama({ ...options, gpu: 'auto' });
    if (llama.gpu === false) log.info('No usable GPU backend (CUDA, Vulkan, Metal) was found; running on the CPU.');
    return llama;
  } catch (error) {
    log.warn(`The GPU backend failed to start (${errorText(error)}); falling back to the CPU.`);
    return llamaCpp.getLlama({ ...options, gpu: false });
  }
}

function tokenText(model: LlamaModel, token: number | null): string | undefined {
  return token == null ? undefined : model.detokenize([token as never], true);
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
