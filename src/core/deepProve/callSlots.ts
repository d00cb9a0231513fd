/**
 * How many model calls a run has in flight: at most `capacity`, handed out first come, first
 * served. The capacity can change while calls run (another answer started on the same backend);
 * calls already running go on, and new ones wait until the count is under it again.
 */
export type Release = () => void;

export class CallSlots {
  private running = 0;
  private readonly waiting: { grant: (release: Release) => void; reject: (error: unknown) => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(private limit: number) {
    if (!(limit >= 1)) throw new RangeError('A run needs room for at least one call.');
  }

  get capacity(): number {
    return this.limit;
  }

  get busy(): number {
    return this.running;
  }

  setCapacity(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    this.grantWaiting();
  }

  /** Resolves with the function that gives the slot back; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((grant, reject) => {
      const waiter = {
        grant,
        reject,
        signal,
        onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
      this.grantWaiting();
    });
  }

  private grantWaiting(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const waiter = this.waiting.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.running++;
      let released = false;
      waiter.grant(() => {
        if (released) return;
        released = true;
        this.running--;
        this.grantWaiting();
      });
    }
  }
}
