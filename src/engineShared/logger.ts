/** Where engine logs go: the extension's "QED Engine" channel over IPC when forked, stderr otherwise. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(write: (level: LogLevel, message: string) => void, minimum: LogLevel = 'info'): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const emit = (level: LogLevel) => (message: string) => {
    if (order.indexOf(level) >= order.indexOf(minimum)) write(level, message);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
