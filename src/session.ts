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
import { distanceRows } from './engine/distances';
import { classSizes, dominantCategories, tripletsAsAnchor, classViolationRates, classViolationRatesFromAnchors, histogramEdges, marginRange, topClassPairs, CAT_NONE } from './analysis/derive';
import { readMemoryBudget, readTopK } from './settings';
import { RecountScheduler } from './analysis/recountScheduler';
import { censusEstimate, indexFits, rangeFromSample, STREAM_POSITIONS, tableSourceOf, type TableSource } from './analysis/streaming';
import { planPass, type PassPlan } from './engine/passPlan';
import { drawSample, estimateFromGroups, sampleSizeFor, type SampleDraw, type SampleEstimate } from './engine/passSample';
import type { CensusTotals, ChunkTable, PassSpec } from './engine/passTypes';
import type { PassResult } from './engine/passResult';
import type { CensusResult } from './engine/censusTypes';
import { shareDataset } from './shared/sharedMemory';
import { formatDuration } from './cli/format';

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

/** Index of the margin nearest to m among ascending `margins` (-1 when there is none). */
function nearestPosition(margins: Float64Array, m: number): number {
  if (!margins.length || !Number.isFinite(m)) return -1;
  let best = 0;
  for (let k = 1; k < margins.length; k++) if (Math.abs(margins[k] - m) < Math.abs(margins[best] - m)) best = k;
  return best;
}

/** Violation rate per anchor class at position k from the table's class sums (exactly classViolationRatesFromAnchors of the same counts). */
function ratesFromClassSums(classViolating: Float64Array, k: number, sizes: Float64Array, n: number): Float64Array {
  const C = sizes.length, out = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const valid = sizes[c] * (sizes[c] - 1) * (n - sizes[c]);
    out[c] = valid > 0 ? classViolating[k * C + c] / valid : 0;
  }
  return out;
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
  private readonly scheduler = new RecountScheduler((full) => this.recountNow(full, full), Session.SETTLE_MS,
    () => (this.streaming ? this.recountJob?.abort() : this.client.preempt()));
  readonly id = randomUUID();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<SessionEvent>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  private readonly client: AnalysisClient;
  private facts: IndexFacts | undefined;
  private indexBuild: Promise<void> | undefined;
  /** The census at every slider position for `facts` (built in the background after each index build). */
  private table: ((MarginTableResult | TableSource) & { facts: IndexFacts; ms: number; view?: MarginTableView; classViolating?: Float64Array }) | undefined;
  private tableJob: AbortController | undefined;
  /** The settings the current census was answered for from the table (the quick recount then has nothing to do). */
  private servedFromTable: AnalysisSettings | undefined;
  /** Censuses answered from the margin table so far (tests and the latency bench read it). */
  tableAnswers = 0;
  private readonly sizes: Float64Array;
  /**
   * True when the census index would not fit the memory budget: the session then counts in passes
   * over the distance matrix (a stated sample first, the exact census after, a pass per new margin).
   */
  readonly streaming: boolean;
  /** The stated sample of the current streaming analysis: its draw and each group's totals (census and table). */
  private sample: { draw: SampleDraw; groups: { census: CensusTotals; table?: ChunkTable }[]; result: PassResult; facts: IndexFacts } | undefined;
  /** The analysis in progress (stopped by a newer one and on dispose). */
  private analysisJob: AbortController | undefined;
  /** The background pass recounting a new margin exactly (streaming). */
  private recountJob: AbortController | undefined;
  /** The settings the last exact streaming census was counted at. */
  private countedAt: AnalysisSettings | undefined;
  /** The running pass's progress (streaming), shown in the status with the time left. */
  passProgress: { what: string; fraction: number; message: string } | undefined;
  private lastPassStatus = 0;

  census: CensusView | undefined;
  /** The last box/lasso selection in the projection (validated indices). */
  selection: Int32Array = new Int32Array(0);
  layout: Float32Array | undefined;
  layoutFraction = 0;
  status: { state: 'loading' | 'computing' | 'ready' | 'error'; message: string } = { state: 'loading', message: 'Loading…' };

  constructor(readonly dataset: Dataset, public settings: AnalysisSettings, workerScript: string, readonly budgetBytes = readMemoryBudget()) {
    super();
    // Embeddings and labels once in shared memory: the analysis and projection workers read them in place.
    shareDataset(dataset);
    this.client = new AnalysisClient({ workerScript });
    this._register({ dispose: () => this.client.dispose() });
    this.sizes = classSizes(dataset.labels, dataset.classNames.length);
    this.streaming = !indexFits(dataset.labels, dataset.classNames.length, dataset.dim, budgetBytes);
  }

  get input(): EngineInput {
    const d = this.dataset;
    return { embeddings: d.embeddings, n: d.n, dim: d.dim, labels: d.labels, classes: d.classNames.length };
  }

  get marginRange(): { min: number; max: number; step: number } {
    return this.facts?.marginRange ?? this.sample?.facts.marginRange ?? { min: 0, max: Math.max(1, this.settings.margin * 2), step: 0.001 };
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
    // One analysis at a time: a newer one (another distance) stops the older one's passes.
    this.analysisJob?.abort();
    const abort = new AbortController();
    this.analysisJob = abort;
    const sub = token?.onCancellationRequested(() => abort.abort());
    this.dropTable();
    this.setStatus('computing', `Computing ${options.distance} distances${options.normalize ? ' (normalised)' : ''}…`);
    const run = (async () => {
      try {
        if (this.streaming) { await this.analyseStreaming(options, progress, abort.signal); return; }
        await this.client.setDataset(this.input, { finiteChecked: true });
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
        const atZero = await this.client.census(0, { topK: 0, perSample: true, classPairs: false });
        this.facts = {
          options, hardestPositive: bh.hardestPositive, dap: Float32Array.from(bh.dap), dan: Float32Array.from(bh.dan),
          softLossMean: soft.meanLoss,
          retrieval: retrieval ? { precisionAt1: retrieval.precisionAt1, rPrecision: retrieval.rPrecision, mapAtR: retrieval.mapAtR } : undefined,
          histogram: { edges, counts }, marginRange: range,
          hardAsAnchor: Float64Array.from(atZero.perSample!.violAsAnchor),
          tripletsAsAnchor: tripletsAsAnchor(this.dataset.labels, this.sizes),
        };
        const facts = this.facts;
        this._onDidChange.fire('histogram');
        await this.recountNow();
        this.startTable(facts);
      } catch (e) {
        if ((e as Error)?.name === 'AbortError' && this.census?.estimate) this.setStatus('error', 'Exact census cancelled: the numbers shown are the sample’s estimate. Change a setting or run “Inspect Embeddings” again to count every anchor.');
        else if ((e as Error)?.name === 'AbortError') this.setStatus('error', 'Analysis cancelled. Change a setting or run “Inspect Embeddings” again to restart it.');
        else this.setStatus('error', `Analysis failed: ${(e as Error)?.message ?? e}`);
        throw e;
      } finally {
        sub?.dispose();
      }
    })();
    this.indexBuild = run;
    return run;
  }

  /** The memory plan of a pass over this dataset (a sentence for the user when nothing fits). */
  private planPass(options: DistanceOptions, positions: number, perSample: boolean): PassPlan {
    const d = this.dataset;
    const plan = planPass({
      n: d.n, dim: d.dim, classes: d.classNames.length, distance: options.distance, normalize: options.normalize,
      workers: this.client.workers, positions, perSample, knn: 0, budgetBytes: this.budgetBytes,
    });
    if ('error' in plan) throw new Error(`${plan.error.replace('(--max-megabytes, or the setting embeddingInspector.maxFileMegabytes)', '(the setting embeddingInspector.maxFileMegabytes)').replace(' or count a sample of anchors (--sample)', '')}`);
    return plan;
  }

  /**
   * Streams a dataset too large for the census index: the slider's range from a few anchors, then a
   * stated sample (estimates with 95 % intervals, at the margin and every slider position, in a few
   * seconds), then the exact pass over every anchor, which replaces it. Progress with the time left.
   */
  private async analyseStreaming(options: DistanceOptions, progress: { report(fraction: number, message: string): void } | undefined, signal: AbortSignal): Promise<void> {
    const s = this.settings, d = this.dataset, n = d.n, topK = Math.max(20, readTopK());
    await this.client.setDataset(this.input, { finiteChecked: true });
    const plan = this.planPass(options, STREAM_POSITIONS, true);
    const base: PassSpec = { distance: options, margin: s.margin, topK, perSample: false, retrieval: false, semiHard: false, blockAnchors: plan.blockAnchors, indexAnchors: plan.indexAnchors };
    // 1. The slider's range and histogram edges from a few anchors' nearest negatives.
    this.setStatus('computing', `Measuring the distance scale on a few anchors of ${n.toLocaleString('en-US')}…`);
    const few = drawSample(n, Math.min(n, 256), 7, 1);
    const r0 = await this.client.pass(base, { chunks: few.groups, signal, workers: plan.workers, chunkAnchors: plan.blockAnchors });
    const { range, edges } = rangeFromSample(r0, s.margin);
    const margins = sliderMargins(range);
    const tableSpec = { margins, smallest: topK + 32 };
    // 2. The stated sample.
    const draw = drawSample(n, sampleSizeFor(n), 1, 20);
    const groups = new Map<number, { census: CensusTotals; table?: ChunkTable }>();
    const groupOf = new Map(draw.groups.map((g, i) => [g[0], i]));
    const t0 = Date.now();
    const r1 = await this.client.pass({ ...base, table: tableSpec, edges }, {
      chunks: draw.groups, signal, workers: plan.workers, columns: false,
      onChunk: (c) => groups.set(groupOf.get(c.anchors[0]) ?? 0, { census: c.census, table: c.table }),
      onProgress: (done, total) => this.reportPass(progress, 'Sample of anchors', done, total, t0, 0, 0.1),
    });
    const sampleFacts: IndexFacts = {
      options, hardestPositive: r1.batchHard.hardestPositive, dap: r1.batchHard.dap, dan: r1.batchHard.dan, softLossMean: r1.softBatchHardMeanLoss,
      histogram: { edges, counts: new Float64Array(edges.length - 1) }, marginRange: range, hardAsAnchor: r1.hardAsAnchor, tripletsAsAnchor: tripletsAsAnchor(d.labels, this.sizes),
    };
    this.sample = { draw, groups: draw.groups.map((_, i) => groups.get(i)!), result: r1, facts: sampleFacts };
    this._onDidChange.fire('histogram'); // the sidebar's state: the slider's range is known now
    this.publishEstimate(s.margin);
    // 3. The exact pass over every anchor.
    const t1 = Date.now();
    const r2 = await this.client.pass({ ...base, perSample: true, table: tableSpec, edges, retrieval: true, semiHard: s.mining === 'semi-hard' }, {
      signal, workers: plan.workers, columns: plan.columns, chunkAnchors: Math.max(plan.blockAnchors, Math.floor(2e7 / Math.max(1, n))),
      onProgress: (done, total) => this.reportPass(progress, 'Exact census', done, total, t1, 0.1, 0.9),
    });
    const ret = r2.retrieval!;
    const facts: IndexFacts = {
      options, hardestPositive: r2.batchHard.hardestPositive, dap: r2.batchHard.dap, dan: r2.batchHard.dan, softLossMean: r2.softBatchHardMeanLoss,
      retrieval: { precisionAt1: ret.precisionAt1, rPrecision: ret.rPrecision, mapAtR: ret.mapAtR },
      histogram: { edges, counts: r2.histogram! }, marginRange: range, hardAsAnchor: r2.hardAsAnchor, tripletsAsAnchor: sampleFacts.tripletsAsAnchor,
    };
    this.facts = facts;
    this.sample = undefined;
    this._onDidChange.fire('histogram');
    this.table = { ...tableSourceOf(r2.table!, n, topK), facts, ms: Date.now() - t1 };
    this.table.view = this.viewOf(this.table);
    ++this.recountSeq;
    const semiHard = r2.semiHard ? { meanLoss: r2.semiHard.meanLoss, pairs: r2.semiHard.pairs } : undefined;
    this.census = this.fullView(r2.census, facts, semiHard, undefined, Date.now() - t1);
    this.countedAt = this.settings;
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
    this._onDidChange.fire('table');
    void this.ntXentInBackground(facts);
  }

  /** Reports a pass's progress (with the time left) to the notification and the status. */
  private reportPass(progress: { report(fraction: number, message: string): void } | undefined, what: string, done: number, total: number, t0: number, from: number, span: number): void {
    const f = total > 0 ? done / total : 1, elapsed = Date.now() - t0;
    const left = f > 0 && f < 1 && elapsed > 1500 ? ` (about ${formatDuration((elapsed * (1 - f)) / f)} left)` : '';
    const message = `${what}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} anchors${left}`;
    progress?.report(from + span * f, message);
    this.passProgress = { what, fraction: f, message };
    const now = Date.now();
    if (now - this.lastPassStatus > 500 || f >= 1) {
      this.lastPassStatus = now;
      this.status = { state: this.census ? 'ready' : 'computing', message };
      this._onDidChange.fire('status');
    }
  }

  /** Publishes the sample's estimate at margin m (a slider position or the analysed margin); false when it cannot. */
  private publishEstimate(m: number): boolean {
    const sm = this.sample;
    if (!sm) return false;
    const spec = sm.result.spec, margins = spec.table!.margins;
    let totals: CensusTotals[];
    if (m === spec.margin) totals = sm.groups.map((g) => g.census);
    else {
      const k = positionOf(margins, m);
      if (k < 0) return false;
      totals = sm.groups.map((g) => totalsAtPosition(g.table!, k));
    }
    const e = estimateFromGroups(sm.draw, totals), s = this.settings;
    ++this.recountSeq;
    this.census = this.estimateView(e, sm.result, sm.facts, m);
    this.setStatus(this.status.state === 'error' ? 'error' : 'computing', this.passProgress?.message ?? 'Exact census running…');
    void s;
    this._onDidChange.fire('census');
    return true;
  }

  /** The census view of an estimate: estimated counts with their intervals; per-sample values for the sampled anchors only. */
  private estimateView(e: SampleEstimate, r: PassResult, facts: IndexFacts, m: number): CensusView {
    const s = this.settings, n = this.dataset.n, conv = s.convention;
    const round = (x: { value: number }) => Math.round(x.value);
    const counts = (c: SampleEstimate['pml']) => ({ easy: round(c.easy), semihard: round(c.semihard), hard: round(c.hard), violating: round(c.violating) });
    const pa = r.census.perAnchor ?? r.census.perSample!;
    const sampled = new Uint8Array(n);
    for (const g of this.sample!.draw.groups) for (const a of g) sampled[a] = 1;
    const category = dominantCategories(facts.hardAsAnchor, pa.violAsAnchor, facts.tripletsAsAnchor);
    for (let a = 0; a < n; a++) if (!sampled[a]) category[a] = CAT_NONE;
    // Class rates over the sampled anchors of each class.
    const C = this.sizes.length, viol = new Float64Array(C), valid = new Float64Array(C);
    for (let a = 0; a < n; a++) if (sampled[a]) { viol[this.dataset.labels[a]] += pa.violAsAnchor[a]; valid[this.dataset.labels[a]] += facts.tripletsAsAnchor[a]; }
    const atMargin = m === r.spec.margin;
    return {
      settings: { ...s, margin: m }, triplets: round(e.triplets), counts: counts(e[conv]), pml: counts(e.pml), facenet: counts(e.facenet),
      lossSum: e.lossSum.value, meanLoss: e.meanLoss.value, meanLossNonZero: e.meanLossNonZero.value,
      category, lossAsAnchor: Float32Array.from(pa.lossAsAnchor), violAsAnchor: Float32Array.from(pa.violAsAnchor),
      violAsPositive: new Float32Array(n), violAsNegative: new Float32Array(n), nearestImpostor: r.census.nearestImpostor,
      worst: atMargin ? r.census.worst.map((w) => ({ ...w })) : [],
      classViolationRate: Float64Array.from(viol, (v, c) => (valid[c] > 0 ? v / valid[c] : 0)), topPairs: [],
      batchHard: { meanLoss: r.batchHard.meanLoss, violatingAnchors: Math.round((r.batchHard.violatingAnchors * n) / Math.max(1, r.anchors)) },
      elapsedMs: 0, partial: true, estimate: censusEstimate(e, conv),
    };
  }

  /**
   * Streaming recounts: while the slider moves, positions are answered from the table (or the sample's
   * estimate before it exists); once it rests, a pass recounts the margin exactly in the background
   * (per-sample counts as positive / negative, colliding class pairs, a typed margin between
   * positions), with progress; a new margin stops it.
   */
  private async recountStreaming(full: boolean): Promise<void> {
    const facts = this.facts, s = this.settings;
    if (!facts || !full) return;
    if (this.countedAt && sameCount(this.countedAt, s) && this.census && !this.census.partial && !this.census.shownMargin) return;
    this.recountJob?.abort();
    const job = new AbortController();
    this.recountJob = job;
    const seq = ++this.recountSeq, topK = Math.max(20, readTopK()), t0 = Date.now();
    const plan = this.planPass(facts.options, 0, true);
    const spec: PassSpec = { distance: facts.options, margin: s.margin, topK, perSample: true, retrieval: false, semiHard: s.mining === 'semi-hard', blockAnchors: plan.blockAnchors, indexAnchors: plan.indexAnchors };
    try {
      const r = await this.client.pass(spec, {
        signal: job.signal, workers: plan.workers, chunkAnchors: Math.max(plan.blockAnchors, Math.floor(2e7 / Math.max(1, this.dataset.n))),
        onProgress: (done, total) => this.reportPass(undefined, `Exact recount at margin ${s.margin}`, done, total, t0, 0, 1),
      });
      if (job.signal.aborted || this.facts !== facts || this._isDisposed) return;
      if (seq !== this.recountSeq && this.settings !== s) return;
      const semiHard = r.semiHard ? { meanLoss: r.semiHard.meanLoss, pairs: r.semiHard.pairs } : undefined;
      const ntXent = facts.ntXent && facts.ntXent.temperature === s.temperature && Number.isFinite(facts.ntXent.meanLoss) ? facts.ntXent : undefined;
      ++this.recountSeq;
      this.census = this.fullView(r.census, facts, semiHard, ntXent, Date.now() - t0);
      this.countedAt = s;
      this.setStatus('ready', '');
      this._onDidChange.fire('census');
      if (!ntXent) void this.ntXentInBackground(facts);
    } finally {
      if (this.recountJob === job) this.recountJob = undefined;
    }
  }

  /** NT-Xent (its own pass over cosine distances) after the census has been published, then the census again with it. */
  private async ntXentInBackground(facts: IndexFacts): Promise<void> {
    const temperature = this.settings.temperature;
    if (facts.ntXent?.temperature === temperature) return;
    try {
      const nt = await this.client.ntXent(temperature);
      facts.ntXent = { meanLoss: nt.meanLoss, temperature };
    } catch (e) {
      if (this._isDisposed) return;
      console.warn('[ei] NT-Xent not available', e);
      facts.ntXent = { meanLoss: Number.NaN, temperature };
    }
    if (this.facts !== facts || !this.census || this._isDisposed || !Number.isFinite(facts.ntXent.meanLoss) || this.settings.temperature !== temperature) return;
    this.census = { ...this.census, ntXent: facts.ntXent };
    this._onDidChange.fire('census');
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
    if (!this.facts) { if (this.sample) this.publishEstimate(this.settings.margin); return; }
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
    if (this.streaming) return this.recountStreaming(full);
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
    let semiHard: CensusView['semiHard'];
    if (s.mining === 'semi-hard') {
      const sh = await this.client.semiHard(s.margin);
      semiHard = { meanLoss: sh.meanLoss, pairs: sh.pairs };
    }
    const ntXent = await this.ntXentFor(s.temperature);
    if (seq !== this.recountSeq || this._isDisposed) return;
    this.servedFromTable = undefined;
    const pa = r.perAnchor;
    if (!full && prev && pa) {
      this.census = this.quickView(prev, facts, r, r.worst, pa.violAsAnchor, Float32Array.from(pa.lossAsAnchor), semiHard, ntXent, Date.now() - t0);
    } else {
      this.census = this.fullView(r, facts, semiHard, ntXent, Date.now() - t0);
    }
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
  }

  /** The census of a full recount (per-sample counts and class pairs included) as the views get it. */
  private fullView(r: CensusResult, facts: IndexFacts, semiHard: CensusView['semiHard'], ntXent: CensusView['ntXent'], elapsedMs: number): CensusView {
    const s = this.settings, ps = r.perSample!, classes = this.dataset.classNames.length;
    return {
      settings: s,
      triplets: r.triplets,
      counts: s.convention === 'pml' ? r.pml : r.facenet,
      pml: r.pml, facenet: r.facenet,
      lossSum: r.lossSum, meanLoss: r.meanLoss, meanLossNonZero: r.meanLossNonZero,
      // Colour category: where most of the anchor's triplets fall (pml's boundaries per sample).
      category: dominantCategories(facts.hardAsAnchor, ps.violAsAnchor, facts.tripletsAsAnchor),
      lossAsAnchor: Float32Array.from(ps.lossAsAnchor),
      violAsAnchor: Float32Array.from(ps.violAsAnchor),
      violAsPositive: Float32Array.from(ps.violAsPositive),
      violAsNegative: Float32Array.from(ps.violAsNegative),
      nearestImpostor: r.nearestImpostor,
      worst: r.worst.map((w) => ({ ...w })),
      classViolationRate: classViolationRates(r.classPairs, this.sizes),
      topPairs: topClassPairs(r.classPairs, classes, 20),
      batchHard: batchHardAt(facts, s.margin),
      semiHard,
      retrieval: facts.retrieval,
      ntXent,
      elapsedMs,
    };
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
    if (!t || !facts || t.facts !== facts || !prev) return false;
    // Streaming, NT-Xent and semi-hard follow with the exact pass; in memory they must be known now.
    if (!this.streaming && (s.mining === 'semi-hard' || facts.ntXent?.temperature !== s.temperature)) return false;
    let k = positionOf(t.table.margins, s.margin);
    const topK = readTopK();
    // Streaming: a typed margin between positions shows the nearest position's numbers, said so, until its exact pass ends.
    if (k < 0 && this.streaming) k = nearestPosition(t.table.margins, s.margin);
    if (k < 0 || topK > t.topK) return false;
    const shown = t.table.margins[k];
    const worst = worstAt(t.smallest, t.complete, t.limit, shown, topK);
    if (!worst) return false;
    const t0 = performance.now(), n = this.dataset.n;
    ++this.recountSeq; // a recount still in flight must not overwrite this newer answer
    const ntXent = facts.ntXent && facts.ntXent.temperature === s.temperature && Number.isFinite(facts.ntXent.meanLoss) ? facts.ntXent : undefined;
    const columns = t.table.violAsAnchor.length === t.table.margins.length * n;
    const viol = columns ? t.table.violAsAnchor.subarray(k * n, (k + 1) * n) : prev.violAsAnchor;
    const loss = columns ? t.table.lossAsAnchor.slice(k * n, (k + 1) * n) : prev.lossAsAnchor;
    const view = this.quickView(prev, facts, tableCounts(t.table, k), worst, viol, loss, undefined, ntXent, performance.now() - t0);
    if (t.classViolating) view.classViolationRate = ratesFromClassSums(t.classViolating, k, this.sizes, n);
    this.census = { ...view, fromTable: true, shownMargin: shown !== s.margin ? shown : undefined, estimate: undefined };
    this.servedFromTable = shown === s.margin ? s : undefined;
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
    this.recountJob?.abort();
    this.recountJob = undefined;
    this.sample = undefined;
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
  private viewOf(t: (MarginTableResult | TableSource) & { facts: IndexFacts; classViolating?: Float64Array }): MarginTableView | undefined {
    const table = t.table, K = table.margins.length, n = this.dataset.n, C = this.sizes.length;
    if (K * C > Session.VIEW_MAX_CLASS_CELLS) return undefined;
    const lossSum = new Float64Array(K), bhLoss = new Float64Array(K), bhViol = new Float64Array(K), rates = new Float64Array(K * C);
    for (let k = 0; k < K; k++) {
      lossSum[k] = tableCounts(table, k).lossSum;
      const bh = batchHardAt(t.facts, table.margins[k]);
      bhLoss[k] = bh.meanLoss; bhViol[k] = bh.violatingAnchors;
      rates.set(t.classViolating ? ratesFromClassSums(t.classViolating, k, this.sizes, n)
        : classViolationRatesFromAnchors(this.dataset.labels, table.violAsAnchor.subarray(k * n, (k + 1) * n), this.sizes), k * C);
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
    const row = distanceRows(this.client.preparedEmbeddings(f.options.normalize), n, dim, index, index + 1, f.options.distance);
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
    this.analysisJob?.abort();
    this.scheduler.stop();
    this.dropTable();
    super.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}

/** A group's census totals at table position k (what the exact census of those anchors gives at margins[k]). */
function totalsAtPosition(t: ChunkTable, k: number): CensusTotals {
  const V = t.violating[k], Vs = t.violatingStrict[k], T = t.triplets;
  return {
    triplets: T, nonZero: Vs, lossSumPartials: t.lossPartials[k],
    pml: { easy: T - V, semihard: V - t.hard, hard: t.hard, violating: V },
    facenet: { easy: T - Vs, semihard: Vs - t.hardStrict, hard: t.hardStrict, violating: Vs },
  };
}

/** Whether two settings give the same exact census (the convention and NT-Xent only change how it is shown). */
function sameCount(a: AnalysisSettings, b: AnalysisSettings): boolean {
  return a.margin === b.margin && a.distance === b.distance && a.normalize === b.normalize && a.mining === b.mining;
}
