/**
 * The rows of QED: Choose Model…: each catalog quantization with its size, whether it is on disk,
 * and what the memory plan gives it on this machine; which one to recommend; and the other ways
 * to get a model. Pure: plans come in as `qed plan --json` reports, so the texts are tested
 * without a machine to plan on.
 */
import { formatBytes } from '../core/byteSize';
import type { DiskState } from '../core/modelFolder';
import { backendName } from '../engineShared/engineLabels';
import { DEFAULT_PLAN_SETTINGS, formatTokens } from '../engineShared/memoryPlan';
import type { PlanReport } from '../engineShared/planReport';

export interface ModelEntry {
  id: string;
  name: string;
  quantization: string;
  estimatedBytes: number;
  sha256?: string;
}

export type { DiskState };

/** A plan for an entry: still running, failed, or done. */
export type PlanState = { kind: 'planning' } | { kind: 'failed'; message: string } | { kind: 'planned'; report: PlanReport };

export interface ChoiceInputs {
  entries: readonly ModelEntry[];
  disk: ReadonlyMap<string, DiskState>;
  plans: ReadonlyMap<string, PlanState>;
  /** The entry the engine uses when qed.model.path is empty. */
  selectedId?: string;
  /** qed.model.path, when set: a file of the user's own, used instead of any entry. */
  customPath?: string;
  /** qed.endpoint.url, when qed.backend is "endpoint". */
  endpointUrl?: string;
  /** Files in the models folder, and their total size. */
  stored: { files: number; bytes: number };
}

export type ChoiceRow =
  | { kind: 'model'; id: string; label: string; description: string; detail: string; recommended: boolean }
  | { kind: 'separator'; label: string }
  | { kind: 'file' | 'server' | 'manage'; label: string; description?: string; detail: string };

/** The shortest attempt that still holds a whole QED-Nano proof attempt. */
const WHOLE_ATTEMPT = DEFAULT_PLAN_SETTINGS.floorContext;

export function choiceRows(inputs: ChoiceInputs): ChoiceRow[] {
  const recommended = recommendEntry(inputs.entries, inputs.plans);
  const allPlanned = inputs.entries.every((entry) => (inputs.plans.get(entry.id)?.kind ?? 'planning') !== 'planning');
  const rows: ChoiceRow[] = [];
  for (const entry of inputs.entries) {
    const inUse = !inputs.customPath && !inputs.endpointUrl && inputs.selectedId === entry.id;
    const description = [sizeText(entry, inputs.disk.get(entry.id) ?? { kind: 'absent' }), entry.sha256 ? undefined : 'unverified', inUse ? 'in use' : undefined].filter(Boolean).join(' · ');
    const plan = planText(inputs.plans.get(entry.id) ?? { kind: 'planning' });
    rows.push({ kind: 'model', id: entry.id, label: entry.name, description, detail: entry.id === recommended ? `Recommended · ${plan}` : plan, recommended: entry.id === recommended });
  }
  rows.push(
    // A separator's label shows at the right of the row below it: short, so that row's description stays readable.
    { kind: 'separator', label: 'or' },
    {
      kind: 'file',
      label: 'Use a GGUF file on disk…',
      ...(inputs.customPath ? { description: 'in use' } : {}),
      detail: inputs.customPath ? `qed.model.path: ${inputs.customPath}` : 'a model you already have; sets qed.model.path',
    },
    {
      kind: 'server',
      label: 'Use a server (endpoint)…',
      ...(inputs.endpointUrl ? { description: 'in use' } : {}),
      detail:
        !recommended && allPlanned
          ? `Recommended · no download holds a whole attempt (${formatTokens(WHOLE_ATTEMPT)} tokens) on this machine; vLLM, SGLang, llama-server, Ollama or LM Studio on a GPU machine`
          : inputs.endpointUrl
            ? `qed.endpoint.url: ${inputs.endpointUrl}`
            : 'QED-Nano on vLLM, SGLang, llama-server, Ollama or LM Studio, on this or another machine',
    },
    {
      kind: 'manage',
      label: 'Manage downloaded models',
      detail: inputs.stored.files ? `${inputs.stored.files} ${inputs.stored.files === 1 ? 'file' : 'files'}, ${formatBytes(inputs.stored.bytes)}: sizes, delete` : 'no models downloaded yet',
    },
  );
  return rows;
}

/**
 * The largest quantization whose plan holds a whole attempt (≥ 49,152 tokens): more bits are a
 * better model, but not at the price of attempts cut short. Undefined while any plan runs (the
 * answer could still change) or when none qualifies.
 */
export function recommendEntry(entries: readonly ModelEntry[], plans: ReadonlyMap<string, PlanState>): string | undefined {
  let best: ModelEntry | undefined;
  for (const entry of entries) {
    const plan = plans.get(entry.id);
    if (!plan || plan.kind === 'planning') return undefined;
    if (plan.kind !== 'planned' || !holdsWholeAttempt(plan.report)) continue;
    if (!best || entry.estimatedBytes > best.estimatedBytes) best = entry;
  }
  return best?.id;
}

function holdsWholeAttempt(report: PlanReport): boolean {
  return report.fits && report.contextSize >= WHOLE_ATTEMPT;
}

function sizeText(entry: ModelEntry, disk: DiskState): string {
  switch (disk.kind) {
    case 'downloaded':
      return `${formatBytes(disk.bytes)} · downloaded`;
    case 'partial':
      return `paused at ${formatBytes(disk.bytes)} of about ${formatBytes(entry.estimatedBytes)}`;
    case 'absent':
      return `about ${formatBytes(entry.estimatedBytes)} to download`;
  }
}

/** "fits: Vulkan, 1 × 64k", "fits with a q8_0 cache: CPU, 1 × 48k", "too large for …". */
export function planText(plan: PlanState): string {
  if (plan.kind === 'planning') return 'planning for this machine…';
  if (plan.kind === 'failed') return `no plan: ${plan.message}`;
  const report = plan.report;
  const gpu = report.backend !== 'cpu';
  if (!report.fits) return tooLargeText(report);
  const with_ = [report.kvCache === 'q8_0' ? 'a q8_0 cache' : undefined, gpu && report.gpuLayers < report.totalLayers ? `${report.gpuLayers} of ${report.totalLayers} layers on the GPU` : undefined].filter(Boolean);
  const head = with_.length ? `fits with ${with_.join(' and ')}` : 'fits';
  const text = `${head}: ${backendName(report.backend)}, ${report.sequences} × ${formatTokens(report.contextSize)}`;
  return report.belowFloor ? `${text} · longer attempts are cut (one can need ${formatTokens(WHOLE_ATTEMPT)})` : text;
}

function tooLargeText(report: PlanReport): string {
  const gpu = report.backend !== 'cpu';
  const room = gpu ? `${formatBytes(report.available.vramBytes)} of VRAM and ${formatBytes(report.available.ramBytes)} of RAM` : `${formatBytes(report.available.ramBytes)} of RAM`;
  const weights = report.need.model.vramBytes + report.need.model.ramBytes;
  const context = report.need.context.vramBytes + report.need.context.ramBytes;
  return `too large for ${room}: ${formatBytes(weights)} of weights${gpu ? '' : ' (the CPU keeps two copies)'} plus ${formatBytes(context)} for ${formatTokens(report.contextSize)} tokens of context`;
}
