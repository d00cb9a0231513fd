/**
 * A conversation as a Markdown document: questions and answers as written (math stays `$…$`),
 * the thinking folded into a collapsed `<details>` block, so the export reads like the chat but
 * keeps everything the model wrote.
 */
import type { AssistantAnswer } from '../answer/answer';
import type { Conversation } from './types';

export function conversationToMarkdown(conversation: Conversation): string {
  const lines: string[] = [`# ${conversation.title}`, '', header(conversation), ''];
  for (const turn of conversation.turns) {
    lines.push('---', '', '**You**', '', (turn.typed ?? turn.user).trim(), '', '**QED-Nano**', '');
    const answer = turn.assistant;
    if (answer.reasoning.trim()) {
      // A blank line after <summary> and before </details> lets Markdown render inside the block.
      lines.push('<details>', `<summary>Thinking${tokens(answer.reasoningTokens)}</summary>`, '', foldSafe(answer.reasoning.trim()), '', '</details>', '');
    }
    if (answer.content.trim()) lines.push(answer.content.trim(), '');
    const note = statusNote(answer);
    if (note) lines.push(`*${note}*`, '');
  }
  return lines.join('\n');
}

function header(conversation: Conversation): string {
  const date = new Date(conversation.createdAt).toISOString().slice(0, 10);
  const origin = conversation.origin;
  const from = origin ? ` · from \`${origin.file}\`, lines ${origin.startLine}–${origin.endLine}` : '';
  return `*QED conversation, ${date}${from}*`;
}

function statusNote(answer: AssistantAnswer): string | null {
  const forced = answer.forcedAnswer === 'budget' ? 'Thinking budget reached; answer requested.' : answer.forcedAnswer === 'answer-now' ? 'Answer requested before the thinking ended.' : '';
  const ended = {
    done: '',
    streaming: 'Still being written when exported.',
    stopped: 'Stopped.',
    length: 'Cut off at the length limit.',
    error: `Failed: ${answer.error ?? 'unknown error'}`,
  }[answer.status];
  return [forced, ended].filter(Boolean).join(' ') || null;
}

function tokens(count: number): string {
  return count > 0 ? ` (${count.toLocaleString('en-US')} tokens)` : '';
}

/** Reasoning that mentions `</details>` must not close the block early. */
function foldSafe(text: string): string {
  return text.replace(/<\/details>/gi, '&lt;/details>');
}
