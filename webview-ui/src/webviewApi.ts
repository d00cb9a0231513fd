/**
 * The typed face of `acquireVsCodeApi()`, which VS Code defines before a webview's script runs:
 * what the page may post to its host, and what it keeps in the state that outlives the page.
 */

export interface WebviewApi<ToHost, State> {
  postMessage(message: ToHost): void;
  /** The saved state as this page (or an older version of it) left it: check before use. */
  getState(): Partial<Record<keyof State, unknown>> | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

/** May be called once per page, so each entry point calls it once and passes the result around. */
export function webviewApi<ToHost, State>(): WebviewApi<ToHost, State> {
  const api = acquireVsCodeApi();
  return {
    postMessage: (message) => api.postMessage(message),
    getState: () => {
      const state = api.getState();
      return typeof state === 'object' && state !== null ? (state as Partial<Record<keyof State, unknown>>) : undefined;
    },
    setState: (state) => api.setState(state),
  };
}
