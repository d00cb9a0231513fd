/** What the extension-host suites share: the activated extension and the samples folder. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

/**
 * Records a figure the harness reports (e2e results.json and its output). Timings are measured
 * here, in real VS Code, but asserted only loosely: speed targets belong in benchmarks.
 */
export function recordMeasurement(name: string, value: number, unit: string): void {
  const store = globalThis as { qedMeasurements?: { name: string; value: number; unit: string }[] };
  (store.qedMeasurements ??= []).push({ name, value, unit });
}

/** The local engine the extension started: its connection file (written by `qed serve`), from the harness. */
export function localEngineConnection(): { url: string; token: string } {
  const file = process.env.QED_ENGINE_CONNECTION_FILE;
  assert.ok(file, 'QED_ENGINE_CONNECTION_FILE names the engine connection file');
  return JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
}

/** The local engine's generations in flight, from its /health. */
export async function engineActiveGenerations(engine: { url: string; token: string }): Promise<number> {
  const response = await fetch(`${engine.url}/health`, { headers: { authorization: `Bearer ${engine.token}` } });
  assert.equal(response.status, 200, `GET ${engine.url}/health`);
  return ((await response.json()) as { active: number }).active;
}
