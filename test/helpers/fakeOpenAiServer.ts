/**
 * A loopback OpenAI-compatible server for the Connect to a Server tests: a key (401 without it),
 * the models it lists, and one fixed chat stream; it records each request's Authorization header.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAiServer {
  origin: string;
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export async function fakeOpenAiServer(options: { key?: string; models: object[]; deltas: Array<{ delta: object; finish?: string }> }): Promise<FakeOpenAiServer> {
  const authorizations: (string | undefined)[] = [];
  const chunk = ({ delta, finish }: { delta: object; finish?: string }) =>
    `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish ?? null }] })}\n\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    authorizations.push(req.headers.authorization);
    if (options.key && req.headers.authorization !== `Bearer ${options.key}`) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Unauthorized"}');
    if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: options.models }));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(options.deltas.map(chunk).join('') + 'data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
