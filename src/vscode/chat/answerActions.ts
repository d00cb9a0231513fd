/**
 * What the user can do with a finished answer outside the chat: copy it, or insert it at the
 * cursor of the editor they were last in (as LaTeX in .tex files, as Markdown elsewhere). LaTeX
 * that reads or writes files or ends the document goes in commented out unless the user says otherwise.
 */
import * as vscode from 'vscode';
import { askAboutRiskyTex, confirmRiskyTex, type AskAboutRiskyTex } from '../riskyTexPrompt';

const LATEX_LANGUAGES = new Set(['latex', 'tex']);

export async function insertAtCursor(editor: vscode.TextEditor | undefined, markdown: string, askAboutRisky: AskAboutRiskyTex = askAboutRiskyTex): Promise<boolean> {
  if (!editor || editor.document.isClosed) {
    void vscode.window.showWarningMessage('QED: open the file to insert into and put the cursor where the answer goes, then press Insert at cursor again.');
    return false;
  }
  const latex = LATEX_LANGUAGES.has(editor.document.languageId) || editor.document.fileName.endsWith('.tex');
  // Imported on use: markdown-it need not load at activation.
  const text = latex ? await confirmRiskyTex((await import('../../core/proofToLatex')).markdownToLatex(markdown), askAboutRisky) : markdown;
  if (text === undefined) return false;
  const ok = await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, text);
  });
  if (!ok) void vscode.window.showWarningMessage('QED: the editor refused the edit (is the file read-only?). Use Copy instead.');
  else await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
  return ok;
}

/** The text editor the user was last in: focus in the chat view leaves no active editor on some versions. */
export class LastEditor implements vscode.Disposable {
  private editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly subscription = vscode.window.onDidChangeActiveTextEditor((editor) => {
    if (editor) this.editor = editor;
  });

  get current(): vscode.TextEditor | undefined {
    const active = vscode.window.activeTextEditor;
    if (active) return active;
    // The remembered editor may have been closed, or hidden behind another one since.
    return vscode.window.visibleTextEditors.find((editor) => editor === this.editor) ?? vscode.window.visibleTextEditors.find((editor) => editor.document === this.editor?.document);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
