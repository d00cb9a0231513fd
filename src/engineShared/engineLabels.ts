/**
 * How the engine's state reads to a user: the backend and device, the plan, what it is doing,
 * and how long a proof attempt takes at its measured speed. Pure, so the status bar, the Proof
 * panel and the CPU notice say the same thing.
 */
import { formatBytes } from '../core/byteSize';
import { formatTokens } from './memoryPlan';

const BACKEND_NAMES: Record<string, string> = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal', cpu: 'CPU' };

export interface EngineIdentity {
  gpu: string;
  devices: string[];
  threads: number;
  parallel: number;
  contextSize: number;
  /** Why it does not run on the backend asked for (a GPU backend that did not load). */
  fallbackReason?: string;
}

/** What /health reports while the engine runs (the fields the status bar reads). */
export interface EngineHealth {
  status: 'loading' | 'ready' | 'error';
  progress?: number;
  active?: number;
  queued?: number;
  tokensPerSecond?: number;
  memory?: { vram?: { used: number; free: number; total: number }; ram: { free: number; total: number }; processRss: number };
}

export function backendName(backend: string): string {
  return BACKEND_NAMES[backend] ?? backend;
}

/** "CPU · 2 threads", "CUDA · RTX 4070 · 12 GB", "Vulkan". */
export function backendLabel(info: Pick<EngineIdentity, 'gpu' | 'devices' | 'threads'>, vramTotalBytes?: number): string {
  if (info.gpu === 'cpu') return `CPU · ${info.threads} ${info.threads === 1 ? 'thread' : 'threads'}`;
  const device = info.devices[0] ? shortDeviceName(info.devices[0]) : undefined;
  const memory = vramTotalBytes ? `${Math.round(vramTotalBytes / 1024 ** 3)} GB` : undefined;
  return [backendName(info.gpu), device, memory].filter(Boolean).join(' · ');
}

/** "1 × 64k": attempts at once × tokens per attempt. */
export function planLabel(info: Pick<EngineIdentity, 'parallel' | 'contextSize'>): string {
  return `${info.parallel} × ${formatTokens(info.contextSize)}`;
}

/** "NVIDIA GeForce RTX 4070" → "RTX 4070": the vendor is implied by the backend. */
export function shortDeviceName(device: string): string {
  return device.replace(/^(NVIDIA\s+)?(GeForce\s+)?/i, '').replace(/^Apple\s+/i, '').trim() || device;
}

export type EngineState =
  | { kind: 'stopped' }
  | { kind: 'loading'; fraction: number }
  | { kind: 'ready'; info: EngineIdentity; health?: EngineHealth }
  | { kind: 'failed'; message: string };

/** The status bar's text (with a codicon) and tooltip lines. */
export function engineStatusText(state: EngineState): { text: string; tooltip: string[] } {
  switch (state.kind) {
    case 'stopped':
      return { text: '$(circle-large-outline) QED', tooltip: ['QED’s local engine is not running: it starts with the first Prove, Critique or chat answer.'] };
    case 'loading':
      return { text: `$(sync~spin) QED: loading ${Math.round(state.fraction * 100)}%`, tooltip: ['QED’s local engine is loading the model.'] };
    case 'failed':
      return { text: '$(error) QED: engine failed', tooltip: [state.message] };
    case 'ready': {
      const { info, health } = state;
      const busy = (health?.active ?? 0) > 0;
      const speed = health?.tokensPerSecond;
      const doing = busy ? (speed && speed > 0 ? `${speed.toFixed(speed >= 100 ? 0 : 1)} tok/s` : 'generating') : 'idle';
      const icon = busy ? '$(sync~spin)' : info.fallbackReason ? '$(warning)' : '$(chip)';
      const text = `${icon} ${backendLabel(info, health?.memory?.vram?.total)} · ${planLabel(info)} · ${doing}`;
      const tooltip = [
        ...(info.fallbackReason ? [`${info.fallbackReason}.`] : []),
        `QED engine on ${backendLabel(info, health?.memory?.vram?.total)}`,
        `${info.parallel} ${info.parallel === 1 ? 'attempt' : 'attempts'} at once, ${info.contextSize.toLocaleString('en-US')} tokens each (prompt included)`,
      ];
      if (busy) tooltip.push(`Generating: ${health?.active} running${health?.queued ? `, ${health.queued} waiting` : ''}`);
      const memory = health?.memory;
      if (memory?.vram) tooltip.push(`VRAM: ${formatBytes(memory.vram.used)} used, ${formatBytes(memory.vram.free)} free`);
      if (memory) tooltip.push(`RAM: the engine holds ${formatBytes(memory.processRss)}, ${formatBytes(memory.ram.free)} free`);
      return { text, tooltip };
    }
  }
}

/** A typical QED-Nano proof attempt, thinking included. */
export const TYPICAL_ATTEMPT_TOKENS = 20_000;

/** "2 h 13 min", "9 min", "40 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** What a user on a CPU is told before a long run, or undefined when an attempt is quick anyway. */
export function slowCpuNotice(decodeTokensPerSecond: number | undefined, threshold = { seconds: 600 }): string | undefined {
  if (!decodeTokensPerSecond || decodeTokensPerSecond <= 0) return undefined;
  const seconds = TYPICAL_ATTEMPT_TOKENS / decodeTokensPerSecond;
  if (seconds < threshold.seconds) return undefined;
  return (
    `QED-Nano runs on this machine’s CPU, which writes about ${decodeTokensPerSecond.toFixed(1)} tokens per second (measured when the model loaded). ` +
    `A typical proof attempt of ${TYPICAL_ATTEMPT_TOKENS.toLocaleString('en-US')} tokens would take about ${formatDuration(seconds)}. A GPU, or a server running QED-Nano, is much faster.`
  );
}
