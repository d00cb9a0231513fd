/**
 * node-llama-cpp 3.21.1 samples batched sequences concurrently, and they raced on llama.cpp's
 * output reorder (see src/engine/samplingRaceGuard.ts). Without the guard, this exact setup
 * (10 sequences) diverged in 6 of 8 rounds when measured, with 4 sequences only under load; with it, parallel runs must equal sequential ones
 * token for token (the tiny bigram model makes any mix-up visible).
 */
import assert from 'node:assert/strict';
import type { LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { ensureTinyModel } from '../../models/tiny/generate';
import { guardParallelSampling } from '../../src/engine/samplingRaceGuard';
import { TEST_THREADS } from '../helpers/cliEngine';

describe('parallel sampling guard (node-llama-cpp directly)', function () {
  this.timeout(300_000);
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  let model: LlamaModel;
  let prompt: Token[];
  let dispose: () => Promise<void>;

  before(async () => {
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never' });
    model = await llama.loadModel({ modelPath: await ensureTinyModel() });
    prompt = model.tokenize('<|im_start|>user\nGenerate a rigorous proof to the following question:\n\nShow that sqrt 2 is irrational.<|im_end|>\n<|im_start|>assistant\n<think>\n', true);
    dispose = async () => {
      await model.dispose();
      await llama.dispose();
    };
  });
  after(async () => dispose?.());

  async function generate(context: LlamaContext, seed: number): Promise<string> {
    const { LlamaCompletion } = await import('node-llama-cpp');
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const tokens: number[] = [];
    await completion.generateCompletion(prompt, { temperature: 0.6, topK: 20, topP: 0.95, seed, maxTokens: 3000, onToken: (chunk) => tokens.push(...chunk) });
    completion.dispose();
    sequence.dispose();
    return tokens.join(',');
  }

  it('gives every parallel sequence exactly its sequential tokens', async () => {
    const single = await model.createContext({ sequences: 1, contextSize: 8192, threads: TEST_THREADS });
    const expected: string[] = [];
    for (const seed of seeds) expected.push(await generate(single, seed));
    await single.dispose();

    for (let round = 0; round < 3; round++) {
      const context = await model.createContext({ sequences: seeds.length, contextSize: 8192, threads: TEST_THREADS });
      guardParallelSampling(context);
      const actual = await Promise.all(seeds.map((seed) => generate(context, seed)));
      await context.dispose();
      actual.forEach((tokens, i) => assert.equal(tokens, expected[i], `round ${round}, seed ${seeds[i]}`));
    }
  });
});
