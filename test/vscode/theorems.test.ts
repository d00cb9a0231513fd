/**
 * Extension-host tests of the LaTeX features on samples/irrational.tex: CodeLenses and outline
 * from the document's own \newtheorem declarations, Prove from a CodeLens with the document's
 * macros in the prompt, Insert proof as one undoable edit, and Critique Proof turning findings
 * into diagnostics (with the real engine, and with a scripted endpoint whose answer has findings).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, openSample } from './extensionHost';
import { KEEP_ACTIVE_MS } from '../../src/vscode/proofInserter';
import { SAMPLE_CRITIQUE, startScriptedEndpoint } from '../helpers/scriptedEndpoint';

/** 0-based line of the first line containing `text`, read from the sample itself. */
function lineOf(document: vscode.TextDocument, text: string): number {
  const offset = document.getText().indexOf(text);
  assert.ok(offset >= 0, `${text} is in the sample`);
  return document.positionAt(offset).line;
}

async function lenses(document: vscode.TextDocument): Promise<string[]> {
  const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? [];
  return found
    .filter((lens) => lens.command?.command.startsWith('qed.'))
    .map((lens) => `${lens.range.start.line}:${lens.command!.title}`)
    .sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
}

/** The Proof panel opens beside the document: in the second editor group. */
async function focusPanelGroup(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
}

/** Whether the active text editor satisfies `holds` within `timeoutMs` (at once if it already does). */
function activeEditorTurns(holds: (editor: vscode.TextEditor | undefined) => boolean, timeoutMs: number): Promise<boolean> {
  if (holds(vscode.window.activeTextEditor)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (!holds(editor)) return;
      subscription.dispose();
      clearTimeout(timer);
      resolve(true);
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      resolve(false);
    }, timeoutMs);
  });
}

/** The active text editor's document once it has not changed for 300 ms. */
async function activeEditorSettles(): Promise<vscode.TextDocument | undefined> {
  for (;;) {
    const changed = await new Promise<boolean>((resolve) => {
      const subscription = vscode.window.onDidChangeActiveTextEditor(() => {
        subscription.dispose();
        clearTimeout(timer);
        resolve(true);
      });
      const timer = setTimeout(() => {
        subscription.dispose();
        resolve(false);
      }, 300);
    });
    if (!changed) return vscode.window.activeTextEditor?.document;
  }
}

async function revert(document: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(document);
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

describe('QED on theorem-like environments', function () {
  this.timeout(120_000);
  const config = () => vscode.workspace.getConfiguration('qed');

  before(async () => {
    assert.ok(process.env.QED_TEST_MODEL, 'QED_TEST_MODEL points at the tiny test model');
    await config().update('backend', 'local', vscode.ConfigurationTarget.Global);
    await config().update('model.path', process.env.QED_TEST_MODEL, vscode.ConfigurationTarget.Global);
    await config().update('generation.maxTokens', 8000, vscode.ConfigurationTarget.Global);
  });

  it('puts Prove, or Critique proof and Re-prove, and Deep prove above each result to prove', async () => {
    await api();
    const { document } = await openSample('irrational.tex');
    const at = (text: string) => lineOf(document, text);
    // From the sample: the definition and the remark get none; problem and conjecture* are results.
    const expected = [
      `${at('\\begin{lemma}\\label{lem:even-square}')}:Critique proof`,
      `${at('\\begin{lemma}\\label{lem:even-square}')}:Deep prove`,
      `${at('\\begin{lemma}\\label{lem:even-square}')}:Re-prove`,
      `${at('\\begin{theorem}[Pythagoreans]')}:Deep prove`,
      `${at('\\begin{theorem}[Pythagoreans]')}:Prove`,
      `${at('\\begin{theorem}\\label{thm:sqrtp}')}:Deep prove`,
      `${at('\\begin{theorem}\\label{thm:sqrtp}')}:Prove`,
      `${at('\\begin{proposition}\\label{prop:lcm}')}:Deep prove`,
      `${at('\\begin{proposition}\\label{prop:lcm}')}:Prove`,
      `${at('\\begin{lemma}[Lifting the exponent')}:Deep prove`,
      `${at('\\begin{lemma}[Lifting the exponent')}:Prove`,
      `${at('\\begin{corollary}\\label{cor:order}')}:Critique proof`,
      `${at('\\begin{corollary}\\label{cor:order}')}:Deep prove`,
      `${at('\\begin{corollary}\\label{cor:order}')}:Re-prove`,
      `${at('\\begin{problem}[IMO 1988')}:Deep prove`,
      `${at('\\begin{problem}[IMO 1988')}:Prove`,
      `${at('\\begin{conjecture*}')}:Deep prove`,
      `${at('\\begin{conjecture*}')}:Prove`,
      `${at('\\begin{theorem}\nFor every integer')}:Deep prove`,
      `${at('\\begin{theorem}\nFor every integer')}:Prove`,
    ];
    // A proof finished by an earlier test may wait for its environment (Insert proof, tested below).
    const proveLenses = async () => (await lenses(document)).filter((lens) => !lens.endsWith(':Insert proof'));
    assert.deepEqual(await proveLenses(), expected);

    await config().update('codeLens.environments', ['!problem', 'remark'], vscode.ConfigurationTarget.Global);
    try {
      const adjusted = await lenses(document);
      assert.ok(!adjusted.includes(`${at('\\begin{problem}[IMO 1988')}:Prove`), 'hidden by !problem');
      assert.ok(adjusted.includes(`${at('\\begin{remark}')}:Prove`), 'added by name');
    } finally {
      await config().update('codeLens.environments', undefined, vscode.ConfigurationTarget.Global);
    }
    await config().update('codeLens.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      assert.deepEqual(await lenses(document), []);
    } finally {
      await config().update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('lists the environments in the outline with titles, labels and proof status', async () => {
    await api();
    const { document } = await openSample('irrational.tex');
    const symbols = (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri)) ?? [];
    const ours = symbols.filter((symbol) => symbol.range.start.line >= lineOf(document, '\\begin{document}'));
    const described = ours.map((symbol) => `${symbol.name} | ${symbol.detail}`);
    for (const entry of [
      'Definition | def:rational',
      'Lemma | lem:even-square · proved',
      'Theorem (Pythagoreans) | thm:sqrt2 · no proof',
      'Lemma (Lifting the exponent, $p$ odd) | lem:lte · no proof',
      'Corollary | cor:order · proved',
      'Problem (IMO 1988, Problem 6) | no proof',
    ]) {
      assert.ok(described.includes(entry), `${entry} in ${JSON.stringify(described)}`);
    }
    const lemma = ours.find((symbol) => symbol.detail === 'lem:even-square · proved')!;
    assert.deepEqual(lemma.children.map((child) => child.name), ['Proof']);
  });

  it('proves from a CodeLens with the document’s macros, and inserts the proof as one undoable edit', async () => {
    const qed = await api();
    const { document } = await openSample('irrational.tex');
    const begin = document.getText().indexOf('\\begin{lemma}[Lifting the exponent');
    await vscode.commands.executeCommand('qed.proveAt', document.uri.toString(), begin);
    await qed.whenIdle();
    const run = qed.currentRun()!;
    assert.match(run.answer.status, /^(done|length)$/, run.answer.error);
    assert.equal(run.title, 'Lemma (Lifting the exponent, $p$ odd) · irrational.tex:68');
    assert.ok(run.statement.startsWith('Let $p$ be an odd prime'), run.statement);
    assert.ok(!run.statement.includes('\\label'), 'labels are not part of the statement');
    assert.ok(run.prompt.startsWith('user:\nGenerate a rigorous proof to the following question:\n\nLet $p$ be an odd prime'), run.prompt);
    for (const macro of ['\\newcommand{\\Z}{\\mathbb{Z}}', '\\newcommand{\\N}{\\mathbb{N}}']) assert.ok(run.prompt.includes(macro), `${macro} in the prompt`);
    assert.equal(run.macros?.['\\Z'], '\\mathbb{Z}');
    assert.equal(run.insertable, true);
    assert.ok(run.answer.content.trim().length > 0);

    const lensTitles = await lenses(document);
    assert.ok(lensTitles.includes(`${lineOf(document, '\\begin{lemma}[Lifting the exponent')}:Insert proof`), JSON.stringify(lensTitles));

    const before = document.getText();
    try {
      // As after a click on the panel's Insert proof: the panel's group is active, the insertion moves to the editor.
      await focusPanelGroup();
      await vscode.commands.executeCommand('qed.insertProofAt', document.uri.toString(), begin);
      const after = document.getText();
      const end = before.indexOf('\\end{lemma}', begin) + '\\end{lemma}'.length;
      assert.equal(after.slice(0, end), before.slice(0, end), 'nothing before the statement changed');
      assert.equal(after.slice(after.length - (before.length - end)), before.slice(end), 'nothing after it changed');
      const inserted = after.slice(end, after.length - (before.length - end));
      assert.match(inserted, /^\n\\begin\{proof\}\n[\s\S]+\n\\end\{proof\}$/);
      const editor = vscode.window.activeTextEditor!;
      assert.equal(editor.document.getText(editor.selection), inserted.slice(1), 'the inserted proof is selected');
      // A click on the panel's Insert button can re-activate the panel's group late (VS Code polls webview focus).
      await focusPanelGroup();
      // A busy extension host can take longer than a quiet 300 ms to bring it back: then wait for it.
      let settled = await activeEditorSettles();
      if (settled === undefined && (await activeEditorTurns((editor) => editor?.document === document, 3000))) settled = await activeEditorSettles();
      assert.equal(settled, document, 'right after the insertion, the editor takes the focus back');
      assert.equal(vscode.window.activeTextEditor?.document.getText(vscode.window.activeTextEditor.selection), inserted.slice(1), 'still selected');
      // A margin over the watch's time: on a loaded host a focus change it answered can arrive late.
      await new Promise((resolve) => setTimeout(resolve, KEEP_ACTIVE_MS + 1500));
      await focusPanelGroup();
      // On a busy host the focus change can take longer than activeEditorSettles' quiet 300 ms to arrive.
      await activeEditorTurns((editor) => editor?.document !== document, 3000);
      const later = await activeEditorSettles();
      assert.equal(later, undefined, `later, going to the panel is the user’s choice (active: ${later?.fileName} in column ${vscode.window.activeTextEditor?.viewColumn})`);
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('undo');
      assert.equal(document.getText(), before, 'one undo removes it');
    } finally {
      await revert(document);
    }
  });

  it('proves the environment at the cursor without a selection', async () => {
    const qed = await api();
    const editor = await openSample('irrational.tex');
    const inside = editor.document.positionAt(editor.document.getText().indexOf('is irrational.') + 3);
    editor.selection = new vscode.Selection(inside, inside);
    await vscode.commands.executeCommand('qed.proveSelection');
    await qed.whenIdle();
    const run = qed.currentRun()!;
    assert.match(run.answer.status, /^(done|length)$/, run.answer.error);
    assert.equal(run.title, 'Theorem (Pythagoreans) · irrational.tex:47');
    assert.equal(run.statement, 'The number $\\sqrt{2}$ is irrational.');
  });

  it('critiques a proof with the real engine and says what it could not read', async () => {
    const qed = await api();
    const editor = await openSample('irrational.tex');
    const inProof = editor.document.positionAt(editor.document.getText().indexOf('If $n$ is odd'));
    editor.selection = new vscode.Selection(inProof, inProof);
    await vscode.commands.executeCommand('qed.critiqueProof');
    await qed.whenIdle();
    const run = qed.currentRun()!;
    assert.match(run.answer.status, /^(done|length)$/, run.answer.error);
    assert.equal(run.kind, 'critique');
    assert.equal(run.title, 'Critique · Lemma [lem:even-square] · irrational.tex:38', 'an unnamed lemma goes by its label');
    assert.ok(run.proof?.includes('If $n$ is odd, write $n = 2k+1$.'), run.proof);
    assert.ok(run.prompt.includes('\\boxed{[0, 0.5 or 1]}'), 'the verifier’s score format is asked for');
    assert.ok(run.answer.content.length > 0);
  });

  it('turns a critique’s findings into diagnostics that follow edits, with a repair quick fix', async () => {
    const qed = await api();
    const endpoint = await startScriptedEndpoint(SAMPLE_CRITIQUE);
    await config().update('backend', 'endpoint', vscode.ConfigurationTarget.Global);
    await config().update('endpoint.url', endpoint.baseUrl, vscode.ConfigurationTarget.Global);
    const { document } = await openSample('irrational.tex');
    try {
      const begin = document.getText().indexOf('\\begin{lemma}\\label{lem:even-square}');
      await vscode.commands.executeCommand('qed.critiqueAt', document.uri.toString(), begin);
      await qed.whenIdle();
      const run = qed.currentRun()!;
      assert.match(run.answer.status, /^(done|length)$/, run.answer.error);
      assert.equal(run.kind, 'critique');

      const quoted = '$n^2 = 4k^2 + 4k + 1 = 2(2k^2+2k) + 1$ is odd';
      const quotedAt = document.getText().indexOf(quoted);
      const firstProofLine = lineOf(document, 'If $n$ is odd');
      const diagnostics = () => vscode.languages.getDiagnostics(document.uri).filter((diagnostic) => diagnostic.source === 'QED');
      const found = diagnostics();
      assert.deepEqual(
        found.map((diagnostic) => [diagnostic.severity, diagnostic.message]),
        [
          [vscode.DiagnosticSeverity.Warning, 'Justification gap: It should say why $2m+1$ is odd for an integer $m$.'],
          [vscode.DiagnosticSeverity.Information, 'Minor issue: The last sentence restates the claim. (the quoted passage was not found in the proof)'],
        ],
      );
      assert.deepEqual(
        [found[0]!.range.start, found[0]!.range.end].map((position) => document.offsetAt(position)),
        [quotedAt, quotedAt + quoted.length],
        'the first finding marks exactly the quoted passage',
      );
      assert.equal(found[1]!.range.start.line, firstProofLine, 'an unlocated finding marks the proof’s first line');

      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, found[0]!.range);
      assert.ok(actions?.some((action) => action.title === 'Ask QED to repair this step'), 'the quick fix is offered');

      // Typing above the proof moves the findings with the text.
      const editor = await vscode.window.showTextDocument(document);
      await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '% a new first line\n'));
      const moved = diagnostics();
      assert.equal(moved.length, 2);
      assert.equal(moved[0]!.range.start.line, found[0]!.range.start.line + 1);
      assert.equal(document.getText(moved[0]!.range), quoted);

      // Editing the quoted passage itself drops that finding.
      await editor.edit((edit) => edit.insert(moved[0]!.range.start.translate(0, 2), ' '));
      assert.deepEqual(diagnostics().map((diagnostic) => diagnostic.severity), [vscode.DiagnosticSeverity.Information]);

      await vscode.commands.executeCommand('qed.clearCritique');
      assert.deepEqual(diagnostics(), []);
    } finally {
      await revert(document);
      await config().update('backend', 'local', vscode.ConfigurationTarget.Global);
      await config().update('endpoint.url', undefined, vscode.ConfigurationTarget.Global);
      await endpoint.close();
    }
  });
});
