/**
 * The commands that act on theorem-like environments: Prove (from a CodeLens, the cursor or a
 * selection), Re-prove, Critique proof (findings become diagnostics), repair a finding, and
 * Insert proof; and the Deep Prove requests, with the same statement and document context as
 * Prove. They turn a document position into a run request with its document context.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { critiqueMessages, repairMessages } from '../core/critique/critiquePrompt';
import { parseCritique, type Critique } from '../core/critique/parseCritique';
import { DocumentContext } from '../core/documentContext';
import { cleanStatement, proveMessages } from '../core/prompts';
import { environmentAt } from '../core/theorems/latexScanner';
import type { TheoremEnvironment } from '../core/theorems/types';
import { CritiqueDiagnostics, type CritiqueTarget } from './critiqueDiagnostics';
import type { DeepRequest, ProofDestination } from './deepProve/deepProveController';
import type { FinishedRun, ProofController, RunOrigin } from './proofController';
import { ProofInserter, sameEnvironment } from './proofInserter';
import { readSettings } from './settings';
import { documentKey, projectFolder, type DocumentTheorems, type TheoremIndex } from './theoremIndex';
import { environmentName, TheoremLenses } from './theoremLenses';

/** What Prove (or Deep Prove) is asked to prove: the statement's source text, named, with where its proof goes. */
interface ProveTarget {
  document: vscode.TextDocument;
  theorems: DocumentTheorems | undefined;
  source: string;
  title: string;
  origin: RunOrigin;
}

interface Located {
  document: vscode.TextDocument;
  theorems: DocumentTheorems;
  environment: TheoremEnvironment;
}

export class TheoremActions implements vscode.Disposable, ProofDestination {
  private readonly context = new DocumentContext();
  private readonly inserter: ProofInserter;
  readonly lenses: TheoremLenses;
  /** Finished proofs from CodeLens/cursor runs that can still be inserted. */
  private readyProofs: FinishedRun[] = [];
  /** The handling of the last finished run (findings, Insert proof lens), for whenSettled. */
  private settling: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly index: TheoremIndex,
    private readonly proofs: ProofController,
    readonly diagnostics: CritiqueDiagnostics,
  ) {
    this.inserter = new ProofInserter(index);
    this.lenses = new TheoremLenses(index, (uri, environment) => this.readyProofFor(uri, environment) !== undefined);
    this.disposables.push(
      this.lenses,
      proofs.onDidFinishRun((finished) => {
        this.settling = this.onFinished(finished).catch((error: unknown) => {
          void vscode.window.showErrorMessage(`QED: ${error instanceof Error ? error.message : String(error)}`);
        });
      }),
      proofs.onDidRequestInsert((finished) => void this.insert(finished)),
    );
  }

  /** Resolves when what follows the last finished run (diagnostics, lenses) is in place. */
  whenSettled(): Promise<void> {
    return this.settling;
  }

  /** "QED: Prove Selection": the selected text, or the environment at the cursor. */
  async proveSelection(): Promise<void> {
    const target = await this.targetInEditor(vscode.window.activeTextEditor);
    if (target) await this.startProve(target);
  }

  /** "QED: Deep Prove" (and the chat's /deep): what Prove Selection would prove, as a Deep Prove request. */
  async deepRequestInEditor(editor: vscode.TextEditor | undefined): Promise<DeepRequest | undefined> {
    const target = await this.targetInEditor(editor);
    return target && this.deepRequest(target);
  }

  /** The Deep prove CodeLens: the environment at `offset`. */
  async deepRequestAt(uri: string, offset: number): Promise<DeepRequest | undefined> {
    const located = await this.locate(await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)), offset);
    return located && this.deepRequest(this.environmentTarget(located, located.environment.proof !== null));
  }

  /** The selected text, or the environment at the cursor, with where its proof goes; warns and gives undefined when there is neither. */
  private async targetInEditor(editor: vscode.TextEditor | undefined): Promise<ProveTarget | undefined> {
    if (!editor) return void vscode.window.showWarningMessage('QED: open a LaTeX or Markdown file and select a statement, or put the cursor in a theorem.');
    const { document, selection } = editor;
    const selected = document.getText(selection);
    if (!selected.trim()) {
      const located = await this.locate(document, document.offsetAt(selection.active));
      if (!located) {
        return void vscode.window.showWarningMessage('QED: select the statement to prove, or put the cursor inside a theorem, lemma or other theorem-like environment.');
      }
      return this.environmentTarget(located, false);
    }
    const start = document.offsetAt(selection.start);
    const located = await this.locate(document, start);
    // A selection within one environment (its statement, or all of it from \begin to \end) proves
    // that statement, is named after it, and its proof can go back after it.
    const inside = located && start >= located.environment.span.start && document.offsetAt(selection.end) <= located.environment.span.end;
    const theorems = located?.theorems ?? (await this.index.theorems(document));
    const origin: RunOrigin = {
      uri: document.uri,
      format: theorems?.format ?? 'markdown',
      environment: inside ? located.environment : undefined,
      statementSource: selected,
      anchor: inside ? located.environment.span.end : document.offsetAt(selection.end),
      version: document.version,
      replacesProof: false,
    };
    const title = inside ? runTitle(document, located.environment) : `${path.basename(document.fileName)}:${selection.start.line + 1}`;
    return { document, theorems, source: selected, title, origin };
  }

  /** "QED: Critique Proof": the proof of the environment at the cursor (or whose proof holds it). */
  async critiqueAtCursor(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return void vscode.window.showWarningMessage('QED: open a LaTeX or Markdown file and put the cursor in a theorem that has a proof.');
    await this.critiqueAt(editor.document.uri.toString(), editor.document.offsetAt(editor.selection.active));
  }

  async proveAt(uri: string, offset: number, reprove: boolean): Promise<void> {
    const located = await this.locate(await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)), offset);
    if (located) await this.prove(located, reprove);
  }

  async critiqueAt(uri: string, offset: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const located = await this.locate(document, offset);
    const proof = located?.environment.proof;
    if (!located || !proof) {
      return void vscode.window.showWarningMessage(
        located
          ? `QED: ${environmentName(located.environment)} has no proof after it to critique. Use Prove instead.`
          : 'QED: put the cursor inside a theorem-like environment that is followed by a proof.',
      );
    }
    const { environment, theorems } = located;
    const statement = cleanStatement(this.textOf(document, environment.statement));
    const proofText = this.textOf(document, proof.body);
    const { context, summary, outsideFiles } = this.contextFor(document, theorems, statement);
    await this.proofs.start({
      kind: 'critique',
      title: `Critique · ${runTitle(document, environment)}`,
      statement,
      proof: proofText,
      messages: critiqueMessages(statement, proofText, context),
      contextSummary: summary,
      outsideContextFiles: outsideFiles,
      macros: context.katexMacros,
      origin: this.originOf(located, false),
    });
  }

  async repair(uri: string, id: number): Promise<void> {
    const finding = this.diagnostics.finding(uri, id);
    if (!finding) return void vscode.window.showWarningMessage('QED: that finding is gone (the proof was edited or the critique cleared). Run Critique Proof again.');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const located = await this.locate(document, finding.span.start);
    const { statement, proof, critique } = finding.target;
    await this.proofs.start({
      kind: 'repair',
      title: `Repair · ${located ? environmentName(located.environment) : path.basename(document.fileName)}`,
      statement,
      proof,
      messages: repairMessages(statement, proof, critique, finding.issue),
      macros: located ? this.contextFor(document, located.theorems, statement).context.katexMacros : undefined,
      origin: located ? this.originOf(located, true) : undefined,
    });
  }

  /** Insert proof from a CodeLens: the finished proof for that environment. */
  async insertAt(uri: string, offset: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const located = await this.locate(document, offset);
    const ready = located && this.readyProofFor(document.uri, located.environment);
    if (!ready) return void vscode.window.showWarningMessage('QED: there is no finished proof of this statement to insert.');
    await this.insert(ready);
  }

  /** "QED: Insert Proof": the Proof panel's current answer. */
  async insertCurrent(): Promise<void> {
    const current = this.proofs.currentRequest;
    if (!current?.request.origin || current.run.kind === 'critique') {
      return void vscode.window.showWarningMessage('QED: the Proof panel shows no proof that came from a document. Start one with Prove on a theorem.');
    }
    await this.insert(current);
  }

  private async insert({ request, run }: FinishedRun): Promise<void> {
    if (!request.origin) return;
    if (run.answer.status === 'streaming') {
      return void vscode.window.showWarningMessage('QED: the proof is still being written; insert it when it is finished.');
    }
    if (await this.inserter.insert(request.origin, run.answer.content)) {
      this.readyProofs = this.readyProofs.filter((ready) => ready.run.runId !== run.runId);
      this.changed();
    }
  }

  private async prove(located: Located, reprove: boolean): Promise<void> {
    await this.startProve(this.environmentTarget(located, reprove));
  }

  private environmentTarget(located: Located, replacesProof: boolean): ProveTarget {
    const { document, environment, theorems } = located;
    return { document, theorems, source: this.textOf(document, environment.statement), title: runTitle(document, environment), origin: this.originOf(located, replacesProof) };
  }

  private async startProve({ document, theorems, source, title, origin }: ProveTarget): Promise<void> {
    const statement = cleanStatement(source);
    if (!statement) return void vscode.window.showWarningMessage('QED: the statement is empty.');
    const context = theorems ? this.contextFor(document, theorems, statement) : undefined;
    await this.proofs.start({
      kind: 'prove',
      title,
      statement,
      messages: proveMessages(statement, context?.context),
      problem: { statement, contextText: context?.context.text },
      contextSummary: context?.summary,
      outsideContextFiles: context?.outsideFiles,
      macros: context?.context.katexMacros,
      origin,
    });
  }

  /** The same statement and document context as Prove, for Deep Prove. */
  private deepRequest({ document, theorems, source, title, origin }: ProveTarget): DeepRequest | undefined {
    const statement = cleanStatement(source);
    if (!statement) return void vscode.window.showWarningMessage('QED: the statement is empty.');
    const context = theorems ? this.contextFor(document, theorems, statement).context : undefined;
    const at = origin.environment ? origin.environment.span.start : Math.max(0, origin.anchor - origin.statementSource.length);
    const label = origin.environment?.label;
    return {
      title,
      statement,
      contextText: context?.text,
      macros: context && Object.keys(context.katexMacros).length ? context.katexMacros : undefined,
      origin,
      source: { file: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(), line: document.positionAt(at).line + 1, ...(label && { label }) },
    };
  }

  /**
   * Inserts a proof that did not come from the Proof panel (a Deep Prove candidate) where its
   * statement is, as Insert proof does, and shows its verifiers' findings on it as a critique's.
   */
  async insertProof(origin: RunOrigin, proof: string, findings?: { statement: string; critique: Critique }): Promise<boolean> {
    if (!(await this.inserter.insert(origin, proof))) return false;
    if (!findings || findings.critique.issues.length === 0) return true;
    const document = await vscode.workspace.openTextDocument(origin.uri);
    let body: { start: number; end: number } | undefined;
    if (origin.environment) {
      const environment = (await this.index.theorems(document))?.environments.find((candidate) => sameEnvironment(document, candidate, origin));
      body = environment?.proof?.body;
    } else {
      // A plain selection: the inserter leaves what it inserted selected.
      const editor = vscode.window.visibleTextEditors.find((visible) => visible.document === document);
      body = editor && { start: document.offsetAt(editor.selection.start), end: document.offsetAt(editor.selection.end) };
    }
    if (body) this.diagnostics.show(document, body.start, { statement: findings.statement, proof: this.textOf(document, body), critique: findings.critique });
    return true;
  }

  private async onFinished(finished: FinishedRun): Promise<void> {
    const { request, run } = finished;
    const origin = request.origin;
    const { answer } = run;
    if (!origin || answer.status === 'streaming' || answer.status === 'error' || !answer.content.trim()) return;
    if (request.kind === 'critique') return this.showFindings(origin, request, answer.content, answer.finishReason);
    this.readyProofs = [...this.readyProofs.filter((ready) => !sameOrigin(ready.request.origin!, origin)), finished];
    this.changed();
  }

  private async showFindings(origin: RunOrigin, request: FinishedRun['request'], answer: string, finishReason: FinishedRun['run']['answer']['finishReason']): Promise<void> {
    const critique = parseCritique(answer, finishReason);
    const document = await vscode.workspace.openTextDocument(origin.uri);
    const theorems = await this.index.theorems(document);
    const environment = theorems?.environments.find((candidate) => sameEnvironment(document, candidate, origin));
    if (!environment?.proof) {
      return void vscode.window.showWarningMessage('QED: the critiqued proof is no longer in the document, so its findings are only in the Proof panel.');
    }
    // Findings are placed on the proof as it is now; quotes that no longer match go to its first line.
    const target: CritiqueTarget = { statement: request.statement, proof: this.textOf(document, environment.proof.body), critique };
    const { located, total } = this.diagnostics.show(document, environment.proof.body.start, target);
    const verdict = critique.verdict === 'correct' ? 'Correct' : critique.verdict === 'minor-issues' ? 'Minor issues' : critique.verdict === 'incorrect' ? 'Incorrect' : 'No verdict';
    const where = total === 0 ? 'no findings' : `${total} finding${total === 1 ? '' : 's'}${located < total ? `, ${total - located} not found in the text (shown on the proof’s first line)` : ''}`;
    void vscode.window.showInformationMessage(`QED critique of ${environmentName(environment)}: ${verdict} · ${where}.`);
  }

  private readyProofFor(uri: vscode.Uri, environment: TheoremEnvironment): FinishedRun | undefined {
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
    if (!document) return undefined;
    return this.readyProofs.find(({ request }) => request.origin?.uri.toString() === uri.toString() && sameEnvironment(document, environment, request.origin));
  }

  private async locate(document: vscode.TextDocument, offset: number): Promise<Located | undefined> {
    const theorems = await this.index.theorems(document);
    const environment = theorems && environmentAt(theorems.environments, documentKey(document), offset);
    return theorems && environment ? { document, theorems, environment } : undefined;
  }

  private originOf({ document, theorems, environment }: Located, replacesProof: boolean): RunOrigin {
    return {
      uri: document.uri,
      format: theorems.format,
      environment,
      statementSource: this.textOf(document, environment.statement),
      anchor: environment.span.end,
      version: document.version,
      replacesProof,
    };
  }

  private contextFor(document: vscode.TextDocument, theorems: DocumentTheorems, statement: string) {
    const texts = theorems.project?.texts ?? new Map([[documentKey(document), document.getText()]]);
    const environments = theorems.project?.environments ?? theorems.environments;
    return this.context.forStatement(statement, environments, texts, readSettings().contextBudget, projectFolder(document));
  }

  private textOf(document: vscode.TextDocument, span: { start: number; end: number }): string {
    return document.getText(new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
  }

  private changed(): void {
    this.lenses.refresh();
    const current = this.proofs.currentRequest;
    void vscode.commands.executeCommand('setContext', 'qed.canInsertProof', !!current?.request.origin && current.run.kind !== 'critique' && !!current.run.answer.content);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function sameOrigin(a: RunOrigin, b: RunOrigin): boolean {
  return a.uri.toString() === b.uri.toString() && a.statementSource === b.statementSource;
}

/** "Lemma (Name) · paper.tex:38"; a result without a name goes by its label: "Lemma [lem:key] · paper.tex:38". */
function runTitle(document: vscode.TextDocument, environment: TheoremEnvironment): string {
  const label = !environment.optionalTitle && environment.label ? ` [${environment.label}]` : '';
  return `${environmentName(environment)}${label} · ${path.basename(document.fileName)}:${document.positionAt(environment.span.start).line + 1}`;
}
