/**
 * What `qed plan --json` prints: one line per model, each a memory plan with where its header
 * came from. The model picker reads these from a child process (node-llama-cpp never loads in
 * the extension host), so the format is shared here.
 */
import type { MemoryPlan, Resources } from './memoryPlan';

/** Where the plan's GGUF header came from. */
export type HeaderSource =
  /** The model file on disk. */
  | 'file'
  /** The file in the model's repository, read over the network (only its header). */
  | 'remote'
  /** A planning header written from QED-Nano's architecture and llama.cpp's recipe for the quantization. */
  | 'estimated';

export interface PlanReport extends MemoryPlan {
  /** The file's path, or the URI for a catalog quantization. */
  model: string;
  /** Set for `--quant`: the catalog quantization this plan is for. */
  quantization?: string;
  header: HeaderSource;
  /** Why the remote header was not used, when it was tried. */
  headerNote?: string;
  /** Planned for a backend this machine does not run. */
  simulated: boolean;
  /** The estimate in two parts: the weights, and the context (KV cache and compute buffers). */
  need: { model: Resources; context: Resources };
}

/** The reports in `qed plan --json` output; lines that are not reports are skipped. */
export function parsePlanReports(output: string): PlanReport[] {
  const reports: PlanReport[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const report = JSON.parse(line) as PlanReport;
      if (typeof report.model === 'string' && typeof report.contextSize === 'number') reports.push(report);
    } catch {
      // Not one of ours (a library writing to stdout): ignore it.
    }
  }
  return reports;
}
