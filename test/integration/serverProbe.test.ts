/**
 * The connection wizard's checks against the real engine (`dist/cli.js serve` on the tiny model):
 * the engine needs its key, lists its model, and sends the thinking in `reasoning_content`.
 */
import assert from 'node:assert/strict';
import { probeServer, testReasoning } from '../../src/client/serverProbe';
import { startCliEngine, type CliEngine } from '../helpers/cliEngine';

describe('server probe against the engine (real node-llama-cpp on the tiny model)', function () {
  this.timeout(180_000);
  let engine: CliEngine;

  before(async () => {
    engine = await startCliEngine({ parallel: 1 });
  });
  after(async () => engine?.stop());

  it('without the key: a key is needed (401)', async () => {
    const result = await probeServer(engine.url);
    assert.ok(!result.ok);
    assert.equal(result.failure.kind, 'keyNeeded');
    assert.equal(result.failure.status, 401);
    assert.equal(result.baseUrl, `${engine.url}/v1`, 'the 401 came from /v1, the right place');
  });

  it('with the key: the base URL with /v1 added, the model, its context, and the engine named', async () => {
    const result = await probeServer(engine.url, engine.apiKey);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.baseUrl, `${engine.url}/v1`);
    assert.equal(result.models.length, 1);
    assert.equal(result.models[0]!.ownedBy, 'qed');
    assert.ok((result.models[0]!.contextLength ?? 0) > 0, 'max_model_len is read');
    assert.equal(result.serverName, 'the QED engine');
  });

  it('the reasoning test: separate, in reasoning_content, with a time to first token', async () => {
    const probe = await probeServer(`${engine.url}/v1/`, engine.apiKey);
    assert.ok(probe.ok);
    const result = await testReasoning(probe.baseUrl, engine.apiKey, probe.models[0]!.id);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.report.format, 'separate');
    assert.equal(result.report.field, 'reasoning_content');
    assert.ok(result.report.firstTokenMs !== undefined && result.report.firstTokenMs > 0 && result.report.firstTokenMs <= result.report.totalMs);
    assert.ok(result.report.finishReason === 'length' || result.report.finishReason === 'stop', `finish: ${result.report.finishReason}`);
  });

  it('the reasoning test with a wrong key: rejected', async () => {
    const result = await testReasoning(`${engine.url}/v1`, 'wrong', 'any');
    assert.ok(!result.ok);
    assert.equal(result.failure.kind, 'keyRejected');
  });
});
