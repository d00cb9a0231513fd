/**
 * The status bar item of the Deep Prove runs going in this window: the latest run's best score
 * and tokens (and how many others run); a click opens its panel. Hidden when none runs.
 */
import * as vscode from 'vscode';

export const OPEN_RUN_COMMAND = 'qed.deepProveOpen';

export interface RunningRun {
  runId: string;
  title: string;
  best: number | null;
  tokens: number;
  tokenBudget: number;
  /** What it is doing before its first call (starting the engine…). */
  progress?: string;
}

export class DeepProveStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qed.deepProve', vscode.StatusBarAlignment.Right, 99);

  constructor() {
    this.item.name = 'QED Deep Prove';
  }

  /** `runs`: the runs going now, the latest last. */
  show(runs: readonly RunningRun[]): void {
    const latest = runs.at(-1);
    if (!latest) return this.item.hide();
    const best = latest.best === null ? 'no score yet' : `best ${latest.best.toFixed(2)}`;
    const others = runs.length > 1 ? ` (+${runs.length - 1})` : '';
    this.item.text = `$(sync~spin) Deep Prove${others} · ${latest.progress ?? `${best} · ${shortTokens(latest.tokens)} tokens`}`;
    this.item.tooltip = `Deep Prove: ${latest.title}\n${best}, ${latest.tokens.toLocaleString('en-US')} of ${latest.tokenBudget.toLocaleString('en-US')} tokens.\nClick to open its panel.`;
    this.item.command = { command: OPEN_RUN_COMMAND, title: 'Open Deep Prove Run', arguments: [latest.runId] };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** 1,234,567 → "1235k": counts, in decimal thousands (formatTokens's binary ones are for context sizes). */
function shortTokens(tokens: number): string {
  return tokens < 1000 ? String(tokens) : `${Math.round(tokens / 1000)}k`;
}
