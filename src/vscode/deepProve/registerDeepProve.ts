/**
 * The Deep Prove commands: QED: Deep Prove (the selection, or the theorem at the cursor), the
 * Deep prove CodeLens, QED: Open Deep Prove Run…, the status bar's open, and the chat's `/deep`.
 */
import * as vscode from 'vscode';
import { titleOf } from '../../core/composer/slashCommands';
import type { TheoremActions } from '../theoremActions';
import { DEEP_PROVE_AT_COMMAND } from '../theoremLenses';
import type { DeepProveController } from './deepProveController';
import { OPEN_RUN_COMMAND } from './deepProveStatus';
import { pickRun } from './runPicker';

export const DEEP_PROVE_COMMAND = 'qed.deepProve';
export const OPEN_RUNS_COMMAND = 'qed.deepProveRuns';
/** A command the extension-host tests use to reach the controller; not in the palette. */
export const DEEP_PROVE_TEST_COMMAND = 'qed.deepProve.testController';

export function registerDeepProve(deep: DeepProveController, theorems: TheoremActions): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(DEEP_PROVE_COMMAND, async () => {
      const request = await theorems.deepRequestInEditor(vscode.window.activeTextEditor);
      return request && deep.start(request);
    }),
    vscode.commands.registerCommand(DEEP_PROVE_AT_COMMAND, async (uri: string, offset: number) => {
      const request = await theorems.deepRequestAt(uri, offset);
      return request && deep.start(request);
    }),
    vscode.commands.registerCommand(OPEN_RUNS_COMMAND, () => pickRun(deep)),
    vscode.commands.registerCommand(OPEN_RUN_COMMAND, (runId: string) => deep.open(runId)),
    vscode.commands.registerCommand(DEEP_PROVE_TEST_COMMAND, () => deep),
  );
}

/** `/deep` in the chat: the statement typed after it, else what QED: Deep Prove would take from the editor. */
export async function chatDeepProve(
  deep: DeepProveController,
  theorems: TheoremActions,
  statement: string | undefined,
  editor: vscode.TextEditor | undefined,
): Promise<{ started: string } | { problem: string | undefined }> {
  const request = statement ? { title: titleOf(statement), statement } : await theorems.deepRequestInEditor(editor);
  // Without a request, or a run, the editor side or the controller has already said why.
  if (!request) return { problem: undefined };
  const runId = await deep.start(request);
  return runId ? { started: request.title } : { problem: undefined };
}
