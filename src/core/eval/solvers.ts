/**
 * The two ways `qed eval` gets a proof: one sample through Prove's own prompt (QED-Nano's
 * training prompt, as the paper's single-sample number was measured), or a whole Deep Prove run
 * whose best candidate is the answer (the paper's agent number).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ChatBackend, SamplingOptions } from '../chat';
import { runTurn } from '../conversation/turnRunner';
import type { CallSlots } from '../deepProve/callSlots';
import type { DeepProveConfig } from '../deepProve/config';
import { DeepProveRun } from '../deepProve/deepProveRun';
import { JOURNAL_VERSION, runOf, type JournalEntry } from '../deepProve/journal';
import { FileJournal } from '../deepProve/journalFile';
import { parseKey, tokensOf } from '../deepProve/runView';
import { proveMessages } from '../prompts';
import type { EvalItem, Solution, Solver } from './evalRun';

export class ProveSolver implements Solver {
  private readonly live = new Map<EvalItem, number>();

  constructor(
    private readonly backend: ChatBackend,
    private readonly sampling: Omit<SamplingOptions, 'seed'>,
  ) {}

  async solve(item: EvalItem, signal: AbortSignal): Promise<Solution | 'stopped'> {
    // The statement as written: a ProofBench problem is not a document environment to clean.
    const prompt = proveMessages(item.problem.problem);
    const request = { messages: prompt, ...this.sampling, seed: item.seed };
    const answer = await runTurn(this.backend, request, { thinkingBudget: null, signal }, (update) => this.live.set(item, tokensOf(update))).finally(() => this.live.delete(item));
    if (answer.status === 'stopped') return 'stopped';
    if (answer.status === 'error') throw new Error(answer.error ?? 'The backend failed.');
    const cut = answer.finishReason === 'length';
    return {
      prompt,
      response: answer,
      content: answer.content,
      noProofReason: cut ? 'No answer after </think>: the token limit cut the thinking off. The proof scores 0.' : 'No answer after </think>: the proof scores 0.',
      tokens: tokensOf(answer),
      timeMs: Math.max(0, (answer.endedAt ?? answer.startedAt) - answer.startedAt),
    };
  }

  liveTokens(item: EvalItem): number {
    return this.live.get(item) ?? 0;
  }
}

export interface DeepSolverDeps {
  backend: ChatBackend;
  /** Shared by every run of the eval: the backend's calls at once. */
  slots: CallSlots;
  /** Each (problem, sample) keeps its run's journal in a folder of its own here. */
  journalRoot: string;
  config: DeepProveConfig;
}

export class DeepSolver implements Solver {
  private readonly runs = new Map<EvalItem, DeepProveRun>();

  constructor(private readonly deps: DeepSolverDeps) {}

  liveTokens(item: EvalItem): number {
    const run = this.runs.get(item);
    return run ? run.view.tokens + run.liveCalls.reduce((sum, call) => sum + call.reasoningTokens + call.contentTokens, 0) : 0;
  }

  async solve(item: EvalItem, signal: AbortSignal): Promise<Solution | 'stopped'> {
    const folder = join(this.deps.journalRoot, `${item.problem.id}-s${item.sample}`.replace(/[^\w.-]/g, '_'));
    const journal = await FileJournal.open(folder);
    if (journal.entries.length === 0) {
      await journal.append({ type: 'run', version: JOURNAL_VERSION, runId: randomUUID(), createdAt: Date.now(), title: `${item.problem.id}, sample ${item.sample}`, statement: item.problem.problem, config: this.deps.config, seed: item.seed });
    } else {
      const run = runOf(journal.entries);
      // A run left by an earlier eval of the same file: resumed only if it is this very problem and sample.
      if (run.statement !== item.problem.problem || run.seed !== item.seed) throw new Error(`${folder} holds a Deep Prove run of another problem or seed: move it away, or give another --out.`);
    }
    const run = new DeepProveRun({ backend: this.deps.backend, journal, slots: this.deps.slots });
    const stop = () => void run.stop();
    signal.addEventListener('abort', stop);
    this.runs.set(item, run);
    const view = await run.run().finally(() => {
      signal.removeEventListener('abort', stop);
      this.runs.delete(item);
    });
    if (view.end?.reason === 'user') return 'stopped';
    if (view.end?.reason === 'error') throw new Error(view.end.error ?? 'The backend failed during the Deep Prove run.');
    const best = view.best ? view.candidates.find((candidate) => candidate.id === view.best!.id) : undefined;
    const attempts = attemptsOf(journal.entries, best?.id ?? 'c1');
    return {
      prompt: attempts.firstPrompt,
      response: attempts.lastAnswer,
      content: best?.proof ?? '',
      noProofReason: 'Deep Prove found no proof: every attempt ran out of room. The proof scores 0.',
      tokens: view.tokens,
      timeMs: view.activeMs,
      deep: { journal: folder, calls: view.calls, best: view.best, end: view.end?.reason ?? 'complete' },
    };
  }
}

/** A candidate's first attempt's prompt and its last attempt's answer, from the journal. */
function attemptsOf(entries: readonly JournalEntry[], candidate: string): { firstPrompt: Solution['prompt']; lastAnswer: Solution['response'] } {
  const isAttempt = (key: string) => {
    const parsed = parseKey(key);
    return parsed?.candidate === candidate && parsed.kind === 'a';
  };
  const call = entries.find((entry) => entry.type === 'call' && isAttempt(entry.key));
  const results = entries.filter((entry) => entry.type === 'result' && isAttempt(entry.key));
  const last = results.at(-1);
  return {
    firstPrompt: call?.type === 'call' ? call.request.messages : [],
    lastAnswer: last?.type === 'result' ? last.answer : null,
  };
}

