/**
 * Real tokenizers for tests: the vocabulary-only GGUFs of llama.cpp's own tokenizer tests, taken
 * from the llama.cpp source that node-llama-cpp ships (a git bundle in its `llama/` folder), so
 * tokenization can be checked against Qwen2's byte-level BPE (QED-Nano's) without a model.
 * Extracted once into `.cache/llama-vocab/`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './cliEngine';

const BUNDLE = path.join(REPO, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
const CACHE = path.join(REPO, '.cache', 'llama-vocab');

/** `qwen2`: Qwen2's tokenizer (QED-Nano's, less Qwen3's think tags); `llama-bpe`: Llama 3's. */
export function llamaCppVocab(name: 'qwen2' | 'llama-bpe'): string {
  const file = path.join(CACHE, `ggml-vocab-${name}.gguf`);
  if (existsSync(file)) return file;
  const clone = mkdtempSync(path.join(os.tmpdir(), 'qed-llama-cpp-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--no-checkout', BUNDLE, clone], { stdio: 'ignore' });
    const bytes = execFileSync('git', ['-C', clone, 'show', `HEAD:models/ggml-vocab-${name}.gguf`], { maxBuffer: 64 * 2 ** 20 });
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
  return file;
}
