/**
 * The rows of QED: Choose Model… (src/engineHost/modelChoices.ts) from injected plans: sizes, what is
 * on disk, what each plan gives, the recommendation, and the other ways to get a model.
 */
import * as assert from 'node:assert/strict';
import { CATALOG } from '../../models/catalog';
import type { MemoryPlan } from '../../src/engineShared/memoryPlan';
import { choiceRows, planText, recommendEntry, type ChoiceInputs, type ChoiceRow, type DiskState, type PlanState } from '../../src/engineHost/modelChoices';
import type { PlanReport } from '../../src/engineShared/planReport';

const GiB = 1024 ** 3;
const [Q4, Q5, Q6, Q8] = CATALOG.map((model) => model.id) as [string, string, string, string];

function report(overrides: Partial<MemoryPlan> = {}, weights = 2.3 * GiB): PlanReport {
  const plan: MemoryPlan = {
    backend: 'vulkan',
    gpuLayers: 37,
    totalLayers: 37,
    contextSize: 65_536,
    sequences: 1,
    kvCache: 'f16',
    flashAttention: true,
    estimate: { vramBytes: 7 * GiB, ramBytes: 0.3 * GiB },
    available: { vramBytes: 7.5 * GiB, ramBytes: 14 * GiB },
    fits: true,
    belowFloor: false,
    notes: [],
    ...overrides,
  };
  return { model: 'hf:Mungert/QED-Nano-GGUF:Q4_K_M', header: 'estimated', simulated: false, ...plan, need: { model: { vramBytes: weights, ramBytes: 0 }, context: { vramBytes: 0.4 * GiB, ramBytes: 0 } } };
}

const planned = (plan: PlanReport): PlanState => ({ kind: 'planned', report: plan });

function inputs(plans: Record<string, PlanState>, extra: Partial<ChoiceInputs> = {}): ChoiceInputs {
  return {
    entries: CATALOG,
    disk: new Map<string, DiskState>(),
    plans: new Map(Object.entries(plans)),
    selectedId: Q4,
    stored: { files: 0, bytes: 0 },
    ...extra,
  };
}

function modelRow(rows: ChoiceRow[], id: string) {
  const row = rows.find((candidate) => candidate.kind === 'model' && candidate.id === id);
  assert.ok(row && row.kind === 'model', `a row for ${id}`);
  return row;
}

describe('model picker rows', () => {
  describe('what a plan gives', () => {
    it('a whole attempt with every layer on the GPU and an f16 cache: "fits: Vulkan, 1 × 64k"', () => {
      assert.equal(planText(planned(report())), 'fits: Vulkan, 1 × 64k');
      assert.equal(planText(planned(report({ backend: 'cuda', sequences: 3 }))), 'fits: CUDA, 3 × 64k');
    });

    it('says what it took: a q8_0 cache, layers left on the CPU, or both', () => {
      assert.equal(planText(planned(report({ kvCache: 'q8_0', contextSize: 49_152 }))), 'fits with a q8_0 cache: Vulkan, 1 × 48k');
      assert.equal(planText(planned(report({ gpuLayers: 20 }))), 'fits with 20 of 37 layers on the GPU: Vulkan, 1 × 64k');
      assert.equal(planText(planned(report({ gpuLayers: 20, kvCache: 'q8_0', contextSize: 50_176 }))), 'fits with a q8_0 cache and 20 of 37 layers on the GPU: Vulkan, 1 × 49k');
      assert.equal(planText(planned(report({ backend: 'cpu', gpuLayers: 0, kvCache: 'q8_0' }))), 'fits with a q8_0 cache: CPU, 1 × 64k', 'no GPU layers to speak of on the CPU');
    });

    it('an attempt cut short: says how long an attempt can be', () => {
      assert.equal(planText(planned(report({ backend: 'cpu', gpuLayers: 0, kvCache: 'q8_0', contextSize: 24_576, belowFloor: true }))), 'fits with a q8_0 cache: CPU, 1 × 24k · longer attempts are cut (one can need 48k)');
    });

    it('too large: for how much memory, and what it needs', () => {
      const gpu = report({ fits: false, contextSize: 2048, available: { vramBytes: 5.5 * GiB, ramBytes: 2 * GiB } }, 3.1 * GiB);
      assert.equal(planText(planned(gpu)), 'too large for 5.5 GiB of VRAM and 2.0 GiB of RAM: 3.1 GiB of weights plus 410 MiB for 2k tokens of context');
      const cpu = report({ backend: 'cpu', gpuLayers: 0, fits: false, contextSize: 2048, available: { vramBytes: 0, ramBytes: 4.5 * GiB } }, 4.6 * GiB);
      assert.equal(planText(planned(cpu)), 'too large for 4.5 GiB of RAM: 4.6 GiB of weights (the CPU keeps two copies) plus 410 MiB for 2k tokens of context');
    });

    it('while planning, and when planning failed', () => {
      assert.equal(planText({ kind: 'planning' }), 'planning for this machine…');
      assert.equal(planText({ kind: 'failed', message: 'qed plan ended with exit code 1' }), 'no plan: qed plan ended with exit code 1');
    });
  });

  describe('the recommendation', () => {
    it('is the largest quantization that holds a whole attempt (49,152 tokens)', () => {
      const plans = new Map<string, PlanState>([
        [Q4, planned(report())],
        [Q5, planned(report({ contextSize: 53_248 }))],
        [Q6, planned(report({ contextSize: 49_152, kvCache: 'q8_0' }))],
        [Q8, planned(report({ contextSize: 48_128, kvCache: 'q8_0', belowFloor: true }))],
      ]);
      assert.equal(recommendEntry(CATALOG, plans), Q6);
    });

    it('skips what does not fit, and is none when nothing holds a whole attempt', () => {
      const cut = planned(report({ backend: 'cpu', contextSize: 30_720, belowFloor: true }));
      const tooLarge = planned(report({ fits: false }));
      assert.equal(recommendEntry(CATALOG, new Map([[Q4, planned(report())], [Q5, tooLarge], [Q6, tooLarge], [Q8, tooLarge]])), Q4);
      assert.equal(recommendEntry(CATALOG, new Map([[Q4, cut], [Q5, cut], [Q6, tooLarge], [Q8, tooLarge]])), undefined);
    });

    it('waits for every plan, so that it never changes its mind', () => {
      assert.equal(recommendEntry(CATALOG, new Map<string, PlanState>([[Q4, planned(report())], [Q5, planned(report())], [Q6, { kind: 'planning' }], [Q8, planned(report())]])), undefined);
      assert.equal(recommendEntry(CATALOG, new Map<string, PlanState>([[Q4, planned(report())], [Q5, { kind: 'failed', message: 'x' }], [Q6, planned(report())], [Q8, { kind: 'failed', message: 'x' }]])), Q6);
    });
  });

  describe('the rows', () => {
    it('each quantization with its size, on disk or not, "unverified" without a sha256, the recommended one starred', () => {
      const disk = new Map<string, DiskState>([
        [Q4, { kind: 'downloaded', path: '/models/hf_Mungert_QED-Nano.Q4_K_M.gguf', bytes: 2.5e9 }],
        [Q5, { kind: 'partial', bytes: 1.1 * GiB }],
      ]);
      const rows = choiceRows(inputs({ [Q4]: planned(report()), [Q5]: planned(report()), [Q6]: planned(report({ kvCache: 'q8_0', contextSize: 50_176 })), [Q8]: planned(report({ fits: false })) }, { disk }));
      assert.deepEqual(rows.slice(0, 4).map((row) => row.kind === 'model' && row.id), [Q4, Q5, Q6, Q8], 'the quantizations first, smallest first');
      const q4 = modelRow(rows, Q4);
      assert.equal(q4.label, 'QED-Nano 4B Q4_K_M');
      assert.equal(q4.description, '2.3 GiB · downloaded · unverified · in use');
      assert.equal(modelRow(rows, Q5).description, 'paused at 1.1 GiB of about 2.7 GiB · unverified');
      assert.equal(modelRow(rows, Q6).description, 'about 3.1 GiB to download · unverified');
      assert.equal(modelRow(rows, Q6).detail, 'Recommended · fits with a q8_0 cache: Vulkan, 1 × 49k');
      assert.ok(modelRow(rows, Q6).recommended);
      assert.equal(modelRow(rows, Q4).detail, 'fits: Vulkan, 1 × 64k');
      assert.match(modelRow(rows, Q8).detail, /^too large for /);
      assert.equal(rows.filter((row) => row.kind === 'model' && row.recommended).length, 1);
    });

    it('a verified entry is not called unverified', () => {
      const verified = CATALOG.map((model) => (model.id === Q5 ? { ...model, sha256: 'ab'.repeat(32) } : model));
      const rows = choiceRows({ ...inputs({}), entries: verified });
      assert.equal(modelRow(rows, Q5).description, 'about 2.7 GiB to download');
    });

    it('then a GGUF file of one’s own, a server, and Manage downloaded models, each saying what is in use', () => {
      const rows = choiceRows(inputs({}, { stored: { files: 2, bytes: 5 * GiB } }));
      const rest = rows.slice(rows.findIndex((row) => row.kind === 'separator' && row.label === 'or') + 1);
      assert.deepEqual(
        rest.map((row) => [row.kind, row.label]),
        [
          ['file', 'Use a GGUF file on disk…'],
          ['server', 'Use a server (endpoint)…'],
          ['manage', 'Manage downloaded models'],
        ],
      );
      assert.equal(rest[2]!.kind !== 'separator' && rest[2]!.detail, '2 files, 5.0 GiB: sizes, delete');
      const custom = choiceRows(inputs({}, { customPath: '/data/my-model.gguf' }));
      const file = custom.find((row) => row.kind === 'file')!;
      assert.ok(file.kind === 'file' && file.description === 'in use' && file.detail === 'qed.model.path: /data/my-model.gguf');
      assert.ok(!modelRow(custom, Q4).description.includes('in use'), 'the quantization is not in use while qed.model.path is set');
      const server = choiceRows(inputs({}, { endpointUrl: 'http://gpu-box:8000/v1' })).find((row) => row.kind === 'server')!;
      assert.ok(server.kind === 'server' && server.description === 'in use' && server.detail === 'qed.endpoint.url: http://gpu-box:8000/v1');
    });

    it('recommends a server when every plan is done and no download holds a whole attempt', () => {
      const cut = planned(report({ backend: 'cpu', contextSize: 16_384, belowFloor: true }));
      const rows = choiceRows(inputs({ [Q4]: cut, [Q5]: cut, [Q6]: planned(report({ fits: false })), [Q8]: planned(report({ fits: false })) }));
      const server = rows.find((row) => row.kind === 'server')!;
      assert.ok(server.kind === 'server');
      assert.match(server.detail, /^Recommended · no download holds a whole attempt \(48k tokens\) on this machine/);
      assert.ok(!rows.some((row) => row.kind === 'model' && row.recommended));
      const planning = choiceRows(inputs({ [Q4]: cut, [Q5]: { kind: 'planning' }, [Q6]: cut, [Q8]: cut })).find((row) => row.kind === 'server')!;
      assert.ok(planning.kind === 'server' && !planning.detail.startsWith('Recommended'), 'not while a plan is still running');
    });
  });
});
