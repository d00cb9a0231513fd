/**
 * QED: Open the Sample (the walkthrough's "try Prove"): samples/irrational.tex, shipped in the
 * VSIX, opened from a copy in global storage so that inserted proofs never touch the installed
 * extension (which an update replaces). An existing copy is opened as the user left it.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const SAMPLE = 'irrational.tex';
/** The statement the walkthrough proves first: the cursor goes there, so Prove Selection takes its environment. */
const FIRST_STATEMENT = 'The number $\\sqrt{2}$ is irrational.';

export async function openSample(extensionPath: string, storagePath: string): Promise<void> {
  const copy = path.join(storagePath, 'sample', SAMPLE);
  if (!existsSync(copy)) {
    await mkdir(path.dirname(copy), { recursive: true });
    await copyFile(path.join(extensionPath, 'samples', SAMPLE), copy);
  }
  const document = await vscode.workspace.openTextDocument(copy);
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const line = document.getText().split('\n').findIndex((text) => text.includes(FIRST_STATEMENT));
  if (line >= 0) {
    const position = new vscode.Position(line, 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenter);
  }
}
