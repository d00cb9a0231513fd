import * as assert from 'node:assert/strict';
import { backendLabel, engineStatusText, formatDuration, planLabel, shortDeviceName, slowCpuNotice } from '../../src/engineShared/engineLabels';
import { TransferRate, transferText } from '../../src/engineHost/transferProgress';

const CPU = { gpu: 'cpu', devices: [], threads: 2, parallel: 1, contextSize: 65_536 };
const CUDA = { gpu: 'cuda', devices: ['NVIDIA GeForce RTX 4070'], threads: 8, parallel: 2, contextSize: 65_536 };

describe('engine labels', () => {
  it('names the backend, the device and its memory, and the plan as attempts × tokens', () => {
    assert.equal(backendLabel(CPU), 'CPU · 2 threads');
    assert.equal(backendLabel({ ...CPU, threads: 1 }), 'CPU · 1 thread');
    assert.equal(backendLabel(CUDA, 12 * 1024 ** 3), 'CUDA · RTX 4070 · 12 GB');
    assert.equal(backendLabel({ gpu: 'vulkan', devices: [], threads: 4 }), 'Vulkan');
    assert.equal(backendLabel({ gpu: 'metal', devices: ['Apple M2 Pro'], threads: 8 }), 'Metal · M2 Pro');
    assert.equal(shortDeviceName('AMD Radeon RX 7900 XTX'), 'AMD Radeon RX 7900 XTX');
    assert.equal(planLabel(CPU), '1 × 64k');
    assert.equal(planLabel({ parallel: 4, contextSize: 49_152 }), '4 × 48k');
  });

  it('says what the engine is doing: stopped, loading %, idle, generating at N tok/s, failed', () => {
    assert.equal(engineStatusText({ kind: 'stopped' }).text, '$(circle-large-outline) QED');
    assert.equal(engineStatusText({ kind: 'loading', fraction: 0.424 }).text, '$(sync~spin) QED: loading 42%');
    assert.equal(engineStatusText({ kind: 'ready', info: CPU }).text, '$(chip) CPU · 2 threads · 1 × 64k · idle');
    const busy = engineStatusText({
      kind: 'ready',
      info: CUDA,
      health: { status: 'ready', active: 2, queued: 1, tokensPerSecond: 161.4, memory: { vram: { used: 11e9, free: 1.5e9, total: 12 * 1024 ** 3 }, ram: { free: 8e9, total: 32e9 }, processRss: 1.2e9 } },
    });
    assert.equal(busy.text, '$(sync~spin) CUDA · RTX 4070 · 12 GB · 2 × 64k · 161 tok/s');
    assert.deepEqual(busy.tooltip.slice(1, 3), ['2 attempts at once, 65,536 tokens each (prompt included)', 'Generating: 2 running, 1 waiting']);
    assert.match(busy.tooltip.join('\n'), /VRAM: 10\.2 GiB used, 1\.4 GiB free/);
    assert.equal(engineStatusText({ kind: 'ready', info: CPU, health: { status: 'ready', active: 1, tokensPerSecond: 2.46 } }).text, '$(sync~spin) CPU · 2 threads · 1 × 64k · 2.5 tok/s');
    assert.equal(engineStatusText({ kind: 'failed', message: 'Not enough memory' }).tooltip[0], 'Not enough memory');
  });

  it('a backend that did not load: a warning icon, and the reason first in the tooltip', () => {
    const shown = engineStatusText({ kind: 'ready', info: { ...CPU, fallbackReason: 'CUDA did not load: the CUDA runtime is missing (libcudart.so.12 not found)' } });
    assert.equal(shown.text, '$(warning) CPU · 2 threads · 1 × 64k · idle');
    assert.deepEqual(shown.tooltip.slice(0, 2), ['CUDA did not load: the CUDA runtime is missing (libcudart.so.12 not found).', 'QED engine on CPU · 2 threads']);
  });

  it('download progress: bytes, the speed of the last seconds, time left', () => {
    const rate = new TransferRate(5000);
    rate.add(0, 0);
    assert.equal(rate.bytesPerSecond(), undefined, 'no speed before a second of samples');
    for (let second = 1; second <= 10; second++) rate.add(second * 10e6, second * 1000);
    assert.equal(rate.bytesPerSecond(), 10e6);
    rate.add(100e6, 20_000); // a 10 s stall
    assert.ok(rate.bytesPerSecond()! < 2e6, `the stall shows: ${rate.bytesPerSecond()}`);
    rate.add(1e6, 21_000); // the next file
    assert.equal(rate.bytesPerSecond(), undefined);
    assert.equal(transferText(52e6, 142.85e6, 10.2e6), '52.0 of 143 MB · 10.2 MB/s · 9 s left');
    assert.equal(transferText(5e6, 0, undefined), '5.0 MB');
  });

  it('warns before a long CPU run with the time a typical attempt takes at the measured speed, and not when it is quick', () => {
    const notice = slowCpuNotice(2.5);
    assert.match(notice ?? '', /about 2\.5 tokens per second \(measured when the model loaded\)/);
    assert.match(notice ?? '', /20,000 tokens would take about 2 h 13 min/);
    assert.equal(slowCpuNotice(3000), undefined, '7 seconds: no notice');
    assert.equal(slowCpuNotice(undefined), undefined, 'not measured: no guess');
    assert.equal(formatDuration(40), '40 s');
    assert.equal(formatDuration(9 * 60), '9 min');
  });
});
