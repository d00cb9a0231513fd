/**
 * The one error type backends throw: a kind to branch on and a single-line message telling the
 * user what to fix. Its own module, free of the OpenAI SDK, so code that only recognises these
 * errors (the VS Code error presenter, at activation) does not load the SDK.
 */
export type BackendErrorKind =
  | 'auth'
  | 'notFound'
  | 'model'
  | 'rateLimit'
  | 'server'
  | 'connection'
  | 'timeout'
  | 'protocol'
  | 'badRequest';

const MAX_MESSAGE = 220;

export class BackendError extends Error {
  override readonly name = 'BackendError';

  constructor(
    readonly kind: BackendErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(oneLine(message, MAX_MESSAGE), options);
  }
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
