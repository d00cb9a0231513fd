/**
 * Deep Prove in the extension host, on a scripted OpenAI-compatible endpoint that answers the
 * solver with a proof and the verifier with a 0.5 and one finding (so every run refines once):
 * a run from the Deep prove command's path on a theorem writes its journal and completes; Stop
 * keeps the finished calls and Resume finishes without making them again; a run left without its
 * end (a window that went away) opens as interrupted from the runs list's path and Resume
 * completes it; Insert best proof puts the proof after the theorem with the verifiers' finding as
 * a diagnostic; a single Prove on the same backend takes one sequence from the run; bad settings
 * name the setting; the chat's /deep starts a run and says so.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runOf, type JournalEntry } from '../../src/core/deepProve/journal';
import type { ChatController } from '../../src/vscode/chat/chatController';
import type { DeepProveController } from '../../src/vscode/deepProve/deepProveController';
import { startScriptedEndpoint, type ScriptedEndpoint } from '../helpers/scriptedEndpoint';
import { api, openSample } from './extensionHost';

const SOLVER_ANSWER = `I try parity.</think>

## Solution

Suppose $\\sqrt{2} = p/q$ in lowest terms. Then $p^2 = 2q^2$ is even, so $p$ is even, and then $q$ is even too: a contradiction.

## Self Evaluation

Every step is justified. \\boxed{1}`;

const VERIFIER_ANSWER = `Checking each step.</think>

Here is my evaluation of the solution:
The argument is the classical one.

## Issues
1. **Severity:** justification gap
   **Quote:** "so $p$ is even"
   **Explanation:** This uses the lemma that an even square has an even root; cite it.

Based on my evaluation, the final overall score should be:
\\boxed{0.5}`;

/** The solver's prompt asks for a self evaluation; the verifier's does not. */
const answerFor = (request: { messages: { content: string }[] }) => (request.messages.some((message) => message.content.includes('## Self Evaluation')) ? SOLVER_ANSWER : VERIFIER_ANSWER);

/** 2 candidates × (1 attempt + 2 verifications), then one round refining both: 12 calls. */
const SMALL = { poolSize: 2, verifications: 2, rounds: 1, verificationsPerRefinement: 1, summaries: 0, endpointConcurrency: 2 };
const CALLS = 12;

const THEOREM = '\\begin{theorem}[Pythagoreans]';

function journalOf(controller: DeepProveController, runId: string): JournalEntry[] {
  return readFileSync(join(controller.store.folderOf(runId), 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as JournalEntry);
}

/** Keys of the calls with a result in `entries`. */
const finishedKeys = (entries: JournalEntry[]) => new Set(entries.flatMap((entry) => (entry.type === 'result' ? [entry.key] : [])));
/** Keys of the calls started after the last `start` entry (the latest session). */
function callsOfLastSession(entries: JournalEntry[]): string[] {
  const start = entries.map((entry) => entry.type).lastIndexOf('start');
  return entries.slice(start).flatMap((entry) => (entry.type === 'call' ? [entry.key] : []));
}

async function until(what: string, holds: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Deep Prove', function () {
  this.timeout(60_000);
  const qedConfig = () => vscode.workspace.getConfiguration('qed');
  const deepConfig = () => vscode.workspace.getConfiguration('qed.deepProve');
  let endpoint: ScriptedEndpoint;
  let controller: DeepProveController;
  /** The runs saved before these tests: the others (and their panels) go when they end. */
  let earlier: Set<string>;

  const theoremOffset = async () => {
    const { document } = await openSample('irrational.tex');
    const offset = document.getText().indexOf(THEOREM);
    assert.ok(offset >= 0);
    return { document, offset };
  };
  /** A run on the sample's theorem, through the Deep prove CodeLens's command. */
  const deepProveTheorem = async (): Promise<string> => {
    const { document, offset } = await theoremOffset();
    const runId = await vscode.commands.executeCommand<string | undefined>('qed.deepProveAt', document.uri.toString(), offset);
    assert.ok(runId, 'a run started');
    return runId;
  };

  before(async () => {
    await api();
    controller = (await vscode.commands.executeCommand<DeepProveController>('qed.deepProve.testController'))!;
    earlier = new Set((await controller.store.list()).runs.map((run) => run.runId));
    // Slow enough to act while calls stream: ~0.2 s per call.
    endpoint = await startScriptedEndpoint(answerFor, { pieceDelayMs: 15 });
    await qedConfig().update('backend', 'endpoint', vscode.ConfigurationTarget.Global);
    await qedConfig().update('endpoint.url', endpoint.baseUrl, vscode.ConfigurationTarget.Global);
    for (const [key, value] of Object.entries(SMALL)) await deepConfig().update(key, value, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // Their panels would stay open beside the editors the next suites use.
    for (const { runId } of (await controller.store.list()).runs) if (!earlier.has(runId)) await controller.remove(runId);
    for (const key of Object.keys(SMALL)) await deepConfig().update(key, undefined, vscode.ConfigurationTarget.Global);
    await qedConfig().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await qedConfig().update('endpoint.url', undefined, vscode.ConfigurationTarget.Global);
    await endpoint.close();
  });

  it('runs on a theorem with its document context: the journal fills, the panel opens, the run completes', async () => {
    const before = endpoint.requests.length;
    const runId = await deepProveTheorem();
    assert.ok(controller.isPanelOpen(runId), 'the Deep Prove panel opened');
    await controller.whenStopped(runId);
    const view = controller.viewOf(runId)!;
    assert.equal(view.status, 'ended');
    assert.equal(view.end?.reason, 'complete', view.end?.error);
    assert.equal(view.run.title, 'Theorem (Pythagoreans) · irrational.tex:47');
    assert.equal(view.run.statement, 'The number $\\sqrt{2}$ is irrational.');
    assert.deepEqual(view.run.source, { file: (await theoremOffset()).document.uri.fsPath, line: 47, label: 'thm:sqrt2' });
    assert.equal(view.candidates.length, 4);
    assert.deepEqual(view.best, { id: 'c1', mean: 0.5 });
    assert.equal(endpoint.requests.length - before, CALLS);
    assert.equal(finishedKeys(journalOf(controller, runId)).size, CALLS, 'every call’s result is in the journal on disk');
    assert.ok(endpoint.requests[before]!.messages[0]!.content.includes('The number $\\sqrt{2}$ is irrational.'));
  });

  it('Stop keeps the finished calls; Resume completes without making them again', async () => {
    const runId = await deepProveTheorem();
    await until('three calls finished', () => (controller.viewOf(runId)?.calls ?? 0) >= 3);
    await controller.stop(runId);
    const stopped = controller.viewOf(runId)!;
    assert.equal(stopped.end?.reason, 'user');
    assert.ok(stopped.calls >= 3 && stopped.calls < CALLS, `${stopped.calls} calls finished before Stop`);
    const finished = finishedKeys(journalOf(controller, runId));

    await controller.resume(runId);
    await controller.whenStopped(runId);
    const entries = journalOf(controller, runId);
    assert.equal(controller.viewOf(runId)!.end?.reason, 'complete');
    assert.equal(finishedKeys(entries).size, CALLS);
    assert.deepEqual(callsOfLastSession(entries).filter((key) => finished.has(key)), [], 'no finished call was made again');
  });

  it('a run whose window went away opens as interrupted (runs list, panel restore) and Resume completes it', async () => {
    const source = await deepProveTheorem();
    await until('four calls finished', () => (controller.viewOf(source)?.calls ?? 0) >= 4);
    await controller.stop(source);
    // The journal as a window that closed mid-run leaves it: no `end` for its last session.
    const cut = journalOf(controller, source).filter((entry) => entry.type !== 'end');
    await controller.remove(source);
    const runId = await copyRun(controller, cut);
    const listed = (await controller.store.list()).runs.find((run) => run.runId === runId);
    assert.ok(listed, 'the runs list has it');

    await controller.open(runId);
    assert.ok(controller.isPanelOpen(runId));
    assert.equal(controller.viewOf(runId)!.status, 'interrupted');
    await controller.resume(runId);
    await controller.whenStopped(runId);
    const entries = journalOf(controller, runId);
    assert.equal(controller.viewOf(runId)!.end?.reason, 'complete');
    assert.deepEqual(callsOfLastSession(entries).filter((key) => finishedKeys(cut).has(key)), [], 'no finished call was made again');
    await controller.remove(runId);
    assert.equal(controller.isPanelOpen(runId), false, 'deleting a run closes its panel');
  });

  it('Insert best proof puts it after the theorem, with the verifiers’ finding as a diagnostic', async () => {
    const runId = await deepProveTheorem();
    await controller.whenStopped(runId);
    const { document } = await theoremOffset();
    const original = document.getText();
    try {
      assert.equal(await controller.insert(runId), true);
      const text = document.getText();
      const end = text.indexOf('\\end{theorem}', text.indexOf(THEOREM));
      assert.match(text.slice(end), /^\\end\{theorem\}\n\\begin\{proof\}\nSuppose \$\\sqrt\{2\} = p\/q\$/);
      const found = vscode.languages.getDiagnostics(document.uri).filter((diagnostic) => diagnostic.source === 'QED');
      assert.deepEqual(found.map((diagnostic) => [diagnostic.severity, diagnostic.message]), [[vscode.DiagnosticSeverity.Warning, 'Justification gap: This uses the lemma that an even square has an even root; cite it.']]);
      assert.equal(document.getText(found[0]!.range), 'so $p$ is even');
    } finally {
      // The sample as it was, saved: the next suites read it (a revert command acts on whichever editor is active).
      const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, whole, original);
      await vscode.workspace.applyEdit(edit);
      await document.save();
      await vscode.commands.executeCommand('qed.clearCritique');
    }
  });

  it('a single Prove on the same backend takes one sequence from the run while it is written', async () => {
    await deepConfig().update('endpointConcurrency', 3, vscode.ConfigurationTarget.Global);
    try {
      const qed = await api();
      const runId = await deepProveTheorem();
      await until('the run has its backend', () => controller.capacityOf(runId) === 3);
      const editor = await openSample('irrational.tex');
      const inside = editor.document.positionAt(editor.document.getText().indexOf('is irrational.'));
      editor.selection = new vscode.Selection(inside, inside);
      const seen = new Set<number | undefined>();
      const proving = vscode.commands.executeCommand('qed.proveSelection');
      const sampler = setInterval(() => seen.add(controller.capacityOf(runId)), 5);
      await proving;
      await qed.whenIdle();
      clearInterval(sampler);
      assert.ok(seen.has(2), `capacity 2 while the proof was written (seen: ${[...seen].join(', ')})`);
      if (controller.isRunning(runId)) assert.equal(controller.capacityOf(runId), 3, 'and 3 again after it');
      await controller.stop(runId);
    } finally {
      await deepConfig().update('endpointConcurrency', SMALL.endpointConcurrency, vscode.ConfigurationTarget.Global);
    }
  });

  it('bad settings start nothing and name the setting', async () => {
    await deepConfig().update('verificationsPerRefinement', 5, vscode.ConfigurationTarget.Global);
    try {
      const before = (await controller.store.list()).runs.length;
      const { document, offset } = await theoremOffset();
      assert.equal(await vscode.commands.executeCommand('qed.deepProveAt', document.uri.toString(), offset), undefined);
      assert.equal((await controller.store.list()).runs.length, before);
    } finally {
      await deepConfig().update('verificationsPerRefinement', SMALL.verificationsPerRefinement, vscode.ConfigurationTarget.Global);
    }
  });

  it('a backend that cannot start: the run ends with its error in the journal, and its panel offers Resume', async () => {
    const modelPath = qedConfig().inspect<string>('model.path')?.globalValue;
    await qedConfig().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await qedConfig().update('model.path', '/nonexistent/qed-missing.gguf', vscode.ConfigurationTarget.Global);
    try {
      const runId = await deepProveTheorem();
      await controller.whenStopped(runId);
      const view = controller.viewOf(runId)!;
      assert.equal(view.status, 'ended');
      assert.equal(view.end?.reason, 'error');
      assert.match(view.end?.error ?? '', /qed-missing\.gguf/);
      assert.equal(journalOf(controller, runId).at(-1)?.type, 'end', 'said in the journal, for a reloaded window too');
    } finally {
      await qedConfig().update('model.path', modelPath, vscode.ConfigurationTarget.Global);
      await qedConfig().update('backend', 'endpoint', vscode.ConfigurationTarget.Global);
    }
  });

  it('the chat’s /deep starts a run on the statement and says so', async () => {
    const chat = (await vscode.commands.executeCommand<ChatController>('qed.chat.testController'))!;
    const before = new Set((await controller.store.list()).runs.map((run) => run.runId));
    await chat.send('/deep $1 + 1 = 2$ in the integers.');
    const started = (await controller.store.list()).runs.find((run) => !before.has(run.runId));
    assert.ok(started, 'a new run');
    assert.equal(runOf(await controller.store.read(started.runId)).statement, '$1 + 1 = 2$ in the integers.');
    assert.match(chat.snapshot().notice ?? '', /^Deep Prove started on “\$1 \+ 1 = 2\$ in the integers\.”: it runs in the Deep Prove panel\.$/);
    await controller.stop(started.runId);
  });
});

/** A saved run with these entries under a new id, as if a window had written them and gone away. */
async function copyRun(controller: DeepProveController, entries: JournalEntry[]): Promise<string> {
  const [first, ...rest] = entries;
  assert.ok(first?.type === 'run');
  const journal = await controller.store.create({ title: `${first.title} (copy)`, statement: first.statement, config: first.config, ...(first.contextText && { contextText: first.contextText }) }, {});
  const created = journal.entries[0]!;
  assert.ok(created.type === 'run');
  // Same seed: the copy is the same run, so its finished calls are the ones to keep.
  const lines = [{ ...created, seed: first.seed }, ...rest].map((entry) => `${JSON.stringify(entry)}\n`).join('');
  writeFileSync(journal.file, lines);
  return created.runId;
}
