/**
 * A fake model for Deep Prove's unit tests: it answers each request by what the request is (a
 * solver's attempt, a refinement, a verification or a summary), through a script the test gives,
 * so the answers depend on the request and its seed only, never on timing. Streams one event per
 * macrotask, so Stop and limits can land mid-call, and ends aborted streams as the contract says.
 */
import type { ChatBackend, ChatRequest, ChatStreamEvent } from '../../src/core/chat';

export type RequestKind = 'attempt' | 'refinement' | 'verify' | 'summary';

export interface FakeCall {
  kind: RequestKind;
  request: ChatRequest;
  /** The user message. */
  prompt: string;
}

export type Reply = { reasoning?: string; content?: string; finish?: 'stop' | 'length'; fail?: string; tokens?: number };

export function kindOf(prompt: string): RequestKind {
  if (prompt.startsWith('## Instruction\nYou are a strict grader')) return 'verify';
  if (prompt.startsWith('You are given a mathematics problem and the reasoning')) return 'summary';
  return prompt.includes('## Candidate Solution to Refine') ? 'refinement' : 'attempt';
}

export class FakeProver implements ChatBackend {
  readonly calls: FakeCall[] = [];
  /** Calls streaming now, and the most at once. */
  active = 0;
  maxActive = 0;

  constructor(private readonly reply: (call: FakeCall) => Reply, private readonly chunks = 4) {}

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const prompt = request.messages.at(-1)?.content ?? '';
    const call: FakeCall = { kind: kindOf(prompt), request: structuredClone(request), prompt };
    this.calls.push(call);
    const reply = this.reply(call);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const events: ChatStreamEvent[] = [];
      for (const piece of split(reply.reasoning ?? 'thinking', this.chunks)) events.push({ type: 'reasoning', text: piece });
      for (const piece of split(reply.content ?? '', this.chunks)) events.push({ type: 'content', text: piece });
      for (const event of events) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) {
          yield { type: 'done', finishReason: 'cancelled' };
          return;
        }
        yield event;
      }
      await new Promise((resolve) => setImmediate(resolve));
      if (reply.fail) throw new Error(reply.fail);
      yield { type: 'done', finishReason: reply.finish ?? 'stop', ...(reply.tokens !== undefined && { usage: { promptTokens: 10, completionTokens: reply.tokens } }) };
    } finally {
      this.active--;
    }
  }
}

function split(text: string, parts: number): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** A solver's answer in the format the prompt asks for. */
export function solution(proof: string, selfScore = 1): string {
  return `## Solution\n\n${proof}\n\n## Self Evaluation\n\nI checked every step.\n\n\\boxed{${selfScore}}`;
}

/** A verifier's answer with this score (null: no box at all). */
export function verdict(score: 0 | 0.5 | 1 | null, note = 'The steps are checked.'): string {
  const box = score === null ? 'Based on my evaluation, I cannot decide on a score.' : `Based on my evaluation, the final overall score should be:\n\\boxed{${score}}`;
  return `Here is my evaluation of the solution:\n${note}\n\n## Issues\nNone.\n\n${box}`;
}
