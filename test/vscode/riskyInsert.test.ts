/**
 * Extension-host tests of inserting LaTeX that reads or writes files or ends the document: Insert
 * proof (ProofInserter) and the chat's Insert at cursor in a .tex file ask first, and insert the
 * commands commented out, as they are, or nothing, as the user chooses. The modal itself is
 * VS Code's; here the question is answered by the test, through the same parameter.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { markdownToLatex, proofBlock } from '../../src/core/proofToLatex';
import { commentOutRiskyTex, findRiskyTex, type RiskyTex } from '../../src/core/riskyTex';
import { insertAtCursor } from '../../src/vscode/chat/answerActions';
import { KEEP_ACTIVE_MS, ProofInserter } from '../../src/vscode/proofInserter';
import type { RiskyTexChoice } from '../../src/vscode/riskyTexPrompt';
import { TheoremIndex } from '../../src/vscode/theoremIndex';
import { HOSTILE_ANSWER } from '../helpers/hostileTex';

const STATEMENT = 'Prove that $x^2 \\ge 0$.';

/** An answer to the question, recording what it was asked about. */
function answering(choice: RiskyTexChoice): { ask: (found: readonly RiskyTex[]) => Promise<RiskyTexChoice>; asked: RiskyTex[][] } {
  const asked: RiskyTex[][] = [];
  return { ask: async (found) => (asked.push([...found]), choice), asked };
}

async function latexDocument(content: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language: 'latex', content });
  await vscode.window.showTextDocument(document);
  return document;
}

async function closeWithoutSaving(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

describe('Inserting LaTeX with side effects', function () {
  this.timeout(60_000);
  let index: TheoremIndex;
  let log: vscode.LogOutputChannel;
  before(() => {
    log = vscode.window.createOutputChannel('QED test: risky insert', { log: true });
    index = new TheoremIndex(log);
  });
  after(() => {
    index.dispose();
    log.dispose();
  });

  for (const [choice, expected] of [
    ['comment-out', commentOutRiskyTex(proofBlock(HOSTILE_ANSWER, 'latex'))],
    ['as-is', proofBlock(HOSTILE_ANSWER, 'latex')],
    [undefined, undefined],
  ] as const) {
    it(`Insert proof, answered ${choice ?? 'Cancel'}`, async () => {
      const document = await latexDocument(`${STATEMENT}\n\nmore`);
      try {
        const { ask, asked } = answering(choice);
        const inserter = new ProofInserter(index, ask);
        const origin = { uri: document.uri, format: 'latex' as const, statementSource: STATEMENT, anchor: STATEMENT.length, version: document.version, replacesProof: false };
        assert.equal(await inserter.insert(origin, HOSTILE_ANSWER), expected !== undefined);
        assert.equal(asked.length, 1, 'asked once');
        assert.deepEqual(asked[0]!.map((finding) => finding.command), findRiskyTex(proofBlock(HOSTILE_ANSWER, 'latex')).map((finding) => finding.command));
        assert.equal(document.getText(), expected === undefined ? `${STATEMENT}\n\nmore` : `${STATEMENT}\n${expected}\n\nmore`);
      } finally {
        await closeWithoutSaving();
      }
    });
  }

  it('Insert proof does not ask about an ordinary proof, nor about a Markdown document', async () => {
    const { ask, asked } = answering(undefined);
    const inserter = new ProofInserter(index, ask);
    const document = await latexDocument(STATEMENT);
    try {
      const origin = { uri: document.uri, format: 'latex' as const, statementSource: STATEMENT, anchor: STATEMENT.length, version: document.version, replacesProof: false };
      assert.equal(await inserter.insert(origin, 'Squares are non-negative: $x \\cdot x \\ge 0$.'), true);
    } finally {
      await closeWithoutSaving();
    }
    const markdown = await vscode.workspace.openTextDocument({ language: 'markdown', content: STATEMENT });
    await vscode.window.showTextDocument(markdown);
    try {
      const origin = { uri: markdown.uri, format: 'markdown' as const, statementSource: STATEMENT, anchor: STATEMENT.length, version: markdown.version, replacesProof: false };
      assert.equal(await inserter.insert(origin, HOSTILE_ANSWER), true);
      assert.ok(markdown.getText().includes('\\write18{touch /tmp/qed-pwned}'), 'Markdown is inserted as written');
    } finally {
      await closeWithoutSaving();
    }
    assert.equal(asked.length, 0);
  });

  it('an editor closed right after an insertion stays closed (the focus watch only answers a webview taking the focus)', async () => {
    // Alone in the window: closing it leaves no active editor, which is also what a webview taking the focus looks like.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const inserter = new ProofInserter(index, answering(undefined).ask);
    const document = await latexDocument(`${STATEMENT}\n\nmore`);
    const origin = { uri: document.uri, format: 'latex' as const, statementSource: STATEMENT, anchor: STATEMENT.length, version: document.version, replacesProof: false };
    assert.equal(await inserter.insert(origin, 'Squares are non-negative: $x \\cdot x \\ge 0$.'), true);
    await closeWithoutSaving();
    await new Promise((resolve) => setTimeout(resolve, KEEP_ACTIVE_MS + 500));
    const reopened = vscode.window.visibleTextEditors.filter((editor) => editor.document.getText().startsWith(STATEMENT));
    assert.deepEqual(reopened.map((editor) => editor.document.uri.toString()), [], 'not reopened');
  });

  it('the chat’s Insert at cursor in a .tex file asks the same, and inserts what was chosen', async () => {
    for (const choice of ['comment-out', 'as-is', undefined] as const) {
      const document = await latexDocument('before\n\nafter');
      try {
        const editor = vscode.window.activeTextEditor!;
        editor.selection = new vscode.Selection(1, 0, 1, 0);
        const { ask, asked } = answering(choice);
        assert.equal(await insertAtCursor(editor, HOSTILE_ANSWER, ask), choice !== undefined);
        assert.equal(asked.length, 1);
        const latex = markdownToLatex(HOSTILE_ANSWER);
        const expected = { 'comment-out': commentOutRiskyTex(latex), 'as-is': latex, none: '' }[choice ?? 'none'];
        assert.equal(document.getText(), `before\n${expected}\nafter`);
      } finally {
        await closeWithoutSaving();
      }
    }
  });
});
