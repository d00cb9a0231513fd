/**
 * The connection wizard's checks of a server, in plain Node: which base URL answers `GET /models`
 * with an OpenAI model list, and how a short chat request comes back (the reasoning in a field of
 * its own, or raw text with `</think>`). Every failure is one of a few kinds, each with a message
 * and the fix; errors are read once, by errors.ts, and only turned into the wizard's words here.
 */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { THINK_CLOSE } from '../core/reasoning';
import type { BackendError } from './backendError';
import { createEndpointClient, type EndpointClient } from './endpointClient';
import { isModelNotFound, serverMessage, streamError, toBackendError } from './errors';
import { requestBody } from './openaiBackend';
import { serverNameFromOwner } from './serverPresets';
import { InvalidServerUrlError, serverUrlCandidates } from './serverUrl';

export type ServerFailureKind =
  | 'invalidUrl'
  | 'refused'
  | 'dns'
  | 'tls'
  | 'keyNeeded'
  | 'keyRejected'
  | 'notFound'
  | 'modelNotFound'
  | 'timeout'
  | 'notOpenAI'
  | 'noModels'
  | 'server'
  | 'connection';

export interface ServerFailure {
  kind: ServerFailureKind;
  /** What happened, in one sentence. */
  message: string;
  /** What to do about it. */
  fix: string;
  status?: number;
}

export interface ServerModel {
  id: string;
  ownedBy?: string;
  /** Tokens per request, where the server says (vLLM's and the QED engine's `max_model_len`). */
  contextLength?: number;
}

export type ProbeResult =
  | { ok: true; baseUrl: string; models: ServerModel[]; serverName?: string }
  | { ok: false; baseUrl?: string; failure: ServerFailure };

export interface ProbeOptions {
  /** How long the model list may take; a server that is up answers it at once. */
  timeoutMs?: number;
}

const PROBE_TIMEOUT_MS = 10_000;

/** Finds the server's OpenAI-compatible base URL and the models it serves. */
export async function probeServer(input: string, apiKey?: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  let candidates: string[];
  try {
    candidates = serverUrlCandidates(input);
  } catch (error) {
    if (!(error instanceof InvalidServerUrlError)) throw error;
    return { ok: false, failure: { kind: 'invalidUrl', message: error.message, fix: 'Enter the server’s address as http://host:port/v1, e.g. http://localhost:8000/v1.' } };
  }
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  let firstNotFound: ServerFailure | undefined;
  for (const baseUrl of candidates) {
    const answer = await listModels(baseUrl, apiKey, timeoutMs);
    if (answer.ok) {
      if (answer.models.length === 0) return { ok: false, baseUrl, failure: noModels(baseUrl) };
      return { ok: true, baseUrl, models: answer.models, serverName: serverNameOf(answer.models) };
    }
    // Only "nothing here" sends us on to the next candidate; any other answer came from the right place.
    if (answer.failure.kind !== 'notFound') return { ok: false, baseUrl, failure: answer.failure };
    firstNotFound ??= answer.failure;
  }
  if (candidates.length > 1) {
    firstNotFound = { ...firstNotFound!, message: `Nothing OpenAI-compatible answers at ${candidates.map((url) => `${url}/models`).join(' or ')} (HTTP ${firstNotFound!.status}).` };
  }
  return { ok: false, baseUrl: candidates[0], failure: firstNotFound! };
}

type ModelList = { ok: true; models: ServerModel[] } | { ok: false; failure: ServerFailure };

async function listModels(baseUrl: string, apiKey: string | undefined, timeoutMs: number): Promise<ModelList> {
  const client = createEndpointClient({ baseUrl, apiKey, timeoutMs });
  let body: unknown;
  try {
    body = await client.get('/models');
  } catch (error) {
    return { ok: false, failure: failureOf(toBackendError(error, { baseUrl, model: '', hasApiKey: Boolean(apiKey), timeoutMs }), baseUrl) };
  }
  const models = modelsOf(body);
  return models ? { ok: true, models } : { ok: false, failure: notOpenAI(baseUrl, body) };
}

/** `{"object":"list","data":[{"id":…},…]}`, or undefined for anything else. */
function modelsOf(body: unknown): ServerModel[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.data)) return undefined;
  const models: ServerModel[] = [];
  for (const entry of body.data) {
    if (!isRecord(entry) || typeof entry.id !== 'string' || !entry.id) return undefined;
    const model: ServerModel = { id: entry.id };
    if (typeof entry.owned_by === 'string') model.ownedBy = entry.owned_by;
    if (typeof entry.max_model_len === 'number' && entry.max_model_len > 0) model.contextLength = entry.max_model_len;
    models.push(model);
  }
  return models;
}

export type ReasoningFormat =
  /** The thinking came in `reasoning_content` or `reasoning`: the server's reasoning parser is on. */
  | 'separate'
  /** The thinking came inside the text (with `</think>` once it ends): QED splits it itself. */
  | 'raw'
  /** The test answer had no text at all. */
  | 'unknown';

export interface ReasoningReport {
  format: ReasoningFormat;
  /** The delta field the thinking arrived in, for `separate`. */
  field?: 'reasoning_content' | 'reasoning';
  /** Whether the raw text reached `</think>` within the test's few tokens. */
  sawThinkClose: boolean;
  /** From sending the request to the first text, thinking or answer. */
  firstTokenMs?: number;
  totalMs: number;
  finishReason?: string;
}

export type ReasoningResult = { ok: true; report: ReasoningReport } | { ok: false; failure: ServerFailure };

export interface ReasoningTestOptions {
  /** How long the server may take to start answering (a model still loading, a busy GPU). */
  timeoutMs?: number;
  /** Tokens the test answer may take: QED-Nano thinks first, so the answer is usually cut. */
  maxTokens?: number;
}

const TEST_QUESTION = 'What is 1 + 1? Answer with the number only.';
const TEST_MAX_TOKENS = 64;
const TEST_TIMEOUT_MS = 60_000;

/**
 * One short chat request, as a proof run sends it (the same body, with few tokens), reporting where
 * the thinking arrived and how long the first token took.
 */
export async function testReasoning(baseUrl: string, apiKey: string | undefined, model: string, options: ReasoningTestOptions = {}): Promise<ReasoningResult> {
  const timeoutMs = options.timeoutMs ?? TEST_TIMEOUT_MS;
  const client = createEndpointClient({ baseUrl, apiKey, timeoutMs });
  const body = requestBody({ messages: [{ role: 'user', content: TEST_QUESTION }], maxTokens: options.maxTokens ?? TEST_MAX_TOKENS }, model);
  // One deadline for the whole answer: it is short, and a server that stalls in it would stall a proof too.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const started = performance.now();
  let field: ReasoningReport['field'];
  let content = '';
  let firstTokenMs: number | undefined;
  let finishReason: string | undefined;
  try {
    const stream = await client.chat.completions.create(body, { signal: deadline.signal });
    for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
      if ((chunk as { object?: string }).object === 'error') throw streamError(chunk);
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const delta = (choice.delta ?? {}) as { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
      if (delta.reasoning_content) field ??= 'reasoning_content';
      else if (delta.reasoning) field ??= 'reasoning';
      if (delta.content) content += delta.content;
      if (firstTokenMs === undefined && (field || content)) firstTokenMs = performance.now() - started;
    }
  } catch (error) {
    if (!deadline.signal.aborted) return { ok: false, failure: await chatFailure(error, client, baseUrl, model, apiKey, timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
  // The SDK ends its iterator quietly on an abort. After text arrived, what was seen answers the question.
  if (deadline.signal.aborted && firstTokenMs === undefined) return { ok: false, failure: timeout(baseUrl, timeoutMs) };
  const format: ReasoningFormat = field ? 'separate' : content ? 'raw' : 'unknown';
  return {
    ok: true,
    report: { format, ...(field && { field }), sawThinkClose: content.includes(THINK_CLOSE), firstTokenMs, totalMs: performance.now() - started, finishReason },
  };
}

async function chatFailure(error: unknown, client: EndpointClient, baseUrl: string, model: string, apiKey: string | undefined, timeoutMs: number): Promise<ServerFailure> {
  const mapped = toBackendError(error, { baseUrl, model, hasApiKey: Boolean(apiKey), timeoutMs });
  if (!isModelNotFound(error)) return failureOf(mapped, baseUrl);
  let listed: string[] = [];
  try {
    const page = await client.models.list({ timeout: 3000 });
    listed = page.data.map((entry) => entry.id);
  } catch {
    // The list is only a hint.
  }
  return {
    kind: 'modelNotFound',
    message: `${baseUrl} has no model named “${model}” (HTTP ${mapped.status}): ${serverSays(mapped)}`,
    fix: listed.length ? `Pick one it lists: ${listed.slice(0, 5).join(', ')}${listed.length > 5 ? ', …' : ''}.` : `Pick a model from GET ${baseUrl}/models.`,
    status: mapped.status,
  };
}

/** The wizard's words for a failure the client mapped. */
function failureOf(error: BackendError, baseUrl: string): ServerFailure {
  const where = hostOf(baseUrl);
  const status = error.status;
  switch (error.reason) {
    case 'refused':
      return { kind: 'refused', message: `Nothing is listening at ${where} (connection refused).`, fix: 'Start the server there (its command is in the list of servers), or check the host and port.' };
    case 'dns':
      return { kind: 'dns', message: `The host name in ${baseUrl} does not resolve.`, fix: 'Check its spelling, or use the machine’s IP address.' };
    case 'tlsNotSpoken':
      return { kind: 'tls', message: `${where} does not speak TLS: it answers plain http.`, fix: `Use http:// instead of https:// (${baseUrl.replace(/^https:/, 'http:')}).` };
    case 'tlsUntrusted':
      return { kind: 'tls', message: `The TLS certificate of ${where} is self-signed or signed by an authority this machine does not trust.`, fix: 'Give the server a certificate from a trusted authority, or add its authority to the system’s trusted certificates; on a trusted network, plain http:// works too.' };
    case 'tlsWrongHost':
      return { kind: 'tls', message: `The TLS certificate of ${where} is issued for another host name.`, fix: 'Use the host name the certificate names, or give the server a certificate for this one.' };
    case 'tlsExpired':
      return { kind: 'tls', message: `The TLS certificate of ${where} has expired (or is not valid yet).`, fix: 'Renew the server’s certificate, and check this machine’s clock.' };
    case 'tlsOther':
      return { kind: 'tls', message: `The TLS connection to ${where} failed: ${error.message}`, fix: 'Check the URL’s scheme (http:// or https://) and the server’s certificate.' };
    // The server's words too: a 403 may be about something else than the key (the QED engine's "Host not allowed").
    case 'keyNeeded':
      return { kind: 'keyNeeded', message: `${where} needs an API key (HTTP ${status}${said(error)}).`, fix: 'Enter the key the server was started with (its --api-key).', status };
    case 'keyRejected':
      return { kind: 'keyRejected', message: `${where} rejected the API key (HTTP ${status}${said(error)}).`, fix: 'Enter the key the server was started with (its --api-key).', status };
    case 'notJson':
      return notOpenAI(baseUrl, undefined);
  }
  switch (error.kind) {
    case 'timeout':
      return { kind: 'timeout', message: `No answer from ${where} in time.`, fix: 'The server may be starting, loading the model or busy, or a firewall drops the connection: retry, or check the host and port.' };
    case 'notFound':
      return {
        kind: 'notFound',
        message: `Nothing OpenAI-compatible answers at ${baseUrl}/models (HTTP ${status}).`,
        fix: /\/v1$/.test(baseUrl) ? 'Check the URL: OpenAI-compatible servers answer under /v1 (http://host:port/v1); this may be another kind of server.' : `Add /v1 to the URL (${baseUrl}/v1).`,
        status,
      };
    case 'server':
      return {
        kind: 'server',
        message: `${where} failed (HTTP ${status ?? '?'}): ${serverSays(error)}`,
        fix: status === 503 ? 'It may still be loading the model: retry in a moment.' : 'Check the server’s log, then retry.',
        status,
      };
    case 'model':
      return { kind: 'modelNotFound', message: error.message, fix: 'Pick a model the server lists.', status };
    default:
      return { kind: 'connection', message: error.message, fix: 'Check that the server is running, and the URL’s scheme (http:// or https://) and port.', status };
  }
}

function notOpenAI(baseUrl: string, body: unknown): ServerFailure {
  const what =
    typeof body === 'string' && /<html|<!doctype/i.test(body) ? 'a web page' : typeof body === 'string' || body === undefined ? 'something that is not JSON' : 'JSON that is not an OpenAI model list';
  return {
    kind: 'notOpenAI',
    message: `${baseUrl}/models answered with ${what}: this is not an OpenAI-compatible API.`,
    fix: 'Check the port: another service answers there. The OpenAI-compatible API is usually at http://host:port/v1.',
  };
}

function noModels(baseUrl: string): ServerFailure {
  return {
    kind: 'noModels',
    message: `${baseUrl} lists no models.`,
    fix: 'It may still be loading the model: retry in a moment. (Ollama and LM Studio list only models pulled or loaded.)',
  };
}

function timeout(baseUrl: string, timeoutMs: number): ServerFailure {
  return {
    kind: 'timeout',
    message: `${hostOf(baseUrl)} did not start answering within ${Math.round(timeoutMs / 1000)} s.`,
    fix: 'The server may be loading the model or busy with other requests: retry, or raise qed.endpoint.timeoutSeconds.',
  };
}

function said(error: BackendError): string {
  const words = serverMessage(error.cause);
  return words ? `: ${words}` : '';
}

/** The server's own words in a mapped HTTP error. */
function serverSays(error: BackendError): string {
  return serverMessage(error.cause) || 'no details';
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first distinctive owner in the list names the server: entries without one (LoRA adapters, aliases) do not. */
function serverNameOf(models: readonly ServerModel[]): string | undefined {
  for (const model of models) {
    const name = serverNameFromOwner(model.ownedBy);
    if (name) return name;
  }
  return undefined;
}
