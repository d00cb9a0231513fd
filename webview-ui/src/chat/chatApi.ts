/** The typed face of `acquireVsCodeApi()` for the chat webview. */
import type { ChatSnapshot, ChatToHost } from '../../../src/core/chatProtocol';
import type { ChatPlace } from './chatView';

/** Only a fast first paint: the host owns the conversations and sends the real snapshot. */
export interface ChatState {
  snapshot?: ChatSnapshot;
  /** What the user was typing. */
  draft?: string;
  /** Where the reader was in the conversation. */
  place?: ChatPlace;
}

export interface ChatApi {
  postMessage(message: ChatToHost): void;
  getState(): ChatState | undefined;
  setState(state: ChatState): void;
}

declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

/** May be called once per page: main.ts calls it and passes the result around. */
export function chatApi(): ChatApi {
  const api = acquireVsCodeApi();
  return {
    postMessage: (message) => api.postMessage(message),
    getState: () => {
      const state = api.getState();
      return typeof state === 'object' && state !== null ? (state as ChatState) : undefined;
    },
    setState: (state) => api.setState(state),
  };
}
