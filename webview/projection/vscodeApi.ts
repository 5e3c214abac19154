/**
 * The projection's handle on the host (common/vscodeApi.ts): only protocol messages can be posted,
 * and the persisted UI state has a type.
 */
import type { FromProjection, LayoutKind } from '../../src/shared/protocol';
import type { ColorBy } from './pointStyle';
import { webviewApi, type WebviewApi } from '../common/vscodeApi';

/** UI-only state kept across reloads of the webview (never data). */
export interface UiState {
  colorBy: ColorBy;
  panelOpen: boolean;
  /** The legend's class list is expanded. */
  classesOpen?: boolean;
  /** Camera of the dataset it was saved for, with the zoom relative to "fit all" (the UMAP layout's; older states have
   * only this). */
  view?: { datasetId: string; cx: number; cy: number; zoom: number };
  /** The same per layout: each layout is its own coordinate system. */
  views?: Partial<Record<LayoutKind, { datasetId: string; cx: number; cy: number; zoom: number }>>;
}

/** Typed access to the host. */
export type HostApi = WebviewApi<FromProjection, UiState>;

let api: HostApi | undefined;

/** The host API (created on first use). */
export function hostApi(): HostApi {
  return (api ??= webviewApi<FromProjection, UiState>());
}
