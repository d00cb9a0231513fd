/**
 * `qed eval`: proof quality on IMO-ProofBench the way the paper measures it. Each (problem,
 * sample) is solved (Prove's prompt, or a Deep Prove run), graded 0–7 by a judge against the
 * reference solution and the problem's guidelines, and appended to --out as one JSON line; the
 * same command again skips what is done. Then the summary per level and overall.
 *
 * Exit codes: 0 every selected (problem, sample) graded; 1 the solver's backend failed (the
 * results so far are kept: run the same command again), or some proofs could not be graded (the
 * judge failed: the same); 2 bad usage; 130 stopped with Ctrl-C (run the same command again).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { OpenAIChatBackend } from '../client/openaiBackend';
import { CallSlots } from '../core/deepProve/callSlots';
import { callSeed } from '../core/deepProve/deepProveRun';
import { configProblems, DEFAULT_CONFIG, type DeepProveConfig } from '../core/deepProve/config';
import { lockFileOf } from '../core/deepProve/journalLock';
import { EvalFile, readEvalRecords } from '../core/eval/evalFile';
import { isDone, type EvalRecord, type EvalSetup } from '../core/eval/evalRecord';
import { EvalRun, type EvalItem, type Judge } from '../core/eval/evalRun';
import { compareEvals, summarizeEval } from '../core/eval/evalSummary';
import { ExternalJudge, SelfJudge } from '../core/eval/judges';
import { ProofBenchError, readProofBench, selectProblems } from '../core/eval/proofBench';
import { DeepSolver, ProveSolver } from '../core/eval/solvers';
import { MODEL_CARD_SAMPLING } from '../core/sampling';
import { openBackend, type OpenedBackend } from './backend';
import { DEFAULT_CONCURRENCY } from './deepProveArgs';
import { InputError } from './documentFiles';
import { Heartbeat, heartbeatQuietMs } from './heartbeat';
import { withInterrupt } from './interrupt';
import { parseEvalArgs, type EvalRunArgs, type JudgeArgs, type ReportOutputs } from './evalArgs';
import { duration } from './deepProveReport';
import { comparisonTable, summaryJson, summaryTable } from './evalReport';
import { UsageError } from './usageError';

const EXIT_STOPPED = 130;

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parseEvalArgs(argv);
  switch (args.command) {
    case 'compare': {
      const [a, b] = await Promise.all([readResults(args.a), readResults(args.b)]);
      process.stdout.write(comparisonTable(compareEvals(a, b), { a: args.a, b: args.b }));
      return 0;
    }
    case 'report': {
      const records = await readResults(args.file);
      await writeReports(records, args.outputs, args.file);
      return 0;
    }
    case 'run':
      return runEval(args);
  }
}

async function runEval(args: EvalRunArgs): Promise<number> {
  const problems = selectProblems(await readProblems(args.csv), args.selection);
  const out = resolve(args.out);
  const unlock = lockFileOf(out, 'stop that eval first (Ctrl-C there), then run the command again');
  try {
    const file = await EvalFile.open(out);
    const setup = evalSetup(args);
    checkSameSetup(file.records, setup, args.out);
    const items: EvalItem[] = problems.flatMap((problem) =>
      Array.from({ length: args.samples }, (_, index) => ({ problem, sample: index + 1, seed: callSeed(args.seed, `${problem.id}/s${index + 1}`) })),
    );
    const opened = await openBackend(args.backend, { parallel: args.parallel });
    try {
      const capacity = args.parallel ?? opened.engine?.parallel ?? DEFAULT_CONCURRENCY;
      const slots = new CallSlots(capacity);
      const { temperature, topP, topK, minP } = args.sampling;
      const config: DeepProveConfig = {
        ...DEFAULT_CONFIG,
        ...args.search,
        verificationsPerRefinement: Math.min(DEFAULT_CONFIG.verificationsPerRefinement, args.search?.verifications ?? DEFAULT_CONFIG.verifications),
        tokenBudget: args.tokenBudget ?? DEFAULT_CONFIG.tokenBudget,
        maxTokensPerCall: args.sampling.maxTokens ?? null,
        sampling: { temperature, topP, ...(topK !== undefined && { topK }), ...(minP !== undefined && { minP }) },
      };
      const configErrors = configProblems(config);
      if (configErrors.length) throw new UsageError(configErrors.map((error) => error[0]!.toUpperCase() + error.slice(1)).join(' '));
      const solver = args.mode === 'deep' ? new DeepSolver({ backend: opened.backend, slots, journalRoot: `${out}.deep`, config }) : new ProveSolver(opened.backend, args.sampling);
      // A Deep Prove run keeps its pool's calls going at once; enough runs to fill the backend.
      const parallel = args.mode === 'deep' ? Math.max(1, Math.ceil(capacity / config.poolSize)) : capacity;
      const done = items.filter((item) => {
        const record = file.recordOf(item.problem.id, item.sample);
        return record !== undefined && isDone(record);
      }).length;
      process.stderr.write(`qed: ${problems.length} problem${problems.length === 1 ? '' : 's'} × ${args.samples} sample${args.samples === 1 ? '' : 's'}${done ? `, ${done} done already in ${args.out}` : ''}; ${parallel} at once.\n`);
      let recorded = done;
      const startedAt = Date.now();
      const heartbeat = new Heartbeat(heartbeatQuietMs(), () => {
        const working = run.inFlight.map((item) => `${item.problem.id} #${item.sample} (${solver.liveTokens(item).toLocaleString('en-US')} tokens)`);
        return `qed: working on ${working.join(', ') || 'nothing'} · ${recorded}/${items.length} done · ${duration(Date.now() - startedAt)}`;
      });
      const run = new EvalRun(
        { solver, judge: openJudge(args.judge, opened), file, setup, parallel },
        {
          recorded: (record, progress) => {
            recorded = progress.done;
            process.stderr.write(`qed: [${progress.done}/${progress.total}] ${progressLine(record)}\n`);
            heartbeat.said();
          },
        },
      );
      const outcome = await withInterrupt(
        () => run.run(items),
        () => run.stop(),
        { stopping: 'qed: stopping: the (problem, sample)s in flight are dropped, the finished ones kept (Ctrl-C again to exit at once).', exiting: 'qed: stopped at once; the finished results are kept.' },
        EXIT_STOPPED,
      ).finally(() => heartbeat.stop());
      const records = file.records;
      await writeReports(records, args.outputs, args.out);
      const ungraded = records.filter((record) => record.grade.status === 'error').length;
      if (outcome.end === 'stopped') {
        process.stderr.write('qed: stopped; the results so far are kept: run the same command again to go on.\n');
        return EXIT_STOPPED;
      }
      if (outcome.end === 'error') {
        process.stderr.write(`qed: the solver failed: ${outcome.error}\nqed: the results so far are kept in ${args.out}: run the same command again to go on.\n`);
        return 1;
      }
      if (ungraded) {
        process.stderr.write(`qed: ${ungraded} proof${ungraded === 1 ? '' : 's'} could not be graded (the judge failed); run the same command again to grade ${ungraded === 1 ? 'it' : 'them'}.\n`);
        return 1;
      }
      return 0;
    } finally {
      opened.close();
    }
  } finally {
    unlock();
  }
}

async function readProblems(csv: string): Promise<ReturnType<typeof readProofBench>> {
  let text: string;
  try {
    text = await readFile(csv, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read the problems file ${csv}: ${(error as Error).message}`);
  }
  try {
    return readProofBench(text, csv);
  } catch (error) {
    if (error instanceof ProofBenchError) throw new InputError(error.message);
    throw error;
  }
}

async function readResults(path: string): Promise<EvalRecord[]> {
  try {
    return await readEvalRecords(path);
  } catch (error) {
    throw new InputError((error as NodeJS.ErrnoException).code === 'ENOENT' ? `No results file ${path}.` : (error as Error).message);
  }
}

function evalSetup(args: EvalRunArgs): EvalSetup {
  const solver = args.backend.endpoint ? `endpoint ${args.backend.endpoint} ${args.backend['endpoint-model'] ?? 'lm-provers/QED-Nano'}` : `engine ${basename(args.backend.model!)}`;
  return {
    mode: args.mode,
    solver,
    judge: args.judge.kind === 'self' ? 'self' : args.judge.model,
    ...args.sampling,
    ...(args.tokenBudget !== undefined && { tokenBudget: args.tokenBudget }),
    ...args.search,
  };
}

/** One results file, one setup: mixing two would average unlike things. */
function checkSameSetup(records: readonly EvalRecord[], setup: EvalSetup, out: string): void {
  const earlier = records[0]?.setup;
  if (!earlier) return;
  const fields = new Set([...Object.keys(earlier), ...Object.keys(setup)]) as Set<keyof EvalSetup>;
  const differences = [...fields].filter((field) => earlier[field] !== setup[field]).map((field) => `${field} ${String(earlier[field] ?? 'unset')} there, ${String(setup[field] ?? 'unset')} here`);
  if (differences.length) throw new UsageError(`${out} holds results of another setup (${differences.join('; ')}): run with the same options to go on with it, or give another --out.`);
}

function openJudge(judge: JudgeArgs, solver: OpenedBackend): Judge {
  if (judge.kind === 'self') return new SelfJudge(solver.backend, MODEL_CARD_SAMPLING);
  const backend = new OpenAIChatBackend({ baseUrl: judge.url, apiKey: judge.apiKey, model: judge.model, timeoutMs: 30 * 60_000, startInReasoning: false, modelCardSampling: false });
  return new ExternalJudge(backend, { ...(judge.maxTokens !== undefined && { maxTokens: judge.maxTokens }) });
}

function progressLine(record: EvalRecord): string {
  const grade = record.grade;
  const score =
    grade.status === 'graded' ? `${record.points}/7` : grade.status === 'no-proof' ? '0/7 (no proof)' : grade.status === 'unreadable' ? 'grade unreadable' : 'not graded (the judge failed)';
  const note = grade.status === 'graded' ? '' : grade.note ? `: ${grade.note}` : '';
  return `${record.problemId} #${record.sample}: ${score} (${record.tokens.toLocaleString('en-US')} tokens, ${duration(record.timeMs)})${note}`;
}

async function writeReports(records: EvalRecord[], outputs: ReportOutputs, source: string): Promise<void> {
  const summary = summarizeEval(records);
  process.stdout.write(summaryTable(summary));
  if (outputs.summaryJson) await writeFile(outputs.summaryJson, `${JSON.stringify(summaryJson(summary), null, 2)}\n`);
  if (outputs.html) {
    // Loaded only here: markdown-it and KaTeX are not for every command of the CLI.
    const { evalHtmlReport } = await import('./evalHtml');
    await writeFile(outputs.html, evalHtmlReport({ title: `IMO-ProofBench eval: ${basename(source)}`, records, summary: [...summary.levels, summary.overall] }));
  }
}
