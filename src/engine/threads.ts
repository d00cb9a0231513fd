/**
 * CPU threads for generation when the user sets none.
 *
 * ggml's workers spin at a barrier after every operation, so a step is as slow as its most delayed
 * thread. When there is one worker per logical CPU, the engine's own event loop (which turns
 * tokens into text and SSE) and the editor next to it preempt a worker, and every step waits: on a
 * 2-vCPU machine, idle otherwise, the tiny model decoded 66–88 tokens/s with 2 threads and
 * 910–1,900 with 1, and QED-Nano's shape 2.5 against 7.9. One logical CPU is therefore left free;
 * with simultaneous multithreading the math cores are already fewer than the logical CPUs.
 */
export function defaultThreads(mathCores: number, logicalCpus: number): number {
  return Math.max(1, Math.min(mathCores, logicalCpus - 1));
}
