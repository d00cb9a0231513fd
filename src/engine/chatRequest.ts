/**
 * Parses the body of an OpenAI `POST /v1/chat/completions` request into our own request type,
 * rejecting what the engine cannot honour with a message that names the offending field.
 */
import type { ChatMessage, ChatRequest } from '../core/chat';

export interface ParsedChatRequest {
  request: ChatRequest;
  stream: boolean;
  /**
   * With `continue_final_message`, the final assistant message's text: the answer continues it,
   * appended as is after the generation prompt (llama-server's prefill), and `request.messages`
   * holds the messages before it. Kept raw rather than as a `prefill`, so any client's text is
   * continued exactly as sent.
   */
  assistantPrefix?: string;
  /** OpenAI's `stop`: generation ends before the first of these strings. */
  stop?: string[];
}

export class InvalidRequestError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/**
 * Rendering the chat template cannot be split up, so it holds the engine's one thread for as
 * long as it takes: about 0.1 ms a message, several times that on a busy machine. A chat that
 * fits the context has far fewer messages.
 */
export const MAX_MESSAGES = 512;
/** OpenAI's limits on `stop`; the length bound keeps the search cheap at every token. */
const MAX_STOP_STRINGS = 4;
const MAX_STOP_LENGTH = 1000;

/**
 * OpenAI fields the engine does not implement, with the values that ask for nothing (what
 * clients send by default). Anything else is refused by name rather than silently ignored.
 * Fields that change nothing in the answer (`user`, `metadata`, `store`, ...) are accepted.
 */
const UNSUPPORTED: Record<string, { accepts: (value: unknown) => boolean; instead: string }> = {
  n: { accepts: (value) => value === 1, instead: 'The engine writes one answer per request: send `n: 1` or leave it out, and send several requests for several answers.' },
  logprobs: { accepts: (value) => value === false, instead: 'The engine does not return log probabilities.' },
  top_logprobs: { accepts: (value) => value === 0, instead: 'The engine does not return log probabilities.' },
  logit_bias: { accepts: (value) => isRecord(value) && Object.keys(value).length === 0, instead: 'The engine does not apply `logit_bias`.' },
  frequency_penalty: { accepts: (value) => value === 0, instead: 'The engine does not apply `frequency_penalty`.' },
  presence_penalty: { accepts: (value) => value === 0, instead: 'The engine does not apply `presence_penalty`.' },
  tools: { accepts: (value) => Array.isArray(value) && value.length === 0, instead: 'The engine does not call tools.' },
  tool_choice: { accepts: (value) => value === 'none' || value === 'auto', instead: 'The engine does not call tools.' },
  functions: { accepts: (value) => Array.isArray(value) && value.length === 0, instead: 'The engine does not call functions.' },
  function_call: { accepts: (value) => value === 'none' || value === 'auto', instead: 'The engine does not call functions.' },
  response_format: { accepts: (value) => isRecord(value) && value.type === 'text', instead: 'The engine writes text only: send `{"type": "text"}` or leave it out.' },
  modalities: { accepts: (value) => Array.isArray(value) && value.every((modality) => modality === 'text'), instead: 'The engine writes text only.' },
  audio: { accepts: () => false, instead: 'The engine writes text only.' },
  prediction: { accepts: () => false, instead: 'The engine does not use predicted outputs.' },
};

export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (!isRecord(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new InvalidRequestError('`messages` must be a non-empty array.', 'messages');
  }
  if (body.messages.length > MAX_MESSAGES) {
    throw new InvalidRequestError(`\`messages\` has ${body.messages.length} messages; the engine takes at most ${MAX_MESSAGES}. Leave out earlier turns.`, 'messages');
  }
  for (const [key, { accepts, instead }] of Object.entries(UNSUPPORTED)) {
    if (body[key] != null && !accepts(body[key])) throw new InvalidRequestError(`Unsupported \`${key}\`: ${instead}`, key);
  }
  if (body.stream_options != null && !isRecord(body.stream_options)) throw new InvalidRequestError('`stream_options` must be an object.', 'stream_options');
  const messages = body.messages.map(parseMessage);
  const assistantPrefix = continuedMessage(body, messages);
  const request: ChatRequest = {
    messages,
    model: optional(body, 'model', 'string'),
    temperature: numberIn(body, 'temperature', 0, 2),
    topP: numberIn(body, 'top_p', 0, 1),
    topK: integerIn(body, 'top_k', 0, 1_000_000),
    minP: numberIn(body, 'min_p', 0, 1),
    maxTokens: integerIn(body, 'max_completion_tokens', 1, 10_000_000) ?? integerIn(body, 'max_tokens', 1, 10_000_000),
    seed: integerIn(body, 'seed', -(2 ** 53), 2 ** 53),
  };
  const stream = optional(body, 'stream', 'boolean') ?? false;
  const stop = stopStrings(body.stop);
  return {
    request,
    stream,
    ...(assistantPrefix === undefined ? {} : { assistantPrefix }),
    ...(stop.length === 0 ? {} : { stop }),
  };
}

/** `stop`: a string or up to four, as OpenAI documents. */
function stopStrings(value: unknown): string[] {
  if (value == null) return [];
  const stops = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === 'string')) {
    throw new InvalidRequestError('`stop` must be a string or an array of strings.', 'stop');
  }
  if (stops.length > MAX_STOP_STRINGS) throw new InvalidRequestError(`\`stop\` takes at most ${MAX_STOP_STRINGS} strings.`, 'stop');
  if (stops.some((stop) => stop.length === 0 || stop.length > MAX_STOP_LENGTH)) {
    throw new InvalidRequestError(`Each \`stop\` string must have 1 to ${MAX_STOP_LENGTH} characters.`, 'stop');
  }
  return stops;
}

/**
 * vLLM's `continue_final_message` / `add_generation_prompt` pair. Continuing takes the final
 * assistant message off `messages` and returns its text. The engine always adds the generation
 * prompt otherwise, so `add_generation_prompt: false` alone is refused rather than ignored.
 */
function continuedMessage(body: Record<string, unknown>, messages: ChatMessage[]): string | undefined {
  const continueFinal = optional(body, 'continue_final_message', 'boolean') ?? false;
  const addGenerationPrompt = optional(body, 'add_generation_prompt', 'boolean');
  if (!continueFinal) {
    if (addGenerationPrompt === false) {
      throw new InvalidRequestError('`add_generation_prompt: false` is only supported together with `continue_final_message: true`.', 'add_generation_prompt');
    }
    return undefined;
  }
  if (addGenerationPrompt === true) {
    throw new InvalidRequestError('`continue_final_message` and `add_generation_prompt` cannot both be true.', 'add_generation_prompt');
  }
  if (messages[messages.length - 1]!.role !== 'assistant') {
    throw new InvalidRequestError('`continue_final_message` needs an assistant message at the end of `messages` to continue.', 'continue_final_message');
  }
  if (messages.length < 2) {
    throw new InvalidRequestError('`continue_final_message` needs the conversation before the assistant message, not the assistant message alone.', 'messages');
  }
  return messages.pop()!.content;
}

function parseMessage(value: unknown, index: number): ChatMessage {
  const param = `messages[${index}]`;
  if (!isRecord(value)) throw new InvalidRequestError(`${param} must be an object.`, param);
  if (typeof value.role !== 'string' || !ROLES.has(value.role)) {
    throw new InvalidRequestError(`${param}.role must be one of system, user, assistant.`, `${param}.role`);
  }
  const role = value.role === 'developer' ? 'system' : (value.role as ChatMessage['role']);
  return { role, content: messageText(value.content, `${param}.content`) };
}

/** Content is a string or, in the newer format, an array of text parts. */
function messageText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content == null) return '';
  if (Array.isArray(content)) {
    return content
      .map((part, index) => {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        throw new InvalidRequestError(`${param}[${index}] must be a text part; the engine reads text only.`, param);
      })
      .join('');
  }
  throw new InvalidRequestError(`${param} must be a string or an array of text parts.`, param);
}

function optional<T extends 'string' | 'boolean'>(body: Record<string, unknown>, key: string, type: T): (T extends 'string' ? string : boolean) | undefined {
  const value = body[key];
  if (value == null) return undefined;
  if (typeof value !== type) throw new InvalidRequestError(`\`${key}\` must be a ${type}.`, key);
  return value as never;
}

function numberIn(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value == null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidRequestError(`\`${key}\` must be a number from ${min} to ${max}.`, key);
  }
  return value;
}

function integerIn(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = numberIn(body, key, min, max);
  if (value !== undefined && !Number.isInteger(value)) throw new InvalidRequestError(`\`${key}\` must be an integer.`, key);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
