/**
 * Extension-host tests: the real extension in real VS Code (desktop through @vscode/test-cli, or
 * code-server through the end-to-end harness), on the tiny model named by QED_TEST_MODEL.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSnapshot } from '../../src/core/webview/panelProtocol';
import { api, openSample } from './extensionHost';

function selectEnvironment(editor: vscode.TextEditor, begin: string): void {
  const text = editor.document.getText();
  const start = text.indexOf(begin);
  assert.ok(start >= 0, `${begin} is in the sample`);
  const end = text.indexOf('\\end{', start);
  editor.selection = new vscode.Selection(editor.document.positionAt(start), editor.document.positionAt(end));
}

describe('QED commands', function () {
  this.timeout(120_000);
  const config = () => vscode.workspace.getConfiguration('qed');

  before(async () => {
    assert.ok(process.env.QED_TEST_MODEL, 'QED_TEST_MODEL points at the tiny test model');
    await config().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await config().update('model.path', process.env.QED_TEST_MODEL, vscode.ConfigurationTarget.Global);
    await config().update('generation.maxTokens', 8000, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('generation.seed', undefined, vscode.ConfigurationTarget.Global);
  });

  /**
   * The tiny (bigram) model's sample depends only on the seed and the sampling settings, and is
   * the same on every run: this one thinks ~4,400 characters (~3,500 tokens) before its answer.
   * A random sample now and then closes its thinking within a few tokens.
   */
  const useLongThinkingSeed = () => config().update('generation.seed', 10, vscode.ConfigurationTarget.Global);

  it('registers its commands', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['qed.proveSelection', 'qed.stop', 'qed.setEndpointApiKey', 'qed.showEngineLog', 'qed.restartEngine']) {
      assert.ok(commands.includes(command), command);
    }
  });

  it('does nothing but warn when nothing is selected', async () => {
    const qed = await api();
    const before = qed.currentRun()?.runId;
    const editor = await openSample('irrational.tex');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('qed.proveSelection');
    assert.equal(qed.currentRun()?.runId, before);
  });

  it('proves the selected theorem with the local engine', async () => {
    const qed = await api();
    const editor = await openSample('irrational.tex');
    selectEnvironment(editor, '\\begin{theorem}[Pythagoreans]');
    await vscode.commands.executeCommand('qed.proveSelection');
    await qed.whenIdle();
    const run = qed.currentRun();
    assert.ok(run, 'a run is shown');
    assert.match(run.answer.status, /^(done|length)$/, run.answer.error);
    assert.match(run.statement, /sqrt\{2\}/);
    assert.ok(run.answer.reasoning.length > 0, 'thinking streamed');
    assert.ok(run.answer.content.length > 0, 'a proof came after </think>');
    assert.ok(run.answer.usage && run.answer.usage.completionTokens > 0);
    assert.match(run.source, /local engine/);
  });

  it('qed.generation.seed reaches the engine: the same seed proves the same proof twice', async () => {
    const qed = await api();
    const editor = await openSample('irrational.tex');
    selectEnvironment(editor, '\\begin{theorem}[Pythagoreans]');
    const prove = async () => {
      await vscode.commands.executeCommand('qed.proveSelection');
      await qed.whenIdle();
      return qed.currentRun()!;
    };
    try {
      await config().update('generation.seed', 3, vscode.ConfigurationTarget.Global);
      const first = await prove();
      const second = await prove();
      assert.notEqual(second.runId, first.runId);
      assert.ok(first.answer.reasoning.length + first.answer.content.length > 0, 'something was written');
      assert.equal(second.answer.reasoning, first.answer.reasoning);
      assert.equal(second.answer.content, first.answer.content);
    } finally {
      await config().update('generation.seed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('stops a run on qed.stop and keeps the partial answer', async () => {
    const qed = await api();
    await config().update('generation.maxTokens', 200_000, vscode.ConfigurationTarget.Global);
    try {
      const editor = await openSample('irrational.tex');
      selectEnvironment(editor, '\\begin{theorem}\\label{thm:sqrtp}');
      // A random sample ends its thinking within 50 characters about once in 40 runs, and then may
      // finish before Stop lands; the seed's thinks for thousands of tokens.
      await useLongThinkingSeed();
      const previous = qed.currentRun()?.runId;
      void vscode.commands.executeCommand('qed.proveSelection');
      const deadline = Date.now() + 60_000;
      // The command first scans the document, so the panel shows the previous run for a moment.
      const current = () => (qed.currentRun()?.runId !== previous ? qed.currentRun() : undefined);
      const streamed = () => (current()?.answer.reasoning.length ?? 0) + (current()?.answer.content.length ?? 0) >= 50;
      const ended = () => current() !== undefined && current()!.answer.status !== 'streaming';
      while (!streamed() && !ended() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await vscode.commands.executeCommand('qed.stop');
      await qed.whenIdle();
      const run = qed.currentRun()!;
      assert.equal(run.answer.status, 'stopped');
      assert.ok(run.answer.reasoning.length + run.answer.content.length >= 50, 'the partial answer stays');
    } finally {
      await config().update('generation.maxTokens', 8000, vscode.ConfigurationTarget.Global);
      await config().update('generation.seed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a run cut at the token limit while thinking: Continue thinks on in the same run, Answer now writes the proof from the thinking', async () => {
    const qed = await api();
    await config().update('generation.maxTokens', 16, vscode.ConfigurationTarget.Global);
    try {
      const editor = await openSample('irrational.tex');
      selectEnvironment(editor, '\\begin{theorem}[Pythagoreans]');
      const cutWhileThinking = (run: RunSnapshot | undefined) => run?.answer.status === 'length' && run.answer.content === '' && run.answer.reasoning !== '';
      // A random sample now and then closes its thinking within 16 tokens; the seed's does not.
      await useLongThinkingSeed();
      const proveToTheCut = async () => {
        await vscode.commands.executeCommand('qed.proveSelection');
        await qed.whenIdle();
        const run = qed.currentRun()!;
        assert.ok(cutWhileThinking(run), `a run cut while thinking (${run.answer.status}, ${run.answer.finishReason}, ${run.answer.content.length} characters of answer)`);
        return { ...run };
      };

      const cut = await proveToTheCut();
      await vscode.commands.executeCommand('qed.continueRun');
      await qed.whenIdle();
      const continued = qed.currentRun()!;
      assert.equal(continued.runId, cut.runId, 'Continue goes on in the same run');
      assert.ok(continued.answer.reasoning.startsWith(cut.answer.reasoning), 'the thinking goes on from where it was cut');
      assert.ok(continued.answer.reasoning.length + continued.answer.content.length > cut.answer.reasoning.length, 'and grows');
      assert.match(continued.answer.status, /^(done|length)$/, continued.answer.error);

      const thinking = cutWhileThinking(continued) ? continued : await proveToTheCut();
      await vscode.commands.executeCommand('qed.answerNow');
      await qed.whenIdle();
      const answered = qed.currentRun()!;
      assert.equal(answered.runId, thinking.runId, 'Answer now goes on in the same run');
      assert.equal(answered.answer.reasoning, thinking.answer.reasoning, 'the thinking stays as it was cut');
      assert.equal(answered.answer.forcedAnswer, 'answer-now');
      assert.match(answered.answer.status, /^(done|length)$/, answered.answer.error);
      assert.ok(answered.answer.content.trim().length > 0, 'a proof written from the thinking');
    } finally {
      await config().update('generation.maxTokens', 8000, vscode.ConfigurationTarget.Global);
      await config().update('generation.seed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a Prove cut while thinking: Continue past the limit summarises the thinking and starts attempt 2 from the summary', async () => {
    const qed = await api();
    await config().update('generation.maxTokens', 16, vscode.ConfigurationTarget.Global);
    try {
      const editor = await openSample('irrational.tex');
      selectEnvironment(editor, '\\begin{theorem}[Pythagoreans]');
      await useLongThinkingSeed();
      await vscode.commands.executeCommand('qed.proveSelection');
      await qed.whenIdle();
      const cut = qed.currentRun()!;
      assert.ok(cut.answer.status === 'length' && cut.answer.content === '', `cut while thinking (${cut.answer.status}, ${cut.answer.content.length} characters of answer)`);

      await vscode.commands.executeCommand('qed.continuePastLimit');
      await qed.whenIdle();
      const next = qed.currentRun()!;
      assert.notEqual(next.runId, cut.runId, 'a new attempt, not the cut one continued');
      assert.notEqual(next.answer.status, 'error', next.answer.error);
      assert.equal(next.attempt, 2);
      assert.match(next.title, /\(attempt 2\)$/);
      // Its prompt: the model's own proving prompt, then the summary the summariser wrote.
      assert.match(next.prompt, /Generate a rigorous proof to the following question:[^]*## Summary of Your Previous Attempt\n\nAn earlier attempt of yours ran out of room[^]*\S[^]*Then write your proof\./);
      assert.match(next.answer.status, /^(done|length)$/, next.answer.error);
    } finally {
      await config().update('generation.maxTokens', 8000, vscode.ConfigurationTarget.Global);
      await config().update('generation.seed', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('on a CPU too slow for QED-Nano, with the notice turned off (“Don’t Ask Again”), runs at once and names the CPU, the room of an attempt and the limits', async () => {
    const shapeModel = process.env.QED_TEST_SHAPE_MODEL;
    assert.ok(shapeModel, 'QED_TEST_SHAPE_MODEL points at QED-Nano’s shape with 2 blocks');
    const qed = await api();
    await config().update('model.path', shapeModel, vscode.ConfigurationTarget.Global);
    await config().update('engine.warnWhenSlow', false, vscode.ConfigurationTarget.Global);
    try {
      const editor = await openSample('irrational.tex');
      selectEnvironment(editor, '\\begin{theorem}[Pythagoreans]');
      await vscode.commands.executeCommand('qed.proveSelection');
      await qed.whenIdle();
      const run = qed.currentRun()!;
      assert.match(run.answer.status, /^(done|length)$/, run.answer.error);
      assert.equal(run.answer.content.trim(), 'Done', 'the shape model’s one answer');
      assert.match(run.source, /^local engine · qed-nano-shape-[0-9a-f]+-reduced\.gguf · CPU · \d+ threads? · 64k tokens per attempt$/);
      assert.deepEqual(run.limits, { maxTokens: 8000, contextTokens: 65_536 });
    } finally {
      await config().update('engine.warnWhenSlow', undefined, vscode.ConfigurationTarget.Global);
      await config().update('model.path', process.env.QED_TEST_MODEL, vscode.ConfigurationTarget.Global);
    }
  });

  it('reports a missing model file as an error run, and recovers when fixed', async () => {
    const qed = await api();
    await config().update('model.path', '/nonexistent/qed-missing.gguf', vscode.ConfigurationTarget.Global);
    try {
      const editor = await openSample('irrational.tex');
      selectEnvironment(editor, '\\begin{lemma}\\label{lem:even-square}');
      await vscode.commands.executeCommand('qed.proveSelection');
      await qed.whenIdle();
      const run = qed.currentRun()!;
      assert.equal(run.answer.status, 'error');
      assert.match(run.answer.error ?? '', /Model file not found: \/nonexistent\/qed-missing\.gguf/);
    } finally {
      await config().update('model.path', process.env.QED_TEST_MODEL, vscode.ConfigurationTarget.Global);
    }
    await vscode.commands.executeCommand('qed.proveSelection');
    await qed.whenIdle();
    assert.match(qed.currentRun()?.answer.status ?? '', /^(done|length)$/);
  });
});
