/** The typed face of `acquireVsCodeApi()`, which VS Code defines before the panel script runs. */
import type { PanelToHost, RunSnapshot } from '../../src/core/panelProtocol';
import type { ScrollAnchor } from './scrollAnchor';

/** What survives the webview being re-created; proofPanel.ts reads `run` in its serializer. */
export interface PanelState {
  run?: RunSnapshot;
  scroll?: ScrollAnchor;
}

export interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

/** May be called once per page, so main.ts calls it once and passes the result around. */
export function vscodeApi(): VsCodeApi {
  const api = acquireVsCodeApi();
  return {
    postMessage: (message) => api.postMessage(message),
    getState: () => {
      const state = api.getState();
      return typeof state === 'object' && state !== null ? (state as PanelState) : undefined;
    },
    setState: (state) => api.setState(state),
  };
}
