/**
 * The steps of “QED: Connect to a Server…” with scripted answers, against loopback servers: the
 * key asked for on a 401 and where a stored key may go, a failure's Retry and Change URL, cancel
 * at any step saving nothing, and the summary for each way the reasoning arrives.
 */
import { fakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fakeOpenAiServer';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { presetForServerName, SERVER_PRESETS, type ServerPreset } from '../../src/client/serverPresets';
import { probeServer, type ServerFailure, type ServerModel, testReasoning } from '../../src/client/serverProbe';
import { connectionSummary, type EndpointConnection, preselectModel, runServerWizard, type ServerWizardUi } from '../../src/vscode/serverWizard';

const CHECKS = { probe: probeServer, testReasoning, presets: SERVER_PRESETS, presetForServerName };

/** An OpenAI-compatible server with two models that answers chat with raw text and </think>. */
function fakeServer(options: { key?: string; ownedBy?: string } = {}): Promise<FakeOpenAiServer> {
  const owned_by = options.ownedBy ?? 'someone';
  return fakeOpenAiServer({
    key: options.key,
    models: [{ id: 'other-model', object: 'model', owned_by }, { id: 'QED-Nano-Q4_K_M.gguf', object: 'model', owned_by }],
    deltas: [{ delta: { content: 'One plus one.</think>\n\n2' } }, { delta: {}, finish: 'stop' }],
  });
}

interface Script {
  preset?: ServerPreset | 'url';
  urls: string[];
  keys?: string[];
  model?: (models: readonly ServerModel[], preselected: string) => string | undefined;
  onFailure?: (failure: ServerFailure) => 'retry' | 'changeUrl' | undefined;
}

/** Answers the wizard's questions from a script and records what it was asked. */
function scripted(script: Script) {
  const asked = {
    urls: [] as string[], keys: [] as ServerFailure[], models: [] as { ids: string[]; preselected: string }[],
    failures: [] as ServerFailure[], progress: [] as string[], summaries: [] as string[],
  };
  const ui: ServerWizardUi = {
    choosePreset: async () => script.preset ?? 'url',
    enterUrl: async (value) => (asked.urls.push(value), script.urls.shift()),
    enterKey: async (failure) => (asked.keys.push(failure), script.keys?.shift()),
    chooseModel: async (models, preselected) => {
      asked.models.push({ ids: models.map((model) => model.id), preselected });
      return script.model ? script.model(models, preselected) : preselected;
    },
    progress: async (title, task) => (asked.progress.push(title), task()),
    failed: async (failure) => (asked.failures.push(failure), script.onFailure?.(failure)),
    connected: async (summary) => void asked.summaries.push(summary),
  };
  return { ui, asked };
}

function memoryStore(current = { url: '', model: '' }, storedKey?: string) {
  const saved: EndpointConnection[] = [];
  return { saved, store: { current: () => current, storedKey: async () => storedKey, save: async (connection: EndpointConnection) => void saved.push(connection) } };
}

describe('the Connect to a Server wizard', function () {
  this.timeout(20_000);
  const servers: FakeOpenAiServer[] = [];
  const start = async (options?: { key?: string; ownedBy?: string }) => {
    const server = await fakeServer(options);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('URL without /v1, a 401 answered with the key, the QED-Nano-like model preselected, raw reasoning: saved and summed up', async () => {
    const server = await start({ key: 'sesame' });
    const { ui, asked } = scripted({ urls: [server.origin], keys: ['sesame'] });
    const { store, saved } = memoryStore();
    const result = await runServerWizard(ui, store, CHECKS);
    assert.deepEqual(asked.keys.map((failure) => failure.kind), ['keyNeeded']);
    assert.deepEqual(asked.models, [{ ids: ['other-model', 'QED-Nano-Q4_K_M.gguf'], preselected: 'QED-Nano-Q4_K_M.gguf' }]);
    assert.deepEqual(saved, [{ url: `${server.origin}/v1`, model: 'QED-Nano-Q4_K_M.gguf', apiKey: 'sesame' }]);
    assert.equal(result?.report.format, 'raw');
    assert.equal(asked.summaries.length, 1);
    assert.match(
      asked.summaries[0]!,
      new RegExp(`^Connected to the server at ${server.origin}/v1: model QED-Nano-Q4_K_M\\.gguf, reasoning arrives as raw text with </think>, which QED splits itself \\(for a separate field: start the server with its reasoning parser \\(vLLM: --reasoning-parser deepseek_r1, .*\\); first token after \\d+\\.\\d s\\.$`),
    );
    assert.deepEqual(asked.failures, []);
  });

  it('a wrong key is asked for again, saying it was rejected', async () => {
    const server = await start({ key: 'sesame' });
    const { ui, asked } = scripted({ urls: [server.origin], keys: ['open', 'sesame'] });
    const { store, saved } = memoryStore();
    await runServerWizard(ui, store, CHECKS);
    assert.deepEqual(asked.keys.map((failure) => failure.kind), ['keyNeeded', 'keyRejected']);
    assert.equal(saved[0]?.apiKey, 'sesame');
  });

  it('the stored key is tried at the configured server without asking, and never sent to another', async () => {
    const configured = await start({ key: 'sesame' });
    const same = scripted({ urls: [`${configured.origin}/v1`] });
    const sameStore = memoryStore({ url: `${configured.origin}/v1`, model: 'other-model' }, 'sesame');
    await runServerWizard(same.ui, sameStore.store, CHECKS);
    assert.deepEqual(same.asked.keys, [], 'not asked: the stored key was accepted');
    assert.equal(sameStore.saved[0]?.apiKey, 'sesame');

    const elsewhere = await start({ key: 'other-secret' });
    const other = scripted({ urls: [elsewhere.origin], keys: [undefined as unknown as string] });
    const otherStore = memoryStore({ url: `${configured.origin}/v1`, model: '' }, 'sesame');
    assert.equal(await runServerWizard(other.ui, otherStore.store, CHECKS), undefined, 'cancelled at the key');
    assert.deepEqual(other.asked.keys.map((failure) => failure.kind), ['keyNeeded']);
    assert.ok(!elsewhere.authorizations.includes('Bearer sesame'), 'the stored key went nowhere else');
    assert.deepEqual(otherStore.saved, []);
  });

  it('a server that needs no key: saved without one (the stored key of the old server is dropped)', async () => {
    const server = await start({ ownedBy: 'vllm' });
    const { ui, asked } = scripted({ urls: [server.origin] });
    const { store, saved } = memoryStore({ url: 'http://old-server:8000/v1', model: 'x' }, 'old-key');
    const result = await runServerWizard(ui, store, CHECKS);
    assert.deepEqual(saved, [{ url: `${server.origin}/v1`, model: 'QED-Nano-Q4_K_M.gguf', apiKey: undefined }]);
    assert.deepEqual(server.authorizations, [undefined, undefined]);
    assert.equal(result?.serverName, 'vLLM', 'named from owned_by');
    assert.match(asked.summaries[0]!, /^Connected to vLLM at .*for a separate field: start vLLM with --reasoning-parser deepseek_r1\)/);
  });

  it('refused: the failure with its fix, then Change URL goes back to the URL, which then works', async () => {
    const dead = await start();
    await dead.close();
    servers.pop();
    const live = await start();
    const vllm = SERVER_PRESETS.find((preset) => preset.id === 'vllm')!;
    const { ui, asked } = scripted({ preset: vllm, urls: [dead.origin, live.origin], onFailure: () => 'changeUrl' });
    const { store, saved } = memoryStore();
    await runServerWizard(ui, store, CHECKS);
    assert.deepEqual(asked.failures.map((failure) => failure.kind), ['refused']);
    assert.deepEqual(asked.urls, ['http://localhost:8000/v1', dead.origin], 'the preset’s URL first, then what was typed');
    assert.equal(saved[0]?.url, `${live.origin}/v1`);
  });

  it('Retry probes again (the server came up meanwhile)', async () => {
    const server = await start();
    const port = new URL(server.origin).port;
    await server.close();
    servers.pop();
    const { ui, asked } = scripted({ urls: [`http://127.0.0.1:${port}`], onFailure: () => 'retry' });
    // The user starts the server while the failure is shown, then clicks Retry.
    const shown = ui.failed;
    ui.failed = async (failure, preset) => {
      servers.push(await fakeServerOn(Number(port)));
      return shown(failure, preset);
    };
    const { store, saved } = memoryStore();
    await runServerWizard(ui, store, CHECKS);
    assert.deepEqual(asked.failures.map((failure) => failure.kind), ['refused']);
    assert.equal(asked.progress.filter((title) => title.startsWith('Connecting')).length, 2);
    assert.equal(saved.length, 1);
  });

  it('cancelled at the model: nothing is saved', async () => {
    const server = await start();
    const { ui } = scripted({ urls: [server.origin], model: () => undefined });
    const { store, saved } = memoryStore();
    assert.equal(await runServerWizard(ui, store, CHECKS), undefined);
    assert.deepEqual(saved, []);
  });

  it('preselects a QED-Nano-like name, else the configured model, else the first', () => {
    const models = (...ids: string[]) => ids.map((id) => ({ id }));
    assert.equal(preselectModel(models('a', 'hf.co/Mungert/QED-Nano-GGUF:Q4_K_M'), 'a'), 'hf.co/Mungert/QED-Nano-GGUF:Q4_K_M');
    assert.equal(preselectModel(models('a', 'b'), 'b'), 'b');
    assert.equal(preselectModel(models('a', 'b'), 'c'), 'a');
  });

  it('sums up each way the reasoning arrives', () => {
    const sglang = SERVER_PRESETS.find((preset) => preset.id === 'sglang');
    const base = { sawThinkClose: false, totalMs: 900, firstTokenMs: 420 };
    assert.equal(
      connectionSummary('vLLM', 'http://gpu:8000/v1', 'lm-provers/QED-Nano', { ...base, format: 'separate', field: 'reasoning' }, undefined),
      'Connected to vLLM at http://gpu:8000/v1: model lm-provers/QED-Nano, reasoning arrives separately (reasoning); first token after 0.4 s.',
    );
    assert.equal(
      connectionSummary('SGLang', 'http://gpu:30000/v1', 'm', { ...base, format: 'raw' }, sglang),
      'Connected to SGLang at http://gpu:30000/v1: model m, reasoning arrives as raw text, which QED splits itself (for a separate field: start SGLang with --reasoning-parser deepseek-r1); first token after 0.4 s.',
    );
    assert.equal(
      connectionSummary('the server', 'http://gpu/v1', 'm', { sawThinkClose: false, totalMs: 10, format: 'unknown' }, undefined),
      'Connected to the server at http://gpu/v1: model m, the test answer was empty, so how the reasoning arrives is not known yet.',
    );
  });
});

async function fakeServerOn(port: number): Promise<FakeOpenAiServer> {
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"m"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"delta":{"reasoning_content":"ok"},"finish_reason":"length"}]}\n\ndata: [DONE]\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    authorizations: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
