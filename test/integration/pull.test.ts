/**
 * `qed pull` (node-llama-cpp's downloader) against a loopback HTTP server that honours Range
 * requests, as Hugging Face's does (the downloader fetches 5 MB chunks over parallel streams).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureTinyModel } from '../../models/tiny/generate';
import { runCli } from '../helpers/cliEngine';

describe('qed pull (model download)', function () {
  this.timeout(120_000);
  let model: Buffer;
  let server: Server;
  let base: string;
  const bytesPerTick = 4 << 20;

  before(async () => {
    const tiny = readFileSync(await ensureTinyModel());
    model = Buffer.concat(Array.from({ length: Math.ceil((16 << 20) / tiny.length) }, () => tiny)).subarray(0, 16 << 20);
    server = createServer((req, res) => {
      const range = req.headers.range;
      const [, first, last] = /bytes=(\d+)-(\d*)/.exec(range ?? '') ?? [];
      const start = Number(first ?? 0);
      const end = last ? Number(last) + 1 : model.length;
      const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': String(end - start) };
      if (req.method === 'HEAD') return res.writeHead(200, { ...headers, 'content-length': String(model.length) }).end();
      res.writeHead(range ? 206 : 200, range ? { ...headers, 'content-range': `bytes ${start}-${end - 1}/${model.length}` } : headers);
      let offset = start;
      const tick = () => {
        if (offset >= end || res.destroyed) return res.end();
        const next = Math.min(end, offset + bytesPerTick);
        res.write(model.subarray(offset, next));
        offset = next;
        setImmediate(tick);
      };
      tick();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('downloads a model and prints its path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    const result = await runCli(['pull', `${base}/qed-tiny.gguf`, '--dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    const downloaded = result.stdout.trim();
    assert.equal(path.dirname(downloaded), dir);
    assert.ok(readFileSync(downloaded).equals(model));
  });

  it('fails in one line when the server is unreachable', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    const result = await runCli(['pull', 'http://127.0.0.1:1/model.gguf', '--dir', dir, '--stall-seconds', '2']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^qed: download failed: no data from 127\.0\.0\.1:1 for 2 s; check the connection$/m);
  });
});
