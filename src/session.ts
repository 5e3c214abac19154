import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { Dataset } from './shared/dataset';
import type { AnalysisSettings, CensusView, DatasetView } from './shared/protocol';
import { Disposable } from './util/disposable';
import { AnalysisClient } from './worker/client';
import type { DistanceOptions, EngineInput } from './engine/types';
import { distanceRows, prepareEmbeddings } from './engine/distances';
import { classSizes, dominantCategories, tripletsAsAnchor, classViolationRates, classViolationRatesFromAnchors, histogramEdges, marginRange, topClassPairs } from './analysis/derive';
import { readTopK } from './settings';
import { RecountScheduler } from './analysis/recountScheduler';

/** Margin-independent results of one index build (distance + normalisation). */
interface IndexFacts {
  options: DistanceOptions;
  hardestPositive: Int32Array;
  dap: Float32Array;
  dan: Float32Array;
  softLossMean: number;
  retrieval?: { precisionAt1: number; rPrecision: number; mapAtR: number };
  histogram: { edges: Float64Array; counts: Float64Array };
  marginRange: { min: number; max: number; step: number };
  prepared: Float32Array;
  ntXent?: { meanLoss: number; temperature: number };
  /** Per sample: triplets with t <= 0 as anchor (margin-independent), and all valid triplets as anchor. */
  hardAsAnchor: Float64Array;
  tripletsAsAnchor: Float64Array;
}

export type SessionEvent = 'dataset' | 'census' | 'histogram' | 'layout' | 'status';

/**
 * One open dataset: owns its analysis workers, the current settings and results. The webviews
 * render what it publishes; it is the only place results are computed and cached.
 */
export class Session extends Disposable {
  /** Quiet time after the last margin request before the full recount (per-sample, class tables). */
  static SETTLE_MS = 150;
  private recountSeq = 0;
  // A margin request during the full recount preempts it (the workers stop it within a few anchors).
  private readonly scheduler = new RecountScheduler((full) => this.recountNow(full, full), Session.SETTLE_MS, () => this.client.preempt());
  readonly id = randomUUID();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<SessionEvent>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  private readonly client: AnalysisClient;
  private facts: IndexFacts | undefined;
  private indexBuild: Promise<void> | undefined;
  private readonly sizes: Float64Array;

  census: CensusView | undefined;
  /** The last box/lasso selection in the projection (validated indices). */
  selection: Int32Array = new Int32Array(0);
  layout: Float32Array | undefined;
  layoutFraction = 0;
  status: { state: 'loading' | 'computing' | 'ready' | 'error'; message: string } = { state: 'loading', message: 'Loading…' };

  constructor(readonly dataset: Dataset, public settings: AnalysisSettings, workerScript: string) {
    super();
    this.client = new AnalysisClient({ workerScript });
    this._register({ dispose: () => this.client.dispose() });
    this.sizes = classSizes(dataset.labels, dataset.classNames.length);
  }

  get input(): EngineInput {
    const d = this.dataset;
    return { embeddings: d.embeddings, n: d.n, dim: d.dim, labels: d.labels, classes: d.classNames.length };
  }

  get marginRange(): { min: number; max: number; step: number } {
    return this.facts?.marginRange ?? { min: 0, max: Math.max(1, this.settings.margin * 2), step: 0.001 };
  }

  get histogram(): { edges: Float64Array; counts: Float64Array } | undefined { return this.facts?.histogram; }

  /** Total valid triplets: sum over classes of n_c (n_c - 1) (N - n_c). */
  get validTriplets(): number {
    let t = 0;
    for (const s of this.sizes) t += s * (s - 1) * (this.dataset.n - s);
    return t;
  }

  /** True once the session's panel was closed (its workers are gone). */
  get disposed(): boolean { return this._isDisposed; }

  setStatus(state: Session['status']['state'], message: string): void {
    this.status = { state, message };
    this._onDidChange.fire('status');
  }

  /** The dataset as the projection webview needs it. */
  datasetView(imageUri: (path: string) => string): DatasetView {
    const d = this.dataset;
    const imageUris: string[] = new Array(d.n);
    const sampleTitles: string[] = new Array(d.n);
    for (let i = 0; i < d.n; i++) {
      const s = d.sources?.[i];
      imageUris[i] = s && s.kind === 'image' ? imageUri(s.path) : '';
      sampleTitles[i] = s ? `${s.path.split(/[\\/]/).pop()}${s.line ? `:${s.line}` : ''}` : '';
    }
    const snap = d.snapshots && d.activeSnapshot !== undefined ? d.snapshots[d.activeSnapshot]?.name : undefined;
    return { id: this.id, name: d.name, n: d.n, dim: d.dim, classNames: d.classNames, labels: d.labels, imageUris, sampleTitles, snapshotName: snap };
  }

  /**
   * Builds the census index for the current distance settings (the slow step, with progress and
   * cancellation), then the margin-independent facts, then the first recount.
   */
  async analyse(progress?: { report(fraction: number, message: string): void }, token?: vscode.CancellationToken): Promise<void> {
    const options: DistanceOptions = { distance: this.settings.distance, normalize: this.settings.normalize };
    const abort = new AbortController();
    const sub = token?.onCancellationRequested(() => abort.abort());
    this.setStatus('computing', `Computing ${options.distance} distances${options.normalize ? ' (normalised)' : ''}…`);
    const run = (async () => {
      try {
        await this.client.setDataset(this.input);
        await this.client.buildIndex(options, { onProgress: (f, m) => progress?.report(f * 0.9, m), signal: abort.signal });
        progress?.report(0.9, 'Batch-hard, retrieval metrics, histogram…');
        const bh = await this.client.batchHard(this.settings.margin, false);
        const soft = await this.client.batchHard(this.settings.margin, true);
        const retrieval = await this.client.retrieval().catch((e: unknown) => { console.error('[ei] retrieval failed', e); return undefined; });
        let tMin = Infinity;
        for (let a = 0; a < this.dataset.n; a++) if (bh.hardestPositive[a] >= 0 && Number.isFinite(bh.dan[a])) tMin = Math.min(tMin, bh.dan[a] - bh.dap[a]);
        const range = marginRange(bh.dan, this.settings.margin);
        const edges = histogramEdges(Number.isFinite(tMin) ? tMin : -range.max, range.max * 1.5);
        const counts = await this.client.histogram(edges);
        const prepared = prepareEmbeddings(this.input, options.normalize);
        const atZero = await this.client.census(0, { topK: 0, perSample: true, classPairs: false });
        this.facts = {
          options, hardestPositive: bh.hardestPositive, dap: Float32Array.from(bh.dap), dan: Float32Array.from(bh.dan),
          softLossMean: soft.meanLoss,
          retrieval: retrieval ? { precisionAt1: retrieval.precisionAt1, rPrecision: retrieval.rPrecision, mapAtR: retrieval.mapAtR } : undefined,
          histogram: { edges, counts }, marginRange: range, prepared,
          hardAsAnchor: Float64Array.from(atZero.perSample!.violAsAnchor),
          tripletsAsAnchor: tripletsAsAnchor(this.dataset.labels, this.sizes),
        };
        this._onDidChange.fire('histogram');
        await this.recountNow();
      } catch (e) {
        if ((e as Error)?.name === 'AbortError') this.setStatus('error', 'Analysis cancelled. Change a setting or run “Inspect Embeddings” again to restart it.');
        else this.setStatus('error', `Analysis failed: ${(e as Error)?.message ?? e}`);
        throw e;
      } finally {
        sub?.dispose();
      }
    })();
    this.indexBuild = run;
    return run;
  }

  /** Applies new settings: a distance/normalisation change rebuilds the index, the rest only recounts. */
  async applySettings(next: AnalysisSettings, rebuild: (s: Session) => Promise<void>): Promise<void> {
    const prev = this.settings;
    this.settings = next;
    if (prev.distance !== next.distance || prev.normalize !== next.normalize) await rebuild(this);
    else await this.recount();
  }

  /** Sets the margin and recounts (coalesced: while a recount runs, only the latest margin is kept). */
  setMargin(margin: number): Promise<void> {
    this.settings = { ...this.settings, margin };
    return this.recount();
  }

  /** Recounts at the current settings; a failure is shown in the status (the callers are UI events that cannot handle it). */
  async recount(): Promise<void> {
    if (!this.facts) return;
    try {
      await this.scheduler.request();
    } catch (e) {
      if (this._isDisposed) return; // closed mid-recount: its workers are gone
      console.error('[ei] recount failed', e);
      this.setStatus('error', `Recount failed: ${(e as Error)?.message ?? e}`);
    }
  }

  /**
   * Recounts at the current settings and publishes a census. Quick (`full` false, while the slider
   * moves): counts, losses, worst list, per-anchor numbers, colours and class rates, on the engine's
   * fast path; class pairs and per-sample positive/negative counts stay those of the last full
   * recount (`partial`). A `preemptible` recount rejects with an AbortError when preempted.
   */
  private async recountNow(full = true, preemptible = false): Promise<void> {
    const facts = this.facts;
    if (!facts) return;
    const s = this.settings;
    // Recounts can overlap (the first one after an index build, the scheduler's): only the one
    // started last may publish, so an older result never overwrites a newer margin's.
    const seq = ++this.recountSeq;
    const t0 = Date.now();
    const topK = readTopK();
    const prev = this.census;
    if (!full && !prev) full = true;
    const r = await this.client.census(s.margin, { topK, perSample: full, classPairs: full, perAnchor: !full, preemptible });
    const classes = this.dataset.classNames.length;
    let bhLoss = 0, bhViol = 0, bhCount = 0;
    for (let a = 0; a < this.dataset.n; a++) {
      if (facts.hardestPositive[a] < 0 || !Number.isFinite(facts.dan[a])) continue;
      const l = Math.max(0, s.margin + facts.dap[a] - facts.dan[a]);
      bhLoss += l; bhCount++;
      if (l > 0) bhViol++;
    }
    let semiHard: CensusView['semiHard'];
    if (s.mining === 'semi-hard') {
      const sh = await this.client.semiHard(s.margin);
      semiHard = { meanLoss: sh.meanLoss, pairs: sh.pairs };
    }
    const ntXent = await this.ntXentFor(s.temperature);
    if (seq !== this.recountSeq || this._isDisposed) return;
    const ps = r.perSample, pa = r.perAnchor ?? ps;
    // Colour category: where most of the anchor's triplets fall (pml's boundaries per sample).
    const category = pa ? dominantCategories(facts.hardAsAnchor, pa.violAsAnchor, facts.tripletsAsAnchor) : prev?.category ?? new Uint8Array(this.dataset.n);
    this.census = !full && prev && pa ? {
      ...prev,
      settings: s, triplets: r.triplets, counts: s.convention === 'pml' ? r.pml : r.facenet, pml: r.pml, facenet: r.facenet,
      lossSum: r.lossSum, meanLoss: r.meanLoss, meanLossNonZero: r.meanLossNonZero, category, worst: r.worst.map((w) => ({ ...w })),
      lossAsAnchor: Float32Array.from(pa.lossAsAnchor), violAsAnchor: Float32Array.from(pa.violAsAnchor),
      classViolationRate: classViolationRatesFromAnchors(this.dataset.labels, pa.violAsAnchor, this.sizes),
      batchHard: { meanLoss: bhCount ? bhLoss / bhCount : 0, violatingAnchors: bhViol }, semiHard, ntXent,
      elapsedMs: Date.now() - t0, partial: true,
    } : {
      settings: s,
      triplets: r.triplets,
      counts: s.convention === 'pml' ? r.pml : r.facenet,
      pml: r.pml, facenet: r.facenet,
      lossSum: r.lossSum, meanLoss: r.meanLoss, meanLossNonZero: r.meanLossNonZero,
      category,
      lossAsAnchor: Float32Array.from(ps!.lossAsAnchor),
      violAsAnchor: Float32Array.from(ps!.violAsAnchor),
      violAsPositive: Float32Array.from(ps!.violAsPositive),
      violAsNegative: Float32Array.from(ps!.violAsNegative),
      nearestImpostor: r.nearestImpostor,
      worst: r.worst.map((w) => ({ ...w })),
      classViolationRate: classViolationRates(r.classPairs, this.sizes),
      topPairs: topClassPairs(r.classPairs, classes, 20),
      batchHard: { meanLoss: bhCount ? bhLoss / bhCount : 0, violatingAnchors: bhViol },
      semiHard,
      retrieval: facts.retrieval,
      ntXent,
      elapsedMs: Date.now() - t0,
    };
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
  }

  /** NT-Xent depends on the temperature only (never on the margin): computed once per temperature and index. */
  private async ntXentFor(temperature: number): Promise<CensusView['ntXent']> {
    const f = this.facts;
    if (!f) return undefined;
    if (f.ntXent?.temperature !== temperature) {
      try {
        const nt = await this.client.ntXent(temperature);
        f.ntXent = { meanLoss: nt.meanLoss, temperature };
      } catch (e) {
        console.warn('[ei] NT-Xent not available', e); // e.g. a single class: no negatives
        f.ntXent = { meanLoss: Number.NaN, temperature };
      }
    }
    return Number.isFinite(f.ntXent.meanLoss) ? f.ntXent : undefined;
  }

  /** Hover detail: hardest positive and the violating negatives of one anchor (worst first, capped). */
  detail(index: number, cap = 20): { hardestPositive: number; negatives: number[] } {
    const f = this.facts;
    if (!f) return { hardestPositive: -1, negatives: [] };
    const { n, dim, labels } = this.dataset;
    const row = distanceRows(f.prepared, n, dim, index, index + 1, f.options.distance);
    const hp = f.hardestPositive[index];
    if (hp < 0) return { hardestPositive: -1, negatives: [] };
    const limit = row[hp] + this.settings.margin;
    const negs: number[] = [];
    for (let j = 0; j < n; j++) if (labels[j] !== labels[index] && row[j] <= limit) negs.push(j);
    negs.sort((x, y) => row[x] - row[y] || x - y);
    return { hardestPositive: hp, negatives: negs.slice(0, cap) };
  }

  /** Waits for the current index build (tests use it). */
  async idle(): Promise<void> {
    while (this.indexBuild) {
      const b = this.indexBuild;
      await b.catch(() => undefined);
      if (b === this.indexBuild) break;
    }
  }

  setLayout(layout: Float32Array): void {
    this.layout = layout;
    this._onDidChange.fire('layout');
  }

  setLayoutProgress(fraction: number): void {
    // Views need a few steps of progress, not every epoch.
    if (Math.floor(fraction * 50) === Math.floor(this.layoutFraction * 50) && fraction < 1) { this.layoutFraction = fraction; return; }
    this.layoutFraction = fraction;
    this._onDidChange.fire('status');
  }

  override dispose(): void {
    if (this._isDisposed) return;
    this.scheduler.stop();
    super.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
