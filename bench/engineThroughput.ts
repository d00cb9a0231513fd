/**
 * Engine + HTTP + client against raw node-llama-cpp, on the same model, threads, sampling and
 * seeds (so both produce the same tokens), each with the model in one child process, runs
 * interleaved:
 *   - raw: bench/rawWorker.ts runs LlamaCompletion directly and reports its timings;
 *   - engine: `dist/cli.js serve`, streamed through the project's OpenAI client in this process.
 * Reported: decode tokens/s (first token to last), time to first token, and with 4 concurrent
 * streams the aggregate tokens/s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as path from 'node:path';
import { OpenAIChatBackend } from '../src/client/openaiBackend';
import { proveMessages } from '../src/core/prompts';
import { engineHealth, startCliEngine } from '../test/helpers/cliEngine';

export interface Timing {
  tokens: number;
  ttftMs: number;
  decodeTokensPerSecond: number;
  totalMs: number;
}

export const BENCH_STATEMENT = 'Let $n$ be a positive integer. Prove that $n^3 - n$ is divisible by $6$.';
export const BENCH_MAX_TOKENS = 1500;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface RawWorkerSetup {
  modelPath: string;
  threads: number;
  contextSize: number;
  /** As the engine's plan chose them; node-llama-cpp's defaults otherwise. */
  flashAttention?: boolean;
  kvCache?: string;
  statement?: string;
  maxTokens?: number;
}

/** The baseline in its own long-lived process (bench/rawWorker.ts), one run per call. */
export async function startRawWorker(setup: RawWorkerSetup) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'rawWorker.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the raw worker exited');
    return line.value as string;
  };
  child.stdin.write(`${JSON.stringify({ statement: BENCH_STATEMENT, maxTokens: BENCH_MAX_TOKENS, ...setup })}\n`);
  assert.equal(await nextLine(), 'ready');
  return {
    run: async (seed: number): Promise<Timing> => {
      child.stdin.write(`${seed}\n`);
      return JSON.parse(await nextLine()) as Timing;
    },
    stop: () => child.stdin.end(),
  };
}

async function engineRun(client: OpenAIChatBackend, seed: number): Promise<Timing> {
  const start = performance.now();
  let first: number | undefined;
  let last = start;
  let tokens = 0;
  for await (const event of client.stream({ messages: proveMessages(BENCH_STATEMENT), seed, maxTokens: BENCH_MAX_TOKENS })) {
    if (event.type === 'done') tokens = event.usage?.completionTokens ?? 0;
    else {
      first ??= performance.now();
      last = performance.now();
    }
  }
  const decodeMs = last - first!;
  return { tokens, ttftMs: first! - start, decodeTokensPerSecond: ((tokens - 1) / decodeMs) * 1000, totalMs: last - start };
}

export async function benchEngineThroughput(label: string, modelPath: string, runs = 7): Promise<string> {
  const seeds = Array.from({ length: runs }, (_, i) => 42 + i);
  const engine = await startCliEngine({ parallel: 4, modelPath });
  const health = await engineHealth(engine);
  const raw = await startRawWorker({ modelPath, threads: health.threads, contextSize: health.contextSize, flashAttention: health.flashAttention, kvCache: health.kvCache });
  try {
    const client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed' });
    await engineRun(client, 1); // warm-up
    await raw.run(1);
    // Interleaved, so drift in the machine's speed (other jobs, clocks) hits both sides alike.
    const viaEngine: Timing[] = [];
    const direct: Timing[] = [];
    for (const seed of seeds) {
      viaEngine.push(await engineRun(client, seed));
      direct.push(await raw.run(seed));
    }
    raw.stop();

    const concurrent: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      const results = await Promise.all([0, 1, 2, 3].map((i) => engineRun(client, 500 + round * 4 + i)));
      concurrent.push((results.reduce((sum, r) => sum + r.tokens, 0) / (performance.now() - start)) * 1000);
    }
    const tokensMatch = direct.every((r, i) => r.tokens === viaEngine[i]!.tokens);

    const rawRate = median(direct.map((r) => r.decodeTokensPerSecond));
    const engineRate = median(viaEngine.map((r) => r.decodeTokensPerSecond));
    const singleTotalRate = median(viaEngine.map((r) => (r.tokens / r.totalMs) * 1000));
    const pairedRatio = median(viaEngine.map((r, i) => r.decodeTokensPerSecond / direct[i]!.decodeTokensPerSecond));
    const rawTtft = median(direct.map((r) => r.ttftMs));
    const engineTtft = median(viaEngine.map((r) => r.ttftMs));
    return [
      `### Engine throughput: ${label} (${health.threads} thread, ${runs} runs, median)`,
      '',
      '| | raw LlamaCompletion | engine + HTTP + client | ratio / overhead |',
      '|---|---|---|---|',
      `| decode tokens/s | ${rawRate.toFixed(0)} | ${engineRate.toFixed(0)} | ${(engineRate / rawRate).toFixed(3)} (goal ≥ 0.95); paired per seed: ${pairedRatio.toFixed(3)} |`,
      `| time to first token | ${rawTtft.toFixed(1)} ms | ${engineTtft.toFixed(1)} ms | +${(engineTtft - rawTtft).toFixed(1)} ms (goal ≤ 20 ms) |`,
      `| tokens per run (same seeds) | ${median(direct.map((r) => r.tokens))} | ${median(viaEngine.map((r) => r.tokens))} | ${tokensMatch ? 'identical token counts' : 'token counts differ'} |`,
      '',
      `4 concurrent streams: ${median(concurrent).toFixed(0)} tokens/s aggregate vs ${singleTotalRate.toFixed(0)} tokens/s for one stream (${(median(concurrent) / singleTotalRate).toFixed(2)}×).`,
    ].join('\n');
  } finally {
    raw.stop();
    await engine.stop();
  }
}
