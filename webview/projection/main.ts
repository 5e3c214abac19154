/**
 * Projection panel entry point: renders what the host sends (dataset, layout, census, detail,
 * highlight, reveal, status) and posts intents back (openSample, requestDetail, selection, log).
 *
 * Test hook: window.__embeddingInspector (testHook.ts).
 * Event `ei-census-shown` on `window` (detail `{ margin, partial }`) once a census's colours are
 * set (drawn on the next animation frame), for the latency bench.
 * Stable selectors: #plot / [data-testid=plot-canvas], [data-testid=tooltip], [data-testid=tooltip-image],
 * [data-testid=tooltip-sprite-cell], [data-testid=color-by], [data-testid=legend-classes], [data-testid=census-header],
 * [data-testid=worst-list] with [data-testid=worst-row] buttons, [data-testid=worst-toggle], [data-testid=status].
 */
import {
  distanceLabel,
  type CensusView,
  type DatasetView,
  type LayoutKind,
  type SampleStats,
  type ToProjection,
} from '../../src/shared/protocol';
import { LayoutPicker } from './layoutPicker';
import { NeighboursList } from './neighboursList';
import { sampleImage } from './picture';
import { LabelErrorsList } from './labelErrorsList';
import { SearchBox, selectionCensus } from './searchBox';
import { h } from '../common/dom';
import { formatCount } from './format';
import { Legend } from './legend';
import { PlotView } from './plotView';
import { baseSize, classCounts, type ColorBy } from './pointStyle';
import { Styler } from './styler';
import { changeSummary, type ChangeSummary } from './changeSummary';
import { installTestHook } from './testHook';
import { readPalette } from './theme';
import { onThemeChange } from '../common/theme';
import { LatestWinsRequester } from './throttle';
import { Tooltip } from './tooltip';
import { hostApi, type UiState } from './vscodeApi';
import { WorstList } from './worstList';
import { validateCensus, validateDataset, validateLayout } from './validate';
import { LayoutReceiver } from './layoutChunks';

const api = hostApi();
const ui: UiState = { colorBy: 'label', panelOpen: true, ...api.getState() };
let ds: DatasetView | null = null;
let census: CensusView | null = null;
/** The last snapshot comparison for this dataset (per-sample Δ loss as anchor), or null. */
let change: ChangeSummary | null = null;
let hasLayout = false;
/** The layout on screen (UMAP, PCA, the user's), and every kind shown so far for this dataset (the test hook). */
let layoutKind: LayoutKind | null = null;
let layoutsShown: LayoutKind[] = [];
let emphasis = new Set<number>();
let selected: Uint8Array | null = null;
let selectionSize = 0;
/** The selected samples (ascending), for the selection's census. */
let selectedList: Int32Array = new Int32Array(0);
/** The search's answer in words, and whether to dim everything outside the selection. */
let searchText = '';
let isolate = false;
let searchRequest = 0;
let hoverIndex = -1;
/** A reveal that arrived before the layout, applied when it comes. */
let pendingReveal = -1;
let counts: Uint32Array = new Uint32Array(0);
/** Last status from the host, the layout caption and a local WebGL error. */
let hostStatus: { state: string; message: string } = { state: 'loading', message: '' };
let layoutCaption = '';
let glError = '';
/** What the banner shows now (the test hook reads it). */
let shown = { state: 'loading', message: '' };
let palette = readPalette();
/** The shader's inputs, recomputed only where the state changed. */
const styler = new Styler();
/** Large layouts arrive in chunks: drawn as they come when nothing is on screen yet. */
const layouts = new LayoutReceiver({
  hasLayout: () => hasLayout,
  show: (...a) => showLayout(...a),
  arrived: (from, to) => plot.layoutArrived(from, to),
  finished: () => finishLayout(),
});

// ---- DOM ----
const app = document.getElementById('app')!;
const plotBox = h('div', { class: 'plot-box waiting', id: 'plot-box' });
const banner = h('div', {
  class: 'status',
  id: 'status',
  'data-testid': 'status',
  role: 'status',
  'aria-live': 'polite',
});
const main = h('main', { class: 'main-area' }, plotBox);
app.append(main);
const plot = new PlotView(plotBox, {
  hover: (i) => setHover(i),
  click: (i) => {
    api.post({ type: 'openSample', index: i });
    requestNeighbours(i);
  },
  select: (indices) => {
    forgetSearch();
    setSelection(indices);
  },
  clear: () => {
    forgetSearch();
    setSelection(new Int32Array(0));
    plot.scene.triplet = null;
    worst.clearActive();
    plot.invalidate(true);
  },
  cameraChanged: (view) => saveView(view),
  error: (message) => {
    glError = message;
    renderStatus();
    api.post({ type: 'log', level: 'error', message });
  },
});
plotBox.append(banner);
const tooltip = new Tooltip(plotBox);
const legend = new Legend(
  plotBox,
  (c) => setColorBy(c),
  (k) => toggleClass(k),
  ui.classesOpen ?? true,
  (open) => {
    ui.classesOpen = open;
    api.setState(ui);
  },
);
const picker = new LayoutPicker(legend.root, (kind) => api.post({ type: 'chooseLayout', kind }));
const search = new SearchBox(
  legend.root,
  (q) => postSearch(q),
  (on) => {
    isolate = on;
    restyle();
  },
);
/** A box, lasso or Escape replaces the search's selection: an answer still on its way is dropped. */
function forgetSearch(): void {
  searchRequest++;
  searchText = '';
}
function postSearch(q: string): void {
  searchRequest++;
  if (q.trim() === '') {
    searchText = '';
    setSelection(new Int32Array(0));
    renderSearch();
    return;
  }
  api.post({ type: 'search', requestId: searchRequest, query: q });
}
function renderSearch(): void {
  const c = census,
    d = ds;
  const sel =
    c && d && selectedList.length > 0 ? selectionCensus(selectedList, d.labels, counts, c.violAsAnchor, d.n) : null;
  search.render(
    searchText,
    sel && c
      ? { samples: selectedList.length, ...sel, datasetViolating: c.counts.violating, datasetTriplets: c.triplets }
      : null,
  );
}
legend.onReveal = (i) => {
  if (ds && hasLayout && i >= 0 && i < ds.n) plot.reveal(i);
};
const worst = new WorstList(
  app,
  ui.panelOpen,
  (open) => {
    ui.panelOpen = open;
    api.setState(ui);
  },
  (row) => {
    plot.scene.triplet = row;
    plot.frame([row.anchor, row.positive, row.negative]);
  },
);
const neighbours = new NeighboursList(
  worst.root,
  worst.root.children[1] ?? null,
  (k) => {
    if (neighbours.shown) requestNeighbours(neighbours.shown.index, k);
  },
  (j) => {
    if (ds && hasLayout && j >= 0 && j < ds.n) plot.reveal(j);
    requestNeighbours(j);
  },
  () => {
    neighbours.hide();
    neighbourRequest++;
    plot.scene.neighbours = null;
    plot.invalidate(true);
  },
);
const labelErrors = new LabelErrorsList(
  worst.root,
  worst.root.children[2] ?? null,
  () => api.post({ type: 'findLabelErrors' }),
  () => api.post({ type: 'exportLabelErrors' }),
  (j) => {
    if (ds && hasLayout && j >= 0 && j < ds.n) plot.reveal(j);
    requestNeighbours(j);
  },
);
/** Only the answer to the latest neighbours request is shown. */
let neighbourRequest = 0;
function requestNeighbours(index: number, k = neighbours.k): void {
  if (!ds || index < 0 || index >= ds.n) return;
  api.post({ type: 'requestNeighbours', requestId: ++neighbourRequest, index, k });
}
const requester = new LatestWinsRequester(
  (requestId, index) => api.post({ type: 'requestDetail', requestId, index }),
  80,
  {
    now: () => performance.now(),
    setTimeout: (f, ms) => window.setTimeout(f, ms),
    clearTimeout: (h) => window.clearTimeout(h as number),
  },
);
plot.setPalette(palette);
renderStatus();

onThemeChange(() => {
  palette = readPalette();
  plot.setPalette(palette);
  restyle();
});

// ---- state changes ----
function restyle(): void {
  if (!ds) return;
  const state = {
    n: ds.n,
    labels: ds.labels,
    classCount: ds.classNames.length,
    colorBy: ui.colorBy,
    category: census?.category ?? null,
    loss: census?.lossAsAnchor ?? null,
    change: change?.dLoss ?? null,
    emphasis,
    selected,
    isolate,
    baseSize: baseSize(ds.n),
    palette,
  };
  plot.setPointInputs(styler.inputs(state));
  // The legend is rebuilt only when what it shows changed (a census in the label mode changes nothing there); the
  // category counts (a pass over every point) only when it shows them.
  const categoryCounts = ui.colorBy === 'category' ? styler.categoryCounts(state.category) : null;
  const shows = [ui.colorBy, ds.classNames, counts, emphasis, palette, change, categoryCounts, styler.lossScale(state)];
  if (shows.length === legendShows.length && shows.every((x, i) => x === legendShows[i])) return;
  legendShows = shows;
  legend.render({
    colorBy: ui.colorBy,
    classNames: ds.classNames,
    classCounts: counts,
    emphasis,
    categoryCounts,
    lossScale: styler.lossScale(state),
    palette,
    change,
  });
}
/** What the legend last showed (see restyle). */
let legendShows: unknown[] = [];

function setColorBy(c: ColorBy): void {
  ui.colorBy = c;
  api.setState(ui);
  restyle();
}

function toggleClass(k: number): void {
  // A new set: the draw order is recomputed when the set is another one.
  emphasis = new Set(emphasis);
  if (emphasis.has(k)) emphasis.delete(k);
  else emphasis.add(k);
  restyle();
}

function setSelection(indices: Int32Array): void {
  if (!ds) return;
  if (indices.length === 0 && selectionSize === 0) return;
  selected = indices.length > 0 ? new Uint8Array(ds.n) : null;
  for (const i of indices) if (i >= 0 && i < ds.n) selected![i] = 1;
  selectionSize = indices.length;
  selectedList = Int32Array.from(indices).sort();
  api.post({ type: 'selection', indices });
  restyle();
  renderSearch();
}

function statsOf(i: number): SampleStats | null {
  if (!census) return null;
  return {
    violAsAnchor: census.violAsAnchor[i],
    violAsPositive: census.violAsPositive[i],
    violAsNegative: census.violAsNegative[i],
    lossAsAnchor: census.lossAsAnchor[i],
    nearestImpostor: census.nearestImpostor[i],
    category: census.category[i],
    partial: census.partial === true,
  };
}

function showTooltip(i: number, stats: SampleStats | null, avoidIndex = -1): void {
  if (!ds) return;
  const p = plot.screenPositionOf(i);
  if (!p) return;
  const box = plotBox.getBoundingClientRect();
  const q = avoidIndex >= 0 ? plot.screenPositionOf(avoidIndex) : null;
  const avoid = q ? { x: q.x - box.left, y: q.y - box.top } : undefined;
  const className = (j: number) =>
    j >= 0 && j < ds!.n ? (ds!.classNames[ds!.labels[j]] ?? String(ds!.labels[j])) : '';
  tooltip.show(
    {
      index: i,
      label: className(i),
      image: sampleImage(ds, i),
      title: ds.sampleTitles[i] ?? '',
      stats,
      impostorLabel: stats ? className(stats.nearestImpostor) : '',
    },
    p.x - box.left,
    p.y - box.top,
    avoid,
  );
}

function setHover(i: number): void {
  if (i === hoverIndex) return;
  hoverIndex = i;
  plot.scene.hover = i;
  plot.scene.detail = null;
  requester.request(i);
  if (i >= 0) showTooltip(i, statsOf(i));
  else tooltip.hide();
  plot.invalidate(true);
}

let saveTimer = 0;
function saveView(view: { cx: number; cy: number; zoom: number }): void {
  if (!ds) return;
  ui.views = { ...ui.views, [layoutKind ?? 'umap']: { datasetId: ds.id, ...view } };
  if (hoverIndex >= 0) setHover(-1);
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => api.setState(ui), 300);
}

/**
 * The banner: before the layout it always says something (layout progress, else the host's
 * message); afterwards it shows only what needs attention (loading, computing, errors).
 */
function renderStatus(): void {
  let state = hostStatus.state,
    message = hostStatus.message;
  if (glError) {
    state = 'error';
    message = glError;
  } else if (layouts.incoming) {
    state = 'loading';
    message = `Loading points ${Math.floor(100 * layouts.incoming.fraction)} %`;
  } else if (!hasLayout && state !== 'error') {
    if (layoutCaption) {
      state = 'computing';
      message = `Computing the layout… ${layoutCaption}`;
    } else if (!message || state === 'ready') {
      state = ds ? 'computing' : 'loading';
      message = ds ? 'Computing the layout…' : 'Waiting for data…';
    }
  }
  shown = { state, message };
  banner.textContent = message;
  banner.className = `status ${state}`;
  banner.hidden = hasLayout && (message === '' || (state !== 'loading' && state !== 'computing' && state !== 'error'));
}

/** Puts a layout on screen: its first `loaded` points (all of them unless it is still arriving). */
function showLayout(data: Float32Array, dims: 2 | 3, kindIn: LayoutKind, loaded: number): void {
  if (!ds) return;
  const kind: LayoutKind = kindIn === 'pca' || kindIn === 'own' ? kindIn : 'umap';
  const first = !hasLayout;
  hasLayout = true;
  plotBox.classList.remove('waiting');
  // Another layout is another coordinate system: its own saved view, or fit all.
  const v = ui.views?.[kind] ?? (kind === 'umap' ? ui.view : undefined);
  const saved = v && v.datasetId === ds.id && v.zoom > 0 ? v : undefined;
  layoutKind = kind;
  if (layoutsShown.at(-1) !== kind) layoutsShown.push(kind);
  plot.setLayout(data, ds.n, dims, saved, loaded);
  if (loaded >= ds.n) finishLayout(first);
  renderStatus();
}

/** The layout on screen is whole: a reveal that waited for it; hover and selection (indices) carry over, the tooltip
 * moves with its point. */
function finishLayout(first = false): void {
  if (pendingReveal >= 0) {
    plot.reveal(pendingReveal);
    pendingReveal = -1;
  }
  if (!first && hoverIndex >= 0) showTooltip(hoverIndex, statsOf(hoverIndex), plot.scene.detail?.hardestPositive ?? -1);
}

// ---- messages ----
function showCensus(c: CensusView): void {
  census = c;
  // The neighbours list follows a new distance or normalisation.
  if (neighbours.shown && !c.partial && neighbours.shown.distance !== distanceLabel(c.settings))
    requestNeighbours(neighbours.shown.index);
  renderSearch();
  worst.render(c, ds!);
  restyle();
  if (hoverIndex >= 0) showTooltip(hoverIndex, statsOf(hoverIndex));
  // For latency benchmarks: the new colours are set; the plot draws them on the next animation frame.
  window.dispatchEvent(
    new CustomEvent('ei-census-shown', { detail: { margin: c.settings.margin, partial: c.partial === true } }),
  );
}

function onMessage(m: ToProjection): void {
  switch (m.type) {
    case 'dataset': {
      const problem = validateDataset(m.dataset);
      if (problem) {
        api.post({ type: 'log', level: 'error', message: `dataset ignored: ${problem}` });
        return;
      }
      if (ds?.id !== m.dataset.id) {
        neighbours.hide();
        plot.scene.neighbours = null;
        neighbourRequest++;
        forgetSearch();
        selectedList = new Int32Array(0);
        census = null;
        change = null;
        hasLayout = false;
        layouts.reset();
        layoutKind = null;
        layoutsShown = [];
        layoutCaption = '';
        pendingReveal = -1;
        emphasis = new Set();
        selected = null;
        selectionSize = 0;
        setHover(-1);
        plot.scene.triplet = null;
        plotBox.classList.add('waiting');
      }
      ds = m.dataset;
      counts = classCounts(ds.labels, ds.classNames.length);
      renderStatus();
      worst.render(census, ds);
      restyle();
      return;
    }
    case 'layout': {
      if (!ds || m.datasetId !== ds.id) return;
      const problem = validateLayout(m.layout, m.dims, ds.n);
      if (problem) {
        api.post({ type: 'log', level: 'error', message: `layout ignored: ${problem}` });
        return;
      }
      layouts.reset();
      showLayout(m.layout, m.dims, m.kind, ds.n);
      return;
    }
    case 'layoutChunk': {
      if (!ds || m.datasetId !== ds.id) return;
      const problem = layouts.receive(m, ds.n);
      renderStatus();
      if (problem) api.post({ type: 'log', level: 'error', message: `layout chunk ignored: ${problem}` });
      return;
    }
    case 'layoutState': {
      if (!ds || m.datasetId !== ds.id || !m.state || !Array.isArray(m.state.choices)) return;
      picker.render(m.state);
      layoutCaption = typeof m.state.caption === 'string' ? m.state.caption : '';
      renderStatus();
      return;
    }
    case 'census': {
      if (!ds || m.datasetId !== ds.id) return;
      const problem = validateCensus(m.census, ds.n);
      if (problem) {
        api.post({ type: 'log', level: 'error', message: `census ignored: ${problem}` });
        return;
      }
      showCensus(m.census);
      return;
    }
    case 'censusUpdate': {
      // A quick recount: needs the last full census for the arrays it leaves out.
      if (!ds || m.datasetId !== ds.id || !census) return;
      const merged: CensusView = { ...census, ...m.census };
      const problem = validateCensus(merged, ds.n);
      if (problem) {
        api.post({ type: 'log', level: 'error', message: `census update ignored: ${problem}` });
        return;
      }
      showCensus(merged);
      return;
    }
    case 'detail':
      if (!ds || !requester.accept(m.requestId) || m.index !== hoverIndex) return;
      plot.scene.detail = { index: m.index, hardestPositive: m.hardestPositive, negatives: m.negatives.slice(0, 20) };
      showTooltip(m.index, m.stats ?? null, m.hardestPositive);
      plot.invalidate(true);
      return;
    case 'searchResult': {
      if (!ds || m.requestId !== searchRequest || !(m.indices instanceof Int32Array)) return;
      const found = m.indices.filter((i) => i >= 0 && i < ds!.n);
      searchText = m.error
        ? `“${m.query}”: ${m.error}`
        : `${formatCount(found.length)} match${found.length === 1 ? '' : 'es'}`;
      if (found.length > 0 || selectionSize > 0) setSelection(found);
      renderSearch();
      return;
    }
    case 'labelErrors':
      if (!ds || !Array.isArray(m.items)) return;
      labelErrors.render(
        { ...m, items: m.items.filter((x) => Number.isInteger(x.index) && x.index >= 0 && x.index < ds!.n) },
        ds,
      );
      return;
    case 'neighbours': {
      if (!ds || m.requestId !== neighbourRequest || !Array.isArray(m.items)) return;
      const items = m.items.filter((x) => Number.isInteger(x.index) && x.index >= 0 && x.index < ds!.n);
      neighbours.render({ ...m, items }, ds);
      plot.scene.neighbours = { index: m.index, items };
      plot.invalidate(true);
      return;
    }
    case 'highlight':
      emphasis = new Set([...m.classes, ...(m.pair ?? [])].filter((k) => Number.isInteger(k) && k >= 0));
      restyle();
      return;
    case 'reveal':
      if (!ds || !Number.isInteger(m.index) || m.index < 0 || m.index >= ds.n) return;
      if (hasLayout && !layouts.partial) plot.reveal(m.index);
      else pendingReveal = m.index;
      return;
    case 'change': {
      if (!ds || m.datasetId !== ds.id || !(m.dLoss instanceof Float32Array)) return;
      if (m.dLoss.length === 0) {
        change = null;
        restyle();
        return;
      }
      if (m.dLoss.length !== ds.n) {
        api.post({ type: 'log', level: 'error', message: 'change ignored: wrong length' });
        return;
      }
      change = changeSummary(m.against, m.dLoss, m.worsened, ds.sampleTitles);
      setColorBy('change');
      return;
    }
    case 'status':
      hostStatus = { state: m.state, message: typeof m.message === 'string' ? m.message : '' };
      renderStatus();
      return;
    default:
      api.post({ type: 'log', level: 'info', message: `unknown message ${(m as { type?: unknown }).type}` });
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as ToProjection;
  if (m && typeof m === 'object' && typeof m.type === 'string') onMessage(m);
});

// ---- test hook ----
installTestHook({
  get pointsDrawn() {
    return plot.pointsDrawn;
  },
  get layoutKind() {
    return layoutKind ?? '';
  },
  get movedFrames() {
    return plot.movedFrames;
  },
  get layoutsShown() {
    return [...layoutsShown];
  },
  get datasetId() {
    return ds?.id ?? '';
  },
  get colorBy() {
    return ui.colorBy;
  },
  get hoverIndex() {
    return hoverIndex;
  },
  get tooltipImageSrc() {
    return tooltip.root.hidden ? '' : tooltip.imageSrc;
  },
  get tooltipImage() {
    return tooltip.root.hidden ? null : tooltip.image;
  },
  get selectionSize() {
    return selectionSize;
  },
  get labelErrors() {
    const a = labelErrors.last;
    return a ? { state: a.state, total: a.total, items: a.items.map((x) => x.index) } : null;
  },
  get searchStatus() {
    return document.querySelector('[data-testid=search-status]')?.textContent ?? '';
  },
  get neighbours() {
    const s = neighbours.shown;
    return s ? { index: s.index, items: s.items.map((x) => x.index), firstSameRank: s.firstSameRank } : null;
  },
  get lastFrameMs() {
    return plot.lastFrameMs;
  },
  get detailLines() {
    const d = plot.scene.detail;
    return d ? (d.hardestPositive >= 0 ? 1 : 0) + d.negatives.length : 0;
  },
  get status() {
    return { ...shown };
  },
  screenPositionOf: (i: number) => plot.screenPositionOf(i),
});

api.post({ type: 'ready' });
