/**
 * The Proof panel: one WebviewPanel beside the editor that shows the current run. The host keeps
 * the run's snapshot, so a webview that was hidden, or re-created after a window reload (through
 * the serializer), is redrawn from it.
 */
import * as vscode from 'vscode';
import { panelToHost, savedRun, type HostToPanel, type PanelToHost, type RunSnapshot } from '../core/webview/panelProtocol';
import { webviewPage } from './webviewPage';

export const PROOF_PANEL_VIEW_TYPE = 'qed.proofPanel';
const INTERRUPTED = 'Interrupted when the window reloaded.';

export class ProofPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private run: RunSnapshot | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (message: Exclude<PanelToHost, { type: 'ready' }>) => void,
    /** The user closed the panel: nobody is watching the run any more. */
    private readonly onClosed: () => void,
    /** A run drawn again after a window reload: whether the host can still go on with it. */
    private readonly onRestored: (run: RunSnapshot) => boolean,
    /** The page was sent the whole run: what streams next starts from there. */
    private readonly onSnapshotPosted: () => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PROOF_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const run = savedRun((state as { run?: unknown } | undefined)?.run);
          // A reload ended whatever was generating; say so rather than show a run that never ends.
          if (run?.answer.status === 'streaming') {
            run.answer = { ...run.answer, status: 'stopped', error: INTERRUPTED, endedAt: Date.now() };
            run.progress = undefined;
          }
          if (run) run.detached = !this.onRestored(run);
          this.adopt(panel, run);
        },
      }),
    );
  }

  /** Shows the panel for a new run (creating or revealing it) and draws the run. */
  showRun(run: RunSnapshot): void {
    this.run = run;
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(PROOF_PANEL_VIEW_TYPE, 'QED Proof', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions());
      this.adopt(panel, run);
    } else {
      this.panel.reveal(undefined, true);
      this.postSnapshot();
    }
    this.panel!.title = `QED · ${run.title}`;
  }

  post(message: HostToPanel): void {
    void this.panel?.webview.postMessage(message);
  }

  private postSnapshot(): void {
    this.post({ type: 'snapshot', run: this.run });
    this.onSnapshotPosted();
  }

  get visibleRun(): RunSnapshot | undefined {
    return this.run;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    };
  }

  private adopt(panel: vscode.WebviewPanel, run: RunSnapshot | undefined): void {
    this.panel = panel;
    this.run = run;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.options = this.webviewOptions();
    panel.webview.html = webviewPage(panel.webview, this.extensionUri, 'panel', 'QED Proof');
    // Both listeners go away with the panel itself.
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!panelToHost.is(message)) return;
      if (message.type === 'ready') this.postSnapshot();
      else this.onMessage(message);
    });
    panel.onDidDispose(() => {
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.onClosed();
    });
  }
}
