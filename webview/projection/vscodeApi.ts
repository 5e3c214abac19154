/**
 * The one wrapper around `acquireVsCodeApi()`: only protocol messages can be posted, and the
 * persisted UI state has a type. (acquireVsCodeApi may be called once per page.)
 */
import type { FromProjection, LayoutKind } from '../../src/shared/protocol';
import type { ColorBy } from './pointStyle';

/** UI-only state kept across reloads of the webview (never data). */
export interface UiState {
  colorBy: ColorBy;
  panelOpen: boolean;
  /** The legend's class list is expanded. */
  classesOpen?: boolean;
  /** Camera of the dataset it was saved for, with the zoom relative to "fit all" (the UMAP layout's; older states have only this). */
  view?: { datasetId: string; cx: number; cy: number; zoom: number };
  /** The same per layout: each layout is its own coordinate system. */
  views?: Partial<Record<LayoutKind, { datasetId: string; cx: number; cy: number; zoom: number }>>;
}

/** Typed access to the host. */
export interface HostApi {
  post(message: FromProjection): void;
  getState(): UiState | undefined;
  setState(state: UiState): void;
}

let api: HostApi | undefined;

/** The host API (created on first use). */
export function hostApi(): HostApi {
  if (!api) {
    const raw = acquireVsCodeApi<UiState>();
    api = {
      post: (m) => raw.postMessage(m),
      getState: () => raw.getState(),
      setState: (s) => { raw.setState(s); },
    };
  }
  return api;
}
