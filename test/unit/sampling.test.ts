import * as assert from 'node:assert/strict';
import { MAX_SEED, seedOf } from '../../src/core/sampling';

describe('qed.generation.seed', () => {
  it('a whole number in the engine’s 32-bit range is the seed', () => {
    assert.equal(seedOf(1234), 1234);
    assert.equal(seedOf(0), 0);
    assert.equal(seedOf(MAX_SEED), MAX_SEED);
  });

  it('null (the default), or a value the engine does not take: no seed, a new sample each run', () => {
    for (const seed of [null, undefined, -1, 1.5, 2 ** 32, '7', Number.NaN]) assert.equal(seedOf(seed), undefined, String(seed));
  });
});
