/**
 * Deep Prove journals written by hand, for the tests and the bench of the Deep Prove panel's page:
 * the entries a run would write, with answers made to order (a proof, a verdict, thinking that ran
 * out of room), folded with the real foldJournal so the page gets exactly what a host would send.
 */
import type { AssistantAnswer } from '../../src/core/answer/answer';
import { DEFAULT_CONFIG, type DeepProveConfig } from '../../src/core/deepProve/config';
import type { CallKind, EndReason, JournalEntry, RunJournal } from '../../src/core/deepProve/journal';
import type { LiveCall } from '../../src/core/deepProve/liveCall';
import { foldJournal, parseKey, type RunView } from '../../src/core/deepProve/runView';

const KINDS = { a: 'attempt', s: 'summary', v: 'verify' } as const satisfies Record<string, CallKind>;

export function kindOfKey(key: string): CallKind {
  const parsed = parseKey(key);
  if (!parsed) throw new Error(`not a call key: ${key}`);
  return KINDS[parsed.kind];
}

/** An answer as the turn runner leaves it; `tokens` splits 3:1 between thinking and answer. */
export function answer(content: string, tokens: number, fields: Partial<AssistantAnswer> = {}): AssistantAnswer {
  const contentTokens = content ? Math.min(tokens, Math.ceil(content.length / 4)) : 0;
  return {
    reasoning: 'thinking…',
    content,
    status: 'done',
    finishReason: 'stop',
    startedAt: 0,
    reasoningTokens: tokens - contentTokens,
    contentTokens,
    usage: { promptTokens: 1000, completionTokens: tokens },
    ...fields,
  };
}

/** A solver's answer in the requested format. */
export function proofAnswer(proof: string, tokens = 20_000, selfEvaluation = 'I believe the proof is complete. \\boxed{1}'): AssistantAnswer {
  return answer(`## Solution\n\n${proof}\n\n## Self Evaluation\n\n${selfEvaluation}`, tokens);
}

/** An attempt that ran out of room while thinking: the reasoning cache summarises it. */
export function cutAttempt(tokens = 32_768): AssistantAnswer {
  return answer('', tokens, { finishReason: 'length', status: 'length' });
}

/** A verifier's answer: its evaluation and a boxed score, or none (`null`: unreadable). */
export function verdictAnswer(score: 0 | 0.5 | 1 | null, evaluation: string, tokens = 8_000): AssistantAnswer {
  const box = score === null ? '' : `\n\n\\boxed{${score}}`;
  return answer(`${evaluation}${box}`, tokens);
}

const REQUEST = { messages: [{ role: 'user' as const, content: '…' }], temperature: 0.8, topP: 1, seed: 1 };

/** A journal in memory, holding copies: a run that changed an entry after appending it would show. */
export class MemoryJournal implements RunJournal {
  readonly entries: JournalEntry[];

  constructor(entries: readonly JournalEntry[] = []) {
    this.entries = structuredClone([...entries]);
  }

  async append(entry: JournalEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }
}

/** Writes a journal entry by entry; `at` is milliseconds after the run was created. */
export class JournalWriter {
  readonly entries: JournalEntry[] = [];

  constructor(
    readonly createdAt: number,
    options: { title?: string; statement?: string; runId?: string; config?: Partial<DeepProveConfig> } = {},
  ) {
    this.entries.push({
      type: 'run',
      version: 1,
      runId: options.runId ?? 'run-deep',
      createdAt,
      title: options.title ?? 'Theorem 2 ($\\sqrt 2$ is irrational)',
      statement: options.statement ?? 'Prove that $\\sqrt{2}$ is irrational.',
      config: { ...DEFAULT_CONFIG, ...options.config },
      seed: 42,
    });
  }

  private at(ms: number): number {
    return this.createdAt + ms;
  }

  start(at: number, options: { concurrency?: number; tokenBudget?: number; timeLimitMs?: number | null } = {}): this {
    const config = this.view().run.config;
    this.entries.push({ type: 'start', at: this.at(at), concurrency: options.concurrency ?? 4, tokenBudget: options.tokenBudget ?? config.tokenBudget, timeLimitMs: options.timeLimitMs ?? config.timeLimitMs });
    return this;
  }

  candidate(id: string, at: number, lineage: { round?: number; parent?: string; from?: number[] } = {}): this {
    this.entries.push({ type: 'candidate', id, round: lineage.round ?? 0, parent: lineage.parent ?? null, fromVerifications: lineage.from ?? [], at: this.at(at) });
    return this;
  }

  call(key: string, at: number): this {
    this.entries.push({ type: 'call', key, kind: kindOfKey(key), at: this.at(at), request: REQUEST });
    return this;
  }

  result(key: string, at: number, result: AssistantAnswer): this {
    this.entries.push({ type: 'result', key, at: this.at(at), answer: { ...result, startedAt: this.at(at - 1000), endedAt: this.at(at) } });
    return this;
  }

  /** A call and its result. */
  done(key: string, from: number, to: number, result: AssistantAnswer): this {
    return this.call(key, from).result(key, to, result);
  }

  end(at: number, reason: EndReason, error?: string): this {
    this.entries.push({ type: 'end', at: this.at(at), reason, ...(error !== undefined && { error }) });
    return this;
  }

  view(): RunView {
    return foldJournal(this.entries);
  }
}

/** A call streaming now, as the run reports it. */
export function liveCall(key: string, startedAt: number, reasoningTokens: number, contentTokens = 0): LiveCall {
  return { key, kind: kindOfKey(key), startedAt, reasoningTokens, contentTokens };
}
