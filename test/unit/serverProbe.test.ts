/**
 * The connection wizard's checks against loopback servers that fail in each way a real one does
 * (refused, a host that does not resolve, 401, 404, a web page, a hang, a self-signed certificate,
 * https to plain http), and its reasoning test against recordings of real servers' streams
 * (../shared/corpus/sse) and vLLM's error for an unknown model.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeServer, type ServerFailure, testReasoning } from '../../src/client/serverProbe';
import { InvalidServerUrlError, serverUrlCandidates } from '../../src/client/serverUrl';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/sse');

interface Loopback {
  origin: string;
  requests: { method: string; url: string; authorization?: string; body: string }[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https', requests: Loopback['requests']): Promise<Loopback> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function recordingHandler(requests: Loopback['requests'], handler: Handler): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (data: string) => (body += data));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      handler(req, res, body);
    });
  };
}

async function serve(handler: Handler): Promise<Loopback> {
  const requests: Loopback['requests'] = [];
  return listen(http.createServer(recordingHandler(requests, handler)), 'http', requests);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const MODELS = { object: 'list', data: [{ id: 'lm-provers/QED-Nano', object: 'model', owned_by: 'vllm', max_model_len: 65536 }] };

/** A vLLM-like server: /v1/models and streamed chat, the key checked when one is set. */
function openAiLike(options: { key?: string; stream?: Buffer | string } = {}): Handler {
  return (req, res) => {
    if (options.key && req.headers.authorization !== `Bearer ${options.key}`) return json(res, 401, { error: 'Unauthorized' });
    if (req.method === 'GET' && req.url === '/v1/models') return json(res, 200, MODELS);
    if (req.method === 'POST' && req.url === '/v1/chat/completions' && options.stream !== undefined) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return res.end(options.stream);
    }
    json(res, 404, { detail: 'Not Found' });
  };
}

function assertFailure(failure: ServerFailure | undefined, kind: ServerFailure['kind'], message: RegExp): asserts failure {
  assert.ok(failure, `expected a ${kind} failure`);
  assert.equal(failure.kind, kind, `${failure.kind}: ${failure.message}`);
  assert.match(failure.message, message);
  assert.ok(failure.fix.length > 10, 'a fix is given');
  for (const text of [failure.message, failure.fix]) assert.doesNotMatch(text, /[\r\n]/, 'one line');
}

describe('server URLs as typed or pasted', () => {
  it('adds /v1 when it is missing, and also keeps the address as given', () => {
    assert.deepEqual(serverUrlCandidates('http://gpu-box:8000'), ['http://gpu-box:8000/v1', 'http://gpu-box:8000']);
    assert.deepEqual(serverUrlCandidates('http://gpu-box:8000/'), ['http://gpu-box:8000/v1', 'http://gpu-box:8000']);
    assert.deepEqual(serverUrlCandidates('https://example.org/llm/'), ['https://example.org/llm/v1', 'https://example.org/llm']);
  });

  it('takes a URL ending in /v1 or /v1/ as it is', () => {
    assert.deepEqual(serverUrlCandidates('http://gpu-box:8000/v1'), ['http://gpu-box:8000/v1']);
    assert.deepEqual(serverUrlCandidates('  http://gpu-box:8000/v1/  '), ['http://gpu-box:8000/v1']);
  });

  it('cuts an endpoint pasted by mistake back to its base', () => {
    assert.deepEqual(serverUrlCandidates('http://gpu-box:8000/v1/chat/completions'), ['http://gpu-box:8000/v1']);
    assert.deepEqual(serverUrlCandidates('http://gpu-box:8000/v1/models/'), ['http://gpu-box:8000/v1']);
    assert.deepEqual(serverUrlCandidates('http://gpu-box:8000/v1/completions?x=1#top'), ['http://gpu-box:8000/v1']);
  });

  it('assumes http:// without a scheme (localhost:8000 is not the scheme "localhost:")', () => {
    assert.deepEqual(serverUrlCandidates('localhost:8000'), ['http://localhost:8000/v1', 'http://localhost:8000']);
    assert.deepEqual(serverUrlCandidates('192.168.1.20:11434/v1'), ['http://192.168.1.20:11434/v1']);
    assert.deepEqual(serverUrlCandidates('[::1]:8080'), ['http://[::1]:8080/v1', 'http://[::1]:8080']);
  });

  it('drops credentials written into the URL, and refuses what is not an http(s) URL', () => {
    assert.deepEqual(serverUrlCandidates('http://user:secret@gpu-box:8000/v1'), ['http://gpu-box:8000/v1']);
    for (const bad of ['', '   ', 'ftp://gpu-box/v1', 'http://', 'http://exa mple.org']) {
      assert.throws(() => serverUrlCandidates(bad), InvalidServerUrlError, JSON.stringify(bad));
    }
  });
});

describe('probeServer: the model list, or what is wrong', function () {
  this.timeout(20_000);
  const servers: Loopback[] = [];
  const start = async (handler: Handler) => {
    const server = await serve(handler);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('names the server from the first entry that has a distinctive owner, not from an alias listed first', async () => {
    const server = await start((_req, res) => json(res, 200, { object: 'list', data: [{ id: 'small' }, { id: 'adapter', owned_by: 'someone' }, { id: 'lm-provers/QED-Nano', owned_by: 'vllm' }] }));
    const result = await probeServer(server.origin);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.serverName, 'vLLM');
  });

  it('finds /v1 from the bare address, lists the models and names the server from owned_by', async () => {
    const server = await start(openAiLike());
    const result = await probeServer(server.origin);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.baseUrl, `${server.origin}/v1`);
    assert.deepEqual(result.models, [{ id: 'lm-provers/QED-Nano', ownedBy: 'vllm', contextLength: 65536 }]);
    assert.equal(result.serverName, 'vLLM');
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.url}`), ['GET /v1/models']);
    assert.equal(server.requests[0]!.authorization, undefined, 'no key is sent when none is given');
  });

  it('accepts …/v1/chat/completions pasted whole', async () => {
    const server = await start(openAiLike());
    const result = await probeServer(`${server.origin}/v1/chat/completions`);
    assert.ok(result.ok);
    assert.equal(result.baseUrl, `${server.origin}/v1`);
  });

  it('a server mounted without /v1: the address as given, after /v1 was not there', async () => {
    const server = await start((req, res) => (req.url === '/models' ? json(res, 200, MODELS) : json(res, 404, { detail: 'Not Found' })));
    const result = await probeServer(server.origin);
    assert.ok(result.ok);
    assert.equal(result.baseUrl, server.origin);
    assert.deepEqual(server.requests.map((r) => r.url), ['/v1/models', '/models']);
  });

  it('refused: nothing listens on the port', async () => {
    const server = await start(openAiLike());
    await server.close();
    servers.pop();
    const result = await probeServer(server.origin);
    assert.ok(!result.ok);
    assertFailure(result.failure, 'refused', /Nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\)/);
    assert.match(result.failure.fix, /Start the server/);
  });

  it('DNS: a host name that does not resolve (.invalid never does)', async () => {
    const result = await probeServer('http://qed-server.invalid:8000');
    assert.ok(!result.ok);
    assertFailure(result.failure, 'dns', /does not resolve/);
  });

  it('401 without a key: a key is needed; with a wrong one: rejected; with the right one: the models', async () => {
    const server = await start(openAiLike({ key: 'sesame' }));
    const without = await probeServer(server.origin);
    assert.ok(!without.ok);
    assertFailure(without.failure, 'keyNeeded', /needs an API key \(HTTP 401: Unauthorized\)/);
    const wrong = await probeServer(server.origin, 'open');
    assert.ok(!wrong.ok);
    assertFailure(wrong.failure, 'keyRejected', /rejected the API key \(HTTP 401: Unauthorized\)/);
    const right = await probeServer(server.origin, 'sesame');
    assert.ok(right.ok);
    assert.equal(server.requests.at(-1)!.authorization, 'Bearer sesame');
    assert.equal(server.requests.length, 3, 'a 401 ends the search: the path was right');
  });

  it('404 everywhere: not an OpenAI-compatible API, naming both paths tried', async () => {
    const server = await start((_req, res) => json(res, 404, { detail: 'Not Found' }));
    const result = await probeServer(`${server.origin}/api`);
    assert.ok(!result.ok);
    assertFailure(result.failure, 'notFound', new RegExp(`at ${server.origin}/api/v1/models or ${server.origin}/api/models \\(HTTP 404\\)`));
    assert.match(result.failure.fix, /under \/v1/);
  });

  it('a web page where the API should be', async () => {
    const server = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Grafana</body></html>');
    });
    const result = await probeServer(`${server.origin}/v1`);
    assert.ok(!result.ok);
    assertFailure(result.failure, 'notOpenAI', /answered with a web page/);
  });

  it('JSON that is not a model list, and broken JSON', async () => {
    const health = await start((_req, res) => json(res, 200, { status: 'ok' }));
    const first = await probeServer(`${health.origin}/v1`);
    assert.ok(!first.ok);
    assertFailure(first.failure, 'notOpenAI', /JSON that is not an OpenAI model list/);
    const broken = await start((_req, res) => json(res, 200, '{"object":"list","data":['));
    const second = await probeServer(`${broken.origin}/v1`);
    assert.ok(!second.ok);
    assertFailure(second.failure, 'notOpenAI', /not JSON/);
  });

  it('an empty model list (a server still loading, an Ollama without the model)', async () => {
    const server = await start((_req, res) => json(res, 200, { object: 'list', data: [] }));
    const result = await probeServer(`${server.origin}/v1`);
    assert.ok(!result.ok);
    assertFailure(result.failure, 'noModels', /lists no models/);
  });

  it('503 while loading, 500 with the server’s words', async () => {
    const loading = await start((_req, res) => json(res, 503, { error: { message: 'Loading model', code: 503 } }));
    const first = await probeServer(`${loading.origin}/v1`);
    assert.ok(!first.ok);
    assertFailure(first.failure, 'server', /failed \(HTTP 503\): Loading model/);
    assert.match(first.failure.fix, /loading the model/);
    const failing = await start((_req, res) => json(res, 500, { detail: 'CUDA error: out of memory' }));
    const second = await probeServer(`${failing.origin}/v1`);
    assert.ok(!second.ok);
    assertFailure(second.failure, 'server', /failed \(HTTP 500\): CUDA error: out of memory/);
    assert.match(second.failure.fix, /server’s log/);
  });

  it('a server that accepts the connection and never answers: a timeout, within the limit', async () => {
    await start(() => undefined);
    const server = servers[0]!;
    const started = performance.now();
    const result = await probeServer(`${server.origin}/v1`, undefined, { timeoutMs: 300 });
    const elapsed = performance.now() - started;
    assert.ok(!result.ok);
    assertFailure(result.failure, 'timeout', /No answer from 127\.0\.0\.1:\d+ in time/);
    // Behaviour, not speed: it gave up at its 0.3 s, not at the 10 s default (half of which is the bound).
    assert.ok(elapsed < 5000, `gave up after ${elapsed.toFixed(0)} ms`);
  });

  it('https:// to a server that speaks plain http: use http://', async () => {
    const server = await start(openAiLike());
    const result = await probeServer(`${server.origin.replace('http:', 'https:')}/v1`);
    assert.ok(!result.ok);
    assertFailure(result.failure, 'tls', /does not speak TLS/);
    assert.match(result.failure.fix, new RegExp(`Use http:// instead of https:// \\(${server.origin}/v1\\)`));
  });

  it('a self-signed certificate (made at test time with openssl)', async function () {
    const cert = selfSignedCertificate();
    if (!cert) {
      console.warn('      (skipped: openssl is not installed)');
      return this.skip();
    }
    const requests: Loopback['requests'] = [];
    const server = await listen(https.createServer(cert, recordingHandler(requests, openAiLike())), 'https', requests);
    servers.push(server);
    const result = await probeServer(`${server.origin}/v1`);
    assert.ok(!result.ok);
    assertFailure(result.failure, 'tls', /self-signed or signed by an authority this machine does not trust/);
    assert.deepEqual(requests, [], 'nothing was sent over the untrusted connection');
  });

  it('an invalid URL is its own failure', async () => {
    const result = await probeServer('ftp://gpu-box/v1');
    assert.ok(!result.ok);
    assertFailure(result.failure, 'invalidUrl', /not an http:\/\/ or https:\/\/ URL/);
  });
});

describe('testReasoning: where the thinking arrives', function () {
  this.timeout(20_000);
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const recording = (name: string) => fs.readFileSync(path.join(CORPUS, name));
  const event = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  it('vLLM with a reasoning parser (recording: delta.reasoning): separate, in “reasoning”', async () => {
    server = await serve(openAiLike({ stream: recording('vllm-qwen3-reasoning.sse') }));
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'lm-provers/QED-Nano');
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.report.format, 'separate');
    assert.equal(result.report.field, 'reasoning');
    assert.ok(result.report.firstTokenMs !== undefined && result.report.firstTokenMs <= result.report.totalMs);
    const sent = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
    assert.equal(sent.model, 'lm-provers/QED-Nano');
    assert.equal(sent.max_tokens, 64, 'a short answer is asked for');
    assert.equal(sent.stream, true);
  });

  it('DeepSeek’s convention (recording: delta.reasoning_content): separate, in “reasoning_content”', async () => {
    server = await serve(openAiLike({ stream: recording('deepseek-api-reasoning_content.sse') }));
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'm');
    assert.ok(result.ok);
    assert.equal(result.report.format, 'separate');
    assert.equal(result.report.field, 'reasoning_content');
  });

  it('vLLM without a reasoning parser (recording: plain content): raw', async () => {
    server = await serve(openAiLike({ stream: recording('vllm-0.24-crusoe-basic-usage.sse') }));
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'm');
    assert.ok(result.ok);
    assert.deepEqual({ format: result.report.format, sawThinkClose: result.report.sawThinkClose, finish: result.report.finishReason }, { format: 'raw', sawThinkClose: false, finish: 'stop' });
  });

  it('raw text with </think> split across chunks: raw, and the tag seen', async () => {
    const stream = ['Since 1 + 1 = 2.</th', 'ink>\n\n2'].map((text) => event({ content: text })).join('') + event({}, 'length') + 'data: [DONE]\n\n';
    server = await serve(openAiLike({ stream }));
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'm');
    assert.ok(result.ok);
    assert.equal(result.report.format, 'raw');
    assert.equal(result.report.sawThinkClose, true);
    assert.equal(result.report.finishReason, 'length');
  });

  it('an unknown model: vLLM’s 404, with the models it lists', async () => {
    server = await serve((req, res) => {
      if (req.url === '/v1/models') return json(res, 200, MODELS);
      json(res, 404, { object: 'error', message: 'The model `qed-nano` does not exist.', type: 'NotFoundError', param: null, code: 404 });
    });
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'qed-nano');
    assert.ok(!result.ok);
    assertFailure(result.failure, 'modelNotFound', /has no model named “qed-nano” \(HTTP 404\): The model `qed-nano` does not exist/);
    assert.match(result.failure.fix, /lm-provers\/QED-Nano/);
  });

  it('a server that sends the headers and then nothing: a timeout at the deadline', async () => {
    server = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders());
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'm', { timeoutMs: 400 });
    assert.ok(!result.ok);
    assertFailure(result.failure, 'timeout', /did not start answering within/);
  });

  it('thinking that arrives and then stalls: answered by what came before the deadline', async () => {
    server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event({ reasoning_content: 'Let me think' }));
    });
    // The deadline also bounds the wait for the first event, which a busy machine can delay past 0.4 s.
    const result = await testReasoning(`${server.origin}/v1`, undefined, 'm', { timeoutMs: 2000 });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.report.format, 'separate');
  });
});

/** A key and a self-signed certificate for localhost/127.0.0.1, or undefined without openssl. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
