/**
 * Continuing an assistant answer: the raw text a prefill stands for, and a reasoning splitter that
 * picks up where that text left off. The endpoint client and the engine server share both, so a
 * continuation is split exactly as the uninterrupted answer would have been.
 */
import type { AssistantPrefill } from './chat';
import { ReasoningSplitter, THINK_CLOSE } from './reasoning';

/**
 * The assistant text a prefill stands for, in the model's own layout (QED-Nano's template writes
 * `reasoning\n</think>\n\nanswer`). With no answer yet the text ends right at `</think>`: the model
 * writes the blank line after it itself, as it does after its own `</think>`, so its next tokens
 * are the ones it would produce anyway. (A character model such as the tiny test model would
 * otherwise read the trailing newlines as the start of new reasoning.)
 */
export function assistantPrefixText({ reasoning, content, thinkingClosed }: AssistantPrefill): string {
  if (!thinkingClosed) return reasoning;
  const closed = `${reasoning.replace(/[\r\n]+$/, '')}\n${THINK_CLOSE}`;
  return content ? `${closed}\n\n${content}` : closed;
}

/**
 * A splitter in the state a fresh one reaches after `prefix`, but holding none of its text, so
 * only what follows is emitted. The prefix itself sets the state (inside reasoning or answer, and
 * whether leading newlines are still trimmed); if it ends in what may be the start of a tag, a
 * NUL settles that as plain text, since the model's own `</think>` never spans the cut.
 */
export function splitterAfter(prefix: string, options: { startInReasoning?: boolean } = {}): ReasoningSplitter {
  const splitter = new ReasoningSplitter(options);
  if (!/[^\r\n]/.test(prefix)) return splitter;
  const probe = new ReasoningSplitter(options);
  probe.push(prefix);
  const held = probe.end();
  splitter.push(held.reasoning || held.content ? `${prefix}\u0000` : prefix);
  return splitter;
}
