import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { Dataset } from './shared/dataset';
import type { AnalysisSettings, CensusView, DatasetView } from './shared/protocol';
import { Disposable } from './util/disposable';
import { AnalysisClient, type MarginTableResult } from './worker/client';
import { tableCounts } from './engine/marginTable';
import { positionOf, type MarginTableView } from './shared/marginTableView';
import { worstAt } from './shared/worstAt';
import { sliderMargins } from './shared/sliderScale';
import type { DistanceOptions, EngineInput } from './engine/types';
import type { WorstTriplet } from './engine/census';
import { distanceRows, prepareEmbeddings } from './engine/distances';
import { classSizes, dominantCategories, tripletsAsAnchor, classViolationRates, classViolationRatesFromAnchors, histogramEdges, marginRange, topClassPairs } from './analysis/derive';
import { readTopK } from './settings';
import { RecountScheduler } from './analysis/recountScheduler';

/** Batch-hard at margin m from the per-anchor hardest distances (Hermans et al.; mean over anchors with both). */
function batchHardAt(facts: IndexFacts, m: number): { meanLoss: number; violatingAnchors: number } {
  let loss = 0, viol = 0, count = 0;
  for (let a = 0; a < facts.hardestPositive.length; a++) {
    if (facts.hardestPositive[a] < 0 || !Number.isFinite(facts.dan[a])) continue;
    const l = Math.max(0, m + facts.dap[a] - facts.dan[a]);
    loss += l; count++;
    if (l > 0) viol++;
  }
  return { meanLoss: count ? loss / count : 0, violatingAnchors: viol };
}

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

export type SessionEvent = 'dataset' | 'census' | 'histogram' | 'layout' | 'status' | 'table';

/**
 * One open dataset: owns its analysis workers, the current settings and results. The webviews
 * render what it publishes; it is the only place results are computed and cached.
 */
export class Session extends Disposable {
  /** Quiet time after the last margin request before the full recount (per-sample, class tables). */
  static SETTLE_MS = 150;
  /** Largest margin table built (slider positions x samples, 8 bytes each: 128 MB). */
  static TABLE_MAX_CELLS = 16_000_000;
  /** Largest margin table work ((anchor, positive) pairs x positions: about 20 ns each per worker). */
  static TABLE_MAX_WORK = 2e9;
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
  /** The census at every slider position for `facts` (built in the background after each index build). */
  private table: (MarginTableResult & { facts: IndexFacts; ms: number; view?: MarginTableView }) | undefined;
  private tableJob: AbortController | undefined;
  /** The settings the current census was answered for from the table (the quick recount then has nothing to do). */
  private servedFromTable: AnalysisSettings | undefined;
  /** Censuses answered from the margin table so far (tests and the latency bench read it). */
  tableAnswers = 0;
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
    this.dropTable();
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
        const facts = this.facts;
        this._onDidChange.fire('histogram');
        await this.recountNow();
        this.startTable(facts);
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
    this.answerFromTable();
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
    if (!full && this.servedFromTable === s) return; // already answered from the table
    // Recounts can overlap (the first one after an index build, the scheduler's): only the one
    // started last may publish, so an older result never overwrites a newer margin's.
    const seq = ++this.recountSeq;
    const t0 = Date.now();
    const topK = readTopK();
    const prev = this.census;
    if (!full && !prev) full = true;
    const r = await this.client.census(s.margin, { topK, perSample: full, classPairs: full, perAnchor: !full, preemptible });
    const classes = this.dataset.classNames.length;
    let semiHard: CensusView['semiHard'];
    if (s.mining === 'semi-hard') {
      const sh = await this.client.semiHard(s.margin);
      semiHard = { meanLoss: sh.meanLoss, pairs: sh.pairs };
    }
    const ntXent = await this.ntXentFor(s.temperature);
    if (seq !== this.recountSeq || this._isDisposed) return;
    this.servedFromTable = undefined;
    const ps = r.perSample, pa = r.perAnchor;
    if (!full && prev && pa) {
      this.census = this.quickView(prev, facts, r, r.worst, pa.violAsAnchor, Float32Array.from(pa.lossAsAnchor), semiHard, ntXent, Date.now() - t0);
    } else {
      this.census = {
        settings: s,
        triplets: r.triplets,
        counts: s.convention === 'pml' ? r.pml : r.facenet,
        pml: r.pml, facenet: r.facenet,
        lossSum: r.lossSum, meanLoss: r.meanLoss, meanLossNonZero: r.meanLossNonZero,
        // Colour category: where most of the anchor's triplets fall (pml's boundaries per sample).
        category: dominantCategories(facts.hardAsAnchor, ps!.violAsAnchor, facts.tripletsAsAnchor),
        lossAsAnchor: Float32Array.from(ps!.lossAsAnchor),
        violAsAnchor: Float32Array.from(ps!.violAsAnchor),
        violAsPositive: Float32Array.from(ps!.violAsPositive),
        violAsNegative: Float32Array.from(ps!.violAsNegative),
        nearestImpostor: r.nearestImpostor,
        worst: r.worst.map((w) => ({ ...w })),
        classViolationRate: classViolationRates(r.classPairs, this.sizes),
        topPairs: topClassPairs(r.classPairs, classes, 20),
        batchHard: batchHardAt(facts, s.margin),
        semiHard,
        retrieval: facts.retrieval,
        ntXent,
        elapsedMs: Date.now() - t0,
      };
    }
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
  }

  /**
   * A quick census (the slider moving): counts, losses, worst list, per-anchor numbers, colours and
   * class rates for the current settings; class pairs and per-sample positive / negative counts
   * stay those of `prev`, the last full census (`partial`).
   */
  private quickView(prev: CensusView, facts: IndexFacts, c: Pick<CensusView, 'triplets' | 'pml' | 'facenet' | 'lossSum' | 'meanLoss' | 'meanLossNonZero'>,
    worst: readonly WorstTriplet[], violAsAnchor: ArrayLike<number>, lossAsAnchor: Float32Array, semiHard: CensusView['semiHard'], ntXent: CensusView['ntXent'],
    elapsedMs: number): CensusView {
    const s = this.settings;
    return {
      ...prev, fromTable: undefined,
      settings: s, triplets: c.triplets, counts: s.convention === 'pml' ? c.pml : c.facenet, pml: c.pml, facenet: c.facenet,
      lossSum: c.lossSum, meanLoss: c.meanLoss, meanLossNonZero: c.meanLossNonZero,
      category: dominantCategories(facts.hardAsAnchor, violAsAnchor, facts.tripletsAsAnchor),
      worst: worst.map((w) => ({ ...w })),
      lossAsAnchor, violAsAnchor: Float32Array.from(violAsAnchor),
      classViolationRate: classViolationRatesFromAnchors(this.dataset.labels, violAsAnchor, this.sizes),
      batchHard: batchHardAt(facts, s.margin), semiHard, ntXent,
      elapsedMs, partial: true,
    };
  }

  /**
   * Answers the current settings from the margin table when it holds them (a slider position, no
   * semi-hard mining, NT-Xent known, the worst list decidable): publishes a quick census at once,
   * without the workers. Returns whether it did.
   */
  private answerFromTable(): boolean {
    const t = this.table, facts = this.facts, prev = this.census, s = this.settings;
    if (!t || !facts || t.facts !== facts || !prev || s.mining === 'semi-hard' || facts.ntXent?.temperature !== s.temperature) return false;
    const k = positionOf(t.table.margins, s.margin), topK = readTopK();
    if (k < 0 || topK > t.topK) return false;
    const worst = worstAt(t.smallest, t.complete, t.limit, s.margin, topK);
    if (!worst) return false;
    const t0 = performance.now(), n = this.dataset.n;
    ++this.recountSeq; // a recount still in flight must not overwrite this newer answer
    const ntXent = Number.isFinite(facts.ntXent.meanLoss) ? facts.ntXent : undefined;
    const viol = t.table.violAsAnchor.subarray(k * n, (k + 1) * n), loss = t.table.lossAsAnchor.slice(k * n, (k + 1) * n);
    this.census = { ...this.quickView(prev, facts, tableCounts(t.table, k), worst, viol, loss, undefined, ntXent, performance.now() - t0), fromTable: true };
    this.servedFromTable = s;
    this.tableAnswers++;
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
    return true;
  }

  /**
   * Starts building the margin table for these facts in the background (the workers serve every
   * recount first). Skipped when it would be too large or too slow; a failure only logs: the slider
   * then keeps recounting.
   */
  private startTable(facts: IndexFacts): void {
    // A newer index build may have started meanwhile (its own table follows it).
    if (this._isDisposed || this.facts !== facts) return;
    this.tableJob?.abort();
    const margins = sliderMargins(facts.marginRange), K = margins.length, n = this.dataset.n;
    let pairs = 0;
    for (const c of this.sizes) pairs += c * (c - 1);
    if (K * n > Session.TABLE_MAX_CELLS || K * pairs > Session.TABLE_MAX_WORK) {
      console.log(`[ei] margin table skipped: ${K} positions x ${n} samples is beyond its budget`);
      return;
    }
    const job = new AbortController();
    this.tableJob = job;
    const t0 = Date.now();
    this.client.marginTable(margins, Math.max(20, readTopK()), { signal: job.signal }).then((r) => {
      if (job.signal.aborted || this.facts !== facts || this._isDisposed) return;
      this.table = { ...r, facts, ms: Date.now() - t0 };
      this.table.view = this.viewOf(this.table);
      this.tableJob = undefined;
      console.log(`[ei] margin table: ${K} positions x ${n} samples in ${this.table.ms} ms`);
      this._onDidChange.fire('table');
    }, (e: unknown) => {
      if ((e as Error)?.name !== 'AbortError' && !this._isDisposed) console.warn('[ei] margin table failed; the slider recounts instead', e);
    });
  }

  /** Stops the table job and forgets the table (the index is being rebuilt). */
  private dropTable(): void {
    this.tableJob?.abort();
    this.tableJob = undefined;
    this.table = undefined;
    this.servedFromTable = undefined;
  }

  /**
   * The table as the sidebar gets it (answers every slider position there without a round trip;
   * the sweep curve), once built; undefined when its class rates would be too large to send.
   */
  get tableView(): MarginTableView | undefined {
    return this.tableReady ? this.table!.view : undefined;
  }

  /** Largest class-rate block sent to the sidebar (positions x classes, 8 bytes each: 8 MB). */
  static VIEW_MAX_CLASS_CELLS = 1_000_000;

  /** The sidebar's view of a table: the same functions the host answers with, at every position. */
  private viewOf(t: MarginTableResult & { facts: IndexFacts }): MarginTableView | undefined {
    const table = t.table, K = table.margins.length, n = this.dataset.n, C = this.sizes.length;
    if (K * C > Session.VIEW_MAX_CLASS_CELLS) return undefined;
    const lossSum = new Float64Array(K), bhLoss = new Float64Array(K), bhViol = new Float64Array(K), rates = new Float64Array(K * C);
    for (let k = 0; k < K; k++) {
      lossSum[k] = tableCounts(table, k).lossSum;
      const bh = batchHardAt(t.facts, table.margins[k]);
      bhLoss[k] = bh.meanLoss; bhViol[k] = bh.violatingAnchors;
      rates.set(classViolationRatesFromAnchors(this.dataset.labels, table.violAsAnchor.subarray(k * n, (k + 1) * n), this.sizes), k * C);
    }
    return {
      distance: t.facts.options.distance, normalize: t.facts.options.normalize,
      margins: table.margins, triplets: table.triplets, hard: table.hard, hardStrict: table.hardStrict,
      violating: table.violating, violatingStrict: table.violatingStrict, lossSum, batchHardLoss: bhLoss, batchHardViolating: bhViol,
      classViolationRate: rates, classes: C, smallest: t.smallest.map((w) => ({ ...w })), complete: t.complete, limit: t.limit, topK: t.topK,
    };
  }

  /** Whether the slider's positions are answered from the table (tests, the latency bench). */
  get tableReady(): boolean {
    return !!this.table && this.table.facts === this.facts;
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
    this.dropTable();
    super.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
