/**
 * Deep Prove's use of an engine's parallel sequences: on one engine serving 4 sequences, the
 * aggregate decode rate (generated tokens / wall time) of
 *   - the agent: a DeepProveRun with CallSlots(4) (generate → verify → refine, its round barriers,
 *     its journal and view updates in this process), from its first call to its last result;
 *   - the ideal: 4 independent streams sending the very requests the agent's run made (its
 *     journal's: the same prompts, sampling, limits and seeds, so the same answers), each stream
 *     taking the next request as soon as its last answer is in, from the first request to the
 *     last answer. The work is the same; only the agent's scheduling (its round barriers, a
 *     candidate's verifications waiting for its proof) can make it slower.
 * Runs are interleaved (agent, streams, agent, …) so drift in the machine hits both alike; the
 * ratio agent / streams is reported per pair and as the median (goal ≥ 0.90).
 */
import { OpenAIChatBackend } from '../src/client/openaiBackend';
import { CallSlots } from '../src/core/deepProve/callSlots';
import { DEFAULT_CONFIG, type DeepProveConfig } from '../src/core/deepProve/config';
import { DeepProveRun } from '../src/core/deepProve/deepProveRun';
import type { CallRequest } from '../src/core/deepProve/journal';
import { engineHealth, startCliEngine, TEST_THREADS } from '../test/helpers/cliEngine';
import { MemoryJournal } from '../test/helpers/deepJournal';
import { BENCH_STATEMENT, median } from './engineThroughput';

const SEQUENCES = 4;

/** The method's shape (4 candidates, 4 verifications each) with 1 refinement round: up to 40 calls, 4 at a time. */
function configFor(maxTokens: number): DeepProveConfig {
  return { ...DEFAULT_CONFIG, rounds: 1, summaries: 0, maxTokensPerCall: maxTokens };
}

interface Measured {
  tokens: number;
  ms: number;
  calls: number;
  /** Σ of the calls' durations: how long the slots were in use. */
  callMs: number;
  /** Prompt tokens per call, as the engine counted them. */
  promptTokens: number;
  /** The requests made, in order (the agent's, for the streams to replay). */
  requests: CallRequest[];
}

const rate = (m: Measured) => (m.tokens / m.ms) * 1000;
/** The share of the slots' time in use: Σ call durations / (slots × wall time). */
const occupancy = (m: Measured) => m.callMs / (SEQUENCES * m.ms);
/** Tokens per second of one busy slot. */
const slotRate = (m: Measured) => (m.tokens / m.callMs) * 1000;

async function agentRun(backend: OpenAIChatBackend, config: DeepProveConfig, seed: number): Promise<Measured> {
  const journal = new MemoryJournal();
  await journal.append({ type: 'run', version: 1, runId: `bench-${seed}`, createdAt: Date.now(), title: 'bench', statement: BENCH_STATEMENT, config, seed });
  const view = await new DeepProveRun({ backend, journal, slots: new CallSlots(SEQUENCES) }).run();
  if (view.end?.reason !== 'complete' && view.end?.reason !== 'solved') throw new Error(`the agent's run ended: ${view.end?.reason} ${view.end?.error ?? ''}`);
  // Busy: from its first call to its last result (the run's own setup and end are not the engine's time).
  const first = journal.entries.find((entry) => entry.type === 'call')!.at;
  const last = Math.max(...journal.entries.flatMap((entry) => (entry.type === 'result' ? [entry.at] : [])));
  const started = new Map(journal.entries.flatMap((entry) => (entry.type === 'call' ? [[entry.key, entry.at] as const] : [])));
  let callMs = 0;
  let promptTokens = 0;
  for (const entry of journal.entries) {
    if (entry.type !== 'result') continue;
    callMs += entry.at - started.get(entry.key)!;
    promptTokens += (entry.answer.usage?.promptTokens ?? 0);
  }
  const requests = journal.entries.flatMap((entry) => (entry.type === 'call' ? [entry.request] : []));
  return { tokens: view.tokens, ms: last - first, calls: view.calls, callMs, promptTokens, requests };
}

async function streamsRun(backend: OpenAIChatBackend, requests: readonly CallRequest[]): Promise<Measured> {
  const start = Date.now();
  const total = { tokens: 0, callMs: 0, promptTokens: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: SEQUENCES }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const called = Date.now();
        for await (const event of backend.stream(request)) {
          if (event.type !== 'done') continue;
          total.tokens += event.usage?.completionTokens ?? 0;
          total.promptTokens += (event.usage?.promptTokens ?? 0);
        }
        total.callMs += Date.now() - called;
      }
    }),
  );
  return { ...total, ms: Date.now() - start, calls: requests.length, requests: [...requests] };
}

export async function benchDeepProveThroughput(label: string, modelPath: string, options: { repetitions: number; maxTokens: number }): Promise<string> {
  const { repetitions, maxTokens } = options;
  const config = configFor(maxTokens);
  const engine = await startCliEngine({ parallel: SEQUENCES, modelPath, threads: TEST_THREADS });
  try {
    const health = await engineHealth(engine);
    const backend = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed' });
    await agentRun(backend, config, 999); // warm-up
    const agent: Measured[] = [];
    const streams: Measured[] = [];
    for (let k = 0; k < repetitions; k++) {
      const run = await agentRun(backend, config, 1000 + k);
      agent.push(run);
      streams.push(await streamsRun(backend, run.requests));
    }
    const ratios = agent.map((a, k) => rate(a) / rate(streams[k]!));
    const row = (name: string, runs: Measured[]) =>
      [
        name,
        median(runs.map(rate)).toFixed(0),
        runs.map((r) => rate(r).toFixed(0)).join(', '),
        `${median(runs.map((r) => r.tokens)).toFixed(0)} in ${median(runs.map((r) => r.calls))} calls`,
        `${(median(runs.map((r) => r.ms)) / 1000).toFixed(1)} s`,
        median(runs.map(occupancy)).toFixed(2),
        median(runs.map(slotRate)).toFixed(0),
        median(runs.map((r) => r.promptTokens / r.calls)).toFixed(0),
      ].join(' | ');
    return [
      `### Deep Prove throughput: agent vs ${SEQUENCES} independent streams (${label}, ${health.threads} thread, ${health.parallel} sequences, ${maxTokens} max tokens per call, ${repetitions} pairs)`,
      '',
      '| | median tokens/s | each run | median tokens | median wall time | slots in use | tokens/s of a busy slot | prompt tokens per call |',
      '|---|---|---|---|---|---|---|---|',
      `| ${row('Deep Prove run, CallSlots(4)', agent)} |`,
      `| ${row(`${SEQUENCES} independent streams, the same requests`, streams)} |`,
      '',
      `Ratio agent / streams: median ${median(ratios).toFixed(3)} (goal ≥ 0.90); per pair ${ratios.map((r) => r.toFixed(3)).join(', ')}; ratio of the medians ${(median(agent.map(rate)) / median(streams.map(rate))).toFixed(3)}.`,
    ].join('\n');
  } finally {
    await engine.stop();
  }
}
