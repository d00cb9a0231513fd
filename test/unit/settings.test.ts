import * as assert from 'node:assert/strict';
import Module from 'node:module';

/** The `qed.*` values that `getConfiguration('qed').get` returns in the next readSettings(). */
let values: Record<string, unknown> = {};

// settings.ts reads VS Code's configuration API; outside an extension host a stand-in answers for it.
const vscodeStub = {
  workspace: {
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (key: string, fallback?: unknown) => (key in values ? values[key] : fallback) }),
  },
};
const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
(Module as unknown as { _load: typeof load })._load = (request, ...rest) => (request === 'vscode' ? vscodeStub : load(request, ...rest));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readSettings } = require('../../src/vscode/settings') as typeof import('../../src/vscode/settings');
(Module as unknown as { _load: typeof load })._load = load;

describe('readSettings: qed.generation.seed', () => {
  afterEach(() => (values = {}));

  it('passes a whole-number seed into the sampling options that each request is made from', () => {
    values = { 'generation.seed': 1234, 'generation.topK': 5 };
    assert.deepEqual(readSettings().sampling, { temperature: undefined, topP: undefined, topK: 5, minP: undefined, maxTokens: undefined, seed: 1234 });
    values = { 'generation.seed': 0 };
    assert.equal(readSettings().sampling.seed, 0);
  });

  it('null (the default), or a value the engine does not take: no seed, a new sample each run', () => {
    for (const seed of [null, undefined, -1, 1.5, 2 ** 32, '7']) {
      values = seed === undefined ? {} : { 'generation.seed': seed };
      assert.equal(readSettings().sampling.seed, undefined, String(seed));
    }
  });
});
