/**
 * A status line on stderr when a long command has printed nothing for a while. With QED-Nano on
 * a CPU one model call can take an hour; without it, a terminal that shows nothing looks hung.
 */
export class Heartbeat {
  private last = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    quietMs: number,
    line: () => string | undefined,
    write: (text: string) => void = (text) => process.stderr.write(text),
  ) {
    this.timer = setInterval(() => {
      if (Date.now() - this.last < quietMs) return;
      const text = line();
      if (text) write(`${text}\n`);
      this.last = Date.now();
    }, Math.min(quietMs, 5_000));
    // It only ever reports: the command's own work decides when the process ends.
    this.timer.unref();
  }

  /** The command printed a line of its own: the next heartbeat waits a full quiet period again. */
  said(): void {
    this.last = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The heartbeat's quiet period, unless QED_HEARTBEAT_SECONDS says otherwise (tests, impatient users). */
export function heartbeatQuietMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.QED_HEARTBEAT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}
