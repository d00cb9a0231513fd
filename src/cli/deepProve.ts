/**
 * `qed deep-prove`: a Deep Prove run (generate → verify → refine, src/core/deepProve/) from a
 * terminal, on the environment named by --label or --line, with its journal in a folder. The
 * same folder given again resumes the run: what finished is not asked for again.
 *
 * Exit codes: 0 a best proof, the search complete or solved; 3 stopped by the token budget or
 * time limit, or no candidate had a proof; 130 stopped with Ctrl-C (resumable); 1 failure (the
 * backend or engine failed: the journal keeps the finished calls); 2 bad usage.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CallSlots } from '../core/deepProve/callSlots';
import { MAX_TOKEN_BUDGET } from '../core/deepProve/config';
import { DeepProveRun } from '../core/deepProve/deepProveRun';
import { JOURNAL_VERSION, runOf, type RunEntry } from '../core/deepProve/journal';
import { FileJournal } from '../core/deepProve/journalFile';
import { runEstimate } from '../core/deepProve/runEstimate';
import { foldJournal, type RunView } from '../core/deepProve/runView';
import { MAX_SEED } from '../core/sampling';
import { openBackend } from './backend';
import { DEFAULT_CONCURRENCY, newRunConfig, parseDeepProveArgs, resumeConflicts, type DeepProveArgs } from './deepProveArgs';
import { endLine, EXIT_STOPPED, exitCode, liveLine, RunProgress, runSummary } from './deepProveReport';
import { Heartbeat, heartbeatQuietMs } from './heartbeat';
import { InputError } from './documentFiles';
import { withInterrupt } from './interrupt';
import { lockJournal } from '../core/deepProve/journalLock';
import { problemFromArgs } from './problem';
import { UsageError } from './usageError';

export async function deepProveCommand(argv: string[]): Promise<number> {
  const args = parseDeepProveArgs(argv);
  // Without --journal, the run is defined before its folder is made: bad input leaves no folder behind.
  const fresh = args.journal === undefined ? await newRun(args) : undefined;
  const folder = args.journal === undefined ? await mkdtemp(join(tmpdir(), 'qed-deep-prove-')) : await journalFolder(args.journal);
  const unlock = lockJournal(folder);
  try {
    const journal = await FileJournal.open(folder);
    const resuming = journal.entries.length > 0;
    if (resuming) await checkResume(runOf(journal.entries), args, folder);
    else await journal.append(fresh ?? (await newRun(args)));
    if (args.journal === undefined) process.stderr.write(`qed: journal: ${folder} (resume with --journal ${folder})\n`);

    const before = foldJournal(journal.entries);
    // A finished run is only reported: there is nothing left to call a model for.
    if (before.end?.reason === 'complete' || before.end?.reason === 'solved') return finish(before, folder, args, false);
    const tokenBudget = args.tokenBudget ?? before.tokenBudget;
    const timeLimitMs = args.timeLimitMs ?? before.timeLimitMs;
    checkLimitsLeft(before, tokenBudget, timeLimitMs);
    if (resuming) process.stderr.write(`qed: resuming ${before.run.title}: ${before.calls} calls done, ${before.tokens.toLocaleString('en-US')} tokens.\n`);

    const opened = await openBackend(args.backend, { parallel: args.parallel });
    try {
      const capacity = opened.engine?.parallel ?? args.concurrency ?? DEFAULT_CONCURRENCY;
      process.stderr.write(`qed: ${capacity} call${capacity === 1 ? '' : 's'} at once (${opened.engine ? 'the engine’s sequences' : '--concurrency'}).\n`);
      const progress = new RunProgress(resuming ? before : undefined);
      const heartbeat = new Heartbeat(heartbeatQuietMs(), () => liveLine(run.view, run.liveCalls, runEstimate(run.view, run.liveCalls, Date.now())));
      const run: DeepProveRun = new DeepProveRun(
        { backend: opened.backend, journal, slots: new CallSlots(capacity), tokenBudget, timeLimitMs },
        {
          changed: (view) => {
            for (const line of progress.update(view, runEstimate(view, run.liveCalls, Date.now()))) {
              process.stderr.write(`${line}\n`);
              heartbeat.said();
            }
          },
        },
      );
      // Ctrl-C stops the run (finished calls kept, an end entry written); a second one exits at once.
      const view = await withInterrupt(
        () => run.run(),
        () => run.stop(),
        { stopping: 'qed: stopping: the calls in flight are dropped, the finished ones kept (Ctrl-C again to exit at once).', exiting: 'qed: stopped at once; the journal keeps every finished call.' },
        EXIT_STOPPED,
      ).finally(() => heartbeat.stop());
      const engineDied = view.end?.reason === 'error' && opened.engine !== undefined && (await exitedWithin(opened.engine.exited, 2000));
      return finish(view, folder, args, engineDied);
    } finally {
      opened.close();
    }
  } finally {
    unlock();
  }
}

/** The run in a new journal: the statement and context of FILE, the configuration of the flags. */
async function newRun(args: DeepProveArgs): Promise<RunEntry> {
  if (args.file === undefined) throw new UsageError('The journal holds no run to resume: give FILE with --label LABEL or --line N to start one.');
  const config = newRunConfig(args);
  const problem = await problemFromArgs(args.file, args.problem);
  return {
    type: 'run',
    version: JOURNAL_VERSION,
    runId: randomUUID(),
    createdAt: Date.now(),
    title: problem.title,
    statement: problem.statement,
    ...(problem.context.text.trim() !== '' && { contextText: problem.context.text }),
    source: problem.source,
    config,
    seed: args.shape.seed ?? randomInt(0, MAX_SEED),
  };
}

/** A resumed run keeps its shape and statement: flags that say otherwise are refused, not ignored. */
async function checkResume(run: RunEntry, args: DeepProveArgs, folder: string): Promise<void> {
  const conflicts = resumeConflicts(run, args.shape);
  if (conflicts.length) {
    throw new UsageError(`The journal in ${folder} holds a run, which is resumed with its own search: ${conflicts.join('; ')}. Leave these flags out to resume it, or give another --journal for a new run.`);
  }
  if (args.file === undefined) return;
  const problem = await problemFromArgs(args.file, args.problem);
  if (problem.statement !== run.statement) {
    const where = run.source ? `${run.source.file}:${run.source.line}` : 'its statement';
    throw new InputError(`The journal in ${folder} is a run on another statement (${run.title}, ${where}), or the statement changed since: resume without FILE to go on with the run's statement, or give another --journal for a new run.`);
  }
}

/** Resuming a run whose budget or time is spent would stop at once: say what to raise instead. */
function checkLimitsLeft(view: RunView, tokenBudget: number, timeLimitMs: number | null): void {
  if (view.tokens >= tokenBudget) {
    throw new UsageError(`The run has used ${view.tokens.toLocaleString('en-US')} tokens of its ${tokenBudget.toLocaleString('en-US')}-token budget: give a larger --budget (at most ${MAX_TOKEN_BUDGET.toLocaleString('en-US')}) to go on.`);
  }
  if (timeLimitMs !== null && view.activeMs >= timeLimitMs) {
    throw new UsageError(`The run has used its time limit of ${Math.round(timeLimitMs / 1000)} s: give a larger --time-limit SECONDS to go on.`);
  }
}

async function journalFolder(path: string): Promise<string> {
  const folder = resolve(path);
  const info = await stat(folder).catch(() => undefined);
  if (info && !info.isDirectory()) throw new InputError(`--journal ${path} is not a folder: give the folder the run's journal is (or is to be) kept in.`);
  await mkdir(folder, { recursive: true });
  return folder;
}

function exitedWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    void exited.then(() => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** Prints the outcome (stdout: the best proof or the JSON; stderr: why it ended, how to go on). */
function finish(view: RunView, folder: string, args: DeepProveArgs, engineDied: boolean): number {
  if (args.json) process.stdout.write(`${JSON.stringify(runSummary(view, folder), null, 2)}\n`);
  else if (view.best) {
    const proof = view.candidates.find((candidate) => candidate.id === view.best!.id)!.proof ?? '';
    process.stdout.write(proof.endsWith('\n') ? proof : `${proof}\n`);
  }
  if (engineDied) process.stderr.write('qed: the engine process exited during the run (it crashed or was killed); the calls in flight are lost.\n');
  process.stderr.write(`${endLine(view)}\n`);
  const resume = resumeCommand(folder, args);
  switch (view.end?.reason) {
    case 'user':
      process.stderr.write(`qed: resume with: ${resume}\n`);
      break;
    case 'budget':
      process.stderr.write(`qed: to go on: ${resume} --budget N (N above ${view.tokenBudget.toLocaleString('en-US')}, at most ${MAX_TOKEN_BUDGET.toLocaleString('en-US')})\n`);
      break;
    case 'time':
      process.stderr.write(`qed: to go on: ${resume} --time-limit SECONDS (above ${Math.round((view.timeLimitMs ?? 0) / 1000)})\n`);
      break;
    case 'error':
      process.stderr.write(`qed: the journal keeps the ${view.calls} finished calls; resume with: ${resume}\n`);
      break;
  }
  return exitCode(view);
}

/** The command that resumes this run with the same backend (an API key is not repeated on screen). */
export function resumeCommand(folder: string, args: Pick<DeepProveArgs, 'backend' | 'concurrency' | 'parallel' | 'json'>): string {
  const { backend } = args;
  const parts = ['qed', 'deep-prove', '--journal', folder];
  if (backend.endpoint) {
    parts.push('--endpoint', backend.endpoint);
    if (backend['endpoint-model'] !== undefined && backend['endpoint-model'] !== 'lm-provers/QED-Nano') parts.push('--endpoint-model', backend['endpoint-model']);
    if (backend['api-key']) parts.push('--api-key', 'KEY');
    if (args.concurrency !== undefined) parts.push('--concurrency', String(args.concurrency));
  } else if (backend.model) {
    parts.push('--model', backend.model);
    if (backend.threads !== undefined) parts.push('--threads', backend.threads);
    if (backend.gpu !== undefined && backend.gpu !== 'auto') parts.push('--gpu', backend.gpu);
    if (args.parallel !== undefined) parts.push('--parallel', String(args.parallel));
  }
  if (args.json) parts.push('--json');
  return parts.map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
