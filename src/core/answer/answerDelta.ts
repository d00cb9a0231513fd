/**
 * How a streaming answer travels to a page: the text appended since the last delta, and all the
 * answer's other fields as they are now (a few hundred bytes, so they are simply sent whole; a
 * field that went away, such as the finish reason of a run that goes on, goes away on the page).
 * The Proof panel and the chat both stream this way, and both fold a delta with `applyDelta`.
 */
import { answerMeta, metaOf, type AnswerMeta, type AssistantAnswer } from './answer';
import { object, string, type Infer } from '../webview/schema';

export const answerDelta = object({ reasoning: string, content: string, meta: answerMeta });
export type AnswerDelta = Infer<typeof answerDelta>;

export function applyDelta(answer: AssistantAnswer, delta: AnswerDelta): AssistantAnswer {
  return { ...delta.meta, reasoning: answer.reasoning + delta.reasoning, content: answer.content + delta.content };
}

/** The delta from `shown` to `next` when `next` extends its text (the same answer, further on), else undefined. */
export function deltaFrom(shown: AssistantAnswer, next: AssistantAnswer): AnswerDelta | undefined {
  if (!next.reasoning.startsWith(shown.reasoning) || !next.content.startsWith(shown.content)) return undefined;
  return { reasoning: next.reasoning.slice(shown.reasoning.length), content: next.content.slice(shown.content.length), meta: metaOf(next) };
}

/**
 * Hands out what changed in an answer since the last delta (or since the page was sent the whole
 * answer), so a host posts a few times per frame instead of once per token.
 */
export class AnswerDeltas {
  private sentReasoning = 0;
  private sentContent = 0;
  private sentMeta: AnswerMeta | undefined;

  /** The page has this answer in full (a snapshot): later deltas start after it. */
  sent(answer: AssistantAnswer): void {
    this.sentReasoning = answer.reasoning.length;
    this.sentContent = answer.content.length;
    this.sentMeta = metaOf(answer);
  }

  /** The delta from what the page has to `answer`, or undefined when nothing changed. */
  take(answer: AssistantAnswer): AnswerDelta | undefined {
    const reasoning = answer.reasoning.slice(this.sentReasoning);
    const content = answer.content.slice(this.sentContent);
    const meta = metaOf(answer);
    if (!reasoning && !content && this.sentMeta && sameMeta(meta, this.sentMeta)) return undefined;
    this.sent(answer);
    return { reasoning, content, meta };
  }
}

function sameMeta(a: AnswerMeta, b: AnswerMeta): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof AnswerMeta)[]);
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    // `usage` is the one field that is an object.
    if (typeof x === 'object' && typeof y === 'object' && JSON.stringify(x) === JSON.stringify(y)) continue;
    return false;
  }
  return true;
}
