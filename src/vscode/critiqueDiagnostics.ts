/**
 * A finished critique as squiggles on the proof it judged: each finding whose quote can be found
 * in the proof marks that passage; the others mark the proof's first line. Findings follow the
 * text as it is edited (see spanEdits) and offer a quick fix that asks QED to repair the step.
 */
import * as vscode from 'vscode';
import type { Critique, CritiqueIssue } from '../core/critique/parseCritique';
import { locateQuote } from '../core/critique/locateQuote';
import { spanAfterEdits } from '../core/spanEdits';
import type { Span } from '../core/theorems/types';

export const REPAIR_COMMAND = 'qed.repairStep';

/** What a repair needs: the statement, the proof as it was judged, and the whole critique. */
export interface CritiqueTarget {
  statement: string;
  proof: string;
  critique: Critique;
}

export interface Finding {
  id: number;
  issue: CritiqueIssue;
  target: CritiqueTarget;
  /** Offsets in the document of the quoted passage, or the point where the proof's text starts. */
  span: Span;
  located: boolean;
}

const SEVERITY: Record<CritiqueIssue['severity'], { level: vscode.DiagnosticSeverity; label: string }> = {
  critical: { level: vscode.DiagnosticSeverity.Error, label: 'Critical error' },
  gap: { level: vscode.DiagnosticSeverity.Warning, label: 'Justification gap' },
  minor: { level: vscode.DiagnosticSeverity.Information, label: 'Minor issue' },
};

export class CritiqueDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('QED');
  private readonly findings = new Map<string, Finding[]>();
  private nextId = 1;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidChangeTextDocument((event) => this.follow(event)),
    );
  }

  /**
   * Shows a critique of the proof whose text starts at `proofOffset` in `document`.
   * Returns how many findings were located in the text.
   */
  show(document: vscode.TextDocument, proofOffset: number, target: CritiqueTarget): { located: number; total: number } {
    // Unlocated findings hold a point where the proof's text starts and are shown on its line:
    // editing that line does not drop them, as it would a span of the text.
    const textStart = proofOffset + (target.proof.length - target.proof.trimStart().length);
    const findings = target.critique.issues.map((issue): Finding => {
      const found = issue.quote ? locateQuote(target.proof, issue.quote) : null;
      const span = found ? { start: proofOffset + found.start, end: proofOffset + found.end } : { start: textStart, end: textStart };
      return { id: this.nextId++, issue, target, span, located: found !== null };
    });
    this.findings.set(document.uri.toString(), findings);
    this.publish(document);
    return { located: findings.filter((finding) => finding.located).length, total: findings.length };
  }

  clear(uri?: vscode.Uri): void {
    if (uri) {
      this.findings.delete(uri.toString());
      this.collection.delete(uri);
    } else {
      this.findings.clear();
      this.collection.clear();
    }
  }

  finding(uri: string, id: number): Finding | undefined {
    return this.findings.get(uri)?.find((finding) => finding.id === id);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    return context.diagnostics
      .filter((diagnostic) => diagnostic.source === 'QED' && typeof diagnostic.code === 'object')
      .map((diagnostic) => {
        const id = Number((diagnostic.code as { value: string | number }).value.toString().split('#')[1]);
        const action = new vscode.CodeAction('Ask QED to repair this step', vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: REPAIR_COMMAND, title: 'Ask QED to repair this step', arguments: [document.uri.toString(), id] };
        return action;
      });
  }

  private publish(document: vscode.TextDocument): void {
    const findings = this.findings.get(document.uri.toString()) ?? [];
    this.collection.set(
      document.uri,
      findings.map((finding) => {
        const { level, label } = SEVERITY[finding.issue.severity];
        const range = finding.located
          ? new vscode.Range(document.positionAt(finding.span.start), document.positionAt(finding.span.end))
          : lineFrom(document, document.positionAt(finding.span.start));
        const where = finding.located ? '' : ' (the quoted passage was not found in the proof)';
        const diagnostic = new vscode.Diagnostic(range, `${label}: ${finding.issue.explanation}${where}`, level);
        diagnostic.source = 'QED';
        // The id rides in the code so the quick fix can find the finding again.
        diagnostic.code = { value: `${finding.issue.severity}#${finding.id}`, target: vscode.Uri.parse('https://github.com/qed-prover/qed#critique') };
        return diagnostic;
      }),
    );
  }

  private follow(event: vscode.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    const findings = this.findings.get(key);
    if (!findings || event.contentChanges.length === 0) return;
    const edits = event.contentChanges.map((change) => ({ offset: change.rangeOffset, removed: change.rangeLength, inserted: change.text.length }));
    const kept = findings.flatMap((finding) => {
      const span = spanAfterEdits(finding.span, edits);
      return span ? [{ ...finding, span }] : [];
    });
    this.findings.set(key, kept);
    this.publish(event.document);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** From `start` to the end of its line: where an unlocated finding is shown. */
function lineFrom(document: vscode.TextDocument, start: vscode.Position): vscode.Range {
  return new vscode.Range(start, document.lineAt(start.line).range.end);
}
