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

export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (!isRecord(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new InvalidRequestError('`messages` must be a non-empty array.', 'messages');
  }
  if (body.messages.length > MAX_MESSAGES) {
    throw new InvalidRequestError(`\`messages\` has ${body.messages.length} messages; the engine takes at most ${MAX_MESSAGES}. Leave out earlier turns.`, 'messages');
  }
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
  return assistantPrefix === undefined ? { request, stream } : { request, stream, assistantPrefix };
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
