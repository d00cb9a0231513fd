/**
 * Chat protocol types shared by the engine, the client and the UI.
 * Nothing here knows about VS Code, HTTP or node-llama-cpp.
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Sampling parameters; anything left undefined falls back to the model card's defaults. */
export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  maxTokens?: number;
  seed?: number;
}

/**
 * The start of the assistant's answer, which the model continues instead of starting afresh:
 * after a length cut (Continue), or with the thinking closed to force the answer (thinking budget,
 * Answer now). The backend streams only the text that follows it.
 */
export interface AssistantPrefill {
  reasoning: string;
  content: string;
  /** Whether `</think>` follows the reasoning; if not, the model goes on thinking. */
  thinkingClosed: boolean;
}

export interface ChatRequest extends SamplingOptions {
  messages: ChatMessage[];
  /** Model name sent to the server; the local engine ignores it. */
  model?: string;
  prefill?: AssistantPrefill;
}

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** One event of a streamed answer, already split into reasoning ("thinking") and answer text. */
export type ChatStreamEvent =
  | { type: 'reasoning'; text: string }
  | { type: 'content'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage?: Usage };

/** The one interface the UI talks to, whether the model runs locally or behind an endpoint. */
export interface ChatBackend {
  /**
   * Streams one answer. Aborting `signal` closes the HTTP stream, which makes the server stop
   * generating; the iterator then ends with a `done` event whose finishReason is `cancelled`.
   * Failures are thrown as `BackendError` with a one-line, actionable message.
   */
  stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatStreamEvent>;
}
