/**
 * Hands out the context's sequences to requests, first come first served, and keeps a finished
 * request's sequence with its KV cache: the next request whose prompt starts the same way (the
 * same conversation one turn later, or an answer continued after "Answer now" or a length cut)
 * gets the sequence with the longest common prefix, and node-llama-cpp then evaluates only the
 * tokens after it. A sequence that failed mid-request is disposed instead, freeing its cells.
 */
import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';

export interface AcquiredSequence {
  sequence: LlamaContextSequence;
  /** Prompt tokens already in the sequence's KV cache, which will not be evaluated again. */
  cachedTokens: number;
}

interface Waiter {
  resolve: (acquired: AcquiredSequence) => void;
  reject: (error: unknown) => void;
  tokens: readonly Token[];
  signal?: AbortSignal;
  onAbort: () => void;
}

export class SequencePool {
  private readonly waiters: Waiter[] = [];
  private readonly idle: LlamaContextSequence[] = [];

  constructor(private readonly context: LlamaContext) {}

  get queued(): number {
    return this.waiters.length;
  }

  acquire(tokens: readonly Token[], signal?: AbortSignal): Promise<AcquiredSequence> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0) {
      const best = this.takeBestIdle(tokens);
      if (best) return Promise.resolve(best);
      if (this.context.sequencesLeft > 0) return Promise.resolve({ sequence: this.context.getSequence(), cachedTokens: 0 });
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        tokens,
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

  /** `reusable: false` after a failure, when the sequence's state may not match its tokens. */
  release(sequence: LlamaContextSequence, reusable = true): void {
    if (reusable) this.idle.push(sequence);
    else sequence.dispose();
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      const acquired = this.takeBestIdle(waiter.tokens) ?? (this.context.sequencesLeft > 0 ? { sequence: this.context.getSequence(), cachedTokens: 0 } : undefined);
      if (!acquired) break;
      this.waiters.shift();
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(acquired);
    }
  }

  private takeBestIdle(tokens: readonly Token[]): AcquiredSequence | undefined {
    let bestIndex = -1;
    let bestLength = -1;
    this.idle.forEach((sequence, index) => {
      const common = commonPrefix(sequence.contextTokens, tokens);
      if (common > bestLength) {
        bestIndex = index;
        bestLength = common;
      }
    });
    if (bestIndex < 0) return undefined;
    const [sequence] = this.idle.splice(bestIndex, 1);
    // The last prompt token is evaluated again in any case, for the logits of the first new token.
    return { sequence: sequence!, cachedTokens: Math.min(bestLength, tokens.length - 1) };
  }
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  const length = Math.min(a.length, b.length);
  let index = 0;
  while (index < length && a[index] === b[index]) index++;
  return index;
}
