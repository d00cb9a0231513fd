/**
 * What the editor shows about theorem-like environments: CodeLenses (Prove, or Critique proof
 * and Re-prove when a proof follows; Deep prove beside either; Insert proof once a proof for it
 * is ready) and outline
 * entries with titles, labels and whether each has a proof.
 */
import * as vscode from 'vscode';
import type { TheoremEnvironment } from '../core/theorems/types';
import { readSettings } from './settings';
import type { TheoremIndex } from './theoremIndex';

export const DEEP_PROVE_AT_COMMAND = 'qed.deepProveAt';

/** Arguments of the CodeLens commands: the document and where its `\begin` is. */
export type EnvironmentArgs = [uri: string, offset: number];

export function environmentName(environment: TheoremEnvironment): string {
  return environment.optionalTitle ? `${environment.title} (${environment.optionalTitle})` : environment.title;
}

export class TheoremLenses implements vscode.CodeLensProvider, vscode.DocumentSymbolProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly index: TheoremIndex,
    /** Whether a finished proof for this environment waits to be inserted. */
    private readonly hasProofToInsert: (uri: vscode.Uri, environment: TheoremEnvironment) => boolean,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const { codeLens } = readSettings();
    if (!codeLens.enabled) return [];
    const theorems = await this.index.theorems(document);
    if (!theorems) return [];
    const extra = new Set(codeLens.extraEnvironments);
    const hidden = new Set(codeLens.hiddenEnvironments);
    return theorems.environments
      .filter((environment) => !hidden.has(environment.env) && (environment.kind === 'theorem' || extra.has(environment.env)))
      .flatMap((environment) => {
        const range = new vscode.Range(document.positionAt(environment.span.start), document.positionAt(environment.span.start));
        const args: EnvironmentArgs = [document.uri.toString(), environment.span.start];
        const name = environmentName(environment);
        const lens = (title: string, command: string, tooltip: string) => new vscode.CodeLens(range, { title, command, tooltip, arguments: args });
        const deep = lens('Deep prove', DEEP_PROVE_AT_COMMAND, `Search for a proof of ${name}: many attempts, each verified, the best refined (Deep Prove)`);
        const lenses = environment.proof
          ? [
              lens('Critique proof', 'qed.critiqueAt', `Ask QED-Nano to check the proof of ${name}`),
              lens('Re-prove', 'qed.reproveAt', `Ask QED-Nano for a new proof of ${name}`),
              deep,
            ]
          : [lens('Prove', 'qed.proveAt', `Ask QED-Nano to prove ${name}`), deep];
        if (this.hasProofToInsert(document.uri, environment)) {
          lenses.push(lens('Insert proof', 'qed.insertProofAt', `Insert QED's proof of ${name} after the statement`));
        }
        return lenses;
      });
  }

  async provideDocumentSymbols(document: vscode.TextDocument): Promise<vscode.DocumentSymbol[]> {
    const theorems = await this.index.theorems(document);
    if (!theorems) return [];
    // Files this document names that were not read (a pipe, a device, too large): their environments are missing.
    const skipped = theorems.problems.flatMap((problem) => {
      if (!problem.skipped) return [];
      const at = new vscode.Range(document.positionAt(problem.offset), document.positionAt(problem.offset));
      return [new vscode.DocumentSymbol(problem.message, 'not read', vscode.SymbolKind.File, at, at)];
    });
    const environments = theorems.environments.map((environment) => {
      const end = environment.proof?.span.end ?? environment.span.end;
      const range = new vscode.Range(document.positionAt(environment.span.start), document.positionAt(end));
      const selection = new vscode.Range(document.positionAt(environment.span.start), document.positionAt(environment.statement.start));
      const detail = [environment.label, environment.kind === 'theorem' ? (environment.proof ? 'proved' : 'no proof') : undefined]
        .filter(Boolean)
        .join(' · ');
      const symbol = new vscode.DocumentSymbol(environmentName(environment), detail, SYMBOL_KIND[environment.kind], range, selection.isEmpty ? range : selection);
      if (environment.proof) {
        const proof = new vscode.Range(document.positionAt(environment.proof.span.start), document.positionAt(environment.proof.span.end));
        symbol.children = [new vscode.DocumentSymbol('Proof', '', vscode.SymbolKind.Event, proof, new vscode.Range(proof.start, proof.start))];
      }
      return symbol;
    });
    return [...skipped, ...environments];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const SYMBOL_KIND: Record<TheoremEnvironment['kind'], vscode.SymbolKind> = {
  theorem: vscode.SymbolKind.Function,
  definition: vscode.SymbolKind.Constant,
  remark: vscode.SymbolKind.String,
};
