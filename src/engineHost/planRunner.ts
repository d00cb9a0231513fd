/**
 * Runs `qed plan --json` in a child process for several models at once and hands each report
 * over as it arrives: node-llama-cpp loads there, never in the extension host, and its start-up
 * (seconds) is paid once for all of them.
 */
import { forkCli } from './forkCli';
import { parsePlanReports, type PlanReport } from '../engineShared/planReport';

export interface PlanRequest {
  /** Downloaded models: planned from their files. */
  files: readonly string[];
  /** Catalog quantizations that are not downloaded. */
  quantizations: readonly string[];
  /** More `qed plan` options: `--gpu`, `--reclaim-vram`, `--vram`, `--remote-timeout`, … */
  extraArgs?: readonly string[];
}

export function planArguments(request: PlanRequest): string[] {
  return ['plan', '--json', ...request.files.flatMap((file) => ['--model', file]), ...request.quantizations.flatMap((quantization) => ['--quant', quantization]), ...(request.extraArgs ?? [])];
}

/**
 * Resolves once every report has been handed to `onReport`; rejects with the CLI's own one-line
 * error when it fails for all of them. A plan that does not fit is a report (exit code 1), not a failure.
 */
export function runPlans(cliPath: string, request: PlanRequest, onReport: (report: PlanReport) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = forkCli(cliPath, planArguments(request), { stdout: 'pipe' });
    let pending = '';
    let stderr = '';
    let reports = 0;
    const abort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', abort, { once: true });
    child.stdout!.on('data', (data: Buffer) => {
      pending += data.toString();
      const end = pending.lastIndexOf('\n');
      if (end < 0) return;
      for (const report of parsePlanReports(pending.slice(0, end))) {
        reports++;
        onReport(report);
      }
      pending = pending.slice(end + 1);
    });
    child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) return reject(new Error('planning was cancelled'));
      const expected = request.files.length + request.quantizations.length;
      if ((code === 0 || code === 1) && reports === expected) return resolve();
      const why = stderr.trim().split('\n').filter((line) => line.startsWith('qed: ')).pop()?.slice('qed: '.length);
      reject(new Error(why ?? `qed plan ended with ${exitSignal ?? `exit code ${code}`} after ${reports} of ${expected} plans`));
    });
  });
}
