/**
 * Works around a data race in node-llama-cpp 3.21.1 that mixes up parallel sequences.
 *
 * After a batched decode, node-llama-cpp samples each sequence's next token on libuv worker
 * threads at the same time. The first read of the logits after a decode makes llama.cpp reorder
 * its output buffer in place (`output_reorder`, reached through `llama_get_logits`), and
 * concurrent readers race on that reorder: a sequence can then sample from another sequence's
 * logits. Measured on the tiny test model: with 4 sequences, about half of the runs diverged
 * from their sequential result with tokens that are impossible after their own previous token;
 * with this guard, every run matched token for token.
 *
 * The guard lets the first sample after each decode run alone (it performs the reorder); the
 * others of that batch wait for it and then run in parallel as before.
 */
import type { LlamaContext } from 'node-llama-cpp';

interface NativeContext {
  decodeBatch(...args: unknown[]): Promise<unknown>;
  sampleToken(...args: unknown[]): Promise<unknown>;
}

export function guardParallelSampling(context: LlamaContext): void {
  const native = (context as unknown as { _ctx: NativeContext })._ctx;
  const decode = native.decodeBatch.bind(native);
  const sample = native.sampleToken.bind(native);
  let decodedSinceSample = false;
  let firstSample: Promise<unknown> | undefined;

  const decodeBatch = async (...args: unknown[]) => {
    const result = await decode(...args);
    decodedSinceSample = true;
    firstSample = undefined;
    return result;
  };
  const sampleToken = (...args: unknown[]) => {
    if (decodedSinceSample) {
      decodedSinceSample = false;
      const first = sample(...args);
      firstSample = first.catch(() => undefined);
      return first;
    }
    return firstSample ? firstSample.then(() => sample(...args)) : sample(...args);
  };

  // The addon's methods are read-only on its prototype: assignment fails, but an own property
  // on the instance shadows them. (The object stays the real addon object, which node-llama-cpp
  // also hands back to native code.)
  Object.defineProperty(native, 'decodeBatch', { value: decodeBatch });
  Object.defineProperty(native, 'sampleToken', { value: sampleToken });
}
