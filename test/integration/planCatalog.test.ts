/**
 * `qed plan --json --quant …` for the catalog's quantizations, through the runner the model
 * picker uses (src/engineHost/planRunner.ts): every quantization plans in one run, from the file in
 * the repository when it answers in time (a loopback server plays Hugging Face's API) and from a
 * planning header when it does not; and the picker's recommendation on real plans for given
 * machines is the largest quantization that holds a whole attempt.
 */
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG } from '../../models/catalog';
import { planningHeader } from '../../models/qed-nano-shape/planningHeader';
import { tensorByteLength } from '../../models/gguf/writer';
import { QUANTIZATIONS, quantizedTensors, weightBytes, type Quantization } from '../../models/qed-nano-shape/quantization';
import { DEFAULT_PLAN_SETTINGS } from '../../src/engineShared/memoryPlan';
import { recommendEntry, type PlanState } from '../../src/engineHost/modelChoices';
import type { PlanReport } from '../../src/engineShared/planReport';
import { runPlans } from '../../src/engineHost/planRunner';
import { CLI } from '../helpers/cliEngine';

const WHOLE_ATTEMPT = DEFAULT_PLAN_SETTINGS.floorContext;

/** Plans `quantizations` in one `qed plan` run; the reports in the order asked. */
async function planAll(extraArgs: string[], env: NodeJS.ProcessEnv = {}, quantizations: readonly Quantization[] = QUANTIZATIONS): Promise<PlanReport[]> {
  const reports: PlanReport[] = [];
  const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    await runPlans(CLI, { files: [], quantizations, extraArgs }, (report) => reports.push(report));
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return quantizations.map((quantization) => reports.find((report) => report.quantization === quantization)!);
}

/** What the estimate counts for the weights: all of them, and (tied embeddings) the embedding matrix once more at most. */
function assertWeights(report: PlanReport, quantization: Quantization): void {
  const counted = report.need.model.vramBytes + report.need.model.ramBytes;
  const embeddings = tensorByteLength(quantizedTensors(quantization).find((tensor) => tensor.name === 'token_embd.weight')!);
  assert.ok(counted >= weightBytes(quantization) && counted <= weightBytes(quantization) + embeddings, `${quantization}: ${counted} bytes counted for ${weightBytes(quantization)} bytes of weights`);
}

function recommended(reports: PlanReport[]): string | undefined {
  const plans = new Map<string, PlanState>(CATALOG.map((model, index) => [model.id, { kind: 'planned', report: reports[index]! }]));
  const id = recommendEntry(CATALOG, plans);
  return CATALOG.find((model) => model.id === id)?.quantization;
}

describe('qed plan for the catalog (planning before a download)', function () {
  this.timeout(300_000);

  it('plans every quantization in one run; each fits a 8 GiB GPU with 32 GiB of RAM, with its own weights', async () => {
    const started = performance.now();
    const reports = await planAll(['--vram', '8GiB', '--ram', '32GiB', '--remote-timeout', '0']);
    console.log(`      4 plans in one run: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    reports.forEach((report, index) => {
      const quantization = QUANTIZATIONS[index]!;
      assert.ok(report, `a report for ${quantization}`);
      assert.equal(report.model, `hf:Mungert/QED-Nano-GGUF:${quantization}`);
      assert.equal(report.header, 'estimated');
      assert.equal(report.headerNote, 'the network was not tried');
      assert.ok(report.fits && report.contextSize >= WHOLE_ATTEMPT, `${quantization}: ${report.sequences} × ${report.contextSize}, ${report.notes.join(' ')}`);
      assertWeights(report, quantization);
      assert.equal(report.need.model.vramBytes + report.need.context.vramBytes, report.estimate.vramBytes);
      assert.equal(report.need.model.ramBytes + report.need.context.ramBytes, report.estimate.ramBytes);
    });
  });

  it('recommends the largest quantization that holds a whole attempt, for the machine given', async () => {
    const machines: Array<{ label: string; args: string[] }> = [
      { label: 'CPU, 6 GiB free', args: ['--backend', 'cpu', '--ram', '6GiB'] },
      { label: 'CPU, 12 GiB free', args: ['--backend', 'cpu', '--ram', '12GiB'] },
      { label: 'CPU, 16 GiB free', args: ['--backend', 'cpu', '--ram', '16GiB'] },
      { label: '24 GiB GPU', args: ['--vram', '24GiB', '--ram', '32GiB'] },
    ];
    const seen: string[] = [];
    for (const machine of machines) {
      const reports = await planAll([...machine.args, '--remote-timeout', '0']);
      const pick = recommended(reports);
      seen.push(`${machine.label}: ${pick ?? 'none'} (${reports.map((report) => `${report.quantization} ${report.fits ? `${report.sequences}×${report.contextSize}` : 'too large'}`).join(', ')})`);
      // The definition, on the real plans: the pick holds a whole attempt, nothing larger does.
      const holds = reports.map((report) => report.fits && report.contextSize >= WHOLE_ATTEMPT);
      const expected = holds.lastIndexOf(true);
      assert.equal(pick, expected < 0 ? undefined : QUANTIZATIONS[expected], seen.at(-1));
    }
    console.log(`      ${seen.join('\n      ')}`);
    // What these machines are known to give: on 6 GiB even Q4_K_M's weights (held twice on the CPU)
    // leave no room for 48k tokens; 16 GiB hold Q8_0's two copies and a whole attempt; 24 GiB of VRAM take anything.
    assert.match(seen[0]!, /: none /);
    assert.match(seen[2]!, /: Q8_0 /);
    assert.match(seen[3]!, /: Q8_0 /);
  });

  it('counts a running CPU engine’s memory as free: it holds no VRAM, and 0 is a valid amount to reclaim', async () => {
    const [alone] = await planAll(['--backend', 'cpu', '--remote-timeout', '0'], {}, ['Q4_K_M']);
    // What the model picker sends while a CPU engine runs (src/vscode/modelPicker.ts).
    const [reclaimed] = await planAll(['--backend', 'cpu', '--reclaim-vram', '0', '--reclaim-ram', String(4 * 1024 ** 3), '--remote-timeout', '0'], {}, ['Q4_K_M']);
    assert.ok(alone && reclaimed, 'both runs report a plan');
    assert.ok(reclaimed.fits && reclaimed.contextSize * reclaimed.sequences >= alone.contextSize * alone.sequences, `free RAM: ${alone.sequences} × ${alone.contextSize}; with 4 GiB more: ${reclaimed.sequences} × ${reclaimed.contextSize}`);
  });

  describe('the header in the repository', () => {
    let server: Server;
    let endpoint: string;
    const requests: string[] = [];
    let handle: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

    before(async () => {
      server = createServer((req, res) => {
        requests.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
        handle(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });

    /** Hugging Face's manifest API and file downloads, as node-llama-cpp uses them, serving `file` for every quantization. */
    function playHuggingFace(file: (quantization: string) => Buffer): void {
      handle = (req, res) => {
        const manifest = /^\/v2\/Mungert\/QED-Nano-GGUF\/manifests\/([A-Z0-9_]+)$/.exec(req.url ?? '');
        if (manifest) {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ ggufFile: { rfilename: `QED-Nano-${manifest[1]}.gguf` } }));
        }
        const download = /^\/Mungert\/QED-Nano-GGUF\/resolve\/main\/QED-Nano-([A-Z0-9_]+)\.gguf/.exec(req.url ?? '');
        if (!download) return res.writeHead(404).end();
        const bytes = file(download[1]!);
        const [, first, last] = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '') ?? [];
        const start = Number(first ?? 0);
        const end = Math.min(bytes.length, last ? Number(last) + 1 : bytes.length);
        res.writeHead(req.headers.range ? 206 : 200, { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': String(end - start), ...(req.headers.range ? { 'content-range': `bytes ${start}-${end - 1}/${bytes.length}` } : {}) });
        res.end(bytes.subarray(start, end));
      };
    }

    it('plans from the file’s header when the repository answers in time', async () => {
      // The repository's "files" are Q8_0-shaped whatever was asked: the plans show where they came from.
      const served = planningHeader('Q8_0');
      playHuggingFace(() => served);
      requests.length = 0;
      const reports = await planAll(['--backend', 'cpu', '--ram', '32GiB', '--remote-timeout', '20'], { HF_ENDPOINT: endpoint }, ['Q4_K_M', 'Q6_K']);
      for (const report of reports) {
        assert.equal(report.header, 'remote', `${report.quantization}: ${report.headerNote}`);
        assert.equal(report.headerNote, undefined);
        // On the CPU the estimate holds the weights twice (the repacked copy): here those of the served Q8_0.
        assert.equal(report.need.model.ramBytes, 2 * weightBytes('Q8_0'), `${report.quantization} was planned from the served header`);
      }
      assert.ok(requests.some((line) => /^GET \/v2\/Mungert\/QED-Nano-GGUF\/manifests\/Q4_K_M/.test(line)), requests.join('\n'));
      assert.ok(requests.some((line) => /^GET \/Mungert\/QED-Nano-GGUF\/resolve\/main\/QED-Nano-Q6_K\.gguf\S* bytes=0-/.test(line)), requests.join('\n'));
    });

    it('falls back to the planning header when the repository does not answer within the timeout', async () => {
      handle = () => undefined; // accepts, never answers
      const started = performance.now();
      const reports = await planAll(['--vram', '8GiB', '--ram', '32GiB', '--remote-timeout', '1'], { HF_ENDPOINT: endpoint });
      const seconds = (performance.now() - started) / 1000;
      console.log(`      4 plans with a silent repository and a 1 s timeout: ${seconds.toFixed(1)} s`);
      reports.forEach((report, index) => {
        assert.equal(report.header, 'estimated');
        assert.equal(report.headerNote, `no header from hf:Mungert/QED-Nano-GGUF:${QUANTIZATIONS[index]} within 1 s`);
        assertWeights(report, QUANTIZATIONS[index]!);
        assert.ok(report.fits);
      });
    });

    it('falls back when the repository has no such file, or cannot be reached, and says why', async () => {
      handle = (_req, res) => res.writeHead(404).end();
      const missing = await planAll(['--backend', 'cpu', '--ram', '16GiB', '--remote-timeout', '20'], { HF_ENDPOINT: endpoint }, ['Q5_K_M']);
      for (const report of missing) {
        assert.equal(report.header, 'estimated');
        assert.match(report.headerNote!, /^could not read hf:Mungert\/QED-Nano-GGUF:\w+: Cannot get quantization "\w+" for model "hf:Mungert\/QED-Nano-GGUF" or it does not exist$/);
      }
      const refused = await planAll(['--backend', 'cpu', '--ram', '16GiB', '--remote-timeout', '20'], { HF_ENDPOINT: 'http://127.0.0.1:1/' }, ['Q5_K_M']);
      for (const report of refused) {
        assert.equal(report.header, 'estimated');
        assert.match(report.headerNote!, /^could not read hf:Mungert\/QED-Nano-GGUF:\w+: Failed to fetch manifest/);
      }
    });
  });
});
