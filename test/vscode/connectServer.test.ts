/**
 * Extension-host test of “QED: Connect to a Server…”: the real command, the real settings and
 * secret storage, against a loopback server that needs a key. The quick picks and input boxes are
 * VS Code's; here the questions are answered by the test, through the command's argument.
 */
import { fakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fakeOpenAiServer';
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ServerFailure, ServerModel } from '../../src/client/serverProbe';
import type { ServerWizardResult, ServerWizardUi } from '../../src/vscode/serverWizard';
import { api } from './extensionHost';

const KEY = 'extension-host-key';

/** Needs KEY (unless `open`), lists two models, streams the thinking in reasoning_content. */
function loopbackServer(open = false): Promise<FakeOpenAiServer> {
  return fakeOpenAiServer({
    key: open ? undefined : KEY,
    models: [{ id: 'small' }, { id: 'lm-provers/QED-Nano', owned_by: 'vllm' }],
    deltas: [{ delta: { reasoning_content: 'One plus one' } }, { delta: {}, finish: 'length' }],
  });
}

function answering(url: string, key?: string) {
  const asked = { keys: [] as ServerFailure[], models: [] as { ids: string[]; preselected: string }[], failures: [] as ServerFailure[], summaries: [] as string[] };
  const ui: ServerWizardUi = {
    choosePreset: async () => 'url',
    enterUrl: async () => url,
    enterKey: async (failure) => (asked.keys.push(failure), key),
    chooseModel: async (models: readonly ServerModel[], preselected: string) => (asked.models.push({ ids: models.map((model) => model.id), preselected }), preselected),
    progress: async (_title, task) => task(),
    failed: async (failure) => void asked.failures.push(failure),
    connected: async (summary) => void asked.summaries.push(summary),
  };
  return { ui, asked };
}

describe('QED: Connect to a Server…', function () {
  this.timeout(60_000);
  const config = () => vscode.workspace.getConfiguration('qed');
  let server: Awaited<ReturnType<typeof loopbackServer>>;

  before(async () => {
    await api();
    server = await loopbackServer();
  });

  after(async () => {
    await server?.close();
    for (const key of ['backend', 'endpoint.url', 'endpoint.model']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it('is a command of the palette', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('qed.connectServer'));
  });

  it('asks for the key on the 401, picks the QED-Nano model, and writes the settings; the key goes to secret storage, not settings', async () => {
    const { ui, asked } = answering(server.origin, KEY);
    const result = (await vscode.commands.executeCommand('qed.connectServer', ui)) as ServerWizardResult | undefined;
    assert.deepEqual(asked.failures, []);
    assert.deepEqual(asked.keys.map((failure) => failure.kind), ['keyNeeded']);
    assert.deepEqual(asked.models, [{ ids: ['small', 'lm-provers/QED-Nano'], preselected: 'lm-provers/QED-Nano' }]);
    assert.equal(result?.report.format, 'separate');
    assert.equal(config().get('backend'), 'endpoint');
    assert.equal(config().get('endpoint.url'), `${server.origin}/v1`);
    assert.equal(config().get('endpoint.model'), 'lm-provers/QED-Nano');
    assert.doesNotMatch(JSON.stringify(config()), new RegExp(KEY), 'the key is in no setting');
    assert.match(asked.summaries[0] ?? '', new RegExp(`^Connected to vLLM at ${server.origin}/v1: model lm-provers/QED-Nano, reasoning arrives separately \\(reasoning_content\\)`));
  });

  it('run again for the same server: the key kept in secret storage is used without asking', async () => {
    const { ui, asked } = answering(`${server.origin}/v1`);
    const before = server.authorizations.length;
    const result = (await vscode.commands.executeCommand('qed.connectServer', ui)) as ServerWizardResult | undefined;
    assert.deepEqual(asked.keys, [], 'not asked');
    assert.equal(result?.apiKey, KEY);
    assert.ok(server.authorizations.slice(before).includes(`Bearer ${KEY}`));
  });

  it('a server that needs no key: connected without one, and the stored key is dropped rather than sent on', async () => {
    const open = await loopbackServer(true);
    try {
      const { ui } = answering(open.origin);
      const result = (await vscode.commands.executeCommand('qed.connectServer', ui)) as ServerWizardResult | undefined;
      assert.equal(result?.apiKey, undefined);
      assert.deepEqual(open.authorizations, [undefined, undefined], 'the other server’s key was not sent');
    } finally {
      await open.close();
    }
    // Back at the keyed server as the configured one: with the key gone, it has to be asked for.
    await config().update('endpoint.url', `${server.origin}/v1`, vscode.ConfigurationTarget.Global);
    const { ui, asked } = answering(server.origin, undefined);
    assert.equal(await vscode.commands.executeCommand('qed.connectServer', ui), undefined, 'cancelled at the key');
    assert.deepEqual(asked.keys.map((failure) => failure.kind), ['keyNeeded']);
  });
});
