/**
 * `qed prove` and `qed critique`: the editor's Prove and Critique Proof from a terminal, on the
 * environment named by --label or --line, with the same prompts and document context.
 * The model is an endpoint (--endpoint URL) or a GGUF run by a local engine (--model PATH).
 *
 * Exit codes: 0 done; 1 failure or bad input (missing file, no environment there, unknown
 * label, backend error); 2 bad usage; 3 the answer is incomplete (cut off by the token limit,
 * empty, or, for critique, without a readable verdict).
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChatBackend, ChatMessage, FinishReason } from '../core/chat';
import { runTurn } from '../core/conversation/turnRunner';
import type { AssistantAnswer } from '../core/answer/answer';
import { critiqueMessages } from '../core/critique/critiquePrompt';
import { locateQuote } from '../core/critique/locateQuote';
import { parseCritique, type Critique } from '../core/critique/parseCritique';
import { proveMessages } from '../core/prompts';
import { MAX_SEED } from '../core/sampling';
import { LineIndex, type TheoremEnvironment } from '../core/theorems/types';
import { integer } from './args';
import { BACKEND_OPTIONS, checkBackend, openBackend } from './backend';
import { InputError } from './documentFiles';
import { checkTarget, PROBLEM_OPTIONS, problemFromArgs } from './problem';
import { UsageError } from './usageError';

const OPTIONS = {
  ...PROBLEM_OPTIONS,
  ...BACKEND_OPTIONS,
  'max-tokens': { type: 'string' },
  'thinking-budget': { type: 'string' },
  seed: { type: 'string' },
  'show-thinking': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  full: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export async function proveCommand(argv: string[], mode: 'prove' | 'critique'): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (positionals.length !== 1) throw new UsageError(`${mode} needs exactly one FILE.`);
  checkTarget(mode, values);
  checkBackend(mode, values);
  const maxTokens = values['max-tokens'] === undefined ? undefined : integer(values['max-tokens'], '--max-tokens', 1, 10_000_000);
  const thinkingBudget = values['thinking-budget'] === undefined ? null : integer(values['thinking-budget'], '--thinking-budget', 1, 10_000_000);
  integer(values['context-budget']!, '--context-budget', 0, 10_000_000);
  // The engine's and OpenAI's range: a seed repeats a sample only where the server honours it.
  const seed = values.seed === undefined ? undefined : integer(values.seed, '--seed', 0, MAX_SEED);

  const { environment, text, statement, context } = await problemFromArgs(positionals[0]!, values);

  let messages: ChatMessage[];
  let proof: { text: string; offset: number } | undefined;
  if (mode === 'critique') {
    if (!environment.proof) throw new InputError(`${describe(environment, text)} has no proof after it to critique.`);
    proof = { text: text.slice(environment.proof.body.start, environment.proof.body.end), offset: environment.proof.body.start };
    messages = critiqueMessages(statement, proof.text, context);
  } else {
    messages = proveMessages(statement, context);
  }

  const { backend, close } = await openBackend(values, { parallel: 1 });
  try {
    const answer = await streamAnswer(backend, { messages, maxTokens, seed }, thinkingBudget, { showThinking: values['show-thinking']!, echo: mode === 'prove' });
    if (mode === 'prove') {
      if (answer.finishReason === 'length') process.stderr.write('qed: the answer was cut off by the token limit (raise --max-tokens).\n');
      if (!answer.content.trim()) process.stderr.write('qed: the model gave no proof (only thinking; --thinking-budget N closes it after N tokens and asks for the proof).\n');
      return answer.finishReason === 'stop' && answer.content.trim() ? 0 : 3;
    }
    const critique = parseCritique(answer.content, answer.finishReason);
    printCritique(critique, answer.content, environment.file, text, proof!, values);
    return critique.verdict ? 0 : 3;
  } finally {
    close();
  }
}

/**
 * Streams one answer through the turn runner: thinking to stderr (if asked), the answer to stdout
 * (if `echo`). With a thinking budget, thinking that reaches it is closed and the answer asked for.
 */
async function streamAnswer(
  backend: ChatBackend,
  request: { messages: ChatMessage[]; maxTokens?: number; seed?: number },
  thinkingBudget: number | null,
  output: { showThinking: boolean; echo: boolean },
): Promise<{ content: string; finishReason: FinishReason }> {
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once('SIGINT', interrupt);
  const written = { reasoning: 0, content: 0, forced: false };
  const write = (answer: AssistantAnswer) => {
    if (output.showThinking) process.stderr.write(answer.reasoning.slice(written.reasoning));
    written.reasoning = answer.reasoning.length;
    if (answer.forcedAnswer && !written.forced) {
      written.forced = true;
      process.stderr.write(`${output.showThinking ? '\n' : ''}qed: the thinking reached --thinking-budget (${thinkingBudget} tokens); asking for the answer.\n`);
    }
    const content = answer.content.slice(written.content);
    if (content && output.showThinking && written.content === 0 && !answer.forcedAnswer) process.stderr.write('\n');
    if (output.echo) process.stdout.write(content);
    written.content = answer.content.length;
  };
  let answer: AssistantAnswer;
  try {
    answer = await runTurn(backend, request, { thinkingBudget, signal: abort.signal }, write);
  } finally {
    process.off('SIGINT', interrupt);
  }
  if (output.echo && answer.content && !answer.content.endsWith('\n')) process.stdout.write('\n');
  if (answer.status === 'stopped') throw new Error('Stopped.');
  if (answer.status === 'error') throw new Error(answer.error);
  return { content: answer.content, finishReason: answer.finishReason ?? 'stop' };
}

function printCritique(critique: Critique, answer: string, file: string, text: string, proof: { text: string; offset: number }, values: Values): void {
  const lines = new LineIndex(text);
  const name = relative(process.cwd(), file) || file;
  const findings = critique.issues.map((issue) => {
    const span = issue.quote ? locateQuote(proof.text, issue.quote) : null;
    const line = lines.position(proof.offset + (span?.start ?? 0)).line + 1;
    return { ...issue, file, line, located: span !== null };
  });
  if (values.json) {
    const { evaluation, ...rest } = critique;
    process.stdout.write(`${JSON.stringify({ ...rest, issues: findings, evaluation: values.full ? evaluation : undefined }, null, 2)}\n`);
    return;
  }
  if (values.full) process.stdout.write(`${answer.trim()}\n\n`);
  const verdict = { correct: 'Correct', 'minor-issues': 'Minor issues', incorrect: 'Incorrect' }[critique.verdict ?? 'incorrect'];
  process.stdout.write(critique.verdict ? `Verdict: ${verdict} (score ${critique.score})\n` : 'Verdict: none could be read from the answer\n');
  const severity = { critical: 'critical error', gap: 'justification gap', minor: 'minor' } as const;
  for (const finding of findings) {
    const where = finding.located ? '' : ' (quote not found in the proof; line of the proof’s start)';
    process.stdout.write(`${name}:${finding.line}: ${severity[finding.severity]}: ${finding.explanation.replace(/\s+/g, ' ').trim()}${where}\n`);
    if (finding.quote) process.stdout.write(`    > ${finding.quote.replace(/\s+/g, ' ').trim()}\n`);
  }
  for (const note of critique.notes) process.stdout.write(`note: ${note}\n`);
}

function describe(environment: TheoremEnvironment, text: string): string {
  const line = new LineIndex(text).position(environment.span.start).line + 1;
  return `${environment.optionalTitle ? `${environment.title} (${environment.optionalTitle})` : environment.title} at line ${line}`;
}
