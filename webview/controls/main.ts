/**
 * The controls sidebar (webview view `embeddingInspector.controls`): margin slider, counts,
 * histogram of t = d(a,n) - d(a,p), margin sweep, metrics, settings pickers, per-class table.
 * It renders what the host sends (`ToControls`) and posts intents (`FromControls`); the host owns
 * the truth, so settings are always shown from `state`, never from a local guess.
 *
 * Test hook (read-only facts for end-to-end tests), `window.__embeddingInspector`:
 *   - `margin`: the margin the slider / box currently shows (the user's latest choice while dragging)
 *   - `violatingText`: the exact text of the violating count (thousands grouped with U+2009 THIN
 *     SPACE, e.g. "9 880 000 000"; "—" before any census)
 *   - `lastCensusMargin`: `census.settings.margin` of the last census rendered (undefined before)
 *   - `lastUpdateMs`: time to render the last census (message in → DOM and both canvases updated)
 *   - `hasDataset`: whether the last `state` had a dataset
 * and the DOM event `ei-census-rendered` on `window` (detail: `{ margin, partial, elapsedMs, fromTable, local }`;
 * `local`: answered in the sidebar from the margin table), fired once a census is rendered (the next animation frame
 * paints it): latency benchmarks listen to it. Stable `data-testid`s: `margin-slider` (an `<input type=range>` over
 * integer positions; its `aria-valuetext` is the margin), `margin-input`, `margin-error`, `count-violating`,
 * `count-hard`, `count-semihard`, `count-easy` (and `pct-*`), `census-caption` ("margin 0.20 · pml · of …"),
 * `convention-rules`, `other-convention`, `metric-*` (shape, triplets, meanLoss, meanLossNonZero,
 * batchHard, semihard, ntXent, p1, rPrecision, mapAtR, elapsed), `histogram`, `histogram-log`,
 * `sweep`, `class-table`, `class-row` (virtualised: only rows in view exist; `data-class` = class id),
 * `pair-row` (`data-a`, `data-b`), `qg-*` (query / gallery retrieval, queryGalleryPanel.ts), `sort-rate`, `sort-name`,
 * `dataset-name`, `empty-state`, `setting-distance|normalize|convention|mining|temperature|snapshot`, `inspect-button`,
 * `status`.
 */
import type { ToControls } from '../../src/shared/protocol';
import { controlsApi, type UiState } from './vscodeApi';
import { h, setText } from '../common/dom';
import { MarginCoalescer } from './coalescer';
import { MarginControl } from './marginControl';
import { Summary, type ControlsCensus } from './summary';
import { SettingsPanel } from './settingsPanel';
import { ClassTable } from './classTable';
import { Charts } from './chartsPanel';
import { QueryGalleryPanel } from './queryGalleryPanel';
import { exactSweep } from './histogramModel';
import { localCensus, sameAnswer, sameButMargin } from './localCensus';
import type { MarginTableView } from '../../src/shared/marginTableView';

type StateMsg = Extract<ToControls, { type: 'state' }>;

/** Facts exposed to tests on `window.__embeddingInspector`. */
export interface ControlsTestHook {
  readonly margin: number;
  readonly violatingText: string;
  readonly lastCensusMargin: number | undefined;
  readonly lastUpdateMs: number | undefined;
  readonly hasDataset: boolean;
  /** Whether the host's margin table is here (slider positions are then answered locally). */
  readonly hasTable: boolean;
  /** Whether the census on screen was answered locally from the table. */
  readonly shownLocally: boolean;
}

declare global {
  interface Window {
    __embeddingInspector?: ControlsTestHook;
  }
}

const api = controlsApi();
let ui: UiState = api.loadUi();
const saveUi = (patch: Partial<UiState>) => {
  ui = { ...ui, ...patch };
  api.saveUi(ui);
};

let state: StateMsg | undefined;
let datasetKey = '';
let lastCensus: ControlsCensus | undefined;
let lastUpdateMs: number | undefined;
/** The host's margin table for this dataset's index, once built: slider positions are answered from it here. */
let tableView: MarginTableView | undefined;
/** The census last answered locally (the host's identical answer then needs no redraw). */
let shownLocal: ControlsCensus | undefined;

const coalescer = new MarginCoalescer({
  send: (margin) => api.post({ type: 'setMargin', margin }),
  clock: {
    now: () => performance.now(),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (t) => window.clearTimeout(t as number),
  },
});
const margin = new MarginControl((m) => {
  coalescer.request(m);
  charts.setMargin(m);
  // A slider position the table holds is shown at once; the host (answering from the same table,
  // without a recount) confirms it and recolours the projection. Sending every position instead of
  // one at a time measured worse here: the projection's recolourings queued up (bench:ui drag).
  const local = localCensus(tableView, lastCensus, state?.settings, m, state?.worstTriplets);
  if (local) render(local, true);
  else summary.setStale(lastCensus !== undefined && lastCensus.settings.margin !== m);
});
const summary = new Summary();
const settings = new SettingsPanel((m) => api.post(m));
const table = new ClassTable(
  (m) => api.post(m),
  () => ui,
  saveUi,
);
const charts = new Charts(ui.logScale, (logScale) => saveUi({ logScale }));

// ---- layout ----
const title = h('div', { class: 'dataset-name', 'data-testid': 'dataset-name' });
const status = h('div', { class: 'status', 'data-testid': 'status', role: 'status', hidden: true });
const emptyButton = h(
  'button',
  { type: 'button', 'data-testid': 'inspect-button', class: 'primary' },
  'Inspect Embeddings',
);
emptyButton.addEventListener('click', () => api.post({ type: 'inspect' }));
const empty = h(
  'div',
  { class: 'empty-state', 'data-testid': 'empty-state' },
  h(
    'p',
    {},
    'No embeddings are open. Pick an embeddings file (.npy, .npz, .tsv, .parquet, …) and its labels to see the triplet census here.',
  ),
  emptyButton,
);
const section = (key: string, label: string, ...body: HTMLElement[]) => {
  const d = h('details', { class: 'section', open: ui.open[key] ?? true }, h('summary', {}, label), ...body);
  d.addEventListener('toggle', () => {
    saveUi({ open: { ...ui.open, [key]: d.open } });
    if (d.open) charts.redraw();
  });
  return d;
};
const queryGallery = new QueryGalleryPanel((body) => section('queryGallery', 'Query / gallery retrieval', body));
const content = h(
  'div',
  { class: 'content', hidden: true },
  h('header', {}, title, settings.snapshotField, settings.compareField, settings.followField),
  margin.element,
  summary.counts,
  section('histogram', 'Histogram of t = d(a,n) − d(a,p)', charts.histogramElement),
  section('sweep', 'Margin sweep', charts.sweepElement),
  section('metrics', 'Losses and retrieval', summary.metrics),
  queryGallery.element,
  section('settings', 'Settings', settings.element),
  section('classes', 'Classes', table.element),
);
document.getElementById('app')?.append(status, empty, content);

// ---- messages ----
function onState(s: StateMsg): void {
  state = s;
  empty.hidden = s.hasDataset;
  content.hidden = !s.hasDataset;
  if (!s.hasDataset) {
    datasetKey = '';
    lastCensus = undefined;
    tableView = undefined;
    shownLocal = undefined;
    summary.clear();
    charts.setHistogram(undefined);
    queryGallery.show(null);
    coalescer.reset();
    return;
  }
  const key = s.datasetId ?? `${s.datasetName}|${s.n}|${s.dim}|${s.classes}|${s.activeSnapshot}`;
  if (key !== datasetKey) {
    // Another dataset (or snapshot): old numbers and highlights no longer apply.
    datasetKey = key;
    lastCensus = undefined;
    tableView = undefined;
    shownLocal = undefined;
    summary.clear();
    charts.setHistogram(undefined);
    queryGallery.show(null);
    coalescer.reset(s.settings.margin);
    if (ui.datasetKey !== key) saveUi({ datasetKey: key, selectedClass: -1, selectedPair: null });
    table.setClasses(s.classNames);
    if (s.classNames.length !== s.classes) console.warn('controls: classNames length differs from classes');
  }
  if (ui.selectedClass >= s.classes) saveUi({ selectedClass: -1, selectedPair: null });
  setText(title, s.datasetName);
  summary.setShape(s.n, s.dim, s.classes);
  settings.show(s.settings);
  settings.showSnapshots(s.snapshots, s.activeSnapshot);
  margin.setRange(s.marginRange);
  charts.setRange(s.marginRange);
  if (!coalescer.busy && !margin.interacting) {
    margin.show(s.settings.margin);
    charts.setMargin(s.settings.margin);
  }
}

function onCensus(c: ControlsCensus): void {
  coalescer.answered(c.settings.margin);
  if (sameAnswer(c, shownLocal)) {
    lastCensus = c;
    shownLocal = undefined;
    return;
  } // already on screen
  // The host answering an earlier position of the drag: the table's answer for the slider's
  // current one is newer (same settings), so showing it would step the numbers back.
  if (
    shownLocal &&
    shownLocal.settings.margin === margin.value &&
    c.settings.margin !== margin.value &&
    sameButMargin(c.settings, shownLocal.settings)
  )
    return;
  render(c, false);
}

/** Shows a census: the host's, or one answered locally from the table (`local`). */
function render(c: ControlsCensus, local: boolean): void {
  const t0 = performance.now();
  lastCensus = c;
  shownLocal = local ? c : undefined;
  // Between drags the host's margin wins (settings.json edits, another window); while the user
  // drags or a request is pending, the slider keeps the user's value.
  if (!coalescer.busy && !margin.interacting && c.settings.margin !== margin.value) {
    margin.show(c.settings.margin);
    charts.setMargin(c.settings.margin, false);
  }
  summary.update(c, margin.step, c.settings.mining);
  summary.setStale(c.settings.margin !== margin.value);
  table.update(c.classViolationRate, c.topPairs, c.partial === true);
  charts.setExact(c.triplets > 0 ? { margin: c.settings.margin, share: c.counts.violating / c.triplets } : undefined);
  charts.redraw();
  lastUpdateMs = performance.now() - t0;
  // For latency benchmarks: the census is in the DOM; the next animation frame paints it.
  window.dispatchEvent(
    new CustomEvent('ei-census-rendered', {
      detail: {
        margin: c.settings.margin,
        partial: c.partial === true,
        elapsedMs: c.elapsedMs,
        fromTable: c.fromTable === true,
        local,
      },
    }),
  );
}

function belongs(id: string | undefined): boolean {
  return !!state?.hasDataset && (id === undefined || state.datasetId === undefined || id === state.datasetId);
}

window.addEventListener('message', (event: MessageEvent<ToControls>) => {
  const msg = event.data;
  switch (msg?.type) {
    case 'state':
      onState(msg);
      break;
    case 'census':
      // A census for another dataset, or with a class count that no longer matches, is stale.
      if (
        belongs(msg.datasetId) &&
        msg.census?.settings &&
        msg.census.counts &&
        msg.census.classViolationRate?.length === state!.classes
      )
        onCensus(msg.census);
      break;
    case 'histogram':
      // A new index: its table follows (the old one no longer answers).
      if (belongs(msg.datasetId) && msg.edges?.length === (msg.counts?.length ?? -2) + 1) {
        tableView = undefined;
        charts.setHistogram({ edges: msg.edges, counts: msg.counts, triplets: msg.triplets });
      }
      break;
    case 'table':
      if (
        belongs(msg.datasetId) &&
        msg.table?.margins?.length === msg.table.violating?.length &&
        msg.table.classes === state!.classes
      ) {
        tableView = msg.table;
        charts.setExactSweep(exactSweep(msg.table.margins, msg.table.violating, msg.table.triplets));
      }
      break;
    case 'status':
      status.hidden = msg.state === 'idle' || (msg.state === 'ready' && !msg.message);
      status.className = `status ${msg.state}`;
      setText(
        status,
        msg.message || (msg.state === 'computing' ? 'computing…' : msg.state === 'loading' ? 'loading…' : ''),
      );
      if (msg.state === 'error') coalescer.release(); // a failed recount sends no census
      break;
    case 'queryGallery':
      if (belongs(msg.datasetId)) queryGallery.show(msg.view && typeof msg.view === 'object' ? msg.view : null);
      break;
    case 'follow':
      if (typeof msg.on === 'boolean' && typeof msg.available === 'boolean')
        settings.showFollow(msg.on, msg.available, String(msg.reason ?? ''));
      break;
    default:
      console.warn('controls: unknown message', msg);
  }
});

Object.defineProperty(window, '__embeddingInspector', {
  configurable: false,
  value: Object.freeze({
    get margin() {
      return margin.value;
    },
    get violatingText() {
      return summary.violatingText;
    },
    get lastCensusMargin() {
      return lastCensus?.settings.margin;
    },
    get lastUpdateMs() {
      return lastUpdateMs;
    },
    get hasDataset() {
      return !!state?.hasDataset;
    },
    get hasTable() {
      return !!tableView;
    },
    get shownLocally() {
      return !!shownLocal;
    },
  } satisfies ControlsTestHook),
});

summary.clear();
api.post({ type: 'ready' });
