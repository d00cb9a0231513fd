/**
 * A scripted fake ChatBackend for the turn runner's and the answer session's unit tests: one
 * script per request, played one event per macrotask so that Stop and Answer now can arrive
 * mid-stream, and ending the way the ChatBackend contract says an aborted stream ends
 * (`done: cancelled`).
 */
import type { ChatBackend, ChatRequest, ChatStreamEvent } from '../../src/core/chat';

export type Step = ChatStreamEvent | { type: 'throw'; error: Error } | { type: 'ignoreAbort' };

export class ScriptedBackend implements ChatBackend {
  readonly requests: ChatRequest[] = [];
  readonly aborted: boolean[] = [];

  constructor(private readonly scripts: Step[][]) {}

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const index = this.requests.push(structuredClone(request)) - 1;
    const script = this.scripts[index];
    if (!script) throw new Error(`unexpected request ${index + 1}`);
    let honourAbort = true;
    try {
      for (const step of script) {
        await new Promise((resolve) => setImmediate(resolve));
        if (honourAbort && signal?.aborted) {
          yield { type: 'done', finishReason: 'cancelled' };
          return;
        }
        if (step.type === 'throw') throw step.error;
        if (step.type === 'ignoreAbort') honourAbort = false;
        else yield step;
      }
    } finally {
      this.aborted[index] = signal?.aborted ?? false;
    }
  }
}

export const r = (text: string): ChatStreamEvent => ({ type: 'reasoning', text });
export const c = (text: string): ChatStreamEvent => ({ type: 'content', text });
export const stop = (completionTokens?: number): ChatStreamEvent => ({ type: 'done', finishReason: 'stop', ...(completionTokens !== undefined && { usage: { promptTokens: 10, completionTokens } }) });
export const length: ChatStreamEvent = { type: 'done', finishReason: 'length' };
