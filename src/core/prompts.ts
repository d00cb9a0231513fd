/** The prompts QED-Nano was trained and evaluated with; wording matters, so it lives in one place. */
import type { ChatMessage } from './chat';

export function proveMessages(statement: string): ChatMessage[] {
  return [{ role: 'user', content: `Generate a rigorous proof to the following question:\n\n${statement.trim()}` }];
}
