/**
 * Hands out the context's sequences to requests, first come first served.
 * A sequence is disposed after each request, which frees its KV cache cells; the context then
 * has a free sequence slot again for the next waiter.
 */
import type { LlamaContext, LlamaContextSequence } from 'node-llama-cpp';

export class SequencePool {
  private readonly waiters: Array<{ resolve: (sequence: LlamaContextSequence) => void; reject: (error: unknown) => void; signal?: AbortSignal; onAbort: () => void }> = [];

  constructor(private readonly context: LlamaContext) {}

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.context.sequencesLeft > 0) {
      return Promise.resolve(this.context.getSequence());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    sequence.dispose();
    while (this.waiters.length > 0 && this.context.sequencesLeft > 0) {
      const waiter = this.waiters.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.context.getSequence());
    }
  }
}
