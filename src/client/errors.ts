/**
 * Turns whatever an OpenAI-compatible endpoint (or the network) throws into one `BackendError`
 * whose message is a single line telling the user what to fix.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { BackendError, type BackendErrorKind, type BackendErrorReason, oneLine } from './backendError';

/** What the messages need to name the setting or URL to fix. */
export interface ErrorContext {
  baseUrl: string;
  model: string;
  hasApiKey?: boolean;
  timeoutMs?: number;
  /** Model ids from GET /models, fetched by the caller after a model-not-found error. */
  availableModels?: readonly string[];
}

const MAX_SERVER_TEXT = 90;

export function toBackendError(err: unknown, ctx: ErrorContext): BackendError {
  if (err instanceof BackendError) return err;
  const url = displayUrl(ctx.baseUrl);

  if (err instanceof APIUserAbortError || isNamed(err, 'AbortError')) {
    return new BackendError('connection', `The request to ${url} was aborted before it finished.`, undefined, { cause: err });
  }
  if (err instanceof APIConnectionTimeoutError || isNamed(err, 'TimeoutError')) {
    return timeoutError(ctx, err);
  }
  if (err instanceof APIConnectionError) return connectionError(err.cause ?? err, ctx);
  if (err instanceof APIError) {
    // An APIError without status is the SDK's report of an `error` object inside the stream.
    return err.status === undefined ? streamError(err.error, err) : statusError(err, ctx);
  }
  if (err instanceof SyntaxError) {
    return new BackendError(
      'protocol',
      `${url} sent data that is not JSON (${clip(err.message)}). Check that qed.endpoint.url is an OpenAI-compatible endpoint.`,
      undefined,
      { cause: err, reason: 'notJson' },
    );
  }
  // fetch itself fails with a TypeError whose cause carries the socket error code.
  if (errorCode(err)) return connectionError(err, ctx);
  return new BackendError('protocol', `Unexpected error talking to ${url}: ${clip(messageOf(err))}`, undefined, { cause: err });
}

/** True for errors that mean "the server has no such model", whatever the server's wording. */
export function isModelNotFound(err: unknown): boolean {
  if (!(err instanceof APIError) || err.status === undefined) return false;
  if (![400, 404, 422].includes(err.status)) return false;
  if (err.code === 'model_not_found') return true;
  const text = serverText(err);
  return /model/i.test(text) && /(does not exist|not exist|not found|no such|unknown|invalid model|not available|not loaded)/i.test(text);
}

/** An `error` object the server sent inside an otherwise healthy stream. */
export function streamError(error: unknown, cause?: unknown): BackendError {
  const text = extractMessage(error) || 'no details';
  const code = isRecord(error) ? (error.code ?? error.status) : undefined;
  const type = isRecord(error) && typeof error.type === 'string' ? error.type : '';
  const badRequest = code === 400 || code === '400' || /invalid|bad.?request/i.test(type);
  const suffix = code !== undefined && code !== null ? ` (code ${String(code)})` : '';
  return badRequest
    ? new BackendError('badRequest', `The server stopped the answer: ${clip(text)}${suffix}.`, undefined, { cause })
    : new BackendError('server', `The server failed mid-answer: ${clip(text)}${suffix}. Try again or check the server log.`, undefined, { cause });
}

export function timeoutError(ctx: ErrorContext, cause?: unknown): BackendError {
  const within = ctx.timeoutMs ? ` within ${seconds(ctx.timeoutMs)}` : '';
  return new BackendError(
    'timeout',
    `No response from ${displayUrl(ctx.baseUrl)}${within}. The server may be busy or loading the model; retry or raise qed.endpoint.timeoutSeconds.`,
    undefined,
    { cause },
  );
}

/** The stream started but then went silent for longer than the timeout. */
export function stallError(ctx: ErrorContext): BackendError {
  const during = ctx.timeoutMs ? ` for ${seconds(ctx.timeoutMs)}` : '';
  return new BackendError(
    'timeout',
    `${displayUrl(ctx.baseUrl)} stopped sending${during} in the middle of the answer. Check the server, or raise qed.endpoint.timeoutSeconds.`,
  );
}

/** The stream ended cleanly but without a finish reason or any answer text. */
export function truncatedStreamError(ctx: ErrorContext, sawReasoning: boolean): BackendError {
  const url = displayUrl(ctx.baseUrl);
  return sawReasoning
    ? new BackendError('protocol', `The stream from ${url} ended during the reasoning, without a finish reason. Check the server log.`)
    : new BackendError(
        'protocol',
        `${url} ended the stream without any answer. Check that qed.endpoint.url is an OpenAI-compatible endpoint (usually ending in /v1).`,
      );
}

function statusError(err: APIError, ctx: ErrorContext): BackendError {
  const status = err.status as number;
  const url = displayUrl(ctx.baseUrl);
  const text = clip(serverText(err));
  const said = text ? `: ${text}` : '';
  const make = (kind: BackendErrorKind, message: string, reason?: BackendErrorReason) => new BackendError(kind, message, status, { cause: err, reason });

  if (status === 401 || status === 403) {
    return ctx.hasApiKey === false
      ? make('auth', `The endpoint requires an API key (HTTP ${status}). Run “QED: Set Endpoint API Key”.`, 'keyNeeded')
      : make('auth', `The endpoint rejected the API key (HTTP ${status}). Run “QED: Set Endpoint API Key”.`, 'keyRejected');
  }
  if (isModelNotFound(err)) {
    const models = ctx.availableModels;
    const hint = models?.length
      ? `the server lists: ${listModels(models)}`
      : `list the server's models with GET ${url}/models`;
    return make('model', `The endpoint has no model named “${ctx.model}” (HTTP ${status}). Check qed.endpoint.model; ${hint}.`);
  }
  if (status === 404 || status === 405) {
    const suggestion = /\/v1$/.test(url) ? '' : ` (try ${url}/v1)`;
    return make(
      'notFound',
      `Nothing answers at ${url}/chat/completions (HTTP ${status}). Check qed.endpoint.url; it usually ends in /v1${suggestion}.`,
    );
  }
  if (status === 408) return timeoutError(ctx, err);
  if (status === 429) {
    const after = retryAfter(err.headers);
    return make('rateLimit', `The endpoint is rate limiting requests (HTTP 429); retry ${after ? `in ${after}` : 'in a little while'}.`);
  }
  if (status === 503) {
    return make('server', `The server is unavailable (HTTP 503)${said}. It may still be loading the model; try again shortly.`);
  }
  if (status >= 500) {
    return make('server', `The server failed (HTTP ${status})${said}. Check the server log or try again.`);
  }
  return make('badRequest', `The endpoint rejected the request (HTTP ${status})${said}.`);
}

function connectionError(cause: unknown, ctx: ErrorContext): BackendError {
  const url = displayUrl(ctx.baseUrl);
  const code = errorCode(cause);
  const make = (kind: BackendErrorKind, message: string, reason?: BackendErrorReason) => new BackendError(kind, message, undefined, { cause, reason });
  switch (code) {
    case 'ECONNREFUSED':
      return make('connection', `Nothing is listening at ${url}. Start the server or check qed.endpoint.url.`, 'refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make('connection', `Cannot resolve the host of ${url}. Check qed.endpoint.url and your network.`, 'dns');
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return timeoutError(ctx, cause);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return make('connection', `The connection to ${url} closed unexpectedly. Check that the server is still running.`, 'closed');
  }
  const tls = code ? tlsReason(code) : undefined;
  if (tls === 'tlsNotSpoken') {
    return make('connection', `${url} does not speak TLS (${code}): the server expects http://, not https://. Check qed.endpoint.url.`, tls);
  }
  if (tls) {
    return make('connection', `The TLS certificate of ${url} was rejected (${code}). Check qed.endpoint.url (http vs https).`, tls);
  }
  const detail = code ?? clip(innermostMessage(cause));
  return make('connection', `Cannot connect to ${url}${detail ? ` (${detail})` : ''}. Check qed.endpoint.url and that the server is running.`);
}

/** Which TLS failure a socket error code names (Node's and OpenSSL's codes), if any. */
function tlsReason(code: string): BackendErrorReason | undefined {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return 'tlsNotSpoken';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'tlsWrongHost';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'tlsExpired';
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) return 'tlsUntrusted';
  return /CERT|SSL|TLS/.test(code) ? 'tlsOther' : undefined;
}

/** The server's own words in an HTTP error (one line, clipped), or '' when it gave none. */
export function serverMessage(err: unknown): string {
  return err instanceof APIError && err.status !== undefined ? clip(serverText(err)) : '';
}

/** The server's own explanation, from whichever error shape it uses. */
function serverText(err: APIError): string {
  const fromBody = extractMessage(err.error);
  if (fromBody) return fromBody;
  // Non-JSON bodies end up in the message as "<status> <body text>".
  const msg = err.message.replace(/^\d{3}\s*/, '');
  return /status code \(no body\)/.test(msg) ? '' : stripHtml(msg);
}

function extractMessage(error: unknown): string {
  if (typeof error === 'string') return stripHtml(error);
  if (!isRecord(error)) return '';
  for (const key of ['message', 'detail', 'error'] as const) {
    const value = error[key];
    if (typeof value === 'string' && value) return stripHtml(value);
    if (isRecord(value) || Array.isArray(value)) {
      const nested = Array.isArray(value) ? extractMessage(value[0]) : extractMessage(value);
      if (nested) return nested;
    }
  }
  // FastAPI validation errors: {"detail":[{"msg": "..."}]}
  return typeof error.msg === 'string' ? error.msg : '';
}

function retryAfter(headers: Headers | undefined): string | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return `${Math.max(0, Math.ceil(secs))} s`;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : `${Math.max(0, Math.ceil((date - Date.now()) / 1000))} s`;
}

function listModels(models: readonly string[]): string {
  const shown = models.slice(0, 3).map((m) => `“${m.length > 40 ? `${m.slice(0, 39)}…` : m}”`);
  return shown.join(', ') + (models.length > 3 ? ` and ${models.length - 3} more` : '');
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; isRecord(e) && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string') return e.code;
    // Node reports a refused dual-stack connect as an AggregateError whose members carry the code.
    if (Array.isArray(e.errors) && isRecord(e.errors[0]) && typeof e.errors[0].code === 'string') return e.errors[0].code;
  }
  return undefined;
}

function innermostMessage(err: unknown): string {
  let message = messageOf(err);
  for (let e = err, depth = 0; isRecord(e) && depth < 5; e = e.cause, depth++) {
    if (typeof e.message === 'string' && e.message) message = e.message;
  }
  return message;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isNamed(err: unknown, name: string): boolean {
  return isRecord(err) && err.name === name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function displayUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function stripHtml(text: string): string {
  return text.includes('<') ? text.replace(/<[^>]*>/g, ' ') : text;
}

function clip(text: string): string {
  return oneLine(text, MAX_SERVER_TEXT).replace(/[.\s]+$/, '');
}

