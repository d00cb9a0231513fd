/**
 * The history menu: a quick pick of this workspace's conversations, newest first, listed afresh
 * when it opens. Picking one opens it; each row's buttons rename it, export it as Markdown (a new
 * untitled document), or delete it (after a confirmation). Files the listing left out or moved
 * aside follow, one row each with the store's warning; picking one shows the history folder.
 */
import * as vscode from 'vscode';
import type { ConversationSummary } from '../../core/conversation/types';
import type { Conversations } from './conversations';

interface ConversationItem extends vscode.QuickPickItem {
  summary: ConversationSummary;
}

interface LeftOutItem extends vscode.QuickPickItem {
  leftOut: true;
}

type HistoryItem = ConversationItem | LeftOutItem | vscode.QuickPickItem;

const RENAME: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Rename' };
const EXPORT: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('markdown'), tooltip: 'Export as Markdown' };
const DELETE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete' };

/** Made on first use: creating it loads ICU data, ~6 ms that activation need not spend. */
let dateFormat: Intl.DateTimeFormat | undefined;
const formatDate = (time: number) => (dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })).format(time);

function itemsOf(history: readonly ConversationSummary[], currentId: string | undefined): ConversationItem[] {
  return history.map((summary) => ({
    summary,
    label: summary.title,
    description: `${summary.id === currentId ? 'open · ' : ''}${formatDate(summary.updatedAt)}`,
    detail: summary.origin ? `from ${summary.origin.file}, lines ${summary.origin.startLine}–${summary.origin.endLine}` : undefined,
    buttons: [RENAME, EXPORT, DELETE],
  }));
}

/** A row per file the listing left out or moved aside, after a separator. */
function leftOutItemsOf(warnings: readonly string[], folder: string): HistoryItem[] {
  if (!warnings.length) return [];
  const rows = warnings.map((warning): LeftOutItem => ({ leftOut: true, label: `$(warning) ${warning}`, detail: `In ${folder}` }));
  return [{ label: 'Not in the history', kind: vscode.QuickPickItemKind.Separator }, ...rows];
}

export function showHistory(conversations: Conversations): Promise<void> {
  const pick = vscode.window.createQuickPick<HistoryItem>();
  pick.title = 'QED: Conversations';
  pick.placeholder = 'Open a conversation (buttons: rename, export as Markdown, delete)';
  pick.matchOnDetail = true;
  const refresh = () => {
    pick.items = [...itemsOf(conversations.historyList, conversations.current?.id), ...leftOutItemsOf(conversations.historyWarnings, conversations.historyFolder)];
  };
  refresh();
  // Shown at once with the list as last read, then as the folder is now.
  pick.busy = true;
  let open = true;
  void conversations.reloadHistory().finally(() => {
    if (!open) return;
    refresh();
    pick.busy = false;
  });
  return new Promise((resolve) => {
    pick.onDidAccept(() => {
      const picked = pick.selectedItems[0];
      pick.hide();
      if (picked && 'summary' in picked) void conversations.open(picked.summary.id);
      else if (picked && 'leftOut' in picked) void revealFolder(conversations.historyFolder);
    });
    pick.onDidTriggerItemButton(async ({ item, button }) => {
      if (!('summary' in item)) return;
      const { id, title } = item.summary;
      if (button === RENAME) {
        pick.hide();
        const next = await vscode.window.showInputBox({ title: 'QED: Rename conversation', value: title, validateInput: (value) => (value.trim() ? undefined : 'A title cannot be empty.') });
        if (next?.trim()) await conversations.rename(id, next.trim());
      } else if (button === EXPORT) {
        pick.hide();
        await exportConversation(conversations, id);
      } else if (button === DELETE) {
        const choice = await vscode.window.showWarningMessage(`Delete the conversation “${title}”?`, { modal: true, detail: 'Its file is removed from this workspace’s QED history.' }, 'Delete');
        if (choice === 'Delete') await conversations.delete(id);
        refresh();
        if (!pick.items.length) pick.hide();
      }
    });
    pick.onDidHide(() => {
      open = false;
      pick.dispose();
      resolve();
    });
    pick.show();
  });
}

/** Opens the OS file manager on the history folder; where there is none (a browser), says where it is. */
async function revealFolder(folder: string): Promise<void> {
  try {
    await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(folder));
  } catch {
    void vscode.window.showInformationMessage(`QED keeps this workspace's conversations in ${folder}`);
  }
}

/** The conversation as a Markdown document, opened untitled for the user to save where they like. */
export async function exportConversation(conversations: Conversations, id: string): Promise<vscode.TextDocument | undefined> {
  const markdown = await conversations.exportMarkdown(id);
  if (markdown === undefined) {
    void vscode.window.showWarningMessage('QED: that conversation is no longer in the history.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}
