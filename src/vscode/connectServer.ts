/**
 * “QED: Connect to a Server…”: the wizard's questions as VS Code asks them (quick picks, input
 * boxes, a progress notification, each failure as an error notification with its fix and Retry),
 * and its result written to the settings and the secret storage. The steps are in serverWizard.ts.
 */
import * as vscode from 'vscode';
import type { ServerPreset } from '../client/serverPresets';
import type { ServerModel } from '../client/serverProbe';
import { InvalidServerUrlError, serverUrlCandidates } from '../client/serverUrl';
import { ENDPOINT_KEY_SECRET } from './backendProvider';
import { runServerWizard, type ServerWizardResult, type ServerWizardStore, type ServerWizardUi } from './serverWizard';

export const CONNECT_SERVER_COMMAND = 'qed.connectServer';

const TITLE = 'QED: Connect to a Server';

/** Runs the wizard; tests pass their own `ui` to answer its questions. */
export async function connectServer(secrets: vscode.SecretStorage, ui: ServerWizardUi = vscodeWizardUi): Promise<ServerWizardResult | undefined> {
  // The checks load the OpenAI SDK: only now, not at activation.
  const [probe, presets] = await Promise.all([import('../client/serverProbe'), import('../client/serverPresets')]);
  const timeoutSeconds = vscode.workspace.getConfiguration('qed').get<number>('endpoint.timeoutSeconds', 60);
  return runServerWizard(
    ui,
    settingsStore(secrets),
    { probe: probe.probeServer, testReasoning: probe.testReasoning, presets: presets.SERVER_PRESETS, presetForServerName: presets.presetForServerName },
    { timeoutMs: timeoutSeconds * 1000 },
  );
}

function settingsStore(secrets: vscode.SecretStorage): ServerWizardStore {
  const config = () => vscode.workspace.getConfiguration('qed');
  return {
    current: () => ({ url: config().get<string>('endpoint.url', '').trim(), model: config().get<string>('endpoint.model', '').trim() }),
    storedKey: async () => (await secrets.get(ENDPOINT_KEY_SECRET)) || undefined,
    save: async ({ url, model, apiKey }) => {
      // The key first: once qed.backend says endpoint, the next run reads it.
      if (apiKey) await secrets.store(ENDPOINT_KEY_SECRET, apiKey);
      else await secrets.delete(ENDPOINT_KEY_SECRET);
      const target = vscode.ConfigurationTarget.Global;
      await config().update('endpoint.url', url, target);
      await config().update('endpoint.model', model, target);
      await config().update('backend', 'endpoint', target);
    },
  };
}

type PresetItem = vscode.QuickPickItem & { preset?: ServerPreset };

const COPY_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('copy'), tooltip: 'Copy the command that starts it' };

async function copyCommand(preset: ServerPreset): Promise<void> {
  await vscode.env.clipboard.writeText(preset.command);
  void vscode.window.showInformationMessage(`QED: copied “${preset.command}”.${preset.note ? ` ${preset.note}` : ''}`);
}

export const vscodeWizardUi: ServerWizardUi = {
  choosePreset: (presets) =>
    new Promise((resolve) => {
      const pick = vscode.window.createQuickPick<PresetItem>();
      pick.title = TITLE;
      pick.placeholder = 'Where does QED-Nano run? Enter the server’s URL, or pick a server to see the command that starts it';
      pick.matchOnDetail = true;
      pick.items = [
        { label: '$(link) Enter a URL…', description: 'any OpenAI-compatible server' },
        { label: 'Servers', kind: vscode.QuickPickItemKind.Separator },
        ...presets.map((preset) => ({ label: `$(server) ${preset.name}`, description: preset.url, detail: `$(terminal) ${preset.command}`, buttons: [COPY_BUTTON], preset })),
      ];
      let done = false;
      const finish = (value: ServerPreset | 'url' | undefined) => {
        if (done) return;
        done = true;
        resolve(value);
        pick.dispose();
      };
      pick.onDidTriggerItemButton(({ item }) => item.preset && void copyCommand(item.preset));
      pick.onDidAccept(() => finish(pick.selectedItems[0]?.preset ?? 'url'));
      pick.onDidHide(() => finish(undefined));
      pick.show();
    }),

  enterUrl: async (value, preset) =>
    vscode.window.showInputBox({
      title: preset ? `${TITLE}: ${preset.name}` : TITLE,
      value,
      placeHolder: 'http://gpu-box:8000/v1',
      prompt: preset
        ? `Start it with: ${preset.command}${preset.note ? ` (${preset.note})` : ''}. Then enter its URL (…/v1 is added when missing).`
        : 'The server’s URL, e.g. http://gpu-box:8000/v1 (…/v1 is added when missing).',
      ignoreFocusOut: true,
      validateInput: (text) => {
        if (!text.trim()) return undefined;
        try {
          serverUrlCandidates(text);
          return undefined;
        } catch (error) {
          return error instanceof InvalidServerUrlError ? error.message : String(error);
        }
      },
    }),

  enterKey: async (failure) =>
    vscode.window.showInputBox({
      title: `${TITLE}: API key`,
      prompt: `${failure.message} ${failure.fix} It is kept in VS Code’s secret storage, never in settings.json.`,
      password: true,
      ignoreFocusOut: true,
    }),

  chooseModel: (models, preselected) =>
    new Promise((resolve) => {
      const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
      pick.title = `${TITLE}: model`;
      pick.placeholder = 'The model QED asks the server for (qed.endpoint.model)';
      pick.items = models.map((model) => ({ label: model.id, description: modelDescription(model) }));
      pick.activeItems = pick.items.filter((item) => item.label === preselected);
      let done = false;
      const finish = (value: string | undefined) => {
        if (done) return;
        done = true;
        resolve(value);
        pick.dispose();
      };
      pick.onDidAccept(() => finish(pick.selectedItems[0]?.label));
      pick.onDidHide(() => finish(undefined));
      pick.show();
    }),

  progress: async (title, task) => vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `QED: ${title}` }, task),

  failed: async (failure, preset) => {
    const canCopy = failure.kind === 'refused' && preset !== undefined;
    for (;;) {
      const message = `QED: ${failure.message} ${failure.fix}`;
      const choice = canCopy
        ? await vscode.window.showErrorMessage(message, 'Retry', 'Change URL', 'Copy Command')
        : await vscode.window.showErrorMessage(message, 'Retry', 'Change URL');
      if (choice === 'Copy Command' && preset) {
        await copyCommand(preset);
        continue;
      }
      return choice === 'Retry' ? 'retry' : choice === 'Change URL' ? 'changeUrl' : undefined;
    }
  },

  connected: async (summary) => {
    void vscode.window.showInformationMessage(`QED: ${summary}`);
  },
};

function modelDescription(model: ServerModel): string | undefined {
  const parts = [model.ownedBy, model.contextLength ? `${model.contextLength.toLocaleString('en-US')} tokens` : undefined].filter(Boolean);
  return parts.length ? parts.join(' · ') : undefined;
}
