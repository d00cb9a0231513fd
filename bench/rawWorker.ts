/**
 * The baseline for the engine benchmark: node-llama-cpp's LlamaCompletion driven directly, with
 * the prompt rendered and tokenized exactly as the engine does. Long-lived, so the benchmark can
 * interleave its runs with the engine's: the first stdin line is the setup, each further line
 * a seed, answered by one line of Timing JSON.
 */
import { createInterface } from 'node:readline';
import { ChatTemplate } from '../src/engine/chatTemplate';
import { proveMessages } from '../src/core/prompts';
import { MODEL_CARD_SAMPLING } from '../src/core/sampling';
import type { Timing } from './engineThroughput';

interface Setup {
  modelPath: string;
  threads: number;
  contextSize: number;
  flashAttention?: boolean;
  kvCache?: string;
  statement: string;
  maxTokens: number;
}

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const setup = JSON.parse((await lines.next()).value as string) as Setup;
  const { getLlama, LlamaCompletion, readGgufFileInfo } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: setup.modelPath });
  const info = await readGgufFileInfo(setup.modelPath, { readTensorInfo: false });
  const template = new ChatTemplate((info.metadata as { tokenizer: { chat_template: string } }).tokenizer.chat_template);
  const kvType = setup.kvCache === 'q8_0' ? 'Q8_0' : 'F16';
  const context = await model.createContext({
    sequences: 1,
    threads: setup.threads,
    contextSize: setup.contextSize,
    flashAttention: setup.flashAttention,
    experimentalKvCacheKeyType: kvType,
    experimentalKvCacheValueType: kvType,
  });
  // One sequence kept across runs, as the engine keeps its sequences: both reuse the prompt's KV cache.
  const sequence = context.getSequence();
  process.stdout.write('ready\n');

  for (let line = await lines.next(); !line.done; line = await lines.next()) {
    const seed = Number(line.value);
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const start = performance.now();
    const prompt = model.tokenize(template.render(proveMessages(setup.statement)), true);
    let first: number | undefined;
    let last = start;
    let tokens = 0;
    await completion.generateCompletion(prompt, {
      temperature: MODEL_CARD_SAMPLING.temperature,
      topP: MODEL_CARD_SAMPLING.topP,
      topK: MODEL_CARD_SAMPLING.topK,
      minP: MODEL_CARD_SAMPLING.minP,
      seed,
      maxTokens: setup.maxTokens,
      disableContextShift: true,
      onToken: (chunk) => {
        tokens += chunk.length;
        first ??= performance.now();
        last = performance.now();
      },
      // Text is what a caller wants, and the engine pays for detokenizing too.
      onTextChunk: (text) => void text,
    });
    completion.dispose();
    const timing: Timing = { tokens, ttftMs: first! - start, decodeTokensPerSecond: ((tokens - 1) / (last - first!)) * 1000, totalMs: last - start };
    process.stdout.write(`${JSON.stringify(timing)}\n`);
  }
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}

void main();
