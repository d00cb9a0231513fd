/**
 * What happens when things go wrong: bad model files, bad flags, and an engine killed mid-answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OpenAIChatBackend } from '../../src/client/openaiBackend';
import { BackendError } from '../../src/client/backendError';
import { proveMessages } from '../../src/core/prompts';
import { createLogger } from '../../src/engineShared/logger';
import { EngineStartError, EngineSupervisor } from '../../src/engineHost/supervisor';
import { defaultThreads } from '../../src/engine/threads';
import { ensureTinyModel } from '../../models/tiny/generate';
import { CLI, runCli, TEST_THREADS } from '../helpers/cliEngine';

const quiet = createLogger(() => undefined);

describe('engine failures', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-bad-models-'));

  it('a missing model file is one clear line and exit code 1', async () => {
    const missing = path.join(dir, 'nope.gguf');
    const result = await runCli(['serve', '--model', missing]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`Model file not found: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a file that is not a GGUF is a clear error', async () => {
    const fake = path.join(dir, 'notes.gguf');
    writeFileSync(fake, '\\documentclass{article} this is not a model\n'.repeat(100));
    const result = await runCli(['serve', '--model', fake]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /is not a valid GGUF model file/);
  });

  it('a truncated GGUF is a clear error', async () => {
    const whole = readFileSync(await ensureTinyModel());
    const truncated = path.join(dir, 'truncated.gguf');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const result = await runCli(['serve', '--model', truncated, '--gpu', 'cpu']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /not a valid GGUF|truncated or corrupt/);
    assert.equal(result.stderr.trim().split('\n').filter((line) => line.startsWith('qed:')).length, 1);
  });

  it('refuses a non-loopback --host without an explicit key, and bad flags with exit code 2', async () => {
    const model = await ensureTinyModel();
    const open = await runCli(['serve', '--model', model, '--host', '0.0.0.0'], { QED_API_KEY: '' });
    assert.equal(open.code, 2);
    assert.match(open.stderr, /Refusing to listen on 0\.0\.0\.0 without an API key/);
    assert.equal((await runCli(['serve', '--model', model, '--parallel', 'many'])).code, 2);
    assert.equal((await runCli(['serve'])).code, 2);
    assert.equal((await runCli(['frobnicate'])).code, 2);
  });

  it('the supervisor reports a bad model as EngineStartError and then starts a good one', async () => {
    const supervisor = new EngineSupervisor(CLI, quiet);
    try {
      await assert.rejects(
        supervisor.connect({ modelPath: path.join(dir, 'nope.gguf'), parallel: 1, gpu: 'cpu', gpuLayers: 'auto' }),
        (error: unknown) => error instanceof EngineStartError && error.code === 'model_not_found',
      );
      const connection = await supervisor.connect({ modelPath: await ensureTinyModel(), parallel: 1, gpu: 'cpu', gpuLayers: 'auto' });
      assert.equal(connection.info.parallel, 1);
      // Without a thread setting the engine leaves a logical CPU free, never node-llama-cpp's default.
      const { getLlama } = await import('node-llama-cpp');
      assert.equal(connection.info.threads, defaultThreads((await getLlama({ gpu: false, build: 'never' })).cpuMathCores, os.availableParallelism()));
    } finally {
      supervisor.stop();
    }
  });

  it('SIGKILL mid-stream gives the client a clear error, and the next request starts a new engine', async () => {
    let engineExited!: () => void;
    const exited = new Promise<void>((resolve) => (engineExited = resolve));
    const supervisor = new EngineSupervisor(CLI, quiet, undefined, { onExit: () => engineExited() });
    const settings = { modelPath: await ensureTinyModel(), parallel: 2, gpu: 'cpu' as const, gpuLayers: 'auto' as const, threads: TEST_THREADS };
    try {
      const first = await supervisor.connect(settings);
      const client = new OpenAIChatBackend({ baseUrl: first.baseUrl, apiKey: first.apiKey, model: 'qed' });
      let partial = '';
      const failure = await (async () => {
        try {
          for await (const event of client.stream({ messages: proveMessages('Prove that 1 + 1 = 2.'), maxTokens: 30_000, seed: 5 })) {
            if (event.type !== 'done') partial += event.text;
            if (partial.length > 20) process.kill(first.pid, 'SIGKILL');
          }
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      assert.ok(failure instanceof BackendError, `expected a BackendError, got ${String(failure)}`);
      assert.doesNotMatch(failure.message, /\n/);
      assert.match(failure.message, /connection|closed|ended|terminated|lost/i);
      assert.ok(partial.length > 20, 'the partial answer arrived before the crash');

      await exited; // until the supervisor has seen the exit, connect() would hand back the dead engine
      const second = await supervisor.connect(settings);
      assert.notEqual(second.pid, first.pid);
      const again = new OpenAIChatBackend({ baseUrl: second.baseUrl, apiKey: second.apiKey, model: 'qed' });
      let text = '';
      for await (const event of again.stream({ messages: proveMessages('Prove that 1 + 1 = 2.'), maxTokens: 200, seed: 5 })) if (event.type !== 'done') text += event.text;
      assert.ok(text.length > 0);
    } finally {
      supervisor.stop();
    }
  });
});
