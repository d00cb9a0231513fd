/** `npm run bench`: prints each benchmark's Markdown section; copy them into bench/RESULTS.md. */
import * as os from 'node:os';
import { ensureTinyModel, PACED_FEED_FORWARD } from '../models/tiny/generate';
import { benchDeepView } from './deepView';
import { benchEngineThroughput } from './engineThroughput';
import { benchQedNanoShape } from './qedNanoShape';
import { benchRenderStreaming } from './renderStreaming';
import { benchStopLatency } from './stopLatency';
import { benchTextScaling } from './textScaling';
import { benchTheoremScan } from './theoremScan';

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`Machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}\n`);
  console.log(await benchTheoremScan());
  console.log();
  console.log(await benchTextScaling());
  console.log();
  console.log(await benchEngineThroughput('tiny model, unpaced (thousands of tokens/s)', await ensureTinyModel()));
  console.log();
  console.log(await benchEngineThroughput('tiny model paced to ~5 ms/token, like QED-Nano on a GPU', await ensureTinyModel({ feedForward: PACED_FEED_FORWARD })));
  console.log();
  console.log(await benchStopLatency(await ensureTinyModel()));
  console.log();
  console.log(await benchRenderStreaming());
  console.log();
  console.log(await benchDeepView());
  console.log();
  // QED-Nano's real size on the CPU: slow (minutes per section), so last; QED_BENCH_SKIP_SHAPE=1 skips it.
  if (!process.env.QED_BENCH_SKIP_SHAPE) {
    for (const threads of [1, os.availableParallelism()]) {
      console.log(await benchQedNanoShape(threads));
      console.log();
    }
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
