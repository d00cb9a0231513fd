/**
 * The Deep Prove panels: one webview panel per run (viewType `qed.deepProvePanel`), drawn by the
 * `deep` page bundle (dist/webview/deep.js and deep.css). The host owns the run: the panel is sent
 * the whole view after every journal entry and the calls streaming now, at most every 250 ms, in
 * between; the page reports what the user asked for (deepProtocol.ts).
 *
 * After a window reload VS Code re-creates the panels through the serializer. The page keeps its
 * run's id in its webview state (`vscode.setState({ runId, … })`); for a page that did not save
 * it, the ids of the panels that were open are kept here too, and handed out in order.
 */
import * as vscode from 'vscode';
import type { LiveCall } from '../../core/deepProve/deepProveRun';
import type { RunView } from '../../core/deepProve/runView';
import { deepToHost, type DeepToHost, type HostToDeep } from '../../core/webview/deepProtocol';
import { isPlainObject } from '../../core/webview/schema';
import { webviewPage } from '../webviewPage';

export const DEEP_PANEL_VIEW_TYPE = 'qed.deepProvePanel';
/** How often the calls streaming now are sent: often enough for counts that move, not per token. */
export const LIVE_INTERVAL_MS = 250;
const OPEN_PANELS_KEY = 'qed.deepProve.openPanels';

/** What a panel draws. */
export interface DeepPanelContent {
  view: RunView;
  live: readonly LiveCall[];
  macros?: Record<string, string>;
  insertable: boolean;
}

export interface DeepPanelHost {
  /** The run as it stands (loading it from its journal if needed); undefined if it cannot be shown. */
  content(runId: string): Promise<DeepPanelContent | undefined>;
  /** A request from a run's page (already checked to be for that run). */
  message(runId: string, message: Exclude<DeepToHost, { type: 'ready' }>): void;
}

export class DeepProvePanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  private readonly pendingLive = new Map<string, { live: readonly LiveCall[]; timer: ReturnType<typeof setTimeout> }>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Ids of the panels that were open before the reload, not yet restored. */
  private unclaimed: string[];
  /** The window is closing: its panels go away but must stay listed, to come back after it. */
  private closing = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: DeepPanelHost,
    /** The workspace's memento: which runs had a panel open. */
    private readonly state: vscode.Memento,
  ) {
    this.unclaimed = [...state.get<string[]>(OPEN_PANELS_KEY, [])];
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(DEEP_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, saved: unknown) => this.restore(panel, saved),
      }),
    );
  }

  /** Opens (or reveals) the run's panel. */
  async show(runId: string): Promise<void> {
    const open = this.panels.get(runId);
    if (open) return open.reveal(undefined, true);
    const content = await this.host.content(runId);
    if (!content) return;
    const panel = vscode.window.createWebviewPanel(DEEP_PANEL_VIEW_TYPE, titleOf(content.view), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    this.adopt(runId, panel, content.view);
  }

  isOpen(runId: string): boolean {
    return this.panels.has(runId);
  }

  /** Sends the run's whole view to its panel, if it has one (after every journal entry). */
  async postView(runId: string): Promise<void> {
    const panel = this.panels.get(runId);
    if (!panel) return;
    const content = await this.host.content(runId);
    if (!content) return;
    // The whole view carries the live calls too: a pending live update would only repeat them.
    this.cancelLive(runId);
    panel.title = titleOf(content.view);
    const message: HostToDeep = {
      type: 'view',
      view: content.view,
      live: [...content.live],
      now: Date.now(),
      ...(content.macros && { macros: content.macros }),
      ...(content.insertable && { insertable: true as const }),
    };
    void panel.webview.postMessage(message);
  }

  /** The calls streaming now; sent at most every LIVE_INTERVAL_MS, the latest ones. */
  postLive(runId: string, live: readonly LiveCall[]): void {
    if (!this.panels.has(runId)) return;
    const pending = this.pendingLive.get(runId);
    if (pending) {
      pending.live = live;
      return;
    }
    const timer = setTimeout(() => {
      const latest = this.pendingLive.get(runId);
      this.pendingLive.delete(runId);
      if (!latest) return;
      const message: HostToDeep = { type: 'live', runId, live: [...latest.live], now: Date.now() };
      void this.panels.get(runId)?.webview.postMessage(message);
    }, LIVE_INTERVAL_MS);
    this.pendingLive.set(runId, { live, timer });
  }

  close(runId: string): void {
    this.panels.get(runId)?.dispose();
  }

  dispose(): void {
    this.closing = true;
    for (const runId of this.pendingLive.keys()) this.cancelLive(runId);
    // Disposing the panels would forget them: VS Code restores the ones open when the window closes.
    for (const disposable of this.disposables) disposable.dispose();
  }

  private cancelLive(runId: string): void {
    clearTimeout(this.pendingLive.get(runId)?.timer);
    this.pendingLive.delete(runId);
  }

  private async restore(panel: vscode.WebviewPanel, saved: unknown): Promise<void> {
    const stated = isPlainObject(saved) && typeof saved.runId === 'string' ? saved.runId : undefined;
    const runId = stated ?? this.unclaimed.find((id) => !this.panels.has(id));
    this.unclaimed = this.unclaimed.filter((id) => id !== runId);
    const content = runId === undefined || this.panels.has(runId) ? undefined : await this.host.content(runId);
    if (runId === undefined || !content) {
      // Nothing to show (the run was deleted, or its journal cannot be read; the host said why).
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    this.adopt(runId, panel, content.view);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
    };
  }

  private adopt(runId: string, panel: vscode.WebviewPanel, view: RunView): void {
    this.panels.set(runId, panel);
    this.saveOpen();
    panel.title = titleOf(view);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = webviewPage(panel.webview, this.extensionUri, 'deep', titleOf(view));
    // Both listeners go away with the panel itself.
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!deepToHost.is(message)) return;
      if (message.type === 'ready') void this.postView(runId);
      else if (message.runId === runId) this.host.message(runId, message);
    });
    panel.onDidDispose(() => {
      if (this.panels.get(runId) !== panel) return;
      this.panels.delete(runId);
      this.cancelLive(runId);
      this.saveOpen();
    });
  }

  private saveOpen(): void {
    if (this.closing) return;
    void this.state.update(OPEN_PANELS_KEY, [...this.panels.keys()]);
  }
}

function titleOf(view: RunView): string {
  return `Deep Prove: ${view.run.title}`;
}
