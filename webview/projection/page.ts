/**
 * The projection page: its state (dataset, census, layout, selection, hover, status), the widgets
 * (plot, legend, layout picker, search box, worst list, neighbours, label errors, tooltip) wired to
 * it, and what changes it. The host's messages are applied by messages.ts; main.ts starts it.
 */
import {
  distanceLabel,
  type CensusView,
  type DatasetView,
  type LayoutKind,
  type SampleStats,
} from '../../src/shared/protocol';
import { h } from '../common/dom';
import { onThemeChange } from '../common/theme';
import type { ChangeSummary } from './changeSummary';
import { LabelErrorsList } from './labelErrorsList';
import { LayoutReceiver } from './layoutChunks';
import { LayoutPicker } from './layoutPicker';
import { Legend } from './legend';
import { NeighboursList } from './neighboursList';
import { sampleImage } from './picture';
import { PictureLayer } from './pictures';
import { PlotView } from './plotView';
import { rendererChoice } from './pointRenderer';
import { baseSize, type ColorBy } from './pointStyle';
import { SearchBox, selectionCensus } from './searchBox';
import { banner as bannerFor, type Banner } from './statusBanner';
import { Styler } from './styler';
import { readPalette } from './theme';
import { LatestWinsRequester } from './throttle';
import { Tooltip } from './tooltip';
import { hostApi, type UiState } from './vscodeApi';
import { WorstList } from './worstList';

/** The projection page (one per webview). */
export class ProjectionPage {
  readonly api = hostApi();
  readonly ui: UiState = { colorBy: 'label', panelOpen: true, ...this.api.getState() };
  ds: DatasetView | null = null;
  census: CensusView | null = null;
  /** The last snapshot comparison for this dataset (per-sample Δ loss as anchor), or null. */
  change: ChangeSummary | null = null;
  hasLayout = false;
  /** The layout on screen (UMAP, PCA, the user's), and every kind shown so far for this dataset (the test hook). */
  layoutKind: LayoutKind | null = null;
  layoutsShown: LayoutKind[] = [];
  /** Replaced (never mutated) when it changes: the draw order is recomputed when the set is another one. */
  emphasis = new Set<number>();
  selected: Uint8Array | null = null;
  selectionSize = 0;
  /** The selected samples (ascending), for the selection's census. */
  selectedList: Int32Array = new Int32Array(0);
  /** The search's answer in words, and whether to dim everything outside the selection. */
  searchText = '';
  isolate = false;
  searchRequest = 0;
  hoverIndex = -1;
  /** A reveal that arrived before the layout, applied when it comes. */
  pendingReveal = -1;
  counts: Uint32Array = new Uint32Array(0);
  /** Last status from the host, the layout caption and a local WebGL error. */
  hostStatus: { state: string; message: string } = { state: 'loading', message: '' };
  layoutCaption = '';
  glError = '';
  /** What the banner shows now (the test hook reads it). */
  shown: Banner = { state: 'loading', message: '', hidden: false };
  /** Only the answer to the latest neighbours request is shown. */
  neighbourRequest = 0;
  /**
   * When (Date.now(), 0 until then) this page's script started, it said ready, the first dataset arrived and the
   * first points of every sample were drawn: the first-paint bench reads them from the test hook.
   */
  readonly timeline = { scriptStart: Date.now(), ready: 0, dataset: 0, firstPoints: 0 };
  private palette = readPalette();
  /** The shader's inputs, recomputed only where the state changed. */
  private readonly styler = new Styler();
  /** What the legend last showed (see restyle). */
  private legendShows: unknown[] = [];
  private saveTimer = 0;

  readonly plotBox = h('div', { class: 'plot-box waiting', id: 'plot-box' });
  private readonly bannerBox = h('div', {
    class: 'status',
    id: 'status',
    'data-testid': 'status',
    role: 'status',
    'aria-live': 'polite',
  });
  readonly plot: PlotView;
  readonly tooltip: Tooltip;
  readonly legend: Legend;
  readonly picker: LayoutPicker;
  /** Samples' pictures over their points when zoomed in. */
  readonly pictures: PictureLayer;
  readonly search: SearchBox;
  readonly worst: WorstList;
  readonly neighbours: NeighboursList;
  readonly labelErrors: LabelErrorsList;
  /** Large layouts arrive in chunks: drawn as they come when nothing is on screen yet. */
  readonly layouts: LayoutReceiver;
  readonly requester: LatestWinsRequester;

  constructor(app: HTMLElement) {
    const { api, ui } = this;
    app.append(h('main', { class: 'main-area' }, this.plotBox));
    this.plot = new PlotView(
      this.plotBox,
      {
        hover: (i) => this.setHover(i),
        click: (i) => {
          api.post({ type: 'openSample', index: i });
          this.requestNeighbours(i);
        },
        select: (indices) => {
          this.forgetSearch();
          this.setSelection(indices);
        },
        clear: () => {
          this.forgetSearch();
          this.setSelection(new Int32Array(0));
          this.plot.scene.triplet = null;
          this.worst.clearActive();
          this.plot.invalidate(true);
        },
        cameraChanged: (view) => this.saveView(view),
        drawn: (points) => {
          if (this.ds && points === this.ds.n && !this.timeline.firstPoints) this.timeline.firstPoints = Date.now();
        },
        error: (message) => {
          this.glError = message;
          this.renderStatus();
          api.post({ type: 'log', level: 'error', message });
        },
        renderer: (kind, why) =>
          api.post({
            type: 'log',
            level: 'info',
            message: `points drawn with ${kind === 'webgpu' ? 'WebGPU' : `WebGL 2${why ? `: ${why}` : ''}`}`,
          }),
      },
      rendererChoice(document.body.dataset.renderer),
    );
    this.layouts = new LayoutReceiver({
      hasLayout: () => this.hasLayout,
      show: (...a) => this.showLayout(...a),
      arrived: (from, to) => this.plot.layoutArrived(from, to),
      finished: () => this.finishLayout(),
    });
    this.plotBox.append(this.bannerBox);
    this.tooltip = new Tooltip(this.plotBox);
    this.legend = new Legend(
      this.plotBox,
      (c) => this.setColorBy(c),
      (k) => this.toggleClass(k),
      ui.classesOpen ?? true,
      (open) => {
        ui.classesOpen = open;
        api.setState(ui);
      },
    );
    this.legend.onReveal = (i) => this.revealIfShown(i);
    this.picker = new LayoutPicker(this.legend.root, (kind) => api.post({ type: 'chooseLayout', kind }));
    this.pictures = new PictureLayer(() => this.plot.invalidate(true));
    this.plot.pictures = this.pictures;
    this.legend.root.append(this.pictures.toggle);
    this.search = new SearchBox(
      this.legend.root,
      (q) => this.postSearch(q),
      (on) => {
        this.isolate = on;
        this.restyle();
      },
    );
    this.worst = new WorstList(
      app,
      ui.panelOpen,
      (open) => {
        ui.panelOpen = open;
        api.setState(ui);
      },
      (row) => {
        this.plot.scene.triplet = row;
        this.plot.frame([row.anchor, row.positive, row.negative]);
      },
    );
    this.neighbours = new NeighboursList(
      this.worst.root,
      this.worst.root.children[1] ?? null,
      (k) => {
        if (this.neighbours.shown) this.requestNeighbours(this.neighbours.shown.index, k);
      },
      (j) => {
        this.revealIfShown(j);
        this.requestNeighbours(j);
      },
      () => {
        this.neighbours.hide();
        this.neighbourRequest++;
        this.plot.scene.neighbours = null;
        this.plot.invalidate(true);
      },
    );
    this.labelErrors = new LabelErrorsList(
      this.worst.root,
      this.worst.root.children[2] ?? null,
      () => api.post({ type: 'findLabelErrors' }),
      () => api.post({ type: 'exportLabelErrors' }),
      (j) => {
        this.revealIfShown(j);
        this.requestNeighbours(j);
      },
    );
    this.requester = new LatestWinsRequester(
      (requestId, index) => api.post({ type: 'requestDetail', requestId, index }),
      80,
      {
        now: () => performance.now(),
        setTimeout: (f, ms) => window.setTimeout(f, ms),
        clearTimeout: (t) => window.clearTimeout(t as number),
      },
    );
    this.plot.setPalette(this.palette);
    this.renderStatus();
    onThemeChange(() => {
      this.palette = readPalette();
      this.plot.setPalette(this.palette);
      this.restyle();
    });
  }

  /** Moves to sample i when a layout is on screen. */
  private revealIfShown(i: number): void {
    if (this.ds && this.hasLayout && i >= 0 && i < this.ds.n) this.plot.reveal(i);
  }

  // ---- search and selection ----

  /** A box, lasso or Escape replaces the search's selection: an answer still on its way is dropped. */
  forgetSearch(): void {
    this.searchRequest++;
    this.searchText = '';
  }

  private postSearch(q: string): void {
    this.searchRequest++;
    if (q.trim() === '') {
      this.searchText = '';
      this.setSelection(new Int32Array(0));
      this.renderSearch();
      return;
    }
    this.api.post({ type: 'search', requestId: this.searchRequest, query: q });
  }

  renderSearch(): void {
    const c = this.census,
      d = this.ds;
    const sel =
      c && d && this.selectedList.length > 0
        ? selectionCensus(this.selectedList, d.labels, this.counts, c.violAsAnchor, d.n)
        : null;
    this.search.render(
      this.searchText,
      sel && c
        ? {
            samples: this.selectedList.length,
            ...sel,
            datasetViolating: c.counts.violating,
            datasetTriplets: c.triplets,
          }
        : null,
    );
  }

  setSelection(indices: Int32Array): void {
    const ds = this.ds;
    if (!ds) return;
    if (indices.length === 0 && this.selectionSize === 0) return;
    const selected = indices.length > 0 ? new Uint8Array(ds.n) : null;
    if (selected) for (const i of indices) if (i >= 0 && i < ds.n) selected[i] = 1;
    this.selected = selected;
    this.selectionSize = indices.length;
    this.selectedList = Int32Array.from(indices).sort();
    this.api.post({ type: 'selection', indices });
    this.restyle();
    this.renderSearch();
  }

  requestNeighbours(index: number, k = this.neighbours.k): void {
    if (!this.ds || index < 0 || index >= this.ds.n) return;
    this.api.post({ type: 'requestNeighbours', requestId: ++this.neighbourRequest, index, k });
  }

  // ---- styling ----

  restyle(): void {
    const ds = this.ds;
    if (!ds) return;
    const { ui, styler } = this;
    const state = {
      n: ds.n,
      labels: ds.labels,
      classCount: ds.classNames.length,
      colorBy: ui.colorBy,
      category: this.census?.category ?? null,
      loss: this.census?.lossAsAnchor ?? null,
      change: this.change?.dLoss ?? null,
      emphasis: this.emphasis,
      selected: this.selected,
      isolate: this.isolate,
      baseSize: baseSize(ds.n),
      palette: this.palette,
    };
    this.plot.setPointInputs(styler.inputs(state));
    // The legend is rebuilt only when what it shows changed (a census in the label mode changes nothing there); the
    // category counts (a pass over every point) only when it shows them.
    const categoryCounts = ui.colorBy === 'category' ? styler.categoryCounts(state.category) : null;
    const lossScale = styler.lossScale(state);
    const shows: unknown[] = [ui.colorBy, ds.classNames, this.counts, this.emphasis, this.palette, this.change];
    shows.push(categoryCounts, lossScale);
    if (shows.length === this.legendShows.length && shows.every((x, i) => x === this.legendShows[i])) return;
    this.legendShows = shows;
    this.legend.render({
      colorBy: ui.colorBy,
      classNames: ds.classNames,
      classCounts: this.counts,
      emphasis: this.emphasis,
      categoryCounts,
      lossScale,
      palette: this.palette,
      change: this.change,
    });
  }

  setColorBy(c: ColorBy): void {
    this.ui.colorBy = c;
    this.api.setState(this.ui);
    this.restyle();
  }

  private toggleClass(k: number): void {
    const emphasis = new Set(this.emphasis);
    if (emphasis.has(k)) emphasis.delete(k);
    else emphasis.add(k);
    this.emphasis = emphasis;
    this.restyle();
  }

  // ---- hover and tooltip ----

  statsOf(i: number): SampleStats | null {
    const c = this.census;
    if (!c) return null;
    return {
      violAsAnchor: c.violAsAnchor[i],
      violAsPositive: c.violAsPositive[i],
      violAsNegative: c.violAsNegative[i],
      lossAsAnchor: c.lossAsAnchor[i],
      nearestImpostor: c.nearestImpostor[i],
      category: c.category[i],
      partial: c.partial === true,
    };
  }

  showTooltip(i: number, stats: SampleStats | null, avoidIndex = -1): void {
    const ds = this.ds;
    if (!ds) return;
    const p = this.plot.screenPositionOf(i);
    if (!p) return;
    const box = this.plotBox.getBoundingClientRect();
    const q = avoidIndex >= 0 ? this.plot.screenPositionOf(avoidIndex) : null;
    const avoid = q ? { x: q.x - box.left, y: q.y - box.top } : undefined;
    const className = (j: number) => (j >= 0 && j < ds.n ? (ds.classNames[ds.labels[j]] ?? String(ds.labels[j])) : '');
    this.tooltip.show(
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

  setHover(i: number): void {
    if (i === this.hoverIndex) return;
    this.hoverIndex = i;
    this.plot.scene.hover = i;
    this.plot.scene.detail = null;
    this.requester.request(i);
    if (i >= 0) this.showTooltip(i, this.statsOf(i));
    else this.tooltip.hide();
    this.plot.invalidate(true);
  }

  private saveView(view: { cx: number; cy: number; zoom: number }): void {
    const { ds, ui } = this;
    if (!ds) return;
    ui.views = { ...ui.views, [this.layoutKind ?? 'umap']: { datasetId: ds.id, ...view } };
    if (this.hoverIndex >= 0) this.setHover(-1);
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.api.setState(ui), 300);
  }

  // ---- status, layout, census ----

  renderStatus(): void {
    this.shown = bannerFor({
      host: this.hostStatus,
      glError: this.glError,
      incoming: this.layouts?.incoming?.fraction,
      hasLayout: this.hasLayout,
      layoutCaption: this.layoutCaption,
      hasDataset: this.ds !== null,
    });
    this.bannerBox.textContent = this.shown.message;
    this.bannerBox.className = `status ${this.shown.state}`;
    this.bannerBox.hidden = this.shown.hidden;
  }

  /** Puts a layout on screen: its first `loaded` points (all of them unless it is still arriving). */
  showLayout(data: Float32Array, dims: 2 | 3, kindIn: LayoutKind, loaded: number): void {
    const ds = this.ds;
    if (!ds) return;
    const kind: LayoutKind = kindIn === 'pca' || kindIn === 'own' ? kindIn : 'umap';
    const first = !this.hasLayout;
    this.hasLayout = true;
    this.plotBox.classList.remove('waiting');
    // Another layout is another coordinate system: its own saved view, or fit all.
    const v = this.ui.views?.[kind] ?? (kind === 'umap' ? this.ui.view : undefined);
    const saved = v && v.datasetId === ds.id && v.zoom > 0 ? v : undefined;
    this.layoutKind = kind;
    if (this.layoutsShown.at(-1) !== kind) this.layoutsShown.push(kind);
    this.plot.setLayout(data, ds.n, dims, saved, loaded);
    if (loaded >= ds.n) this.finishLayout(first);
    this.renderStatus();
  }

  /** The layout on screen is whole: a reveal that waited for it; hover and selection (indices) carry over, the
   * tooltip moves with its point. */
  private finishLayout(first = false): void {
    if (this.pendingReveal >= 0) {
      this.plot.reveal(this.pendingReveal);
      this.pendingReveal = -1;
    }
    if (!first && this.hoverIndex >= 0)
      this.showTooltip(this.hoverIndex, this.statsOf(this.hoverIndex), this.plot.scene.detail?.hardestPositive ?? -1);
  }

  showCensus(c: CensusView): void {
    this.census = c;
    // The neighbours list follows a new distance or normalisation.
    const shownNeighbours = this.neighbours.shown;
    if (shownNeighbours && !c.partial && shownNeighbours.distance !== distanceLabel(c.settings))
      this.requestNeighbours(shownNeighbours.index);
    this.renderSearch();
    this.worst.render(c, this.ds!);
    this.restyle();
    if (this.hoverIndex >= 0) this.showTooltip(this.hoverIndex, this.statsOf(this.hoverIndex));
    // For latency benchmarks: the new colours are set; the plot draws them on the next animation frame.
    window.dispatchEvent(
      new CustomEvent('ei-census-shown', { detail: { margin: c.settings.margin, partial: c.partial === true } }),
    );
  }

  /** Forgets everything of the previous dataset (another one arrives). */
  resetForDataset(): void {
    this.neighbours.hide();
    this.plot.scene.neighbours = null;
    this.neighbourRequest++;
    this.forgetSearch();
    this.selectedList = new Int32Array(0);
    this.census = null;
    this.change = null;
    this.hasLayout = false;
    this.layouts.reset();
    this.layoutKind = null;
    this.layoutsShown = [];
    this.layoutCaption = '';
    this.pendingReveal = -1;
    this.emphasis = new Set();
    this.selected = null;
    this.selectionSize = 0;
    this.setHover(-1);
    this.plot.scene.triplet = null;
    this.plotBox.classList.add('waiting');
  }
}
