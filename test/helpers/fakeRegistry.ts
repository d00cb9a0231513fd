/**
 * A loopback HTTP server that plays the npm registry's tarball downloads: Range requests as the
 * registry honours them, a chosen pace, and the failures a real one shows (a connection that
 * drops part-way, a file that differs from what the lock recorded).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryFile {
  data: Buffer;
  /** Drop the connection after this many bytes of the file, on the first `times` requests. */
  dropAfter?: { bytes: number; times: number };
}

export class FakeRegistry {
  readonly files = new Map<string, RegistryFile>();
  /** Bytes per write; below 4 MiB, one write each 100 ms (a slow line). */
  bytesPerTick = 4 << 20;
  bytesServed = 0;
  requested: Array<{ path: string; start: number; end: number }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const file = this.files.get(req.url ?? '');
      if (!file) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      const { data } = file;
      const [, first, last] = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '') ?? [];
      const start = Number(first ?? 0);
      const end = last ? Number(last) + 1 : data.length;
      const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': String(end - start) };
      if (req.method === 'HEAD') return void res.writeHead(200, { ...headers, 'content-length': String(data.length) }).end();
      this.requested.push({ path: req.url!, start, end });
      res.writeHead(first ? 206 : 200, first ? { ...headers, 'content-range': `bytes ${start}-${end - 1}/${data.length}` } : headers);
      const drop = file.dropAfter && file.dropAfter.times > 0 ? file.dropAfter : undefined;
      if (drop) drop.times--;
      let offset = start;
      const tick = () => {
        if (res.destroyed) return;
        if (drop && offset >= drop.bytes) return void res.destroy();
        if (offset >= end) return void res.end();
        const next = Math.min(end, offset + this.bytesPerTick, drop ? Math.max(drop.bytes, offset + 1) : Infinity);
        res.write(data.subarray(offset, next));
        this.bytesServed += next - offset;
        offset = next;
        if (this.bytesPerTick >= 4 << 20) setImmediate(tick);
        else setTimeout(tick, 100);
      };
      tick();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once the server has seen every connection close (see connectionsClosed). */
  connectionsClosed(timeoutMs?: number): Promise<void> {
    return connectionsClosed(this.server!, timeoutMs);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * Resolves once `server` has no open connection: after a client is killed, its responses stop
 * writing only when the server has seen their sockets close, which takes an unknown while on a
 * busy machine.
 */
export async function connectionsClosed(server: Server, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const count = () => new Promise<number>((resolve, reject) => server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
  while ((await count()) > 0) {
    if (performance.now() > deadline) throw new Error(`the server still had open connections after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
