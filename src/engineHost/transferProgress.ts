/**
 * How a download reads in a progress notification: "52 of 143 MB · 10.2 MB/s · 9 s left", the
 * speed taken over the last few seconds so that a stall shows soon and a burst does not promise
 * too much.
 */
import { formatDuration } from '../engineShared/engineLabels';

export class TransferRate {
  private samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly windowMs = 5000) {}

  /** Records the bytes done so far; fewer than last time (a new file) starts over. */
  add(bytes: number, at = Date.now()): void {
    if (this.samples.length && bytes < this.samples.at(-1)!.bytes) this.samples = [];
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; undefined until a second of samples is there. */
  bytesPerSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 1000) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }
}

export function transferText(doneBytes: number, totalBytes: number, bytesPerSecond: number | undefined): string {
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1);
  const parts = [totalBytes > 0 ? `${megabytes(doneBytes)} of ${megabytes(totalBytes)} MB` : `${megabytes(doneBytes)} MB`];
  if (bytesPerSecond !== undefined) {
    parts.push(`${(bytesPerSecond / 1e6).toFixed(1)} MB/s`);
    if (totalBytes > doneBytes && bytesPerSecond > 0) parts.push(`${formatDuration((totalBytes - doneBytes) / bytesPerSecond)} left`);
  }
  return parts.join(' · ');
}
