/**
 * How many answers (a single Prove, a chat answer) are being written now. The Proof panel and the
 * chat report each answer's life here; whoever shares the backend with them (Deep Prove) listens,
 * without the answering side knowing who does.
 */
import * as vscode from 'vscode';

export class AnswerActivity implements vscode.Disposable {
  private active = 0;
  private readonly changed = new vscode.EventEmitter<number>();
  /** Fires with the new count whenever an answer starts or ends. */
  readonly onDidChange = this.changed.event;

  get count(): number {
    return this.active;
  }

  /** Counts an answer as being written until `work` settles; returns `work`'s outcome. */
  async during<T>(work: Promise<T>): Promise<T> {
    this.active++;
    this.changed.fire(this.active);
    try {
      return await work;
    } finally {
      this.active--;
      this.changed.fire(this.active);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
