/**
 * QED-Nano's full shape (36 blocks, Q4_K_M layout, zero weights: models/qed-nano-shape) on the
 * CPU backend: what a CPU-only user lives with.
 *   1. The engine on its own memory plan: load time, resident memory against the plan's estimate.
 *   2. Decode tokens/s through engine + HTTP + client against raw node-llama-cpp on the same file,
 *      the same context settings and seeds, runs interleaved (a shorter context on both sides, so
 *      the two processes fit in memory together).
 *   3. Prompt processing tokens/s for a 4k-token prompt, through the engine.
 * Zero weights give uniform logits: the text is random tokens, but every token costs what a real
 * one does (the same matrix sizes and types).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureShapeModel } from '../models/qed-nano-shape/generate';
import { OpenAIChatBackend } from '../src/client/openaiBackend';
import { formatBytes } from '../src/core/byteSize';
import { proveMessages } from '../src/core/prompts';
import type { MemoryPlan } from '../src/engineShared/memoryPlan';
import { startCliEngine, type CliEngine } from '../test/helpers/cliEngine';
import { median, startRawWorker, type Timing } from './engineThroughput';

const DECODE_TOKENS = 40;
const RUNS = 5;
const COMPARE_CONTEXT = 8192;

interface Health {
  threads: number;
  contextSize: number;
  parallel: number;
  kvCache: string;
  flashAttention: boolean;
  plan: MemoryPlan;
  memory: { processRss: number };
  decodeTokensPerSecond?: number;
}

async function health(engine: CliEngine): Promise<Health> {
  const response = await fetch(`${engine.url}/health`, { headers: { authorization: `Bearer ${engine.apiKey}` } });
  return (await response.json()) as Health;
}

async function decodeRun(client: OpenAIChatBackend, seed: number, messages = proveMessages('Prove that there are infinitely many primes.'), maxTokens = DECODE_TOKENS): Promise<Timing & { promptTokens: number }> {
  const start = performance.now();
  let first: number | undefined;
  let last = start;
  let tokens = 0;
  let promptTokens = 0;
  for await (const event of client.stream({ messages, seed, maxTokens })) {
    if (event.type === 'done') {
      tokens = event.usage?.completionTokens ?? 0;
      promptTokens = event.usage?.promptTokens ?? 0;
    } else {
      first ??= performance.now();
      last = performance.now();
    }
  }
  return { tokens, promptTokens, ttftMs: first! - start, decodeTokensPerSecond: ((tokens - 1) / (last - first!)) * 1000, totalMs: last - start };
}

/** About 4k tokens of real LaTeX (the repository's sample, repeated) as one question. */
function longPrompt(): ReturnType<typeof proveMessages> {
  const sample = readFileSync(path.join(__dirname, '..', 'samples', 'irrational.tex'), 'utf8');
  return proveMessages(`Using the document below, prove its last theorem.\n\n${sample.repeat(Math.ceil(14_000 / sample.length))}`);
}

export async function benchQedNanoShape(threads: number): Promise<string> {
  const modelPath = await ensureShapeModel('full');
  const lines = [`### QED-Nano's shape (36 blocks, Q4_K_M, zero weights) on the CPU, ${threads} ${threads === 1 ? 'thread' : 'threads'}`, ''];

  // 1. The engine's own plan for this machine.
  let started = performance.now();
  let engine = await startCliEngine({ modelPath, threads, parallel: 'auto' });
  const loadMs = performance.now() - started;
  try {
    // Prompt processing on a CPU can keep the first byte back for minutes.
    const client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed', timeoutMs: 60 * 60_000 });
    const ready = await health(engine);
    await decodeRun(client, 1, undefined, 8);
    const after = await health(engine);
    const estimate = ready.plan.estimate.ramBytes;
    lines.push(
      `Plan for this machine: ${ready.plan.sequences} × ${ready.contextSize.toLocaleString('en-US')} tokens, ${ready.kvCache} KV cache, flash attention ${ready.flashAttention ? 'on' : 'off'}; ${ready.plan.notes.join(' ') || 'no notes'}`,
      '',
      '| | measured | plan | ratio |',
      '|---|---|---|---|',
      `| engine start to listening (plan, load, decode probe) | ${(loadMs / 1000).toFixed(1)} s | | |`,
      `| resident memory after loading | ${formatBytes(ready.memory.processRss)} | ${formatBytes(estimate)} | ${(ready.memory.processRss / estimate).toFixed(3)} |`,
      `| resident memory after a generation | ${formatBytes(after.memory.processRss)} | ${formatBytes(estimate)} | ${(after.memory.processRss / estimate).toFixed(3)} (goal: within 10%) |`,
      `| decode speed measured at load (the CPU notice uses it) | ${ready.decodeTokensPerSecond?.toFixed(2) ?? '?'} tokens/s | | |`,
      '',
    );
  } finally {
    await engine.stop();
  }

  // 2. Engine + client against raw node-llama-cpp, same context settings, interleaved.
  started = performance.now();
  engine = await startCliEngine({ modelPath, threads, parallel: 1, extraArgs: ['--context-size', String(COMPARE_CONTEXT)] });
  const compare = await health(engine);
  const raw = await startRawWorker({
    modelPath,
    threads,
    contextSize: compare.contextSize,
    flashAttention: compare.flashAttention,
    kvCache: compare.kvCache,
    statement: 'Prove that there are infinitely many primes.',
    maxTokens: DECODE_TOKENS,
  });
  try {
    // Prompt processing on a CPU can keep the first byte back for minutes.
    const client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed', timeoutMs: 60 * 60_000 });
    await decodeRun(client, 1, undefined, 4);
    await raw.run(1);
    const viaEngine: Timing[] = [];
    const direct: Timing[] = [];
    for (let run = 0; run < RUNS; run++) {
      viaEngine.push(await decodeRun(client, 100 + run));
      direct.push(await raw.run(100 + run));
    }
    const rawRate = median(direct.map((r) => r.decodeTokensPerSecond));
    const engineRate = median(viaEngine.map((r) => r.decodeTokensPerSecond));
    const paired = median(viaEngine.map((r, i) => r.decodeTokensPerSecond / direct[i]!.decodeTokensPerSecond));

    // 3. Prompt processing: a 4k-token prompt, one token out; the time to it is the prompt's evaluation.
    const prompt = await decodeRun(client, 7, longPrompt(), 1);
    lines.push(
      `Decode, ${RUNS} runs of ${DECODE_TOKENS} tokens each side, interleaved, context ${compare.contextSize.toLocaleString('en-US')} (${compare.kvCache}, flash attention ${compare.flashAttention ? 'on' : 'off'}), median:`,
      '',
      '| | raw LlamaCompletion | engine + HTTP + client | ratio |',
      '|---|---|---|---|',
      `| decode tokens/s | ${rawRate.toFixed(2)} | ${engineRate.toFixed(2)} | ${(engineRate / rawRate).toFixed(3)} (goal ≥ 0.95); paired per seed ${paired.toFixed(3)} |`,
      `| prompt processing, ${prompt.promptTokens.toLocaleString('en-US')}-token prompt | | ${((prompt.promptTokens / prompt.ttftMs) * 1000).toFixed(1)} tokens/s (${(prompt.ttftMs / 1000).toFixed(0)} s) | |`,
      '',
      `A typical 20,000-token proof attempt at ${engineRate.toFixed(2)} tokens/s: ${(20_000 / engineRate / 3600).toFixed(1)} hours.`,
    );
  } finally {
    raw.stop();
    await engine.stop();
  }
  return lines.join('\n');
}
