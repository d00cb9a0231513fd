/**
 * The OpenAI SDK client as QED sets it up for any OpenAI-compatible server: the key only when one
 * is given, no retries (the user sees a failure at once, with its fix), and the two fixes below for
 * how real servers answer. The chat backend and the connection wizard share it.
 */
import OpenAI, { type APIError } from 'openai';

export interface EndpointClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Limit for the response headers to arrive. */
  timeoutMs: number;
}

export function createEndpointClient(options: EndpointClientOptions): EndpointClient {
  return new EndpointClient({
    baseURL: options.baseUrl,
    // An empty key stops the SDK from picking up OPENAI_API_KEY and sending it to a third-party server.
    apiKey: options.apiKey ?? '',
    defaultHeaders: options.apiKey ? undefined : { Authorization: null },
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: options.timeoutMs,
    logLevel: 'off',
    fetch: fetchWithTerminatedEvents,
  });
}

/**
 * SSE dispatches an event only at a blank line, so the SDK drops a last event that lacks one, which
 * is how some servers send a final `data: {"error":…}`. Ending the body with a blank line keeps it.
 */
async function fetchWithTerminatedEvents(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!response.ok || !response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return response;
  // Extra blank lines are harmless: an empty line with no pending data dispatches nothing.
  const blankLine = new Uint8Array([0x0a, 0x0a]);
  const terminated = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: (c) => c.enqueue(blankLine) }));
  return new Response(terminated, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * vLLM and FastAPI put the error at the top level of the body (`{"object":"error","message":…}` or
 * `{"detail":…}`); the SDK only looks under `error` and would report "(no body)". Wrap such bodies.
 */
export class EndpointClient extends OpenAI {
  protected override makeStatusError(status: number, error: object, message: string | undefined, headers: Headers): APIError {
    const body = error && typeof error === 'object' && !('error' in error) ? { error } : error;
    return super.makeStatusError(status, body, message, headers);
  }
}
