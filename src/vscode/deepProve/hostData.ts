/**
 * What the host keeps beside a run's journal (runStore's `host.json`): where the statement came
 * from, to insert the proof there after a reload too, and the document's macros for the panel's
 * math. Read back with a check: the file is ours, but a damaged one must only lose Insert.
 */
import * as vscode from 'vscode';
import { isPlainObject } from '../../core/webview/schema';
import type { RunOrigin } from '../proofController';

export interface HostData {
  origin?: RunOrigin;
  macros?: Record<string, string>;
}

type StoredOrigin = Omit<RunOrigin, 'uri'> & { uri: string };

export function storedHostData(host: HostData): { origin?: StoredOrigin; macros?: Record<string, string> } {
  return {
    ...(host.origin && { origin: { ...host.origin, uri: host.origin.uri.toString() } }),
    ...(host.macros && { macros: host.macros }),
  };
}

export function hostDataFrom(value: unknown): HostData | undefined {
  if (!isPlainObject(value)) return undefined;
  const macros = isPlainObject(value.macros) && Object.values(value.macros).every((macro) => typeof macro === 'string') ? (value.macros as Record<string, string>) : undefined;
  const stored = value.origin;
  const origin =
    isPlainObject(stored) &&
    typeof stored.uri === 'string' &&
    (stored.format === 'latex' || stored.format === 'markdown') &&
    typeof stored.statementSource === 'string' &&
    typeof stored.anchor === 'number' &&
    typeof stored.version === 'number' &&
    (stored.environment === undefined || (isPlainObject(stored.environment) && typeof stored.environment.env === 'string'))
      ? ({ ...(stored as unknown as StoredOrigin), uri: vscode.Uri.parse(stored.uri) } as RunOrigin)
      : undefined;
  return { origin, macros };
}
