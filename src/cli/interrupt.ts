/** Ctrl-C in a long-running command: the first stops the work cleanly, a second exits at once. */
export async function withInterrupt<T>(work: () => Promise<T>, stop: () => unknown, messages: { stopping: string; exiting: string }, exitCode: number): Promise<T> {
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) {
      process.stderr.write(`${messages.exiting}\n`);
      process.exit(exitCode);
    }
    interrupted = true;
    process.stderr.write(`${messages.stopping}\n`);
    void stop();
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
