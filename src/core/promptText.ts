/** The prompt as the user may read it in the panel: every message, role by role, verbatim. */
import type { ChatMessage } from './chat';

export function formatPrompt(messages: readonly ChatMessage[]): string {
  return messages.map((message) => `${message.role}:\n${message.content}`).join('\n\n');
}
