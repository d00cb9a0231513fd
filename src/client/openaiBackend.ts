/**
 * ChatBackend for any OpenAI-compatible `/v1/chat/completions` endpoint (vLLM, SGLang, llama-server,
 * Ollama, hosted APIs, and our own engine server), built on the official `openai` package.
 */
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { AssistantPrefill, ChatBackend, ChatRequest, ChatStreamEvent, FinishReason, Usage } from '../core/chat';
import { assistantPrefixText, splitterAfter } from '../core/continuation';
import { ReasoningSplitter, THINK_CLOSE } from '../core/reasoning';
import { MODEL_CARD_SAMPLING } from '../core/sampling';
import type { BackendError } from './backendError';
import { createEndpointClient, type EndpointClient } from './endpointClient';
import { type ErrorContext, isModelNotFound, stallError, streamError, toBackendError, truncatedStreamError } from './errors';

export interface OpenAIChatBackendOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Limit for the response headers to arrive, and for any silence inside the stream. */
  timeoutMs?: number;
  /** Whether raw output starts inside `<think>` (true for QED-Nano's template). */
  startInReasoning?: boolean;
  /**
   * Whether sampling fields a request leaves out are sent as QED-Nano's model card has them (the
   * default). False for another model (an eval's judge): they are left to the server, and top_k
   * and min_p, which OpenAI's own API refuses, are not sent unless asked for.
   */
  modelCardSampling?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const MODEL_LIST_TIMEOUT_MS = 3_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class OpenAIChatBackend implements ChatBackend {
  private readonly client: EndpointClient;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAIChatBackendOptions) {
    // setTimeout fires at once for delays beyond 2^31-1 ms, which a "no limit" setting could reach.
    this.timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMER_MS);
    this.client = createEndpointClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, timeoutMs: this.timeoutMs });
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const ctx: ErrorContext = {
      baseUrl: this.options.baseUrl,
      model: request.model ?? this.options.model,
      hasApiKey: Boolean(this.options.apiKey),
      timeoutMs: this.timeoutMs,
    };
    const mapper = new ChunkMapper(this.options.startInReasoning ?? true, request.prefill);

    let stream: AsyncIterable<ChatCompletionChunk> & { controller: AbortController };
    try {
      stream = await this.client.chat.completions.create(requestBody(request, ctx.model, this.options.modelCardSampling ?? true), { signal });
    } catch (err) {
      if (signal?.aborted) {
        yield { type: 'done', finishReason: 'cancelled' };
        return;
      }
      throw await this.explain(err, ctx);
    }

    // The SDK's timeout stops at the response headers; a server that stalls mid-answer needs its own.
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => {
        stalled = true;
        stream.controller.abort();
      }, this.timeoutMs);
    };
    try {
      arm();
      for await (const chunk of stream) {
        clearTimeout(timer);
        // Yielding with the timer off: a slow consumer is not a stalled server.
        for (const event of mapper.map(chunk)) yield event;
        arm();
      }
    } catch (err) {
      if (!signal?.aborted && !stalled) throw await this.explain(err, ctx);
    } finally {
      clearTimeout(timer);
    }

    // Aborting makes the SDK's iterator end quietly, so cancellation is detected here.
    if (signal?.aborted) {
      yield* mapper.flush();
      yield { type: 'done', finishReason: 'cancelled' };
      return;
    }
    if (stalled) {
      throw stallError(ctx);
    }
    yield* mapper.flush();
    yield mapper.done(ctx);
  }

  /** Maps an error; for an unknown model, first asks the server which models it has. */
  private async explain(err: unknown, ctx: ErrorContext): Promise<BackendError> {
    if (!isModelNotFound(err)) return toBackendError(err, ctx);
    try {
      const page = await this.client.models.list({ timeout: MODEL_LIST_TIMEOUT_MS });
      return toBackendError(err, { ...ctx, availableModels: page.data.map((m) => m.id) });
    } catch {
      return toBackendError(err, ctx);
    }
  }
}

/**
 * Request fields override the model card's sampling; top_k and min_p go as extra body fields.
 * A prefill goes as a final assistant message to continue: vLLM and our engine are told so with
 * `continue_final_message`; llama-server and Ollama continue a final assistant message anyway.
 */
export function requestBody(request: ChatRequest, model: string, modelCardSampling = true): ChatCompletionCreateParamsStreaming {
  const defaults: Partial<typeof MODEL_CARD_SAMPLING> = modelCardSampling ? MODEL_CARD_SAMPLING : {};
  const body: ChatCompletionCreateParamsStreaming & { top_k?: number; min_p?: number; continue_final_message?: boolean; add_generation_prompt?: boolean } = {
    model,
    messages: request.prefill ? [...request.messages, { role: 'assistant', content: assistantPrefixText(request.prefill) }] : request.messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  const sampling = {
    temperature: request.temperature ?? defaults.temperature,
    top_p: request.topP ?? defaults.topP,
    top_k: request.topK ?? defaults.topK,
    min_p: request.minP ?? defaults.minP,
  };
  for (const [field, value] of Object.entries(sampling)) if (value !== undefined) Object.assign(body, { [field]: value });
  // Without a limit the server decides: the context left (vLLM, the engine) or its own default.
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.prefill) {
    body.continue_final_message = true;
    body.add_generation_prompt = false;
  }
  return body;
}

/** Servers extend the delta with reasoning under one of two names (or both, with the same text). */
interface ServerDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/** Turns chunks into events; remembers finish reason and usage for the final `done`. */
class ChunkMapper {
  /** Decided at the first non-empty content: did the server already separate the reasoning? */
  private mode: 'raw' | 'separated' | undefined;
  private readonly splitter: ReasoningSplitter;
  private readonly answerStart: AnswerStart;
  /** Continuing after `</think>`: everything new is answer, whatever the server calls it. */
  private readonly answerOnly: boolean;
  private sawReasoningField = false;
  private reasoningBegun: boolean;
  private sawAnswer = false;
  private sawReasoning = false;
  private finishReason: string | undefined;
  private usage: Usage | undefined;

  constructor(startInReasoning: boolean, prefill?: AssistantPrefill) {
    this.splitter = splitterAfter(prefill ? assistantPrefixText(prefill) : '', { startInReasoning });
    // A server's reasoning parser sees only the output; with no `</think>` in it, it calls the
    // whole continuation reasoning.
    this.answerOnly = prefill?.thinkingClosed ?? false;
    // Text that continues a non-empty part keeps its leading newlines: they are part of the text.
    this.reasoningBegun = Boolean(prefill && !prefill.thinkingClosed && prefill.reasoning);
    this.answerStart = new AnswerStart(Boolean(prefill?.thinkingClosed && prefill.content));
  }

  map(chunk: ChatCompletionChunk): ChatStreamEvent[] {
    // Older vLLM reports mid-stream failures as a bare error object rather than under `error`.
    if ((chunk as { object?: string }).object === 'error') throw streamError(chunk);

    const usage = chunk.usage;
    if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
      this.usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
    }
    const choice = chunk.choices?.find((c) => c.index === 0) ?? chunk.choices?.[0];
    if (!choice) return [];
    if (choice.finish_reason) this.finishReason = choice.finish_reason;

    const events: ChatStreamEvent[] = [];
    const delta = (choice.delta ?? {}) as ServerDelta;
    const reasoning = delta.reasoning_content || delta.reasoning;
    if (reasoning && this.answerOnly) {
      this.sawReasoningField = true;
      this.emit(events, '', this.answerStart.push(reasoning));
    } else if (reasoning) {
      this.sawReasoningField = true;
      // Parsers pass on the newline the model writes after `<think>`; the raw path trims it too.
      const text = this.reasoningBegun ? reasoning : reasoning.replace(/^[\r\n]+/, '');
      if (text) this.reasoningBegun = true;
      this.emit(events, text, '');
    }
    if (delta.content) {
      this.mode ??= this.sawReasoningField ? 'separated' : 'raw';
      if (this.mode === 'raw') {
        const part = this.splitter.push(delta.content);
        this.emit(events, part.reasoning, part.content);
      } else {
        this.emit(events, '', this.answerStart.push(delta.content));
      }
    }
    return events;
  }

  /** Text still held back for a possible tag, released at the end of the stream. */
  flush(): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    if (this.mode === 'raw') {
      const part = this.splitter.end();
      this.emit(events, part.reasoning, part.content);
    } else {
      this.emit(events, '', this.answerStart.end());
    }
    return events;
  }

  /**
   * Without a finish_reason, a stream that delivered answer text is taken as complete (some small
   * servers omit it). Without answer text we cannot tell a finished answer from a dropped one, so
   * that is a protocol error rather than a silently empty proof.
   */
  done(ctx: ErrorContext): ChatStreamEvent {
    if (this.finishReason !== undefined || this.sawAnswer) {
      const finishReason: FinishReason = this.finishReason === 'length' ? 'length' : 'stop';
      return { type: 'done', finishReason, ...(this.usage && { usage: this.usage }) };
    }
    throw truncatedStreamError(ctx, this.sawReasoning);
  }

  private emit(events: ChatStreamEvent[], reasoning: string, content: string): void {
    if (reasoning) {
      this.sawReasoning = true;
      events.push({ type: 'reasoning', text: reasoning });
    }
    if (content) {
      this.sawAnswer = true;
      events.push({ type: 'content', text: content });
    }
  }
}

/**
 * When the server separates reasoning, the answer may still begin with the newlines the model wrote
 * after `</think>` (vLLM keeps them) or, with some parsers, a stray `</think>`. Both are dropped, the
 * same way ReasoningSplitter drops them; any later `</think>` is answer text.
 */
class AnswerStart {
  private state: 'beforeTag' | 'afterTag' | 'done';
  private held = '';

  /** `midAnswer`: the text continues an answer already begun, so it passes unchanged. */
  constructor(midAnswer = false) {
    this.state = midAnswer ? 'done' : 'beforeTag';
  }

  push(text: string): string {
    if (this.state === 'done') return text;
    let s = dropNewlines(this.held + text);
    this.held = '';
    if (this.state === 'beforeTag') {
      if (s.length < THINK_CLOSE.length && THINK_CLOSE.startsWith(s)) {
        this.held = s;
        return '';
      }
      if (s.startsWith(THINK_CLOSE)) {
        s = dropNewlines(s.slice(THINK_CLOSE.length));
        this.state = 'afterTag';
      }
    }
    if (s) this.state = 'done';
    return s;
  }

  end(): string {
    const held = this.held;
    this.held = '';
    return held;
  }
}

function dropNewlines(s: string): string {
  let i = 0;
  while (i < s.length && (s[i] === '\n' || s[i] === '\r')) i++;
  return i ? s.slice(i) : s;
}
