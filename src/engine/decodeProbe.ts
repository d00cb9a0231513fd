/**
 * Measures how fast this machine decodes with the loaded model: a few greedy tokens on a
 * sequence of its own, timed between generated tokens (so prompt processing and warm-up are left
 * out), the median step, so one step stalled by another process does not decide it. On a CPU this
 * is the number that says whether a 20k-token attempt takes minutes or hours, and the user is
 * told before a long run starts.
 */
import type { LlamaContext, Token } from 'node-llama-cpp';

const PROBE_TOKENS = 9;

export async function measureDecodeSpeed(context: LlamaContext, firstToken: Token): Promise<number | undefined> {
  if (context.sequencesLeft === 0) return undefined;
  const sequence = context.getSequence();
  try {
    const times: number[] = [];
    for await (const _token of sequence.evaluate([firstToken], { temperature: 0 })) {
      times.push(performance.now());
      if (times.length === PROBE_TOKENS) break;
    }
    const steps = times.slice(1).map((time, index) => time - times[index]!).sort((a, b) => a - b);
    const median = steps[Math.floor(steps.length / 2)];
    return median ? 1000 / median : undefined;
  } finally {
    sequence.dispose();
  }
}
