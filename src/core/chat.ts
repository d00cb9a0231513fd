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

export interface ChatRequest extends SamplingOptions {
  messages: ChatMessage[];
  /** Model name sent to the server; the local engine ignores it. */
  model?: string;
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
