/**
 * A scripted OpenAI-compatible endpoint for tests: every chat completion streams the same answer
 * (raw text with `</think>`, as a server without a reasoning parser sends it). It stands in for a
 * model whose answers we need to control, e.g. a critique with findings; the real engine is
 * covered by the tests that run the tiny model.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedEndpoint {
  baseUrl: string;
  /** The request bodies received, parsed. */
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

export interface ScriptedRequest {
  messages: { role: string; content: string }[];
}

export interface ScriptedOptions {
  /** A pause before each piece of the answer, so a test can act while calls stream. */
  pieceDelayMs?: number;
}

/** `answer`: the same text for every request, or chosen from the request (e.g. solver or verifier prompt). */
export async function startScriptedEndpoint(answer: string | ((request: ScriptedRequest) => string), options: ScriptedOptions = {}): Promise<ScriptedEndpoint> {
  const requests: ScriptedEndpoint['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      const request = JSON.parse(body) as ScriptedRequest;
      requests.push(request);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'scripted', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      // A few pieces, so the client's splitting across chunks is exercised too.
      const pieces = (typeof answer === 'string' ? answer : answer(request)).match(/[\s\S]{1,40}/g) ?? [];
      void (async () => {
        for (const piece of pieces) {
          if (options.pieceDelayMs) await new Promise((resolve) => setTimeout(resolve, options.pieceDelayMs));
          // The client went away (a stopped call): nothing more to send.
          if (res.destroyed) return;
          res.write(chunk({ content: piece }, null));
        }
        res.write(chunk({}, 'stop'));
        res.end('data: [DONE]\n\n');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Streams a test stopped listening to must not keep the server open.
      server.closeAllConnections();
    }),
  };
}

/** A critique of samples/irrational.tex's proof of lem:even-square, in the format critiqueMessages asks for. */
export const SAMPLE_CRITIQUE = `I should check the parity argument.</think>

Here is my evaluation of the solution:
The proof argues by contraposition. The expansion of $(2k+1)^2$ is correct.

## Issues
1. **Severity:** justification gap
   **Quote:** "$n^2 = 4k^2 + 4k + 1 = 2(2k^2+2k) + 1$ is odd"
   **Explanation:** It should say why $2m+1$ is odd for an integer $m$.
2. **Severity:** minor
   **Quote:** "a sentence that is not in the proof"
   **Explanation:** The last sentence restates the claim.

Based on my evaluation, the final overall score should be:
\\boxed{0.5}`;
