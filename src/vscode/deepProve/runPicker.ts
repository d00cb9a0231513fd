/**
 * "QED: Open Deep Prove Run…": the saved runs, newest first, with their date, status and best
 * score; picking one opens its panel, the trash button deletes it (after asking).
 */
import * as vscode from 'vscode';
import { journalOwner } from '../../core/deepProve/journalLock';
import { summarizeRun, type RunSummary } from '../../core/deepProve/runSummary';
import type { DeepProveController } from './deepProveController';

interface RunItem extends vscode.QuickPickItem {
  runId: string;
}

const DELETE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this run' };

export async function pickRun(controller: DeepProveController): Promise<void> {
  const pick = vscode.window.createQuickPick<RunItem>();
  pick.title = 'QED: Open Deep Prove Run';
  pick.placeholder = 'Saved Deep Prove runs, newest first';
  pick.matchOnDetail = true;
  const refresh = async () => {
    pick.busy = true;
    const { runs, damaged } = await controller.store.list();
    pick.items = [
      ...runs.map(({ runId, summary }) => {
        // This window's own view of a run is newer than what its journal said when the list read it.
        const shown = controller.viewOf(runId);
        const going = controller.isRunning(runId) ? 'here' : journalOwner(controller.store.folderOf(runId)) !== undefined ? 'elsewhere' : undefined;
        return item(runId, shown ? summarizeRun(shown) : summary, going);
      }),
      ...damaged.map(({ runId, error }) => ({ runId, label: `$(warning) ${runId}`, description: 'cannot be read', detail: error, buttons: [DELETE] })),
    ];
    if (pick.items.length === 0) pick.placeholder = 'No Deep Prove runs yet: start one with QED: Deep Prove, or the Deep prove CodeLens above a theorem.';
    pick.busy = false;
  };
  await new Promise<void>((resolve) => {
    pick.onDidAccept(() => {
      const chosen = pick.selectedItems[0];
      pick.hide();
      if (chosen) void controller.open(chosen.runId);
    });
    pick.onDidTriggerItemButton(async ({ item: chosen }) => {
      const answer = await vscode.window.showWarningMessage(`Delete the Deep Prove run “${chosen.label}”?`, { modal: true, detail: 'Its journal (every call and proof it made) is removed from disk.' }, 'Delete');
      if (answer !== 'Delete') return;
      await controller.remove(chosen.runId);
      await refresh();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve();
    });
    pick.show();
    void refresh();
  });
}

/** `going`: the run's session is going in this window, or in another window or terminal (it holds the journal's lock). */
function item(runId: string, run: RunSummary, going: 'here' | 'elsewhere' | undefined): RunItem {
  const status = statusText(run, going);
  const best = run.bestMean === null ? 'no score' : `best ${run.bestMean.toFixed(2)}`;
  // All on the detail line, status first: a title with its file and line fills the label's line, cutting off what follows it.
  return {
    runId,
    label: run.title,
    detail: `${status} · ${best} · ${run.candidates} candidates · ${run.tokens.toLocaleString('en-US')} tokens · ${new Date(run.createdAt).toLocaleString()}`,
    buttons: [DELETE],
  };
}

function statusText(run: RunSummary, going: 'here' | 'elsewhere' | undefined): string {
  if (going === 'here') return 'running';
  if (going === 'elsewhere') return 'running in another window or terminal';
  // A session that did not end and is going nowhere was interrupted.
  if (run.status === 'running') return 'interrupted';
  return run.status === 'ended' ? endText(run.end) : run.status;
}

function endText(reason: RunSummary['end']): string {
  switch (reason) {
    case 'complete':
      return 'finished';
    case 'solved':
      return 'solved';
    case 'user':
      return 'stopped';
    case 'budget':
      return 'token budget used';
    case 'time':
      return 'time limit reached';
    default:
      return 'ended on an error';
  }
}
