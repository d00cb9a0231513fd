/**
 * QED: Choose Model…: the catalog's quantizations with what each gives on this machine (planned
 * in a child `qed plan`, the rows filled in as plans arrive), a GGUF of the user's own, a server,
 * and Manage downloaded models. Picking a quantization downloads it if needed and makes it the
 * model: `qed.model.quantization` names it and `qed.model.path` (a file the user chose) is cleared.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CATALOG, catalogModel, type CatalogModel } from '../../models/catalog';
import { isQuantization } from '../../models/qed-nano-shape/quantization';
import { formatBytes } from '../core/byteSize';
import { choiceRows, type ChoiceRow, type DiskState, type PlanState } from '../engineHost/modelChoices';
import type { PlanReport } from '../engineShared/planReport';
import { runPlans } from '../engineHost/planRunner';
import { showError } from './errorPresenter';
import type { LocalEngine } from './localEngine';
import type { ModelStore, StoredFile } from './modelStore';
import { readSettings } from './settings';

export const CHOOSE_MODEL_COMMAND = 'qed.chooseModel';
/** Registered by the endpoint wizard (QED: Connect to a Server…). */
const CONNECT_SERVER_COMMAND = 'qed.connectServer';

type RowItem = vscode.QuickPickItem & { row: ChoiceRow };

export class ModelPicker {
  constructor(
    private readonly models: ModelStore,
    private readonly engine: LocalEngine,
    private readonly cliPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async choose(): Promise<void> {
    const picked = await this.pick();
    if (!picked) return;
    try {
      switch (picked.kind) {
        case 'model':
          return await this.useCatalogModel(CATALOG.find((model) => model.id === picked.id)!);
        case 'file':
          return await this.useModelFile();
        case 'server':
          return await this.connectServer();
        case 'manage':
          return await this.manage();
        case 'separator':
          return;
      }
    } catch (error) {
      await showError(error);
    }
  }

  /** Shows the rows, planning meanwhile; resolves with the picked row, or undefined. */
  private async pick(): Promise<ChoiceRow | undefined> {
    const settings = readSettings();
    const [disk, stored] = await Promise.all([this.models.diskStates(), this.models.storedFiles()]);
    const plans = new Map<string, PlanState>(CATALOG.map((model) => [model.id, { kind: 'planning' }]));
    const inputs = () => ({
      entries: CATALOG,
      disk,
      plans,
      selectedId: catalogModel(settings.modelQuantization).id,
      ...(settings.engine.modelPath ? { customPath: settings.engine.modelPath } : {}),
      ...(settings.backend === 'endpoint' ? { endpointUrl: settings.endpoint.url || '(no URL set)' } : {}),
      stored: { files: stored.length, bytes: stored.reduce((sum, file) => sum + file.bytes, 0) },
    });

    const quickPick = vscode.window.createQuickPick<RowItem>();
    quickPick.title = 'QED: Choose Model';
    quickPick.placeholder = 'Where QED-Nano runs: a quantization on this machine (with what the memory plan gives it), a file of your own, or a server';
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    const render = () => {
      const active = quickPick.activeItems[0]?.row;
      const items = choiceRows(inputs()).map(toItem);
      quickPick.items = items;
      const again = active && items.find((item) => sameRow(item.row, active));
      const initial = items.find((item) => item.row.kind === 'model' && item.row.description.includes('in use')) ?? items.find((item) => item.row.kind !== 'separator');
      quickPick.activeItems = [again ?? initial!];
    };
    render();

    const planning = new AbortController();
    quickPick.busy = true;
    const byPath = new Map([...disk].filter((entry): entry is [string, Extract<DiskState, { kind: 'downloaded' }>] => entry[1].kind === 'downloaded').map(([id, state]) => [path.resolve(state.path), id]));
    const onReport = (report: PlanReport) => {
      const id = report.quantization && isQuantization(report.quantization) ? catalogModel(report.quantization).id : byPath.get(path.resolve(report.model));
      if (!id) return;
      plans.set(id, { kind: 'planned', report });
      this.log.info(`Plan for ${CATALOG.find((model) => model.id === id)!.name} (header: ${report.header}${report.headerNote ? `, ${report.headerNote}` : ''}): ${report.sequences} × ${report.contextSize} tokens, ${report.kvCache} cache, ${report.gpuLayers}/${report.totalLayers} layers on ${report.backend}, fits: ${report.fits}. ${report.notes.join(' ')}`);
      render();
    };
    void runPlans(this.cliPath, this.planRequest(disk, settings.engine.gpu), onReport, planning.signal)
      .catch((error: unknown) => {
        if (planning.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        this.log.warn(`Planning the models failed: ${message}`);
        for (const [id, plan] of plans) if (plan.kind === 'planning') plans.set(id, { kind: 'failed', message });
        render();
      })
      .finally(() => {
        if (!planning.signal.aborted) quickPick.busy = false;
      });

    const picked = await new Promise<ChoiceRow | undefined>((resolve) => {
      quickPick.onDidAccept(() => {
        const row = quickPick.selectedItems[0]?.row;
        if (!row || row.kind === 'separator') return;
        resolve(row);
        quickPick.hide();
      });
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
    });
    planning.abort();
    quickPick.dispose();
    return picked;
  }

  private planRequest(disk: Map<string, DiskState>, gpu: string) {
    const files: string[] = [];
    const quantizations: string[] = [];
    for (const model of CATALOG) {
      const state = disk.get(model.id);
      if (state?.kind === 'downloaded') files.push(state.path);
      else quantizations.push(model.quantization);
    }
    const extraArgs = ['--gpu', gpu];
    // The running engine's memory comes back when the model changes: plan as if it were free.
    const running = this.engine.state.kind === 'ready' ? this.engine.connection?.info.plan.estimate : undefined;
    if (running) extraArgs.push('--reclaim-vram', String(Math.round(running.vramBytes)), '--reclaim-ram', String(Math.round(running.ramBytes)));
    return { files, quantizations, extraArgs };
  }

  private async useCatalogModel(model: CatalogModel): Promise<void> {
    const file = (await this.models.downloadedPath(model)) ?? (await this.models.download(model));
    const config = vscode.workspace.getConfiguration('qed');
    await config.update('model.quantization', model.quantization, vscode.ConfigurationTarget.Global);
    const cleared = await clearEverywhere('model.path');
    await useLocalEngine();
    this.log.info(`Model: ${model.name} (${file})`);
    void vscode.window.showInformationMessage(`QED now uses ${model.name}.${cleared.length ? ` qed.model.path was cleared (${cleared.join(', ')}).` : ''}`);
  }

  private async useModelFile(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GGUF model': ['gguf'] }, openLabel: 'Use this model', title: 'QED: a GGUF model file' });
    if (!picked?.[0]) return;
    const config = vscode.workspace.getConfiguration('qed');
    const target = config.inspect('model.path')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('model.path', picked[0].fsPath, target);
    await useLocalEngine();
    void vscode.window.showInformationMessage(`QED now uses ${path.basename(picked[0].fsPath)}.`);
  }

  private async connectServer(): Promise<void> {
    try {
      await vscode.commands.executeCommand(CONNECT_SERVER_COMMAND);
    } catch (error) {
      // Without the wizard (an older build), the settings it would fill in.
      this.log.warn(`${CONNECT_SERVER_COMMAND}: ${error instanceof Error ? error.message : String(error)}; opening the endpoint settings instead.`);
      await vscode.commands.executeCommand('workbench.action.openSettings', 'qed.endpoint');
    }
  }

  /** Manage downloaded models: each file with its size; picking one deletes it, once confirmed. */
  async manage(): Promise<void> {
    const files = await this.models.storedFiles();
    if (!files.length) {
      void vscode.window.showInformationMessage(`QED: no models downloaded (${this.models.dir}).`);
      return;
    }
    const inUse = (file: StoredFile) => this.engine.modelPath !== undefined && path.resolve(this.engine.modelPath) === path.resolve(file.path);
    const total = files.reduce((sum, file) => sum + file.bytes, 0);
    const picked = await vscode.window.showQuickPick(
      files.map((file) => ({
        label: `$(trash) ${file.model?.name ?? path.basename(file.path)}`,
        description: [formatBytes(file.bytes), file.partial ? 'paused download' : undefined, inUse(file) ? 'in use by the engine' : undefined].filter(Boolean).join(' · '),
        detail: file.path,
        file,
      })),
      { title: `QED: Downloaded models · ${formatBytes(total)} in ${this.models.dir}`, placeHolder: 'Pick a file to delete it (you are asked first)' },
    );
    if (!picked) return;
    const file = picked.file;
    const name = file.model?.name ?? path.basename(file.path);
    const detail = inUse(file)
      ? `The engine is using it: it is stopped first (a run in progress ends), and starts again with the next request.\n\n${file.path}`
      : file.partial
        ? `A paused download: downloading ${name} again starts over.\n\n${file.path}`
        : file.path;
    const confirmed = await vscode.window.showWarningMessage(`Delete ${name}${file.partial ? ' (paused download)' : ''}, ${formatBytes(file.bytes)}?`, { modal: true, detail }, 'Delete');
    if (confirmed !== 'Delete') return;
    if (inUse(file)) this.engine.stop();
    await this.models.delete(file);
    void vscode.window.showInformationMessage(`QED: deleted ${name}, ${formatBytes(file.bytes)} freed.`);
  }
}

function toItem(row: ChoiceRow): RowItem {
  if (row.kind === 'separator') return { label: row.label, kind: vscode.QuickPickItemKind.Separator, row };
  const icon = row.kind === 'model' ? (row.recommended ? '$(star-full)' : '$(package)') : row.kind === 'file' ? '$(file)' : row.kind === 'server' ? '$(cloud)' : '$(trash)';
  return { label: `${icon} ${row.label}`, description: row.description, detail: row.detail, row };
}

function sameRow(a: ChoiceRow, b: ChoiceRow): boolean {
  return a.kind === b.kind && (a.kind !== 'model' || (b.kind === 'model' && a.id === b.id));
}

/** Removes a setting from every level it is set at; returns those levels. */
async function clearEverywhere(key: string): Promise<string[]> {
  const config = vscode.workspace.getConfiguration('qed');
  const values = config.inspect(key);
  const cleared: string[] = [];
  if (values?.workspaceValue !== undefined) {
    await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
    cleared.push('workspace settings');
  }
  if (values?.globalValue !== undefined) {
    await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    cleared.push('user settings');
  }
  return cleared;
}

/** A model on this machine means the local engine. */
async function useLocalEngine(): Promise<void> {
  const config = vscode.workspace.getConfiguration('qed');
  if (config.get('backend') !== 'endpoint') return;
  const target = config.inspect('backend')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('backend', 'local', target);
}
