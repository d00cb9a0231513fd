/**
 * Another VS Code window on the same chat history folder, as a process of its own (so the file
 * operations of two stores interleave as they do between two extension hosts).
 *
 *   node --import tsx test/helpers/historyWindow.ts save <dir> <id> <ms>
 *     saves version after version of conversation <id> for <ms> ms; prints how many it saved.
 *   node --import tsx test/helpers/historyWindow.ts list <dir>
 *     prints what list() returns, as JSON.
 */
import { HistoryStore } from '../../src/core/conversation/historyStore';
import { CONVERSATION_VERSION, type Conversation } from '../../src/core/conversation/types';

export const HISTORY_WINDOW = __filename;

/** Version `n` of a conversation as the saving window writes it. */
export function savedVersion(id: string, n: number): Conversation {
  return {
    version: CONVERSATION_VERSION,
    id,
    title: `version ${n}`,
    createdAt: 1,
    updatedAt: n,
    settings: { thinkingBudget: null },
    turns: [{ id: 'turn-1', user: 'Prove it.', assistant: { reasoning: 'x'.repeat(2000), content: `Answer ${n}`, status: 'done', startedAt: 1, reasoningTokens: 500, contentTokens: 3 } }],
  };
}

async function main([command, dir, id, ms]: string[]): Promise<void> {
  const store = new HistoryStore(dir!);
  if (command === 'list') {
    process.stdout.write(JSON.stringify(await store.list()));
  } else if (command === 'save') {
    const end = Date.now() + Number(ms);
    let saved = 0;
    while (Date.now() < end) await store.save(savedVersion(id!, ++saved));
    process.stdout.write(String(saved));
  } else {
    throw new Error(`Unknown command ${command}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
