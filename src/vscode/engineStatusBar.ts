/**
 * The engine in the status bar: backend and device, the memory plan (attempts × tokens), and
 * what it is doing (loading %, generating at N tok/s, idle), read from the engine's /health
 * while it runs. With an endpoint it names the server instead. Clicking it offers the log, a
 * restart, the plan, the settings, and the CUDA backend where it would help (or why the GPU
 * backend asked for did not load).
 */
import * as vscode from 'vscode';
import { engineStatusText, type EngineHealth, type EngineState } from '../engineShared/engineLabels';
import { INSTALL_CUDA_COMMAND, type CudaBackend } from './cudaBackend';
import type { LocalEngine } from './localEngine';

/** Often enough for a live tok/s; /health costs the engine next to nothing. */
const POLL_BUSY_MS = 1000;
const POLL_IDLE_MS = 5000;

export const ENGINE_MENU_COMMAND = 'qed.engineMenu';

export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qed.engine', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private health: EngineHealth | undefined;

  constructor(private readonly engine: LocalEngine) {
    this.item.name = 'QED Engine';
    this.item.command = ENGINE_MENU_COMMAND;
    this.subscriptions.push(
      engine.onDidChangeState((state) => this.changed(state)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('qed.backend') || event.affectsConfiguration('qed.endpoint.url')) this.render();
      }),
    );
    this.changed(engine.state);
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private changed(state: EngineState): void {
    this.health = undefined;
    clearTimeout(this.timer);
    this.render();
    if (state.kind === 'ready') void this.poll();
  }

  private async poll(): Promise<void> {
    const connection = this.engine.connection;
    if (!connection) return;
    try {
      const response = await fetch(`${connection.baseUrl.replace(/\/v1$/, '')}/health`, {
        headers: { authorization: `Bearer ${connection.apiKey}` },
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok && this.engine.connection === connection) this.health = (await response.json()) as EngineHealth;
    } catch {
      // A busy or restarting engine: keep the last reading; the state events say when it is gone.
    }
    if (this.engine.connection !== connection) return;
    this.render();
    this.timer = setTimeout(() => void this.poll(), (this.health?.active ?? 0) > 0 ? POLL_BUSY_MS : POLL_IDLE_MS);
  }

  private render(): void {
    const config = vscode.workspace.getConfiguration('qed');
    const state = this.engine.state;
    if (config.get('backend') === 'endpoint' && state.kind === 'stopped') {
      const url = config.get<string>('endpoint.url', '').trim();
      this.item.text = `$(cloud) QED · ${hostOf(url) || 'no server set'}`;
      this.item.tooltip = url ? `QED uses the server at ${url} (qed.backend: endpoint).` : 'qed.backend is “endpoint” but qed.endpoint.url is empty.';
      return;
    }
    const shown = engineStatusText(state.kind === 'ready' ? { ...state, health: this.health } : state);
    this.item.text = shown.text;
    this.item.tooltip = new vscode.MarkdownString(shown.tooltip.map(escapeMarkdown).join('\n\n'));
    this.item.backgroundColor = state.kind === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
}

/** The engine menu: what clicking the status bar item offers. */
export async function showEngineMenu(engine: LocalEngine, cuda: CudaBackend): Promise<void> {
  const items: Array<vscode.QuickPickItem & { run: () => unknown }> = [
    { label: '$(output) Show Engine Log', run: () => vscode.commands.executeCommand('qed.showEngineLog') },
    { label: '$(debug-restart) Restart Engine', description: 'loads the model again on the next request, with the current settings', run: () => vscode.commands.executeCommand('qed.restartEngine') },
    { label: '$(settings-gear) Engine Settings', description: 'qed.engine.*, qed.model.path', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'qed.engine') },
    { label: '$(plug) Connect to a Server…', description: 'vLLM, SGLang, llama-server, Ollama, LM Studio, any OpenAI-compatible server', run: () => vscode.commands.executeCommand('qed.connectServer') },
    { label: '$(cloud) Server Settings', description: 'qed.backend, qed.endpoint.*', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'qed.endpoint') },
  ];
  const plan = engine.state.kind === 'ready' ? engine.connection?.info.plan : undefined;
  if (plan) {
    items.splice(1, 0, {
      label: '$(graph) Memory Plan',
      description: `${plan.sequences} × ${plan.contextSize.toLocaleString('en-US')} tokens, ${plan.kvCache} KV cache${plan.backend === 'cpu' ? '' : `, ${plan.gpuLayers}/${plan.totalLayers} layers on the GPU`}`,
      detail: plan.notes.join(' ') || undefined,
      run: () => vscode.commands.executeCommand('qed.showEngineLog'),
    });
  }
  const info = engine.state.kind === 'ready' ? engine.state.info : undefined;
  if (await cuda.offerable(info)) {
    items.splice(1, 0, {
      label: '$(zap) Install the CUDA Backend…',
      description: `this machine has an NVIDIA GPU; the engine runs on ${info?.gpu === 'cpu' ? 'the CPU' : 'Vulkan'}`,
      run: () => vscode.commands.executeCommand(INSTALL_CUDA_COMMAND),
    });
  } else if (info?.fallbackReason) {
    items.splice(1, 0, { label: '$(warning) Why Not the GPU', description: info.fallbackReason, run: () => vscode.commands.executeCommand(/^CUDA/.test(info.fallbackReason!) ? INSTALL_CUDA_COMMAND : 'qed.showEngineLog') });
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'QED Engine' });
  await picked?.run();
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
