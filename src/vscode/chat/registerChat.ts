/**
 * Wires the side-panel chat into the extension: the view, the controller and its history store
 * (per workspace, or global storage when no folder is open), and the chat's commands.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChatToHost } from '../../core/webview/chatProtocol';
import { HistoryStore } from '../../core/conversation/historyStore';
import type { AnswerActivity } from '../answerActivity';
import type { BackendProvider } from '../backendProvider';
import { insertAtCursor, LastEditor } from './answerActions';
import { ChatController } from './chatController';
import { CHAT_VIEW_ID, ChatViewProvider } from './chatViewProvider';
import { exportConversation, showHistory } from './historyCommands';
import { quoteDropped, quoteEditorSelection } from './selectionSource';

/** A command the extension-host tests use to reach the controller; not in the palette. */
export const CHAT_TEST_COMMAND = 'qed.chat.testController';
const SECONDARY_CONTAINER = 'workbench.view.extension.qed-secondary';

/** `/deep`: starts Deep Prove on the statement, or (undefined) on the editor's selection or theorem. */
export type ChatDeepProve = (statement: string | undefined, editor: vscode.TextEditor | undefined) => Promise<{ started: string } | { problem: string | undefined }>;

export function registerChat(context: vscode.ExtensionContext, backends: BackendProvider, activity: AnswerActivity, deepProve: ChatDeepProve): vscode.Disposable {
  const storage = context.storageUri ?? context.globalStorageUri;
  const lastEditor = new LastEditor();
  const controller = new ChatController(new HistoryStore(path.join(storage.fsPath, 'chat')), backends, context.workspaceState, activity, (statement) => deepProve(statement, lastEditor.current));
  const provider: ChatViewProvider = new ChatViewProvider(
    context.extensionUri,
    (message) => handle(message),
    () => controller.attach(undefined),
  );

  function addQuote(quoted: ReturnType<typeof quoteEditorSelection>): void {
    if (!quoted) {
      void vscode.window.showInformationMessage('QED: select some text in an editor first, then Add selection.');
      return;
    }
    if (quoted.source) controller.conversations.noteSource(quoted.source);
    provider.post({ type: 'quote', text: quoted.quote });
  }

  function handle(message: ChatToHost): void {
    switch (message.type) {
      case 'ready':
        controller.attach(provider);
        break;
      case 'send':
        void controller.send(message.text);
        break;
      case 'answerAction': {
        const turn = controller.conversations.findTurn(message.turnId);
        switch (message.action) {
          case 'stop':
            controller.stop();
            break;
          case 'answerNow':
            void controller.answerNow(message.turnId);
            break;
          case 'continue':
          case 'regenerate':
            void controller.rerun(message.turnId, message.action);
            break;
          case 'copy':
            if (turn) void vscode.env.clipboard.writeText(turn.assistant.content);
            break;
          case 'insert':
            if (turn) void insertAtCursor(lastEditor.current, turn.assistant.content);
            break;
        }
        break;
      }
      case 'copyText':
        void vscode.env.clipboard.writeText(message.text);
        break;
      case 'addSelection':
        addQuote(quoteEditorSelection(lastEditor.current));
        break;
      case 'dropText':
        addQuote(quoteDropped(lastEditor.current, message.text));
        break;
      case 'setThinkingBudget':
        controller.conversations.setThinkingBudget(message.budget);
        break;
      case 'dismissWarnings':
        controller.conversations.dismissWarnings();
        break;
    }
  }

  const openChat = () => vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  return vscode.Disposable.from(
    controller,
    lastEditor,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: false } }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('qed.chat')) controller.postSnapshot();
    }),
    vscode.commands.registerCommand('qed.openChat', openChat),
    vscode.commands.registerCommand('qed.chat.newConversation', async () => {
      controller.conversations.newConversation();
      await openChat();
    }),
    vscode.commands.registerCommand('qed.chat.history', () => showHistory(controller.conversations)),
    vscode.commands.registerCommand('qed.chat.addSelection', async () => {
      const quoted = quoteEditorSelection(vscode.window.activeTextEditor);
      await openChat();
      addQuote(quoted);
    }),
    vscode.commands.registerCommand('qed.chat.stop', () => controller.stop()),
    vscode.commands.registerCommand('qed.chat.exportConversation', () => {
      const id = controller.conversations.current?.id;
      return id ? exportConversation(controller.conversations, id) : undefined;
    }),
    // VS Code 1.106+ has a secondary side bar container for extensions (package.json
    // `viewsContainers.secondarySidebar`); older versions ignore it and say so here.
    vscode.commands.registerCommand('qed.chat.moveToSecondarySideBar', async () => {
      try {
        await vscode.commands.executeCommand('vscode.moveViews', { viewIds: [CHAT_VIEW_ID], destinationId: SECONDARY_CONTAINER });
      } catch {
        void vscode.window.showInformationMessage('QED: this VS Code has no secondary side bar for extensions (1.106 or newer has); drag the QED view where you like instead.');
      }
    }),
    vscode.commands.registerCommand(CHAT_TEST_COMMAND, () => controller),
  );
}
