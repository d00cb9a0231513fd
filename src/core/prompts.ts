/** The prompts QED-Nano was trained and evaluated with; wording matters, so it lives in one place. */
import type { ChatMessage } from './chat';
import type { PromptContext } from './context/promptContext';

export { cleanStatement } from './context/cleanStatement';

/** The model's training prompt, word for word; everything QED asks builds on it. */
export function proveInstruction(statement: string): string {
  return `Generate a rigorous proof to the following question:\n\n${statement.trim()}`;
}

/**
 * Introduces document context after the statement. Why after, and in the same user message:
 * the model was trained on prompts that *start* with the instruction and the question, so that
 * prefix stays byte-identical and the question stays the first thing it reads; a system message
 * or a preamble before the question would be new to it. Qwen3 thinking models treat a later
 * "for reference" block as material to consult, and saying that the question above is what to
 * prove keeps a small model from proving the lemmas it is shown.
 */
export const CONTEXT_INTRODUCTION =
  'For reference, the document this question comes from defines the following notation and results, ' +
  'which you may use without proving them. Prove only the question above.';

export function proveMessages(statement: string, context?: Pick<PromptContext, 'text'>): ChatMessage[] {
  const prompt = proveInstruction(statement);
  if (!context || context.text.trim() === '') return [{ role: 'user', content: prompt }];
  return [{ role: 'user', content: `${prompt}\n\n${CONTEXT_INTRODUCTION}\n\n${context.text}` }];
}
