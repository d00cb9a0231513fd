/**
 * The engine's OpenAI-compatible HTTP API: `POST /v1/chat/completions` (streamed or not),
 * `GET /v1/models` and `GET /health`.
 *
 * Every request must carry the per-start bearer token, and anything that looks like it came
 * from a browser (an `Origin` header, or a `Host` other than our own loopback address, as in
 * DNS rebinding) is refused before the token is even looked at.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FinishReason } from '../core/chat';
import { splitterAfter } from '../core/continuation';
import { InvalidRequestError, parseChatRequest, type ParsedChatRequest } from './chatRequest';
import type { EngineInfo } from '../engineShared/ipcProtocol';
import { EngineError, type GenerationResult, type LlamaEngine } from './llamaEngine';
import type { Logger } from '../engineShared/logger';

export type EngineStatus =
  | { state: 'loading'; progress: number }
  | { state: 'ready'; engine: LlamaEngine }
  | { state: 'error'; message: string };

export interface EngineServerOptions {
  token: string;
  getStatus(): EngineStatus;
  log: Logger;
  /** Extra host name accepted in `Host` besides 127.0.0.1 and localhost (the CLI's `--host`). */
  extraHost?: string;
  /** How often a silent stream gets an SSE comment (default 15 s). */
  keepAliveMs?: number;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** A body this far over the limit is not read to its end: its connection is reset. */
const MAX_DISCARDED_BYTES = 8 * MAX_BODY_BYTES;
const SSE_FLUSH_MS = 16;
/**
 * A stream can be silent for minutes before its first token: queued behind other requests, or
 * evaluating a long prompt on a CPU (4k tokens at 17 tokens/s). fetch (undici, in Node and in
 * VS Code) gives up on a body silent for 300 s, and proxies sooner: an SSE comment, which
 * clients ignore, keeps the connection alive.
 */
const SSE_KEEP_ALIVE_MS = 15_000;

export function createEngineServer(options: EngineServerOptions): Server {
  const expectedAuth = Buffer.from(`Bearer ${options.token}`);
  let active = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      options.log.error(`Unhandled error for ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) sendError(res, 500, 'server_error', 'Internal engine error.');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const port = (server.address() as { port: number } | null)?.port;
    const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    if (options.extraHost) allowedHosts.add(`${options.extraHost}:${port}`);
    if (!allowedHosts.has(req.headers.host ?? '')) {
      return sendError(res, 403, 'forbidden', 'Host not allowed.');
    }
    if (req.headers.origin !== undefined) {
      return sendError(res, 403, 'forbidden', 'Browser requests are not allowed.');
    }
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expectedAuth.length || !timingSafeEqual(auth, expectedAuth)) {
      return sendError(res, 401, 'invalid_api_key', 'Missing or wrong API key: send `Authorization: Bearer <key>`.');
    }

    const path = requestPath(req.url ?? '');
    if (path === undefined) return sendError(res, 400, 'invalid_request_error', 'Malformed request path.');
    const status = options.getStatus();
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, await health(status, active));
    if (req.method === 'GET' && path === '/v1/models') {
      const data = status.state === 'ready' ? [modelEntry(status.engine.info)] : [];
      return sendJson(res, 200, { object: 'list', data });
    }
    if (path === '/v1/chat/completions') {
      if (req.method !== 'POST') return sendError(res, 405, 'method_not_allowed', 'Use POST.');
      if (status.state === 'loading') return sendError(res, 503, 'model_loading', `The model is still loading (${Math.round(status.progress * 100)}%).`);
      if (status.state === 'error') return sendError(res, 503, 'model_error', status.message);
      let parsed: ParsedChatRequest;
      try {
        parsed = parseChatRequest(JSON.parse(await readBody(req)));
      } catch (error) {
        // Read whole (see readBody), refused, and the connection closed: the usual end of a body too large.
        if (error instanceof BodyTooLargeError) return sendError(res, 413, 'request_too_large', error.message, { headers: { connection: 'close' } });
        const message = error instanceof InvalidRequestError || error instanceof SyntaxError ? error.message : 'Could not read the request body.';
        return sendError(res, 400, 'invalid_request_error', message, { param: error instanceof InvalidRequestError ? error.param : undefined });
      }
      active++;
      try {
        await complete(status.engine, parsed, res, options.log, options.keepAliveMs ?? SSE_KEEP_ALIVE_MS);
      } finally {
        active--;
      }
      return;
    }
    sendError(res, 404, 'not_found', `No route for ${req.method} ${path}.`);
  }

  return server;
}

async function complete(engine: LlamaEngine, { request, stream, assistantPrefix, stop }: ParsedChatRequest, res: ServerResponse, log: Logger, keepAliveMs: number): Promise<void> {
  const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const model = engine.info.model;
  const abort = new AbortController();
  // A closed connection is the OpenAI way to cancel: stop generating and free the sequence.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client disconnected'));
  });

  // A continued answer is split from where its prefix left off: after `</think>` all is answer.
  const splitter = splitterAfter(assistantPrefix ?? '', { startInReasoning: engine.info.opensThinking });
  const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra })}\n\n`;
  // Per-token chunks differ only in their text: build the JSON around it once, not per token.
  const [head, tail] = chunk({ '': '\u0000' }).split('{"":"\\u0000"}');
  const textChunk = (field: 'reasoning_content' | 'content', text: string) => `${head}{"${field}":${JSON.stringify(text)}}${tail}`;
  let reasoning = '';
  let content = '';
  // Text is sent at most once per frame: a reader sees no difference, while every event costs
  // the client a parse, and on a small machine that CPU time is taken from the model.
  let flushTimer: NodeJS.Timeout | undefined;
  let sentText = false;
  let lastWriteAt = performance.now();
  let keepAlive: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (reasoning) res.write(textChunk('reasoning_content', reasoning));
    if (content) res.write(textChunk('content', content));
    if (reasoning || content) lastWriteAt = performance.now();
    sentText ||= Boolean(reasoning || content);
    reasoning = content = '';
  };
  const emit = (part: { reasoning: string; content: string }) => {
    // Reasoning and answer are sent in the order they were written.
    if (stream && content && part.reasoning) flush();
    reasoning += part.reasoning;
    content += part.content;
    if (!stream) return;
    // The first text goes out at once: time to first token is what a user waits for.
    if (!sentText) flush();
    else flushTimer ??= setTimeout(flush, SSE_FLUSH_MS);
  };

  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    res.write(chunk({ role: 'assistant', content: '' }));
    keepAlive = setInterval(() => {
      if (performance.now() - lastWriteAt < keepAliveMs || res.writableEnded) return;
      res.write(': keep-alive\n\n');
      lastWriteAt = performance.now();
    }, keepAliveMs);
  }

  let result: GenerationResult;
  try {
    result = await engine.generate({ messages: request.messages, assistantPrefix }, { ...request, stop }, (text) => emit(splitter.push(text)), abort.signal);
  } catch (error) {
    clearInterval(keepAlive);
    const status = error instanceof EngineError && error.code === 'prompt_too_long' ? 400 : 500;
    const message = error instanceof Error ? error.message : String(error);
    log.warn(`${id}: ${message}`);
    if (!stream) return sendError(res, status, status === 400 ? 'context_length_exceeded' : 'server_error', message);
    flush();
    res.end(`data: ${JSON.stringify({ error: { message, type: status === 400 ? 'invalid_request_error' : 'server_error', code: status } })}\n\n`);
    return;
  }
  clearInterval(keepAlive);
  emit(splitter.end());
  if (stream) flush();
  logTimings(log, id, result);
  if (result.finishReason === 'cancelled') {
    res.end();
    return;
  }

  const finishReason: Exclude<FinishReason, 'cancelled'> = result.finishReason;
  const usage = {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    // OpenAI's field for prompt tokens served from cache (here: a kept sequence's KV cache).
    prompt_tokens_details: { cached_tokens: result.cachedPromptTokens },
  };
  if (stream) {
    res.end(chunk({}, finishReason, { usage }) + 'data: [DONE]\n\n');
  } else {
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, reasoning_content: reasoning || undefined }, finish_reason: finishReason }],
      usage,
    });
  }
}

function logTimings(log: Logger, id: string, result: GenerationResult): void {
  const decodeMs = result.firstTokenMs === undefined ? 0 : result.totalMs - result.firstTokenMs;
  const rate = decodeMs > 0 ? ((result.completionTokens - 1) / decodeMs) * 1000 : 0;
  log.info(
    `${id}: ${result.finishReason}, prompt ${result.promptTokens} tokens, generated ${result.completionTokens} tokens, ` +
      `queued ${result.queuedMs.toFixed(0)} ms, first token ${result.firstTokenMs?.toFixed(0) ?? '-'} ms, ${rate.toFixed(1)} tokens/s`,
  );
}

async function health(status: EngineStatus, active: number): Promise<object> {
  switch (status.state) {
    case 'loading':
      return { status: 'loading', progress: status.progress };
    case 'error':
      return { status: 'error', error: status.message };
    case 'ready': {
      const engine = status.engine;
      const info = engine.info;
      return {
        status: 'ready',
        model: info.model,
        modelPath: info.modelPath,
        backend: info.gpu,
        gpu: info.gpu,
        devices: info.devices,
        gpuLayers: info.gpuLayers,
        threads: info.threads,
        contextSize: info.contextSize,
        parallel: info.parallel,
        kvCache: info.kvCache,
        flashAttention: info.flashAttention,
        plan: info.plan,
        memory: await engine.memory(),
        decodeTokensPerSecond: info.decodeTokensPerSecond,
        tokensPerSecond: engine.tokensPerSecond,
        active,
        queued: engine.queued,
        chatTemplate: info.chatTemplate,
      };
    }
  }
}

/**
 * The path of an origin-form request target (`/v1/models?x`) without trailing slashes, or
 * undefined if it is not one: only RFC 3986 path characters. (A URL parser reads `//x` as a host.)
 */
function requestPath(target: string): string | undefined {
  const path = target.split('?', 1)[0]!;
  if (!/^(?:\/(?:[\w.~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)+$/.test(path)) return undefined;
  return path.replace(/\/+$/, '');
}

class BodyTooLargeError extends Error {}

/**
 * The body as text. A body over the limit is read to its end without being kept before it is
 * refused: a connection closed on unread data is reset, and the client would never see the 413
 * (the OpenAI SDK then retries, as after any network error). Only a body that goes on much
 * longer, which no client of ours sends, has its connection reset.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let parts: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new BodyTooLargeError(`The request body is ${(size / 2 ** 20).toFixed(1)} MB; the engine takes at most ${MAX_BODY_BYTES / 2 ** 20} MB.`);
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= MAX_BODY_BYTES) parts.push(part);
      else parts = [];
      if (size > MAX_DISCARDED_BYTES) req.destroy(tooLarge());
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(tooLarge());
      else resolve(Buffer.concat(parts).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Errors in OpenAI's shape (`param` names the request field at fault), so every OpenAI client reports them properly. */
function sendError(res: ServerResponse, status: number, code: string, message: string, extra: { param?: string; headers?: Record<string, string> } = {}): void {
  const type = status === 401 ? 'authentication_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: extra.param ?? null, code } }, extra.headers);
}

/** The one model, with what an OpenAI client may use (`max_model_len`, as vLLM reports it) and the plan. */
function modelEntry(info: EngineInfo): object {
  return {
    id: info.model,
    object: 'model',
    created: 0,
    owned_by: 'qed',
    max_model_len: info.contextSize,
    backend: info.gpu,
    devices: info.devices,
    plan: { sequences: info.parallel, contextSize: info.contextSize, kvCache: info.kvCache, gpuLayers: info.gpuLayers, totalLayers: info.plan.totalLayers },
  };
}
