/**
 * Runs an eval: each (problem, sample) not yet done is solved, its proof graded, and the record
 * appended to the output file, `parallel` at a time. What the file already holds is skipped; a
 * proof whose grading failed is graded again without being solved again. A solver failure (the
 * backend went away) stops new work and ends the run with that error: the finished records are
 * kept and a rerun goes on from them. A judge failure is recorded with the proof, so the rerun
 * only grades it.
 */
import type { AssistantAnswer } from '../answer/answer';
import type { ChatMessage } from '../chat';
import { EVAL_RECORD_VERSION, isDone, type EvalGrade, type EvalRecord, type EvalSetup } from './evalRecord';
import type { EvalFile } from './evalFile';
import { proofToGrade } from './judge';
import type { ProofBenchProblem } from './proofBench';

export interface EvalItem {
  problem: ProofBenchProblem;
  /** 1-based. */
  sample: number;
  seed: number;
}

export interface Solution {
  prompt: ChatMessage[];
  response: AssistantAnswer | null;
  /** The answer after `</think>` (Deep Prove: the best candidate's proof), '' when none. */
  content: string;
  /** Why there is no proof, when `content` is empty. */
  noProofReason?: string;
  tokens: number;
  timeMs: number;
  deep?: EvalRecord['deep'];
}

/** 'stopped': the run was stopped while it worked (nothing is recorded). Throws when the backend fails. */
export interface Solver {
  solve(item: EvalItem, signal: AbortSignal): Promise<Solution | 'stopped'>;
  /** Tokens generated so far for an item being solved (a status line's figure). */
  liveTokens?(item: EvalItem): number;
}

/** Never throws for a failed grading: that is a grade with status 'error'. */
export interface Judge {
  grade(problem: ProofBenchProblem, proof: string, signal: AbortSignal): Promise<EvalGrade | 'stopped'>;
}

export interface EvalRunDeps {
  solver: Solver;
  judge: Judge;
  file: EvalFile;
  setup: EvalSetup;
  parallel: number;
  now?: () => number;
}

export interface EvalRunListener {
  started?(item: EvalItem): void;
  /** `done` of `total` items have a final record, this one included. */
  recorded?(record: EvalRecord, progress: { done: number; total: number }): void;
}

export interface EvalOutcome {
  end: 'complete' | 'stopped' | 'error';
  /** The solver's failure (end 'error'). */
  error?: string;
}

export class EvalRun {
  private readonly abort = new AbortController();
  private failure: string | undefined;
  private readonly working = new Set<EvalItem>();

  constructor(
    private readonly deps: EvalRunDeps,
    private readonly listener: EvalRunListener = {},
  ) {}

  async run(items: readonly EvalItem[]): Promise<EvalOutcome> {
    const { file } = this.deps;
    const queue = items.filter((item) => !isDoneRecord(file.recordOf(item.problem.id, item.sample)));
    let done = items.length - queue.length;
    const worker = async () => {
      for (let item = queue.shift(); item && !this.halted; item = queue.shift()) {
        this.working.add(item);
        const record = await this.runItem(item).finally(() => this.working.delete(item));
        if (!record) continue;
        await file.append(record);
        if (isDone(record)) done++;
        this.listener.recorded?.(record, { done, total: items.length });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.deps.parallel, queue.length)) }, worker));
    if (this.failure !== undefined) return { end: 'error', error: this.failure };
    return { end: this.abort.signal.aborted ? 'stopped' : 'complete' };
  }

  /** The items being solved or graded now. */
  get inFlight(): readonly EvalItem[] {
    return [...this.working];
  }

  /** Stops: what is in flight is dropped, what was recorded stays. */
  stop(): void {
    this.abort.abort();
  }

  private get halted(): boolean {
    return this.abort.signal.aborted || this.failure !== undefined;
  }

  private async runItem(item: EvalItem): Promise<EvalRecord | undefined> {
    const { signal } = this.abort;
    const earlier = this.deps.file.recordOf(item.problem.id, item.sample);
    this.listener.started?.(item);
    if (earlier) {
      // Solved, but its grading failed: grade it again.
      const grade = await this.deps.judge.grade(item.problem, earlier.answer, signal);
      return grade === 'stopped' ? undefined : { ...earlier, grade, points: grade.points, finishedAt: this.now() };
    }
    let solution: Solution | 'stopped';
    try {
      solution = await this.deps.solver.solve(item, signal);
    } catch (error) {
      this.failure ??= error instanceof Error ? error.message : String(error);
      return undefined;
    }
    if (solution === 'stopped' || signal.aborted) return undefined;
    const answer = proofToGrade(solution.content);
    const grade: EvalGrade | 'stopped' = answer
      ? await this.deps.judge.grade(item.problem, answer, signal)
      : { status: 'no-proof', points: 0, note: solution.noProofReason ?? 'No answer after </think>: the proof scores 0.', timeMs: 0, tokens: 0 };
    if (grade === 'stopped') return undefined;
    return {
      type: 'eval',
      version: EVAL_RECORD_VERSION,
      problemId: item.problem.id,
      sample: item.sample,
      level: item.problem.level,
      category: item.problem.category,
      statement: item.problem.problem,
      setup: this.deps.setup,
      seed: item.seed,
      prompt: solution.prompt,
      response: solution.response,
      answer,
      tokens: solution.tokens,
      timeMs: solution.timeMs,
      ...(solution.deep && { deep: solution.deep }),
      grade,
      points: grade.points,
      finishedAt: this.now(),
    };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

function isDoneRecord(record: EvalRecord | undefined): boolean {
  return record !== undefined && isDone(record);
}
