/**
 * `qed pull` (node-llama-cpp's downloader) against a loopback HTTP server that honours Range
 * requests, as Hugging Face's does: a complete download, a stopped one that resumes, and an
 * unreachable server. The file is 48 MB because the downloader keeps progress in 5 MB chunks
 * spread over parallel streams: a small file leaves nothing behind to resume.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureTinyModel } from '../../models/tiny/generate';
import { CLI, runCli } from '../helpers/cliEngine';
import { connectionsClosed } from '../helpers/fakeRegistry';

describe('qed pull (model download)', function () {
  this.timeout(120_000);
  let model: Buffer;
  let server: Server;
  let base: string;
  let bytesPerTick = 4 << 20;
  let bytesServed = 0;
  let requested: Array<[number, number]> = [];
  let hugeBytesServed = 0;
  let hugeSize = 0;

  before(async () => {
    const tiny = readFileSync(await ensureTinyModel());
    model = Buffer.concat(Array.from({ length: Math.ceil((48 << 20) / tiny.length) }, () => tiny)).subarray(0, 48 << 20);
    server = createServer((req, res) => {
      if (req.url === '/huge.gguf') {
        // A file larger than the disk: the pull must refuse before fetching it.
        const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': String(hugeSize) };
        if (req.method === 'HEAD') return res.writeHead(200, headers).end();
        res.writeHead(req.headers.range ? 206 : 200, { ...headers, ...(req.headers.range ? { 'content-range': `bytes 0-${hugeSize - 1}/${hugeSize}` } : {}) });
        hugeBytesServed += 1 << 20;
        return res.end(Buffer.alloc(1 << 20));
      }
      const range = req.headers.range;
      const [, first, last] = /bytes=(\d+)-(\d*)/.exec(range ?? '') ?? [];
      const start = Number(first ?? 0);
      const end = last ? Number(last) + 1 : model.length;
      if (req.method === 'GET') requested.push([start, end]);
      const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': String(end - start) };
      if (req.method === 'HEAD') return res.writeHead(200, { ...headers, 'content-length': String(model.length) }).end();
      res.writeHead(range ? 206 : 200, range ? { ...headers, 'content-range': `bytes ${start}-${end - 1}/${model.length}` } : headers);
      let offset = start;
      const tick = () => {
        if (offset >= end || res.destroyed) return res.end();
        const next = Math.min(end, offset + bytesPerTick);
        res.write(model.subarray(offset, next));
        bytesServed += next - offset;
        offset = next;
        if (bytesPerTick >= 4 << 20) setImmediate(tick);
        else setTimeout(tick, 100);
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

  it('resumes a stopped download instead of starting over', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    bytesPerTick = 256 << 10;
    bytesServed = 0;
    const child = spawn(process.execPath, [CLI, 'pull', `${base}/qed-tiny.gguf`, '--dir', dir], { stdio: 'ignore' });
    while (bytesServed < model.length * 0.7) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await connectionsClosed(server); // the server notices the closed sockets
    assert.ok(readdirSync(dir).some((name) => name.endsWith('.ipull')), 'the partial download stays on disk');

    bytesPerTick = 4 << 20;
    requested = [];
    const result = await runCli(['pull', `${base}/qed-tiny.gguf`, '--dir', dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(readFileSync(result.stdout.trim()).equals(model));
    // The downloader opens with a whole-file request that it reads only the start of; the chunks
    // it then asks for are the ones it still needs.
    const chunks = requested.filter(([start, end]) => end - start < model.length);
    const covered = new Uint8Array(model.length >> 16); // 64 KiB cells of the file asked for again
    for (const [start, end] of chunks) covered.fill(1, start >> 16, Math.ceil(end / 65536));
    const again = covered.reduce((sum, cell) => sum + cell, 0) / covered.length;
    assert.ok(again < 0.8, `asked for ${(again * 100).toFixed(0)}% of the file again: ${JSON.stringify(requested)}`);
  });

  it('checks the download against --sha256: a match keeps the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    const sha256 = createHash('sha256').update(model).digest('hex');
    const result = await runCli(['pull', `${base}/qed-tiny.gguf`, '--dir', dir, '--sha256', sha256.toUpperCase()]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(readFileSync(result.stdout.trim()).equals(model));
  });

  it('deletes a download that does not match --sha256 and says so in one line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    const sha256 = createHash('sha256').update(model).digest('hex');
    const wrong = `${sha256.slice(0, 63)}${sha256.endsWith('0') ? '1' : '0'}`;
    const result = await runCli(['pull', `${base}/qed-tiny.gguf`, '--dir', dir, '--sha256', wrong]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').pop(), `qed: download failed: the downloaded file does not match its published sha256 (expected ${wrong}, got ${sha256}); it was deleted`);
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.gguf')), [], 'no unverified model is left to load');
  });

  it('refuses before fetching anything when the disk cannot hold the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    const { bavail, bsize } = statfsSync(dir);
    // What is free plus 8 GiB (the downloader keeps a record per 5 MB chunk: a petabyte would not do).
    hugeSize = bavail * bsize + 8 * 1024 ** 3;
    hugeBytesServed = 0;
    const result = await runCli(['pull', `${base}/huge.gguf`, '--dir', dir]);
    assert.equal(result.code, 1);
    const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(result.stderr.trim(), new RegExp(`^qed: download failed: not enough disk space in ${escaped}: the download needs [\\d.]+ \\w+ more and [\\d.]+ \\w+ is free \\(QED keeps 512 MiB spare\\); free some space, or delete models you do not use \\(QED: Choose Model… → Manage downloaded models\\)$`));
    assert.ok(hugeBytesServed <= 1 << 20, `${hugeBytesServed} bytes fetched`);
    assert.ok(!readdirSync(dir).some((name) => name.startsWith('huge') && existsSync(path.join(dir, name)) && readFileSync(path.join(dir, name)).length > 0), 'nothing written');
  });

  it('fails in one line when the server is unreachable', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-pull-'));
    const result = await runCli(['pull', 'http://127.0.0.1:1/model.gguf', '--dir', dir, '--stall-seconds', '2']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^qed: download failed: no data from 127\.0\.0\.1:1 for 2 s; check the connection$/m);
  });
});
