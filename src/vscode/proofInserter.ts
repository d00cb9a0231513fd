/**
 * Puts a finished proof back into the document it came from: converted to LaTeX (or kept as
 * Markdown), right after the statement, as one undoable edit, then selected. An existing proof
 * is replaced only for Re-prove/repair runs, and only when the user confirms. LaTeX that reads or
 * writes files or ends the document goes in commented out unless the user says otherwise.
 */
import * as vscode from 'vscode';
import type { TheoremEnvironment } from '../core/theorems/types';
import type { RunOrigin } from './proofController';
import { askAboutRiskyTex, confirmRiskyTex, type AskAboutRiskyTex } from './riskyTexPrompt';
import { environmentName } from './theoremLenses';
import type { TheoremIndex } from './theoremIndex';

export class ProofInserter {
  constructor(
    private readonly index: TheoremIndex,
    private readonly askAboutRisky: AskAboutRiskyTex = askAboutRiskyTex,
  ) {}

  /** Returns whether the proof was inserted. */
  async insert(origin: RunOrigin, answer: string): Promise<boolean> {
    if (!answer.trim()) {
      void vscode.window.showWarningMessage('QED: there is no proof to insert (the answer is empty).');
      return false;
    }
    const document = await vscode.workspace.openTextDocument(origin.uri);
    const target = await this.locate(document, origin);
    if (!target) {
      void vscode.window.showWarningMessage(
        `QED: the statement is no longer in ${vscode.workspace.asRelativePath(origin.uri)}, so the proof was not inserted. Use Copy in the Proof panel instead.`,
      );
      return false;
    }
    let replace: { start: number; end: number } | undefined;
    const environment = target.environment;
    if (environment?.proof && origin.replacesProof) {
      const { proof } = environment;
      const label = environment.label ? ` “${environment.label}”` : '';
      const line = document.positionAt(environment.span.start).line + 1;
      const choice = await vscode.window.showWarningMessage(
        `Replace the existing proof of ${environmentName(environment)}${label} (line ${line})?`,
        { modal: true, detail: 'This is one edit: Undo brings the old proof back. “Keep Both” inserts the new proof after the statement.' },
        'Replace',
        'Keep Both',
      );
      if (!choice) return false;
      if (choice === 'Replace') replace = proof.span;
    }

    const anchorLine = document.lineAt(document.positionAt(environment?.span.start ?? target.anchor).line);
    const indent = anchorLine.text.slice(0, anchorLine.firstNonWhitespaceCharacterIndex);
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    // Imported on use: markdown-it need not load at activation.
    const { proofBlock } = await import('../core/proofToLatex');
    const converted = proofBlock(answer, origin.format);
    const checked = origin.format === 'latex' ? await confirmRiskyTex(converted, this.askAboutRisky) : converted;
    if (checked === undefined) return false;
    const block = indentLines(checked, indent).replace(/\n/g, eol);
    const separator = origin.format === 'markdown' ? eol + eol : eol;
    const editor = await vscode.window.showTextDocument(document, { preserveFocus: false, preview: false, viewColumn: columnOf(document) });
    const start = replace ? replace.start : target.anchor;
    const inserted = replace ? block.trimStart() : `${separator}${block}`;
    const ok = await editor.edit((edit) => {
      const range = replace ? new vscode.Range(document.positionAt(replace.start), document.positionAt(replace.end)) : new vscode.Range(document.positionAt(start), document.positionAt(start));
      edit.replace(range, inserted);
    });
    if (!ok) {
      void vscode.window.showWarningMessage('QED: the editor refused the edit (is the file read-only?). Use Copy in the Proof panel instead.');
      return false;
    }
    const insertedStart = start + (replace ? 0 : separator.length);
    const selection = new vscode.Selection(document.positionAt(insertedStart), document.positionAt(start + inserted.length));
    editor.selection = selection;
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    keepActive(editor);
    return true;
  }

  /** The statement now: the same environment (by label, else by text), or the original anchor if nothing changed. */
  private async locate(document: vscode.TextDocument, origin: RunOrigin): Promise<{ environment?: TheoremEnvironment; anchor: number } | undefined> {
    if (origin.environment) {
      const theorems = await this.index.theorems(document);
      const environment = theorems?.environments.find((candidate) => sameEnvironment(document, candidate, origin));
      return environment ? { environment, anchor: environment.span.end } : undefined;
    }
    if (document.version === origin.version) return { anchor: origin.anchor };
    const at = document.getText().indexOf(origin.statementSource);
    return at >= 0 ? { anchor: at + origin.statementSource.length } : undefined;
  }
}

export function sameEnvironment(document: vscode.TextDocument, candidate: TheoremEnvironment, origin: RunOrigin): boolean {
  const original = origin.environment;
  if (!original || candidate.env !== original.env) return false;
  if (original.label) return candidate.label === original.label;
  return document.getText(new vscode.Range(document.positionAt(candidate.statement.start), document.positionAt(candidate.statement.end))) === origin.statementSource;
}

/** How long after an insertion the editor takes the focus back from the panel. */
export const KEEP_ACTIVE_MS = 1000;

/**
 * VS Code learns that a webview has the focus by polling it every 250 ms, so the click on the
 * panel's Insert button can re-activate the panel's editor group after the edited editor was
 * focused, leaving the inserted proof selected in an inactive editor. For a moment after the
 * insertion, the editor takes the focus back whenever a webview takes it.
 */
function keepActive(editor: vscode.TextEditor): void {
  // Read now: once the editor lost the focus this object may be stale, and a missing column
  // would open the document in the active group, the panel's.
  const { document, viewColumn, selection } = editor;
  if (viewColumn === undefined) return;
  const subscription = vscode.window.onDidChangeActiveTextEditor((active) => {
    // The edited editor itself becoming active (the insertion's own showTextDocument, reported
    // late) changes nothing; another text editor means the user moved on.
    if (active?.document === document) return;
    if (active) return stop();
    // No active editor because the user closed this one (not because a webview took the focus): leave it closed.
    if (document.isClosed || !vscode.window.visibleTextEditors.some((visible) => visible.document === document)) return stop();
    void vscode.window.showTextDocument(document, { viewColumn, preserveFocus: false, selection });
  });
  const timer = setTimeout(stop, KEEP_ACTIVE_MS);
  function stop(): void {
    clearTimeout(timer);
    subscription.dispose();
  }
}

function indentLines(text: string, indent: string): string {
  return indent ? text.split('\n').map((line) => (line ? indent + line : line)).join('\n') : text;
}

function columnOf(document: vscode.TextDocument): vscode.ViewColumn | undefined {
  return vscode.window.visibleTextEditors.find((editor) => editor.document === document)?.viewColumn;
}
