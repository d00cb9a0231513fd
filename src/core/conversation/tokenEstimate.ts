/**
 * Token counts estimated from text, for when the server has not said (it reports usage only at
 * the end of a request, and not at all for an aborted one).
 *
 * Qwen's tokenizer averages about 4 characters per token on English prose and fewer on LaTeX,
 * whose commands, braces and digits are short tokens. 3 errs towards more tokens: a prompt
 * estimate then still fits the context, and a thinking budget closes a little early, not late.
 */
export const CHARS_PER_TOKEN = 3;

/** `<|im_start|>role\n` … `<|im_end|>\n` around every message. */
export const MESSAGE_OVERHEAD_TOKENS = 5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Tokens in one streamed piece of text: at least one, as every piece holds a token, otherwise by
 * its characters, since servers batch tokens into events differently (vLLM mostly one per event,
 * our engine everything from a 16 ms frame).
 */
export function streamedTokens(text: string): number {
  return Math.max(1, Math.round(text.length / CHARS_PER_TOKEN));
}
