/**
 * `npm run bench`: prints each benchmark's Markdown section; copy them into bench/RESULTS.md.
 * QED_BENCH_ONLY=name[,name] runs only those sections (names below), e.g.
 * `npm run build && npm run tiny-model && QED_BENCH_ONLY=deep-prove npx tsx bench/run.ts`.
 */
import * as os from 'node:os';
import { ensureTinyModel, PACED_FEED_FORWARD } from '../models/tiny/generate';
import { benchDeepProveThroughput } from './deepProveThroughput';
import { benchDeepView } from './deepView';
import { benchEngineThroughput } from './engineThroughput';
import { benchQedNanoShape } from './qedNanoShape';
import { benchRenderStreaming } from './renderStreaming';
import { benchStopLatency } from './stopLatency';
import { benchTextScaling } from './textScaling';
import { benchTheoremScan } from './theoremScan';

const SECTIONS: [string, () => Promise<string[]>][] = [
  ['theorem-scan', async () => [await benchTheoremScan()]],
  ['text-scaling', async () => [await benchTextScaling()]],
  ['engine', async () => [await benchEngineThroughput('tiny model, unpaced (thousands of tokens/s)', await ensureTinyModel())]],
  ['engine-paced', async () => [await benchEngineThroughput('tiny model paced to ~5 ms/token, like QED-Nano on a GPU', await ensureTinyModel({ feedForward: PACED_FEED_FORWARD }))]],
  ['stop-latency', async () => [await benchStopLatency(await ensureTinyModel())]],
  ['render-streaming', async () => [await benchRenderStreaming()]],
  ['deep-view', async () => [await benchDeepView()]],
  [
    'deep-prove',
    async () => [
      await benchDeepProveThroughput('tiny model, unpaced', await ensureTinyModel(), { repetitions: 5, maxTokens: 1000 }),
      await benchDeepProveThroughput('tiny model paced to ~5 ms/token', await ensureTinyModel({ feedForward: PACED_FEED_FORWARD }), { repetitions: 3, maxTokens: 400 }),
    ],
  ],
  // QED-Nano's real size on the CPU: slow (minutes per section), so last; QED_BENCH_SKIP_SHAPE=1 skips it.
  [
    'shape',
    async () => {
      if (process.env.QED_BENCH_SKIP_SHAPE) return [];
      const results: string[] = [];
      for (const threads of [1, os.availableParallelism()]) results.push(await benchQedNanoShape(threads));
      return results;
    },
  ],
];

async function main(): Promise<void> {
  const only = process.env.QED_BENCH_ONLY?.split(',').map((name) => name.trim());
  const unknown = only?.filter((name) => !SECTIONS.some(([section]) => section === name)) ?? [];
  if (unknown.length) throw new Error(`Unknown QED_BENCH_ONLY section ${unknown.join(', ')}; the sections: ${SECTIONS.map(([name]) => name).join(', ')}.`);
  const cpus = os.cpus();
  console.log(`Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}\n`);
  for (const [name, run] of SECTIONS) {
    if (only && !only.includes(name)) continue;
    for (const section of await run()) {
      console.log(section);
      console.log();
    }
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
