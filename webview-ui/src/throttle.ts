/**
 * Runs an update at most once per interval. Status lines and counters change with every token, but
 * at a few hundred kilobytes of rendered answer each repaint of them costs the browser a layout of
 * the whole page: a few updates a second read the same and leave the frames to the text.
 */
export class Throttle {
  private timer: number | undefined;
  private lastRun = -Infinity;

  constructor(
    private readonly update: () => void,
    private readonly intervalMs: number,
  ) {}

  /** Runs the update soon: at once (in a task) if the last run is an interval ago, else when it is. */
  schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastRun + this.intervalMs - performance.now());
    this.timer = window.setTimeout(() => this.run(), wait);
  }

  /** Runs the update now (a state change the user must see at once) and drops a scheduled run. */
  run(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.lastRun = performance.now();
    this.update();
  }
}
