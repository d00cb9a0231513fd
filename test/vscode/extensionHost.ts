/** What the extension-host suites share: the activated extension and the samples folder. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QedApi } from '../../src/vscode/extension';

const EXTENSION_ID = 'qed-prover.qed';

export async function api(): Promise<QedApi> {
  const extension = vscode.extensions.getExtension<QedApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

export async function openSample(name: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the samples folder is open');
  const document = await vscode.workspace.openTextDocument(path.join(folder.uri.fsPath, name));
  return vscode.window.showTextDocument(document);
}
