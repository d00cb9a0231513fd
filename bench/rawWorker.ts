/**
 * The baseline for the engine benchmark: node-llama-cpp's LlamaCompletion driven directly, with
 * the prompt rendered and tokenized exactly as the engine does. Reads its job as JSON on stdin
 * and prints one Timing per seed as JSON.
 */
import { ChatTemplate } from '../src/engine/chatTemplate';
import { proveMessages } from '../src/core/prompts';
import { MODEL_CARD_SAMPLING } from '../src/core/sampling';
import type { Timing } from './engineThroughput';

async function main(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const job = JSON.parse(input) as { modelPath: string; seeds: number[]; threads: number; statement: string; maxTokens: number; contextSize: number };
  const { getLlama, LlamaCompletion, readGgufFileInfo } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath: job.modelPath });
  const info = await readGgufFileInfo(job.modelPath, { readTensorInfo: false });
  const template = new ChatTemplate((info.metadata as { tokenizer: { chat_template: string } }).tokenizer.chat_template);
  const context = await model.createContext({ sequences: 1, threads: job.threads, contextSize: job.contextSize });
  const timings: Timing[] = [];
  for (const seed of job.seeds) {
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const start = performance.now();
    const prompt = model.tokenize(template.render(proveMessages(job.statement)), true);
    let first: number | undefined;
    let last = start;
    let tokens = 0;
    await completion.generateCompletion(prompt, {
      temperature: MODEL_CARD_SAMPLING.temperature,
      topP: MODEL_CARD_SAMPLING.topP,
      topK: MODEL_CARD_SAMPLING.topK,
      minP: MODEL_CARD_SAMPLING.minP,
      seed,
      maxTokens: job.maxTokens,
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
    sequence.dispose();
    timings.push({ tokens, ttftMs: first! - start, decodeTokensPerSecond: ((tokens - 1) / (last - first!)) * 1000, totalMs: last - start });
  }
  process.stdout.write(JSON.stringify(timings));
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}

void main();
