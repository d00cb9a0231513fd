import assert from 'node:assert/strict';
import { defaultThreads } from '../../src/engine/threads';

describe('the engine’s default CPU threads', () => {
  it('leaves one logical CPU free when there is a math core for every CPU (small VMs, no SMT)', () => {
    assert.equal(defaultThreads(2, 2), 1);
    assert.equal(defaultThreads(4, 4), 3);
    assert.equal(defaultThreads(1, 1), 1, 'never fewer than one');
  });

  it('uses every math core when simultaneous multithreading leaves logical CPUs beyond them', () => {
    assert.equal(defaultThreads(8, 16), 8);
    assert.equal(defaultThreads(6, 12), 6);
  });
});
