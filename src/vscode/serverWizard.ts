/**
 * The steps of “QED: Connect to a Server…”: which server, its URL, the key if it asks for one,
 * the model, a test request, then the settings. Free of `vscode`: the questions go through
 * `ServerWizardUi` and the settings through `ServerWizardStore`, so tests answer them (the VS Code
 * versions are in connectServer.ts). The checks are passed in because they load the OpenAI SDK,
 * which the extension loads only when first needed.
 */
import type { ServerPreset } from '../client/serverPresets';
import type { ProbeResult, ReasoningReport, ReasoningResult, ServerFailure, ServerModel } from '../client/serverProbe';

export interface ServerWizardUi {
  /** A preset, `url` for “Enter a URL…”, undefined when dismissed. */
  choosePreset(presets: readonly ServerPreset[]): Promise<ServerPreset | 'url' | undefined>;
  enterUrl(value: string, preset: ServerPreset | undefined): Promise<string | undefined>;
  /** Asked after a 401/403 (`keyNeeded` or `keyRejected`). */
  enterKey(failure: ServerFailure): Promise<string | undefined>;
  chooseModel(models: readonly ServerModel[], preselected: string): Promise<string | undefined>;
  progress<T>(title: string, task: () => Promise<T>): Promise<T>;
  failed(failure: ServerFailure, preset: ServerPreset | undefined): Promise<'retry' | 'changeUrl' | undefined>;
  connected(summary: string): Promise<void>;
}

export interface EndpointConnection {
  url: string;
  model: string;
  /** Undefined: the server needs none (and a key stored for another server is removed). */
  apiKey: string | undefined;
}

export interface ServerWizardStore {
  /** The endpoint configured now (empty strings when none). */
  current(): { url: string; model: string };
  /** The key kept in secret storage, for the server at current().url. */
  storedKey(): Promise<string | undefined>;
  save(connection: EndpointConnection): Promise<void>;
}

export interface ServerChecks {
  probe(input: string, apiKey?: string): Promise<ProbeResult>;
  testReasoning(baseUrl: string, apiKey: string | undefined, model: string, options?: { timeoutMs?: number }): Promise<ReasoningResult>;
  presets: readonly ServerPreset[];
  presetForServerName(name: string | undefined): ServerPreset | undefined;
}

export interface ServerWizardResult extends EndpointConnection {
  serverName: string;
  report: ReasoningReport;
  summary: string;
}

/** Runs the wizard to its end; undefined when the user stopped it at some step. */
export async function runServerWizard(ui: ServerWizardUi, store: ServerWizardStore, checks: ServerChecks, options: { timeoutMs?: number } = {}): Promise<ServerWizardResult | undefined> {
  const choice = await ui.choosePreset(checks.presets);
  if (!choice) return undefined;
  const preset = choice === 'url' ? undefined : choice;
  const current = store.current();
  let url = preset?.url ?? current.url;

  for (;;) {
    const typed = await ui.enterUrl(url, preset);
    if (typed === undefined) return undefined;
    url = typed;

    const found = await connect(ui, store, checks, url, preset);
    if (found === 'changeUrl') continue;
    if (!found) return undefined;
    const { probe, apiKey } = found;

    const model = await ui.chooseModel(probe.models, preselectModel(probe.models, current.model));
    if (!model) return undefined;

    const tested = await test(ui, checks, probe.baseUrl, apiKey, model, preset, options.timeoutMs);
    if (tested === 'changeUrl') continue;
    if (!tested) return undefined;

    await store.save({ url: probe.baseUrl, model, apiKey });
    const serverName = probe.serverName ?? preset?.name ?? 'the server';
    const advice = checks.presetForServerName(probe.serverName) ?? preset;
    const summary = connectionSummary(serverName, probe.baseUrl, model, tested, advice);
    await ui.connected(summary);
    return { url: probe.baseUrl, model, apiKey, serverName, report: tested, summary };
  }
}

type Connected = { probe: Extract<ProbeResult, { ok: true }>; apiKey: string | undefined };

/** Probes until the server lists its models, asking for a key on a 401; 'changeUrl' or undefined otherwise. */
async function connect(ui: ServerWizardUi, store: ServerWizardStore, checks: ServerChecks, url: string, preset: ServerPreset | undefined): Promise<Connected | 'changeUrl' | undefined> {
  let apiKey: string | undefined;
  let triedStoredKey = false;
  for (;;) {
    const probe = await ui.progress(`Connecting to ${url}…`, () => checks.probe(url, apiKey));
    if (probe.ok) return { probe, apiKey };
    const { failure } = probe;
    if (failure.kind === 'keyNeeded' || failure.kind === 'keyRejected') {
      // The stored key belongs to the configured server: it is tried there only, never sent elsewhere.
      if (!triedStoredKey && apiKey === undefined && probe.baseUrl && sameOrigin(probe.baseUrl, store.current().url)) {
        triedStoredKey = true;
        apiKey = await store.storedKey();
        if (apiKey) continue;
      }
      const key = await ui.enterKey(failure);
      if (key === undefined) return undefined;
      apiKey = key.trim() || undefined;
      continue;
    }
    const action = await ui.failed(failure, preset);
    if (action !== 'retry') return action;
  }
}

async function test(ui: ServerWizardUi, checks: ServerChecks, baseUrl: string, apiKey: string | undefined, model: string, preset: ServerPreset | undefined, timeoutMs: number | undefined): Promise<ReasoningReport | 'changeUrl' | undefined> {
  for (;;) {
    const result = await ui.progress(`Testing ${model} with a short request…`, () => checks.testReasoning(baseUrl, apiKey, model, { timeoutMs }));
    if (result.ok) return result.report;
    const action = await ui.failed(result.failure, preset);
    if (action !== 'retry') return action;
  }
}

/** A QED-Nano-like name first, then the model configured now, then the server's first. */
export function preselectModel(models: readonly ServerModel[], configured: string): string {
  return models.find((model) => /qed[-_. ]?nano/i.test(model.id))?.id ?? models.find((model) => model.id === configured)?.id ?? models[0]!.id;
}

/** The one line the wizard ends with: where, which model, how the thinking arrives, how fast. */
export function connectionSummary(serverName: string, baseUrl: string, model: string, report: ReasoningReport, advice: ServerPreset | undefined): string {
  const firstToken = report.firstTokenMs === undefined ? '' : `; first token after ${(report.firstTokenMs / 1000).toFixed(1)} s`;
  return `Connected to ${serverName} at ${baseUrl}: model ${model}, ${reasoningLine(report, advice)}${firstToken}.`;
}

const ANY_SERVER_FIX = 'start the server with its reasoning parser (vLLM: --reasoning-parser deepseek_r1, SGLang: --reasoning-parser deepseek-r1, llama-server: --reasoning-format deepseek)';

function reasoningLine(report: ReasoningReport, advice: ServerPreset | undefined): string {
  switch (report.format) {
    case 'separate':
      return `reasoning arrives separately (${report.field})`;
    case 'raw':
      return `reasoning arrives as raw text${report.sawThinkClose ? ' with </think>' : ''}, which QED splits itself (for a separate field: ${advice?.reasoningFix ?? ANY_SERVER_FIX})`;
    case 'unknown':
      return 'the test answer was empty, so how the reasoning arrives is not known yet';
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
