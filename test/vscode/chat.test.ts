/**
 * Extension-host tests of the side-panel chat: the real extension in real VS Code on the tiny
 * model (QED_TEST_MODEL). The controller is reached through a command the chat registers for
 * tests; everything else goes through the same paths as the view's buttons.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { markdownToLatex } from '../../src/core/proofToLatex';
import { insertAtCursor } from '../../src/vscode/chat/answerActions';
import type { AssistantAnswer } from '../../src/core/answer/answer';
import type { ChatController } from '../../src/vscode/chat/chatController';
import { CHAT_TEST_COMMAND } from '../../src/vscode/chat/registerChat';
import { engineActiveGenerations, localEngineConnection, recordMeasurement } from './extensionHost';

const EXTENSION_ID = 'qed-prover.qed';

async function chat(): Promise<ChatController> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  await extension.activate();
  const controller = await vscode.commands.executeCommand<ChatController>(CHAT_TEST_COMMAND);
  assert.ok(controller, 'the chat controller');
  return controller;
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const MATH = /\$|\\\(|\\\[|\\begin\{/;

/**
 * The tiny model is a sampled bigram model: whether an answer has math, or thinks long enough to
 * meet a budget, varies from run to run. Regenerate (as a user would) up to twice more until it does.
 */
async function lastAnswerUntil(controller: ChatController, wanted: (answer: AssistantAnswer) => boolean): Promise<AssistantAnswer> {
  for (let attempt = 0; ; attempt++) {
    const turn = controller.conversations.current!.turns.at(-1)!;
    if (wanted(turn.assistant) || attempt === 2) return turn.assistant;
    await controller.rerun(turn.id, 'regenerate');
  }
}

/** Fifty characters of thinking and answer: enough to interrupt an answer that is clearly under way. */
const streamed50 = (answer: AssistantAnswer) => answer.reasoning.length + answer.content.length >= 50;

/**
 * Starts an answer with `start` and resolves once it is streaming and `ready` holds (by default:
 * 50 characters), with the promise of its end. An answer that ends before that (the tiny model
 * sometimes stops early) is regenerated, twice at most.
 */
async function streamingAnswer(controller: ChatController, start: () => Promise<void>, ready = streamed50): Promise<{ ended: Promise<void> }> {
  let ended = start();
  for (let attempt = 0; ; attempt++) {
    let done = false;
    void ended.then(() => (done = true));
    // Only a streaming answer counts: until `start` has added its own, the last one is the previous turn's.
    const streamed = () => {
      const answer = controller.conversations.current?.turns.at(-1)?.assistant;
      return !!answer && answer.status === 'streaming' && ready(answer);
    };
    await until('the answer to stream', () => streamed() || done, 120_000);
    // Wrapped: an async function returning a promise would wait for it.
    if (streamed()) return { ended };
    assert.ok(attempt < 2, `three answers in a row ended before they were ready to interrupt (the last: ${JSON.stringify(controller.conversations.current?.turns.at(-1)?.assistant)?.slice(0, 400)})`);
    await ended;
    ended = controller.rerun(controller.conversations.current!.turns.at(-1)!.id, 'regenerate');
  }
}

/**
 * Starts an answer, interrupts it once it streams and `ready` holds (Stop, a dying engine…), and
 * returns the answer as it ended. The tests that interrupt use a seed whose sample thinks and
 * answers at length (LONG_SEED), so the answer is the same each time; what is left to chance is
 * when the interruption lands (the unpaced tiny model writes ~1,000 tokens a second, and a busy
 * host can be late): an answer that ended, or reached another state than the one wanted, before
 * it landed is regenerated and interrupted again, twice at most.
 */
async function interruptedAnswer(
  controller: ChatController,
  start: () => Promise<void>,
  interrupt: () => unknown,
  wanted: (answer: AssistantAnswer) => boolean,
  ready = streamed50,
): Promise<{ partial: AssistantAnswer; answer: AssistantAnswer; ms: number }> {
  for (let attempt = 0; ; attempt++) {
    const { ended } = await streamingAnswer(controller, attempt === 0 ? start : () => controller.rerun(controller.conversations.current!.turns.at(-1)!.id, 'regenerate'), ready);
    const partial = controller.conversations.current!.turns.at(-1)!.assistant;
    const at = Date.now();
    await interrupt();
    await ended;
    const answer = controller.conversations.current!.turns.at(-1)!.assistant;
    if (wanted(answer) || attempt === 2) return { partial, answer, ms: Date.now() - at };
  }
}

describe('QED chat', function () {
  this.timeout(180_000);
  const config = () => vscode.workspace.getConfiguration('qed');
  const setMaxTokens = (tokens: number) => config().update('generation.maxTokens', tokens, vscode.ConfigurationTarget.Global);
  /**
   * `qed.generation.seed` for the tests that interrupt an answer. The tiny (bigram) model's sample
   * depends only on the seed and the sampling settings, the same on every run: this one thinks
   * ~2,000 characters, then answers in ~2,900 (bench/RESULTS.md, "Seeded samples"). A random
   * sample now and then ends within a few dozen tokens, before an interruption can land.
   */
  const LONG_SEED = 18;
  const setSeed = (seed: number | undefined) => config().update('generation.seed', seed, vscode.ConfigurationTarget.Global);

  before(async () => {
    assert.ok(process.env.QED_TEST_MODEL, 'QED_TEST_MODEL points at the tiny test model');
    await config().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await config().update('model.path', process.env.QED_TEST_MODEL, vscode.ConfigurationTarget.Global);
    await setMaxTokens(8000);
  });

  after(async () => {
    await config().update('chat.thinkingBudget', undefined, vscode.ConfigurationTarget.Global);
    await setMaxTokens(8000);
    await setSeed(undefined);
  });

  it('contributes the view and its commands', async () => {
    await chat();
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['qed.openChat', 'qed.chat.newConversation', 'qed.chat.history', 'qed.chat.addSelection', 'qed.chat.focus']) assert.ok(commands.includes(command), command);
    await vscode.commands.executeCommand('qed.openChat');
  });

  it('answers a /prove message: thinking, then an answer with math, saved to the history', async () => {
    const controller = await chat();
    controller.conversations.newConversation();
    await controller.send('/prove $\\sqrt{2}$ is irrational.');
    const conversation = controller.conversations.current!;
    assert.ok(conversation, 'a conversation was started');
    assert.equal(conversation.title, '$\\sqrt{2}$ is irrational.');
    assert.equal(conversation.turns.length, 1);
    const answer = await lastAnswerUntil(controller, (candidate) => MATH.test(candidate.content));
    const [turn] = conversation.turns;
    assert.equal(turn!.user, 'Generate a rigorous proof to the following question:\n\n$\\sqrt{2}$ is irrational.');
    assert.equal(turn!.typed, '/prove $\\sqrt{2}$ is irrational.', 'what the user typed is kept for the view');
    assert.equal(answer.status, 'done', answer.error);
    assert.ok(answer.reasoning.length > 0, 'thinking streamed');
    assert.match(answer.content, MATH, 'the answer has math');
    assert.ok(answer.usage && answer.usage.completionTokens > 0, 'the server’s token count');
    assert.ok(controller.conversations.historyList.some((summary) => summary.id === conversation.id), 'listed in the history');

    // A second turn in the same conversation.
    await controller.send('Explain the first step.');
    assert.equal(conversation.turns.length, 2);
    assert.equal(conversation.turns[1]!.assistant.status, 'done', conversation.turns[1]!.assistant.error);

    // Saved: leaving the conversation and opening it again reads it back from disk.
    const id = conversation.id;
    controller.conversations.newConversation();
    assert.equal(controller.conversations.current?.id, undefined);
    await controller.conversations.open(id);
    const reopened = controller.conversations.current!;
    assert.equal(reopened.id, id);
    assert.deepEqual(reopened.turns.map((t) => [t.user, t.typed, t.assistant.content, t.assistant.status]), conversation.turns.map((t) => [t.user, t.typed, t.assistant.content, t.assistant.status]));
    assert.equal(reopened.turns[1]!.typed, undefined, 'a plain message is sent as typed');
    const markdown = await controller.conversations.exportMarkdown(id);
    assert.ok(markdown?.startsWith('# $\\sqrt{2}$ is irrational.\n'), markdown?.slice(0, 80));
    assert.ok(markdown?.includes('**You**\n\n/prove $\\sqrt{2}$ is irrational.\n'), 'the export shows the message as typed');
  });

  it('Stop ends the answer and keeps the partial thinking; the next message works', async () => {
    const controller = await chat();
    await setMaxTokens(200_000);
    await setSeed(LONG_SEED);
    controller.conversations.newConversation();
    const engine = localEngineConnection();
    let freedMs = Infinity;
    // Stop, then watch the engine: its generation must end, not run on to the 200k-token limit.
    const stopAndWatchEngine = async () => {
      const stoppedAt = performance.now();
      controller.stop();
      while (performance.now() - stoppedAt < 5000) {
        if ((await engineActiveGenerations(engine)) === 0) {
          freedMs = performance.now() - stoppedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const { partial, answer, ms: stopMs } = await interruptedAnswer(controller, () => controller.send('/prove There are infinitely many primes.'), stopAndWatchEngine, (answer) => answer.status === 'stopped');
    assert.equal(answer.status, 'stopped');
    assert.equal(answer.finishReason, 'cancelled');
    assert.ok(answer.reasoning.startsWith(partial.reasoning) && answer.content.startsWith(partial.content), 'the partial answer stays');
    assert.ok(answer.reasoning.length + answer.content.length >= 50);
    assert.ok(freedMs < 5000, 'the engine stopped generating after Stop');
    // Timings are reported, not asserted: they belong in benchmarks.
    recordMeasurement('chat Stop → engine generation ended (its /health)', Math.round(freedMs * 10) / 10, 'ms');
    recordMeasurement('chat Stop → turn marked stopped', stopMs, 'ms');
    await setMaxTokens(8000);
    await setSeed(undefined);
    await controller.send('And now?');
    assert.equal(controller.conversations.current!.turns[1]!.assistant.status, 'done');
  });

  it('a thinking budget and Answer now close the thinking and get an answer', async () => {
    const controller = await chat();
    await setMaxTokens(200_000);
    controller.conversations.newConversation();
    controller.conversations.setThinkingBudget(5);
    await controller.send('/prove $1 + 1 = 2$.');
    const budgeted = await lastAnswerUntil(controller, (candidate) => candidate.forcedAnswer === 'budget');
    assert.equal(controller.conversations.current!.settings.thinkingBudget, 5);
    assert.equal(budgeted.forcedAnswer, 'budget');
    assert.ok(budgeted.content.trim().length > 0, 'an answer, not an empty one');

    controller.conversations.setThinkingBudget(null);
    const sent = controller.send('Prove it again, differently.');
    // A short thinking may end before 30 characters: then the answer has begun on its own.
    await until('thinking to stream', () => {
      const answer = controller.conversations.current?.turns[1]?.assistant;
      return (answer?.reasoning.length ?? 0) >= 30 || (answer !== undefined && answer.status !== 'streaming');
    }, 120_000);
    await controller.answerNow(controller.conversations.current!.turns[1]!.id);
    await sent;
    const forced = controller.conversations.current!.turns[1]!.assistant;
    assert.ok(forced.forcedAnswer === 'answer-now' || forced.answerStartedAt !== undefined, 'the answer was asked for (or had just begun)');
    assert.ok(forced.content.trim().length > 0, 'an answer after Answer now');
    await setMaxTokens(8000);
  });

  it('picks up a stopped answer: Answer now writes it from the thinking so far, Continue goes on from where it stopped', async () => {
    const controller = await chat();
    await setMaxTokens(200_000);
    await setSeed(LONG_SEED);
    controller.conversations.newConversation();
    const last = () => controller.conversations.current!.turns.at(-1)!;
    const stop = () => controller.stop();
    const stoppedWhileThinking = (answer: AssistantAnswer) => answer.status === 'stopped' && answer.content === '' && answer.reasoning.length > 0;
    const { answer: thinking } = await interruptedAnswer(controller, () => controller.send('/prove Every prime greater than $2$ is odd.'), stop, stoppedWhileThinking, (answer) => answer.reasoning.length >= 20 || answer.content !== '');
    assert.ok(stoppedWhileThinking(thinking), 'an answer stopped while it was thinking');
    await controller.answerNow(last().id);
    const answered = last().assistant;
    assert.equal(controller.conversations.current!.turns.length, 1, 'the same answer, not a new message');
    assert.equal(answered.forcedAnswer, 'answer-now');
    assert.equal(answered.reasoning, thinking.reasoning, 'the answer is written from the thinking as it was stopped');
    assert.ok(answered.content.trim().length > 0, 'an answer');
    assert.notEqual(answered.status, 'streaming');

    const stoppedWhileAnswering = (answer: AssistantAnswer) => answer.status === 'stopped' && answer.content !== '';
    const { answer: answering } = await interruptedAnswer(controller, () => controller.send('Once more, in other words.'), stop, stoppedWhileAnswering, (answer) => answer.content.length >= 20);
    assert.ok(stoppedWhileAnswering(answering), 'an answer stopped while it was being written');
    await setMaxTokens(8000);
    await controller.rerun(last().id, 'continue');
    const continued = last().assistant;
    assert.equal(controller.conversations.current!.turns.length, 2, 'the same answer, not a new message');
    assert.equal(continued.reasoning, answering.reasoning);
    assert.ok(continued.content.startsWith(answering.content) && continued.content.length > answering.content.length, 'the answer goes on from where it stopped');
    assert.notEqual(continued.status, 'streaming');
    await setSeed(undefined);
  });

  it('Continue extends an answer cut at the token limit', async () => {
    const controller = await chat();
    await setMaxTokens(40);
    controller.conversations.newConversation();
    await controller.send('/prove $2 > 1$.');
    const turn = controller.conversations.current!.turns[0]!;
    assert.equal(turn.assistant.status, 'length');
    const before = { reasoning: turn.assistant.reasoning, content: turn.assistant.content };
    await setMaxTokens(8000);
    await controller.rerun(turn.id, 'continue');
    const after = controller.conversations.current!.turns[0]!.assistant;
    assert.equal(controller.conversations.current!.turns.length, 1, 'the same answer, not a new message');
    assert.notEqual(after.status, 'streaming');
    assert.ok(after.reasoning.startsWith(before.reasoning) && after.content.startsWith(before.content), 'the text so far is kept and extended');
    assert.ok(after.reasoning.length + after.content.length > before.reasoning.length + before.content.length, 'it grew');
  });

  it('a failing backend leaves an inline error with the partial answer, and Retry works once fixed', async () => {
    const controller = await chat();
    controller.conversations.newConversation();
    await config().update('model.path', '/nonexistent/qed-missing.gguf', vscode.ConfigurationTarget.Global);
    const failed = Date.now();
    try {
      await controller.send('Is $0$ even?');
      console.log(`        chat send with a missing model: ${Date.now() - failed} ms`);
    } finally {
      await config().update('model.path', process.env.QED_TEST_MODEL, vscode.ConfigurationTarget.Global);
    }
    const turn = controller.conversations.current!.turns[0]!;
    assert.equal(turn.assistant.status, 'error');
    assert.match(turn.assistant.error ?? '', /Model file not found: \/nonexistent\/qed-missing\.gguf/);
    const retried = Date.now();
    await controller.rerun(turn.id, 'regenerate');
    console.log(`        chat Retry after fixing the model path: ${Date.now() - retried} ms`);
    assert.equal(controller.conversations.current!.turns[0]!.assistant.status, 'done');
  });

  it('an engine that dies mid-answer: the partial answer stays with the error, and the next message works', async () => {
    const controller = await chat();
    await setMaxTokens(200_000);
    await setSeed(LONG_SEED);
    controller.conversations.newConversation();
    const { answer } = await interruptedAnswer(controller, () => controller.send('/prove Every finite group of prime order is cyclic.'), () => vscode.commands.executeCommand('qed.restartEngine'), (answer) => answer.status === 'error');
    assert.equal(answer.status, 'error');
    assert.ok((answer.error ?? '').length > 0, 'the error says what happened');
    assert.ok(answer.reasoning.length + answer.content.length >= 50, 'the partial answer stays');
    await setMaxTokens(8000);
    await setSeed(undefined);
    await controller.send('Try a smaller case.');
    assert.equal(controller.conversations.current!.turns[1]!.assistant.status, 'done', controller.conversations.current!.turns[1]!.assistant.error);
  });

  it('renames, deletes, and inserts an answer at the cursor as LaTeX in a .tex file', async () => {
    const controller = await chat();
    controller.conversations.newConversation();
    await controller.send('What is $2+2$?');
    const id = controller.conversations.current!.id;
    await controller.conversations.rename(id, 'Arithmetic');
    assert.equal(controller.conversations.historyList.find((summary) => summary.id === id)?.title, 'Arithmetic');
    assert.equal(controller.conversations.current!.title, 'Arithmetic');

    const answer = 'Hence **$x$ is even**:\n$$x = 2k.$$';
    const document = await vscode.workspace.openTextDocument({ language: 'latex', content: 'before\n\nafter' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    assert.equal(await insertAtCursor(editor, answer), true);
    assert.equal(document.getText(), `before\n${markdownToLatex(answer)}\nafter`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

    await controller.conversations.delete(id);
    assert.equal(controller.conversations.historyList.some((summary) => summary.id === id), false, 'gone from the history');
    assert.equal(controller.conversations.current?.id, undefined, 'the deleted conversation is closed');
  });

  it('a file the history cannot use is left out with one warning, which stays dismissed while it is there', async () => {
    const controller = await chat();
    const leftOut = path.join(controller.conversations.historyFolder, 'left-out.json');
    mkdirSync(leftOut, { recursive: true });
    try {
      const warning = 'Conversation file left-out.json is not a regular file (a directory); it stays where it is, left out of the history.';
      await controller.conversations.reloadHistory();
      await controller.conversations.reloadHistory();
      assert.deepEqual(controller.snapshot().warnings.filter((shown) => shown === warning), [warning], 'shown once');
      assert.ok(controller.conversations.historyWarnings.includes(warning), 'in the history menu');
      controller.conversations.dismissWarnings();
      await controller.conversations.reloadHistory();
      assert.equal(controller.snapshot().warnings.includes(warning), false, 'dismissed, not shown again');
      assert.ok(controller.conversations.historyWarnings.includes(warning), 'still in the history menu');
    } finally {
      rmSync(leftOut, { recursive: true, force: true });
    }
    await controller.conversations.reloadHistory();
    assert.equal(controller.conversations.historyWarnings.some((shown) => shown.includes('left-out.json')), false, 'gone from the history menu once removed');
  });
});
