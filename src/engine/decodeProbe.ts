/**
 * Measures how fast this machine decodes with the loaded model: a few greedy tokens on a
 * sequence of its own, timed from the first generated token on (so prompt processing and
 * warm-up are left out). On a CPU this is the number that says whether a 20k-token attempt
 * takes minutes or hours, and the user is told before a long run starts.
 */
import type { LlamaContext, Token } from 'node-llama-cpp';

const PROBE_TOKENS = 6;

export async function measureDecodeSpeed(context: LlamaContext, firstToken: Token): Promise<number | undefined> {
  if (context.sequencesLeft === 0) return undefined;
  const sequence = context.getSequence();
  try {
    let generated = 0;
    let firstAt = 0;
    for await (const _token of sequence.evaluate([firstToken], { temperature: 0 })) {
      generated++;
      if (generated === 1) firstAt = performance.now();
      if (generated === PROBE_TOKENS) break;
    }
    const seconds = (performance.now() - firstAt) / 1000;
    return generated > 1 && seconds > 0 ? (generated - 1) / seconds : undefined;
  } finally {
    sequence.dispose();
  }
}
