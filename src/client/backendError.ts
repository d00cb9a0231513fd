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

/**
 * What exactly failed, where the kind alone does not tell the user what to fix: the connection
 * wizard gives each its own advice. Set by the mapper in errors.ts, which reads the error once.
 */
export type BackendErrorReason =
  | 'refused'
  | 'dns'
  | 'closed'
  /** A certificate no trusted authority signed: self-signed, or signed by a private CA. */
  | 'tlsUntrusted'
  /** A certificate issued for another host name. */
  | 'tlsWrongHost'
  | 'tlsExpired'
  /** https:// to a server that speaks plain http there. */
  | 'tlsNotSpoken'
  | 'tlsOther'
  | 'keyNeeded'
  | 'keyRejected'
  | 'notJson';

const MAX_MESSAGE = 220;

export class BackendError extends Error {
  override readonly name = 'BackendError';

  readonly reason?: BackendErrorReason;

  constructor(
    readonly kind: BackendErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; reason?: BackendErrorReason },
  ) {
    super(oneLine(message, MAX_MESSAGE), options && { cause: options.cause });
    if (options?.reason) this.reason = options.reason;
  }
}

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
