/**
 * Tokens generated per second over the last few seconds, across all sequences: what the status
 * bar shows while the engine generates. Counts are bucketed by 250 ms so memory stays constant.
 */
const BUCKET_MS = 250;
const WINDOW_BUCKETS = 12;

export class ThroughputMeter {
  private readonly buckets = new Float64Array(WINDOW_BUCKETS);
  private lastBucket = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  add(tokens: number): void {
    this.advance();
    this.buckets[this.lastBucket % WINDOW_BUCKETS]! += tokens;
  }

  /** Tokens per second over the window; 0 when nothing was generated in it. */
  rate(): number {
    this.advance();
    let sum = 0;
    for (const count of this.buckets) sum += count;
    return sum / ((WINDOW_BUCKETS * BUCKET_MS) / 1000);
  }

  private advance(): void {
    const bucket = Math.floor(this.now() / BUCKET_MS);
    const steps = Math.min(WINDOW_BUCKETS, bucket - this.lastBucket);
    for (let i = 1; i <= steps; i++) this.buckets[(this.lastBucket + i) % WINDOW_BUCKETS] = 0;
    if (bucket > this.lastBucket) this.lastBucket = bucket;
  }
}
