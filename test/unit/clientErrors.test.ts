import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendError } from '../../src/client/backendError';
import { toBackendError } from '../../src/client/errors';
import { OpenAIChatBackend } from '../../src/client/openaiBackend';
import type { ChatRequest, ChatStreamEvent } from '../../src/core/chat';

interface Loopback {
  url: string;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Loopback> {
  const requests: Loopback['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function sse(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}

function chunk(delta: object, finishReason: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
}

const REQUEST: ChatRequest = { messages: [{ role: 'user', content: 'Prove that 1 + 1 = 2.' }] };

async function collect(backend: OpenAIChatBackend, signal?: AbortSignal): Promise<{ events: ChatStreamEvent[]; error?: BackendError }> {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of backend.stream(REQUEST, signal)) events.push(event);
    return { events };
  } catch (error) {
    assert.ok(error instanceof BackendError, `expected a BackendError, got ${String(error)}`);
    return { events, error };
  }
}

async function failure(backend: OpenAIChatBackend): Promise<BackendError> {
  const { events, error } = await collect(backend);
  assert.ok(error, `expected an error, got events ${JSON.stringify(events)}`);
  assertOneLine(error.message);
  return error;
}

function assertOneLine(message: string): void {
  assert.doesNotMatch(message, /[\r\n]/, 'message must be one line');
  assert.ok(message.length <= 220, `message too long (${message.length}): ${message}`);
  assert.doesNotMatch(message, /\n\s+at /);
}

describe('client errors (loopback server)', function () {
  this.timeout(10_000);
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('401 with a key: tells the user to set the API key', async () => {
    server = await serve((_req, res) => json(res, 401, { error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, apiKey: 'sk-wrong', model: 'qed-nano' }));
    assert.equal(error.kind, 'auth');
    assert.equal(error.status, 401);
    assert.equal(error.message, 'The endpoint rejected the API key (HTTP 401). Run “QED: Set Endpoint API Key”.');
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer sk-wrong');
  });

  it('401 without a key: says a key is required, and never sends OPENAI_API_KEY from the environment', async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-from-env';
    try {
      server = await serve((_req, res) => json(res, 401, { error: { message: 'Unauthorized' } }));
      const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /requires an API key \(HTTP 401\)\. Run “QED: Set Endpoint API Key”\./);
      assert.equal(server.requests[0]?.headers.authorization, undefined);
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('403 is an auth error too', async () => {
    server = await serve((_req, res) => json(res, 403, { error: { message: 'Forbidden' } }));
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, apiKey: 'k', model: 'qed-nano' }));
    assert.equal(error.kind, 'auth');
    assert.equal(error.status, 403);
    assert.match(error.message, /HTTP 403.*QED: Set Endpoint API Key/);
  });

  it('404 for an unknown model (vLLM body): names the model and lists the server’s models', async () => {
    server = await serve((req, res) => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        return json(res, 200, { object: 'list', data: [{ id: 'lm-provers/QED-Nano', object: 'model', created: 0, owned_by: 'vllm' }] });
      }
      json(res, 404, '{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","param":null,"code":404}');
    });
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'x' }));
    assert.equal(error.kind, 'model');
    assert.equal(error.status, 404);
    assert.equal(
      error.message,
      'The endpoint has no model named “x” (HTTP 404). Check qed.endpoint.model; the server lists: “lm-provers/QED-Nano”.',
    );
  });

  it('404 for an unknown model when the model list is unavailable: says how to list models', async () => {
    server = await serve((req, res) => {
      if (req.method === 'GET') return json(res, 500, { error: { message: 'nope' } });
      json(res, 404, { error: { message: 'model "x" not found, try pulling it first', type: 'api_error' } });
    });
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'x' }));
    assert.equal(error.kind, 'model');
    assert.match(error.message, /no model named “x”.*qed\.endpoint\.model; list the server's models with GET http:\/\/127\.0\.0\.1:\d+\/v1\/models\./);
  });

  it('404 for a wrong path: points at qed.endpoint.url and /v1', async () => {
    server = await serve((_req, res) => json(res, 404, { detail: 'Not Found' }));
    const error = await failure(new OpenAIChatBackend({ baseUrl: server.url, model: 'qed-nano' }));
    assert.equal(error.kind, 'notFound');
    assert.equal(error.status, 404);
    assert.equal(server.requests[0]?.url, '/chat/completions');
    assert.equal(
      error.message,
      `Nothing answers at ${server.url}/chat/completions (HTTP 404). Check qed.endpoint.url; it usually ends in /v1 (try ${server.url}/v1).`,
    );
  });

  it('429 with Retry-After: rate limited, retry later, and no automatic retry', async () => {
    server = await serve((_req, res) => json(res, 429, { error: { message: 'Too many requests' } }, { 'retry-after': '30' }));
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.equal(error.kind, 'rateLimit');
    assert.equal(error.status, 429);
    assert.equal(error.message, 'The endpoint is rate limiting requests (HTTP 429); retry in 30 s.');
    assert.equal(server.requests.length, 1);
  });

  it('500: server error with the server’s own message, on one line', async () => {
    server = await serve((_req, res) =>
      json(res, 500, { error: { message: 'CUDA out of memory.\nTraceback (most recent call last):\n  File "x.py", line 1', type: 'InternalServerError' } }),
    );
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.equal(error.kind, 'server');
    assert.equal(error.status, 500);
    assert.match(error.message, /^The server failed \(HTTP 500\): CUDA out of memory\. Traceback.*Check the server log or try again\.$/);
  });

  it('503 with an HTML body: unavailable, try again shortly, no markup', async () => {
    server = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>\n<body><h1>503 Service Temporarily Unavailable</h1>\n</body></html>\n');
    });
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.equal(error.kind, 'server');
    assert.equal(error.status, 503);
    assert.match(error.message, /^The server is unavailable \(HTTP 503\): 503 Service Temporarily Unavailable\. .*try again shortly\.$/);
    assert.doesNotMatch(error.message, /<\/?\w+>/);
  });

  it('400 (prompt too long): bad request with the server’s explanation', async () => {
    server = await serve((_req, res) =>
      json(res, 400, { object: 'error', message: "This model's maximum context length is 40960 tokens. However, you requested 50000 tokens.", type: 'BadRequestError', code: 400 }),
    );
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.equal(error.kind, 'badRequest');
    assert.match(error.message, /^The endpoint rejected the request \(HTTP 400\): This model's maximum context length is 40960 tokens/);
  });

  it('connection refused: nothing is listening, start the server', async () => {
    const closed = await serve(() => undefined);
    const url = `${closed.url}/v1`;
    await closed.close();
    const error = await failure(new OpenAIChatBackend({ baseUrl: url, model: 'qed-nano' }));
    assert.equal(error.kind, 'connection');
    assert.equal(error.message, `Nothing is listening at ${url}. Start the server or check qed.endpoint.url.`);
  });

  it('a server that never answers: times out after timeoutMs', async () => {
    server = await serve(() => undefined);
    const started = Date.now();
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano', timeoutMs: 300 }));
    assert.equal(error.kind, 'timeout');
    // Behaviour, not speed: it gave up at its 0.3 s, not at the 10-minute default.
    assert.ok(Date.now() - started < 10_000);
    assert.match(error.message, /^No response from http:\/\/127\.0\.0\.1:\d+\/v1 within 0\.3 s\. .*qed\.endpoint\.timeoutSeconds\.$/);
  });

  it('a stream that goes silent mid-answer: times out after what came before', async () => {
    server = await serve((_req, res) => {
      sse(res);
      res.write(chunk({ role: 'assistant', reasoning_content: 'Thinking' }));
    });
    const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano', timeoutMs: 300 }));
    assert.deepEqual(events, [{ type: 'reasoning', text: 'Thinking' }]);
    assert.equal(error?.kind, 'timeout');
    assert.match(error!.message, /stopped sending for 0\.3 s in the middle of the answer/);
  });

  it('abort mid-stream: the server sees the socket close within 100 ms and the iterator ends with done/cancelled', async () => {
    let socketClosedAt: number | undefined;
    let socketClosed!: () => void;
    const closed = new Promise<void>((resolve) => (socketClosed = resolve));
    server = await serve((req, res) => {
      req.socket.once('close', () => {
        socketClosedAt = performance.now();
        socketClosed();
      });
      sse(res);
      let n = 0;
      const tick = setInterval(() => res.write(chunk({ content: `t${n++} ` })), 10);
      res.on('close', () => clearInterval(tick));
    });
    const controller = new AbortController();
    const backend = new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano', startInReasoning: false });
    const events: ChatStreamEvent[] = [];
    let abortedAt = 0;
    for await (const event of backend.stream(REQUEST, controller.signal)) {
      events.push(event);
      if (events.length === 3) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    // Without the abort the server would stream for ever: wait for the close (or 5 s), then judge its delay.
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (deadline = setTimeout(resolve, 5000)))]).finally(() => clearTimeout(deadline));
    assert.ok(socketClosedAt !== undefined, 'the server never saw the socket close');
    assert.ok(socketClosedAt - abortedAt < 100, `socket closed ${socketClosedAt - abortedAt} ms after abort`);
    assert.deepEqual(events.slice(0, 3), [
      { type: 'content', text: 't0 ' },
      { type: 'content', text: 't1 ' },
      { type: 'content', text: 't2 ' },
    ]);
    assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'cancelled' });
  });

  it('a signal aborted before the request: done/cancelled without contacting anyone', async () => {
    server = await serve((_req, res) => json(res, 500, {}));
    const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }), AbortSignal.abort());
    assert.equal(error, undefined);
    assert.deepEqual(events, [{ type: 'done', finishReason: 'cancelled' }]);
    assert.equal(server.requests.length, 0);
  });

  it('a mid-stream error object: yields what came before, then a BackendError', async () => {
    const cases = [
      { error: { message: 'Prompt is too long\nfor this context', type: 'invalid_request_error', code: 400 }, kind: 'badRequest', text: /^The server stopped the answer: Prompt is too long for this context \(code 400\)\.$/ },
      { error: { message: 'Engine crashed', type: 'server_error', code: 500 }, kind: 'server', text: /^The server failed mid-answer: Engine crashed \(code 500\)\. Try again or check the server log\.$/ },
    ] as const;
    for (const c of cases) {
      server = await serve((_req, res) => {
        sse(res);
        res.write(chunk({ reasoning_content: 'Let me see.' }));
        res.write(chunk({ content: 'Proof.' }));
        res.end(`data: ${JSON.stringify({ error: c.error })}\n\n`);
      });
      const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
      assert.deepEqual(events, [
        { type: 'reasoning', text: 'Let me see.' },
        { type: 'content', text: 'Proof.' },
      ]);
      assert.equal(error?.kind, c.kind);
      assert.match(error!.message, c.text);
      await server.close();
      server = undefined;
    }
  });

  it('an old-vLLM style error chunk ({"object":"error",…}) is a server error too', async () => {
    server = await serve((_req, res) => {
      sse(res);
      res.write(chunk({ content: 'Partial' }));
      res.end('data: {"object":"error","message":"Background loop died","type":"InternalServerError","param":null,"code":500}\n\n');
    });
    const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano', startInReasoning: false }));
    assert.deepEqual(events, [{ type: 'content', text: 'Partial' }]);
    assert.equal(error?.kind, 'server');
    assert.match(error!.message, /Background loop died \(code 500\)/);
  });

  it('a connection dropped mid-stream: connection error after the partial text', async () => {
    server = await serve((_req, res) => {
      sse(res);
      res.write(chunk({ reasoning_content: 'Half a thought' }));
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.deepEqual(events, [{ type: 'reasoning', text: 'Half a thought' }]);
    assert.equal(error?.kind, 'connection');
    assert.match(error!.message, /closed unexpectedly\. Check that the server is still running\.$/);
  });

  it('a 200 page that is not an event stream: protocol error pointing at qed.endpoint.url', async () => {
    server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Welcome to my web UI</body></html>');
    });
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.equal(error.kind, 'protocol');
    assert.match(error.message, /ended the stream without any answer\. Check that qed\.endpoint\.url is an OpenAI-compatible endpoint/);
  });

  it('a stream that ends during the reasoning without finish_reason is a protocol error', async () => {
    server = await serve((_req, res) => {
      sse(res);
      res.end(chunk({ reasoning_content: 'Thinking' }));
    });
    const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano' }));
    assert.deepEqual(events, [{ type: 'reasoning', text: 'Thinking' }]);
    assert.equal(error?.kind, 'protocol');
    assert.match(error!.message, /ended during the reasoning/);
  });

  it('a stream that ends after answer text without finish_reason counts as stopped', async () => {
    server = await serve((_req, res) => {
      sse(res);
      res.end(chunk({ content: 'Proof. Done.' }));
    });
    const { events, error } = await collect(new OpenAIChatBackend({ baseUrl: `${server.url}/v1`, model: 'qed-nano', startInReasoning: false }));
    assert.equal(error, undefined);
    assert.deepEqual(events, [
      { type: 'content', text: 'Proof. Done.' },
      { type: 'done', finishReason: 'stop' },
    ]);
  });
  it('https:// to a server that speaks plain http: says so and points at http://, not at a certificate', async () => {
    server = await serve((_req, res) => json(res, 200, { object: 'list', data: [] }));
    const error = await failure(new OpenAIChatBackend({ baseUrl: `${server.url.replace('http:', 'https:')}/v1`, model: 'qed-nano' }));
    assert.equal(error.kind, 'connection');
    assert.equal(error.reason, 'tlsNotSpoken');
    assert.match(error.message, /does not speak TLS \(ERR_SSL_WRONG_VERSION_NUMBER\): the server expects http:\/\/, not https:\/\//);
    assert.doesNotMatch(error.message, /certificate/);
  });
});

describe('toBackendError', () => {
  const ctx = { baseUrl: 'http://gpu-box:8000/v1/', model: 'qed-nano' };

  it('maps a fetch failure by its cause code', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const error = toBackendError(refused, ctx);
    assert.equal(error.kind, 'connection');
    assert.equal(error.message, 'Nothing is listening at http://gpu-box:8000/v1. Start the server or check qed.endpoint.url.');
    const unknownHost = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND gpu-box'), { code: 'ENOTFOUND' }) });
    assert.match(toBackendError(unknownHost, ctx).message, /^Cannot resolve the host of http:\/\/gpu-box:8000\/v1\. Check qed\.endpoint\.url/);
  });

  it('tells the reasons apart that need different fixes (for the connection wizard)', () => {
    const socketError = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    const reasons = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'EHOSTUNREACH'].map(
      (code) => [code, toBackendError(socketError(code), ctx).reason],
    );
    assert.deepEqual(Object.fromEntries(reasons), {
      ECONNREFUSED: 'refused',
      ENOTFOUND: 'dns',
      EAI_AGAIN: 'dns',
      ECONNRESET: 'closed',
      DEPTH_ZERO_SELF_SIGNED_CERT: 'tlsUntrusted',
      SELF_SIGNED_CERT_IN_CHAIN: 'tlsUntrusted',
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tlsUntrusted',
      ERR_TLS_CERT_ALTNAME_INVALID: 'tlsWrongHost',
      CERT_HAS_EXPIRED: 'tlsExpired',
      ERR_SSL_WRONG_VERSION_NUMBER: 'tlsNotSpoken',
      ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'tlsOther',
      EHOSTUNREACH: undefined,
    });
  });

  it('maps abort and timeout signals', () => {
    assert.equal(toBackendError(new DOMException('The operation was aborted.', 'AbortError'), ctx).kind, 'connection');
    assert.equal(toBackendError(new DOMException('The operation timed out.', 'TimeoutError'), ctx).kind, 'timeout');
  });

  it('keeps anything else on one line', () => {
    const error = toBackendError(new Error('first line\nsecond line\n    at frame (x.js:1:1)'), ctx);
    assert.equal(error.kind, 'protocol');
    assertOneLine(error.message);
    assert.match(error.message, /^Unexpected error talking to http:\/\/gpu-box:8000\/v1: first line second line/);
    assert.equal(toBackendError(error, ctx), error);
    assertOneLine(toBackendError('x'.repeat(1000), ctx).message);
  });
});
