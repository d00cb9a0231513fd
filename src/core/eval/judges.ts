/**
 * Who grades the proofs: an external judge model with the benchmark's grading (judge.ts), as the
 * published numbers were measured, or QED-Nano's own verifier (Critique Proof's 0 / ½ / 1, scaled
 * to 7), which needs no other model but is not comparable with published numbers.
 */
import type { AssistantAnswer } from '../answer/answer';
import type { ChatBackend, ChatMessage, SamplingOptions } from '../chat';
import { runTurn } from '../conversation/turnRunner';
import { critiqueMessages } from '../critique/critiquePrompt';
import { parseCritique } from '../critique/parseCritique';
import { tokensOf } from '../deepProve/runView';
import type { EvalGrade } from './evalRecord';
import type { Judge } from './evalRun';
import { judgeMessages, readJudgeGrade } from './judge';
import type { ProofBenchProblem } from './proofBench';

type Graded = { points: number; note?: undefined } | { points: null; note: string };

abstract class ModelJudge implements Judge {
  constructor(
    protected readonly backend: ChatBackend,
    private readonly sampling: Omit<SamplingOptions, 'seed'>,
  ) {}

  async grade(problem: ProofBenchProblem, proof: string, signal: AbortSignal): Promise<EvalGrade | 'stopped'> {
    const prompt = this.messages(problem, proof);
    const answer = await runTurn(this.backend, { messages: prompt, ...this.sampling }, { thinkingBudget: null, signal }, () => undefined);
    if (answer.status === 'stopped') return 'stopped';
    const spent = { timeMs: Math.max(0, (answer.endedAt ?? answer.startedAt) - answer.startedAt), tokens: tokensOf(answer) };
    if (answer.status === 'error') return { status: 'error', points: null, note: `The judge failed: ${answer.error ?? 'no answer'}`, prompt, ...spent };
    const graded = this.read(answer);
    return {
      status: graded.points === null ? 'unreadable' : 'graded',
      points: graded.points,
      ...(graded.note !== undefined && { note: graded.note }),
      prompt,
      grading: answer.content,
      ...(answer.reasoning && { gradingReasoning: answer.reasoning }),
      ...spent,
    };
  }

  protected abstract messages(problem: ProofBenchProblem, proof: string): ChatMessage[];
  protected abstract read(answer: AssistantAnswer): Graded;
}

/** IMO-ProofBench's grading by another model: 0–7 against the reference solution and guidelines. */
export class ExternalJudge extends ModelJudge {
  protected messages(problem: ProofBenchProblem, proof: string): ChatMessage[] {
    return judgeMessages(problem, proof);
  }

  protected read(answer: AssistantAnswer): Graded {
    return readJudgeGrade(answer.content, answer.finishReason);
  }
}

/** QED-Nano's verifier: sees only the problem and the proof, scores 0 / ½ / 1, shown as 0 / 3.5 / 7. */
export class SelfJudge extends ModelJudge {
  protected messages(problem: ProofBenchProblem, proof: string): ChatMessage[] {
    return critiqueMessages(problem.problem, proof);
  }

  protected read(answer: AssistantAnswer): Graded {
    const critique = parseCritique(answer.content, answer.finishReason);
    if (critique.score === null) return { points: null, note: critique.notes.join('; ') || 'No \\boxed{} score in the verification.' };
    return { points: critique.score * 7 };
  }
}
