/**
 * The GGUF header a memory plan is made from: the model file when it is on disk; for a catalog
 * quantization that is not, the file in its repository (node-llama-cpp reads only the header,
 * over HTTP ranges), and when that cannot be read in time, a planning header written from
 * QED-Nano's architecture (models/qed-nano-shape/planningHeader.ts), which plans the same.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { GgufFileInfo } from 'node-llama-cpp';
import { catalogModel, downloadUri } from '../../models/catalog';
import { planningHeader } from '../../models/qed-nano-shape/planningHeader';
import type { Quantization } from '../../models/qed-nano-shape/quantization';
import { errorText } from './backend';
import type { HeaderSource } from '../engineShared/planReport';

type LlamaCppModule = typeof import('node-llama-cpp');

export type PlanTarget = { kind: 'file'; path: string } | { kind: 'quantization'; quantization: Quantization };

export interface ModelHeader {
  info: GgufFileInfo;
  /** The path or URI the plan names. */
  model: string;
  source: HeaderSource;
  /** Why the remote header was not used. */
  note?: string;
}

export interface HeaderOptions {
  /** How long the remote header may take; 0: do not try the network. */
  remoteTimeoutMs: number;
  /** Where planning headers are written (the caller removes it). */
  scratchDir: string;
}

export async function readModelHeader(llamaCpp: LlamaCppModule, target: PlanTarget, options: HeaderOptions): Promise<ModelHeader> {
  if (target.kind === 'file') return { info: await llamaCpp.readGgufFileInfo(target.path, { logWarnings: false }), model: target.path, source: 'file' };

  const uri = downloadUri(catalogModel(target.quantization));
  let note = 'the network was not tried';
  if (options.remoteTimeoutMs > 0) {
    try {
      const info = await llamaCpp.readGgufFileInfo(uri, {
        logWarnings: false,
        signal: AbortSignal.timeout(options.remoteTimeoutMs),
        // One try: a plan that waits on retries is worse than one from the planning header.
        fetchRetryOptions: { retries: 0 },
      });
      return { info, model: uri, source: 'remote' };
    } catch (error) {
      note = isTimeout(error) ? `no header from ${uri} within ${options.remoteTimeoutMs / 1000} s` : `could not read ${uri}: ${errorText(error)}`;
    }
  }
  const file = path.join(options.scratchDir, `qed-nano-${target.quantization}-planning.gguf`);
  await writeFile(file, planningHeader(target.quantization));
  return { info: await llamaCpp.readGgufFileInfo(file, { logWarnings: false }), model: uri, source: 'estimated', note };
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
