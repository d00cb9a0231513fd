/**
 * Stop latency (issue 5 §3): from aborting a streamed answer in the project's OpenAI client to
 * the engine's generation having ended (its `/health` reports no active generation, which is
 * after the sequence was released). The engine runs `dist/cli.js serve` on the tiny model with
 * its real default threads (the machine's math cores), as in the editor.
 *
 * Two conditions: a quiet machine, and one whose cores are all kept busy by spinning processes
 * (what an editor, a browser and a build do to the engine on a small machine). The abort comes
 * at a random point of the thinking, after 20–220 tokens.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { OpenAIChatBackend } from '../src/client/openaiBackend';
import { proveMessages } from '../src/core/prompts';
import { engineHealth, startCliEngine, type CliEngine } from '../test/helpers/cliEngine';

interface StopSample {
  /** abort() → the client's stream has ended (the HTTP stream is closed on our side). */
  clientMs: number;
  /** abort() → the engine reports no active generation. */
  engineMs: number;
}

const MAX_TOKENS = 200_000;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function stopOnce(engine: CliEngine, client: OpenAIChatBackend, seed: number): Promise<StopSample | undefined> {
  const abort = new AbortController();
  const stopAfter = 20 + (seed * 37) % 200;
  let tokens = 0;
  let abortedAt = 0;
  for await (const event of client.stream({ messages: proveMessages('There are infinitely many primes.'), seed, maxTokens: MAX_TOKENS }, abort.signal)) {
    if (event.type === 'done') break;
    tokens++;
    if (tokens === stopAfter) {
      abortedAt = performance.now();
      abort.abort();
    }
  }
  if (!abortedAt) return undefined; // the model ended by itself first
  const clientMs = performance.now() - abortedAt;
  while ((await engineHealth(engine)).active > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  return { clientMs, engineMs: performance.now() - abortedAt };
}

/** One spinning process per core, until stopped. */
function busyCores(): ChildProcess[] {
  return Array.from({ length: os.availableParallelism() }, () => fork('-e', ['for(;;){}'], { execArgv: [], stdio: 'ignore' }));
}

async function measure(engine: CliEngine, client: OpenAIChatBackend, stops: number): Promise<StopSample[]> {
  const samples: StopSample[] = [];
  for (let seed = 1; samples.length < stops && seed < stops * 4; seed++) {
    const sample = await stopOnce(engine, client, seed);
    if (sample) samples.push(sample);
  }
  return samples;
}

function row(label: string, samples: StopSample[]): string {
  const cell = (values: number[]) => `${quantile(values, 0.5).toFixed(1)} / ${quantile(values, 0.9).toFixed(1)} / ${Math.max(...values).toFixed(1)} ms`;
  const within = samples.filter((s) => s.engineMs < 100).length;
  return `| ${label} | ${samples.length} | ${cell(samples.map((s) => s.clientMs))} | ${cell(samples.map((s) => s.engineMs))} | ${within} of ${samples.length} |`;
}

export async function benchStopLatency(modelPath: string, stops = 30): Promise<string> {
  const engine = await startCliEngine({ modelPath, threads: 'default', parallel: 1 });
  try {
    const health = await engineHealth(engine);
    const client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed' });
    await measure(engine, client, 2); // warm-up
    const quiet = await measure(engine, client, stops);
    const spinners = busyCores();
    let busy: StopSample[];
    try {
      busy = await measure(engine, client, stops);
    } finally {
      for (const spinner of spinners) spinner.kill();
    }
    return [
      `### Stop: client abort → engine generation ended (tiny model, ${health.threads} threads; median / p90 / max)`,
      '',
      '| machine | stops | abort → client stream ended | abort → engine idle (/health) | engine idle < 100 ms |',
      '|---|---|---|---|---|',
      row('quiet', quiet),
      row(`every core busy (${os.availableParallelism()} spinning processes)`, busy),
    ].join('\n');
  } finally {
    await engine.stop();
  }
}
