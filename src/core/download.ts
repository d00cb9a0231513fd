/**
 * What a model download tells its user: whether the disk has room before it starts, and while it
 * runs, the bytes so far, the speed and the time left. Pure; `qed pull` and the extension's
 * progress notification use it.
 */
import { formatBytes } from './byteSize';

/** Room the disk keeps after a download: a full disk breaks the editor and everything else. */
export const DISK_RESERVE_BYTES = 512 * 1024 ** 2;

/** Undefined when `freeBytes` holds `neededBytes` with the reserve to spare; else what to tell the user. */
export function diskSpaceProblem(neededBytes: number, freeBytes: number, dir: string): string | undefined {
  if (neededBytes + DISK_RESERVE_BYTES <= freeBytes) return undefined;
  return `not enough disk space in ${dir}: the download needs ${formatBytes(Math.max(0, neededBytes))} more and ${formatBytes(Math.max(0, freeBytes))} is free (QED keeps ${formatBytes(DISK_RESERVE_BYTES)} spare); free some space, or delete models you do not use (QED: Choose Model… → Manage downloaded models)`;
}

/**
 * Speed over the last few seconds, from byte counts as they are reported: a long average would
 * hide a stalled or recovered connection, a single interval jumps with each chunk.
 */
export class TransferRate {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly windowMs = 5000) {}

  /** Records `bytes` transferred in all, at `at` ms; returns bytes per second, or undefined until there are two samples. */
  add(bytes: number, at: number): number | undefined {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
    return this.bytesPerSecond();
  }

  bytesPerSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return undefined;
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.at - first.at));
  }
}

/** "1.2 of 2.3 GiB · 11.0 MiB/s · 2 min left"; the speed and time once known. */
export function downloadProgressText(downloadedBytes: number, totalBytes: number, bytesPerSecond: number | undefined): string {
  const parts = [`${formatBytes(downloadedBytes)} of ${formatBytes(totalBytes)}`];
  if (bytesPerSecond !== undefined) {
    parts.push(`${formatBytes(bytesPerSecond)}/s`);
    if (bytesPerSecond > 0) parts.push(`${formatTimeLeft((totalBytes - downloadedBytes) / bytesPerSecond)} left`);
  }
  return parts.join(' · ');
}

/** "40 s", "9 min", "2 h 13 min". */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
