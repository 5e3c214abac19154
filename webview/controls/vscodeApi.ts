/**
 * The sidebar's handle on the host (common/vscodeApi.ts): it can post only legal
 * {@link FromControls} messages and keeps only its UI state.
 */
import type { FromControls } from '../../src/shared/protocol';
import { webviewApi } from '../common/vscodeApi';

/** UI-only state kept by VS Code across hide/show (`getState`/`setState`); the host owns the rest. */
export interface UiState {
  /** Which `<details>` sections are open, by section key. */
  open: Record<string, boolean>;
  /** Class table order. */
  sort: 'rate-desc' | 'rate-asc' | 'name';
  /** Histogram y axis on a log scale (counts span many orders of magnitude). */
  logScale: boolean;
  /** Highlighted class (-1 none) or class pair, as last sent to the host. */
  selectedClass: number;
  selectedPair: [number, number] | null;
  /** The dataset the selection belongs to (a reload keeps it, another dataset clears it). */
  datasetKey: string;
}

/** Defaults for a first visit. */
export const DEFAULT_UI: UiState = {
  open: {},
  sort: 'rate-desc',
  logScale: false,
  selectedClass: -1,
  selectedPair: null,
  datasetKey: '',
};

/** A typed handle on the webview API. */
export interface ControlsApi {
  post(message: FromControls): void;
  loadUi(): UiState;
  saveUi(state: UiState): void;
}

let api: ControlsApi | undefined;

/** The page's single API handle (acquired on first use). */
export function controlsApi(): ControlsApi {
  if (api) return api;
  const raw = webviewApi<FromControls, UiState>();
  api = {
    post: (message) => raw.post(message),
    loadUi: () => ({ ...DEFAULT_UI, ...(raw.getState() ?? {}) }),
    saveUi: (state) => raw.setState(state),
  };
  return api;
}
