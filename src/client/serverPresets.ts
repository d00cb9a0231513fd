/**
 * The servers the connection wizard knows: where each listens by default, the command that starts
 * it with QED-Nano, and the flag that makes it send the thinking in a field of its own. Commands
 * and flags were checked against each server's documentation (README, "Servers", says what could
 * not be); each names its port, since defaults differ between versions.
 */

export interface ServerPreset {
  id: 'vllm' | 'sglang' | 'llama-server' | 'ollama' | 'lmstudio';
  name: string;
  /** The base URL on the machine that runs it. */
  url: string;
  /** What starts it with QED-Nano, as one line for a terminal. */
  command: string;
  /** What else to know about the command (a step it needs first). */
  note?: string;
  /** How to make the server send the reasoning separately, for a server that sends raw text. */
  reasoningFix: string;
}

/** QED-Nano's quantized GGUF, as node-llama-cpp, llama-server and Ollama name it on Hugging Face. */
const GGUF_REPO = 'Mungert/QED-Nano-GGUF';

export const SERVER_PRESETS: readonly ServerPreset[] = [
  {
    id: 'vllm',
    name: 'vLLM',
    url: 'http://localhost:8000/v1',
    command: 'vllm serve lm-provers/QED-Nano --reasoning-parser deepseek_r1 --port 8000',
    reasoningFix: 'start vLLM with --reasoning-parser deepseek_r1',
  },
  {
    id: 'sglang',
    name: 'SGLang',
    url: 'http://localhost:30000/v1',
    command: 'python -m sglang.launch_server --model-path lm-provers/QED-Nano --reasoning-parser deepseek-r1 --port 30000',
    reasoningFix: 'start SGLang with --reasoning-parser deepseek-r1',
  },
  {
    id: 'llama-server',
    name: 'llama-server (llama.cpp)',
    url: 'http://localhost:8080/v1',
    command: `llama-server -hf ${GGUF_REPO}:Q4_K_M --reasoning-format deepseek --port 8080`,
    reasoningFix: 'start llama-server with --reasoning-format deepseek',
  },
  {
    id: 'ollama',
    name: 'Ollama',
    url: 'http://localhost:11434/v1',
    command: `ollama pull hf.co/${GGUF_REPO}:Q4_K_M`,
    note: 'Ollama serves every model it has pulled (ollama serve, or the Ollama app); the model is then called hf.co/Mungert/QED-Nano-GGUF:Q4_K_M.',
    reasoningFix: 'Ollama separates the thinking only for models it knows to think; QED splits the raw text itself, so nothing needs changing',
  },
  {
    id: 'lmstudio',
    name: 'LM Studio',
    url: 'http://localhost:1234/v1',
    command: 'lms server start --port 1234',
    note: `Load QED-Nano first: paste https://huggingface.co/${GGUF_REPO} into LM Studio's model search (Discover), download Q4_K_M and load it.`,
    reasoningFix: 'QED splits the raw text itself, so nothing needs changing',
  },
];

/** A server's own name for itself in `/v1/models` (`owned_by`), where it is distinctive. */
const OWNERS: Record<string, string> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  llamacpp: 'llama-server (llama.cpp)',
  qed: 'the QED engine',
};

export function serverNameFromOwner(ownedBy: string | undefined): string | undefined {
  return ownedBy ? OWNERS[ownedBy.toLowerCase()] : undefined;
}

/** The preset a name from `/v1/models` points to, for its reasoning advice. */
export function presetForServerName(name: string | undefined): ServerPreset | undefined {
  return SERVER_PRESETS.find((preset) => preset.name === name);
}
