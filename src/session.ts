import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { Dataset } from './shared/dataset';
import type { AnalysisSettings, CensusView } from './shared/protocol';
import { Disposable } from './util/disposable';
import { AnalysisClient } from './worker/client';
import { positionOf, type MarginTableView } from './shared/marginTableView';
import type { DistanceOptions, EngineInput, Progress } from './engine/types';
import type { KnnResult } from './engine/knn';
import { classSizes } from './analysis/derive';
import { readMemoryBudget, readProjectionSettings, readQueryGalleryColumns, readTopK } from './settings';
import { RecountScheduler } from './analysis/recountScheduler';
import { indexFits, planSessionPass } from './analysis/streaming';
import { chunkAnchorsFor } from './engine/passPlan';
import { inMemoryFacts, streamingRun } from './analysis/analysisRuns';
import { hoverDetail } from './analysis/hoverDetail';
import { nearestNeighbours, type Neighbours } from './analysis/neighbours';
import {
  estimateView,
  fullView,
  quickView,
  sameCount,
  totalsAtPosition,
  type IndexFacts,
  type SampleState,
  type ViewContext,
} from './analysis/censusViews';
import { estimateFromGroups } from './engine/passSample';
import type { PassSpec } from './engine/passTypes';
import { shareDataset } from './shared/sharedMemory';
import { timeLeft } from './shared/duration';
import { LayoutSet } from './projection/layoutSet';
import { MarginTables } from './analysis/marginTables';
import { QueryGalleryRunner } from './analysis/queryGalleryRun';
import { answerFromTable } from './analysis/tableAnswer';
import { NtXentCache } from './analysis/ntXentCache';
import { ExactNeighbours, passNeighboursFor } from './projection/exactNeighbours';

export type SessionEvent = 'dataset' | 'census' | 'histogram' | 'layout' | 'status' | 'table' | 'queryGallery';

/**
 * One open dataset: owns its analysis workers, the current settings and results. The webviews
 * render what it publishes; it is the only place results are computed and cached.
 */
export class Session extends Disposable {
  /** Quiet time after the last margin request before the full recount (per-sample, class tables). */
  static SETTLE_MS = 150;
  private recountSeq = 0;
  // A margin request during the full recount preempts it (the workers stop it within a few anchors).
  private readonly scheduler = new RecountScheduler(
    (full) => this.recountNow(full, full),
    Session.SETTLE_MS,
    () => (this.streaming ? this.recountJob?.abort() : this.client.preempt()),
  );
  readonly id = randomUUID();
  private readonly _onDidChange = this._register(new vscode.EventEmitter<SessionEvent>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;

  private readonly client: AnalysisClient;
  private facts: IndexFacts | undefined;
  private indexBuild: Promise<void> | undefined;
  /** The census at every slider position for `facts` (built in the background after each index build). */
  private readonly tables: MarginTables;
  /** The settings the current census was answered for from the table (the quick recount then has nothing to do). */
  private servedFromTable: AnalysisSettings | undefined;
  /** Censuses answered from the margin table so far (tests and the latency bench read it). */
  tableAnswers = 0;
  private readonly sizes: Float64Array;
  /** What the view builders need of the dataset. */
  private readonly ctx: ViewContext;
  /** NT-Xent depends on the embeddings and the temperature only: kept across index builds and passes. */
  private readonly ntXent: NtXentCache;
  /**
   * True when the census index would not fit the memory budget: the session then counts in passes
   * over the distance matrix (a stated sample first, the exact census after, a pass per new margin).
   */
  readonly streaming: boolean;
  /** The stated sample of the current streaming analysis: its draw and each group's totals (census and table). */
  private sample: SampleState | undefined;
  /** The analysis in progress (stopped by a newer one and on dispose). */
  private analysisJob: AbortController | undefined;
  /** The background pass recounting a new margin exactly (streaming). */
  private recountJob: AbortController | undefined;
  /** The last exact streaming census, the settings it was counted at and their facts: shown again without a pass when
   * only the convention or temperature changed, or the slider came back. */
  private exact: { at: AnalysisSettings; view: CensusView; facts: IndexFacts } | undefined;
  /** The running pass's progress (streaming), shown in the status with the time left. */
  passProgress: { what: string; fraction: number; message: string } | undefined;
  private lastPassStatus = 0;

  census: CensusView | undefined;
  /** The last box/lasso selection in the projection (validated indices). */
  selection: Int32Array = new Int32Array(0);
  /** PCA, the user's own and UMAP layouts, and which is shown; the views follow its changes. */
  readonly layouts = new LayoutSet((e) => this._onDidChange.fire(e));
  /** Every sample's exact neighbours from the streaming exact pass, for the layout (projection/exactNeighbours.ts). */
  readonly exactNeighbours = new ExactNeighbours();
  /** Query / gallery retrieval (metadata with a split column), run after each census. */
  readonly queryGallery: QueryGalleryRunner;
  status: { state: 'loading' | 'computing' | 'ready' | 'error'; message: string } = {
    state: 'loading',
    message: 'Loading…',
  };

  constructor(
    readonly dataset: Dataset,
    public settings: AnalysisSettings,
    workerScript: string,
    readonly budgetBytes = readMemoryBudget(),
  ) {
    super();
    // Embeddings and labels once in shared memory: the analysis and projection workers read them in place.
    shareDataset(dataset);
    this.client = new AnalysisClient({ workerScript });
    this._register({ dispose: () => this.client.dispose() });
    this.queryGallery = new QueryGalleryRunner(this.client, dataset, () => this._onDidChange.fire('queryGallery'));
    this.ntXent = new NtXentCache((t) => this.client.ntXent(t));
    this.sizes = classSizes(dataset.labels, dataset.classNames.length);
    this.ctx = { labels: dataset.labels, sizes: this.sizes, n: dataset.n };
    this.tables = new MarginTables(
      (m, k, o) => this.client.marginTable(m, k, o),
      this.ctx,
      this.sizes,
      () => this._onDidChange.fire('table'),
      readTopK,
    );
    this.streaming = !indexFits(dataset.labels, dataset.classNames.length, dataset.dim, budgetBytes);
  }

  get input(): EngineInput {
    const d = this.dataset;
    return { embeddings: d.embeddings, n: d.n, dim: d.dim, labels: d.labels, classes: d.classNames.length };
  }

  get marginRange(): { min: number; max: number; step: number } {
    return (
      this.facts?.marginRange ??
      this.sample?.facts.marginRange ?? { min: 0, max: Math.max(1, this.settings.margin * 2), step: 0.001 }
    );
  }

  get histogram(): { edges: Float64Array; counts: Float64Array } | undefined {
    return this.facts?.histogram;
  }

  /** Total valid triplets: sum over classes of n_c (n_c - 1) (N - n_c). */
  get validTriplets(): number {
    let t = 0;
    for (const s of this.sizes) t += s * (s - 1) * (this.dataset.n - s);
    return t;
  }

  /** True once the session's panel was closed (its workers are gone). */
  get disposed(): boolean {
    return this._isDisposed;
  }

  setStatus(state: Session['status']['state'], message: string): void {
    this.status = { state, message };
    this._onDidChange.fire('status');
  }

  /**
   * Builds the census index for the current distance settings (the slow step, with progress and
   * cancellation), then the margin-independent facts, then the first recount.
   */
  async analyse(
    progress?: { report(fraction: number, message: string): void },
    token?: vscode.CancellationToken,
  ): Promise<void> {
    const options: DistanceOptions = { distance: this.settings.distance, normalize: this.settings.normalize };
    // One analysis at a time: a newer one (another distance) stops the older one's passes.
    this.analysisJob?.abort();
    const abort = new AbortController();
    this.analysisJob = abort;
    const sub = token?.onCancellationRequested(() => abort.abort());
    this.dropTable();
    this.queryGallery.stop();
    // Streaming: until the new pass ends nothing may be recounted with the old distance's facts.
    if (this.streaming) {
      this.facts = undefined;
      this.exact = undefined;
    }
    this.setStatus('computing', `Computing ${options.distance} distances${options.normalize ? ' (normalised)' : ''}…`);
    const run = (async () => {
      try {
        if (this.streaming) await this.analyseStreaming(options, progress, abort.signal);
        else {
          this.facts = await inMemoryFacts(
            this.client,
            this.input,
            options,
            this.settings.margin,
            this.sizes,
            progress,
            abort.signal,
          );
          const facts = this.facts;
          this._onDidChange.fire('histogram');
          await this.recountNow();
          this.startTable(facts);
        }
        if (this.analysisJob === abort) this.rerunQueryGallery();
      } catch (e) {
        if (this.analysisJob !== abort) return; // a newer analysis replaced this one: its status stands
        if ((e as Error)?.name === 'AbortError' && this.census?.estimate)
          this.setStatus(
            'error',
            'Exact census cancelled: the numbers shown are the sample’s estimate. Change a setting or run “Inspect Embeddings” again to count every anchor.',
          );
        else if ((e as Error)?.name === 'AbortError')
          this.setStatus(
            'error',
            'Analysis cancelled. Change a setting or run “Inspect Embeddings” again to restart it.',
          );
        else this.setStatus('error', `Analysis failed: ${(e as Error)?.message ?? e}`);
        throw e;
      } finally {
        sub?.dispose();
        if (this.analysisJob === abort) this.passProgress = undefined;
      }
    })();
    this.indexBuild = run;
    return run;
  }

  /**
   * Streams a dataset too large for the census index: the slider's range from a few anchors, then a
   * stated sample (estimates with 95 % intervals, at the margin and every slider position, in a few
   * seconds), then the exact pass over every anchor, which replaces it. Progress with the time left.
   */
  private async analyseStreaming(
    options: DistanceOptions,
    progress: { report(fraction: number, message: string): void } | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const s = this.settings,
      topK = Math.max(20, readTopK()),
      t0 = Date.now();
    const {
      facts,
      result: r2,
      table,
    } = await streamingRun(this.client, this.dataset, this.input, options, s, topK, this.budgetBytes, this.sizes, {
      signal,
      onStatus: (message) => this.setStatus('computing', message),
      onProgress: (what, done, total, started, from, span) =>
        this.reportPass(progress, what, done, total, started, from, span),
      onSample: (sample) => {
        this.sample = sample;
        this._onDidChange.fire('histogram'); // the sidebar's state: the slider's range is known now
        this.publishEstimate(this.settings.margin);
      },
      knn: passNeighboursFor(this.dataset.n, readProjectionSettings().nNeighbors),
    });
    this.exactNeighbours.offer(options, r2.knn);
    this.facts = facts;
    this.sample = undefined;
    this._onDidChange.fire('histogram');
    this.tables.keep(table, facts, Date.now() - t0);
    ++this.recountSeq;
    const semihard = r2.semihard ? { meanLoss: r2.semihard.meanLoss, pairs: r2.semihard.pairs } : undefined;
    this.census = fullView(this.ctx, s, r2.census, facts, semihard, this.ntXent.at(s.temperature), Date.now() - t0);
    this.exact = { at: s, view: this.census, facts };
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
    this._onDidChange.fire('table');
    void this.ntXentInBackground(facts);
    // The slider moved while the pass ran: answer where it is now (the table at once, then a pass).
    if (this.settings !== s) void this.recount();
  }

  /** Reports a pass's progress (with the time left) to the notification and the status. */
  private reportPass(
    progress: { report(fraction: number, message: string): void } | undefined,
    what: string,
    done: number,
    total: number,
    t0: number,
    from: number,
    span: number,
  ): void {
    const f = total > 0 ? done / total : 1,
      left = timeLeft(Date.now() - t0, f);
    const message = `${what}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} anchors${left ? ` (${left})` : ''}`;
    progress?.report(from + span * f, message);
    this.passProgress = { what, fraction: f, message };
    const now = Date.now();
    if (now - this.lastPassStatus > 500 || f >= 1) {
      this.lastPassStatus = now;
      this.status = { state: this.census ? 'ready' : 'computing', message };
      this._onDidChange.fire('status');
    }
  }

  /** Publishes the sample's estimate at margin m (the analysed margin or a slider position); false when it cannot. */
  private publishEstimate(m: number): boolean {
    const sm = this.sample;
    if (!sm) return false;
    const spec = sm.result.spec,
      k = positionOf(spec.table!.margins, m);
    if (m !== spec.margin && k < 0) return false;
    const totals =
      m === spec.margin ? sm.groups.map((g) => g.census) : sm.groups.map((g) => totalsAtPosition(g.table!, k));
    ++this.recountSeq;
    this.census = estimateView(
      this.ctx,
      this.settings,
      m,
      k,
      estimateFromGroups(sm.draw, totals),
      sm,
      Math.max(20, readTopK()),
    );
    this.setStatus(
      this.status.state === 'error' ? 'error' : 'computing',
      this.passProgress?.message ?? 'Exact census running…',
    );
    this._onDidChange.fire('census');
    return true;
  }

  /**
   * Streaming recounts: while the slider moves, positions are answered from the table (or the sample's
   * estimate before it exists); once it rests, a pass recounts the margin exactly in the background
   * (per-sample counts as positive / negative, colliding class pairs, a typed margin between
   * positions), with progress; a new margin stops it.
   */
  private async recountStreaming(full: boolean): Promise<void> {
    const facts = this.facts,
      s = this.settings;
    if (!facts || !full) return;
    if (this.exact && sameCount(this.exact.at, s) && this.census && !this.census.partial && !this.census.shownMargin)
      return;
    this.recountJob?.abort();
    const job = new AbortController();
    this.recountJob = job;
    const topK = Math.max(20, readTopK()),
      t0 = Date.now();
    const plan = planSessionPass(this.dataset, facts.options, this.client.workers, this.budgetBytes, 0, true);
    const spec: PassSpec = {
      distance: facts.options,
      margin: s.margin,
      topK,
      perSample: true,
      retrieval: false,
      semihard: s.mining === 'semi-hard',
      blockAnchors: plan.blockAnchors,
      indexAnchors: plan.indexAnchors,
    };
    try {
      const r = await this.client.pass(spec, {
        signal: job.signal,
        workers: plan.workers,
        chunkAnchors: chunkAnchorsFor(plan, this.dataset.n),
        onProgress: (done, total) =>
          this.reportPass(undefined, `Exact recount at margin ${s.margin}`, done, total, t0, 0, 1),
      });
      if (job.signal.aborted || this.facts !== facts || this._isDisposed || this.settings !== s) return;
      const semihard = r.semihard ? { meanLoss: r.semihard.meanLoss, pairs: r.semihard.pairs } : undefined;
      ++this.recountSeq;
      this.census = fullView(this.ctx, s, r.census, facts, semihard, this.ntXent.at(s.temperature), Date.now() - t0);
      this.exact = { at: s, view: this.census, facts };
      this.setStatus('ready', '');
      this._onDidChange.fire('census');
      void this.ntXentInBackground(facts);
    } catch (e) {
      // Stopped by a newer margin, another analysis or closing: not a failure.
      if (job.signal.aborted && (e as Error)?.name === 'AbortError') return;
      throw e;
    } finally {
      if (this.recountJob === job) {
        this.recountJob = undefined;
        this.passProgress = undefined;
      }
    }
  }

  /**
   * Streaming: when the settings count what the last exact census counted (only the convention or
   * the temperature changed, or the slider came back to its margin), shows it again at once with
   * them, and stops a recount at another margin. Returns whether it did.
   */
  private showExact(): boolean {
    const e = this.exact,
      s = this.settings;
    if (!e || e.facts !== this.facts || !sameCount(e.at, s)) return false;
    this.recountJob?.abort();
    ++this.recountSeq;
    this.census = {
      ...e.view,
      settings: s,
      counts: s.convention === 'pml' ? e.view.pml : e.view.facenet,
      ntXent: this.ntXent.at(s.temperature),
    };
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
    void this.ntXentInBackground(e.facts);
    return true;
  }

  /** NT-Xent (its own pass over cosine distances) after the census has been published, then the census again with it.
   * */
  private async ntXentInBackground(facts: IndexFacts): Promise<void> {
    const temperature = this.settings.temperature;
    const nt = await this.ntXent.get(temperature, () => this._isDisposed);
    if (
      !nt ||
      this.facts !== facts ||
      !this.census ||
      this._isDisposed ||
      this.settings.temperature !== temperature ||
      this.census.ntXent === nt
    )
      return;
    this.census = { ...this.census, ntXent: nt };
    this._onDidChange.fire('census');
  }

  /** Query / gallery retrieval under the analysed distance and the configured columns (after the census; again when the
   * columns change). */
  rerunQueryGallery(): void {
    const o = this.facts?.options;
    if (o && !this._isDisposed) void this.queryGallery.start(o, readQueryGalleryColumns());
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

  /** Recounts at the current settings; a failure is shown in the status (the callers are UI events that cannot handle
   * it). */
  async recount(): Promise<void> {
    if (!this.facts) {
      if (this.sample) this.publishEstimate(this.settings.margin);
      return;
    }
    if (this.streaming && this.showExact()) return;
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
    const r = await this.client.census(s.margin, {
      topK,
      perSample: full,
      classPairs: full,
      perAnchor: !full,
      preemptible,
    });
    let semihard: CensusView['semihard'];
    if (s.mining === 'semi-hard') {
      const sh = await this.client.semihard(s.margin);
      semihard = { meanLoss: sh.meanLoss, pairs: sh.pairs };
    }
    const ntXent = await this.ntXent.get(s.temperature, () => this._isDisposed);
    if (seq !== this.recountSeq || this._isDisposed) return;
    this.servedFromTable = undefined;
    const pa = r.perAnchor;
    if (!full && prev && pa) {
      this.census = quickView(
        this.ctx,
        s,
        prev,
        facts,
        r,
        r.worst,
        pa.violAsAnchor,
        Float32Array.from(pa.lossAsAnchor),
        semihard,
        ntXent,
        Date.now() - t0,
      );
    } else {
      this.census = fullView(this.ctx, s, r, facts, semihard, ntXent, Date.now() - t0);
    }
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
  }

  /**
   * Answers the current settings from the margin table when it holds them (a slider position, no
   * semi-hard mining, NT-Xent known, the worst list decidable): publishes a quick census at once,
   * without the workers. Returns whether it did.
   */
  private answerFromTable(): boolean {
    const t = this.tables.table,
      facts = this.facts,
      prev = this.census,
      s = this.settings;
    if (!t || !facts || t.facts !== facts || !prev) return false;
    // Streaming, NT-Xent and semi-hard follow with the exact pass; in memory they must be known now.
    if (!this.streaming && (s.mining === 'semi-hard' || !this.ntXent.has(s.temperature))) return false;
    const a = answerFromTable(t, {
      ctx: this.ctx,
      settings: s,
      prev,
      facts,
      topK: readTopK(),
      streaming: this.streaming,
      ntXent: this.ntXent.at(s.temperature),
    });
    if (!a) return false;
    ++this.recountSeq; // a recount still in flight must not overwrite this newer answer
    this.census = a.view;
    this.servedFromTable = a.exact ? s : undefined;
    this.tableAnswers++;
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
    return true;
  }

  /** Starts building the margin table for these facts (a newer index build may have started meanwhile: its own table
   * follows it). */
  private startTable(facts: IndexFacts): void {
    if (this._isDisposed || this.facts !== facts) return;
    this.tables.start(facts, () => this.facts === facts && !this._isDisposed);
  }

  /** Stops the table job and forgets the table (the index is being rebuilt). */
  private dropTable(): void {
    this.recountJob?.abort();
    this.recountJob = undefined;
    this.sample = undefined;
    this.tables.drop();
    this.servedFromTable = undefined;
  }

  /**
   * The table as the sidebar gets it (answers every slider position there without a round trip;
   * the sweep curve), once built; undefined when its class rates would be too large to send.
   */
  get tableView(): MarginTableView | undefined {
    return this.tableReady ? this.tables.table!.view : undefined;
  }

  /** Whether the slider's positions are answered from the table (tests, the latency bench). */
  get tableReady(): boolean {
    return this.tables.readyFor(this.facts);
  }

  /** Hover detail: hardest positive and the violating negatives of one anchor (worst first, capped). */
  detail(index: number, cap = 20): { hardestPositive: number; negatives: number[] } {
    const f = this.facts,
      d = this.dataset;
    if (!f) return { hardestPositive: -1, negatives: [] };
    return hoverDetail(
      this.client.preparedEmbeddings(f.options.normalize),
      d.n,
      d.dim,
      d.labels,
      f.options,
      f.hardestPositive,
      index,
      this.settings.margin,
      cap,
    );
  }

  /** Sample `index`'s k nearest neighbours under the current distance and normalisation (one distance row). */
  neighbours(index: number, k: number): Neighbours {
    const d = this.dataset,
      s = this.settings;
    return nearestNeighbours(
      this.client.preparedEmbeddings(s.normalize || s.distance === 'cosine'),
      d.n,
      d.dim,
      d.labels,
      s.distance,
      index,
      k,
    );
  }

  /** Every sample's k nearest neighbours (exact, in the workers) under the current distance and normalisation. */
  knnAll(k: number, progress?: Progress): Promise<KnnResult> {
    const s = this.settings;
    return this.client.knn(k, false, progress, { distance: s.distance, normalize: s.normalize });
  }

  /** Waits for the current index build (tests use it). */
  async idle(): Promise<void> {
    while (this.indexBuild) {
      const b = this.indexBuild;
      await b.catch(() => undefined);
      if (b === this.indexBuild) break;
    }
  }

  /** The layout shown now (undefined before the first). */
  get layout(): Float32Array | undefined {
    return this.layouts.shown?.layout;
  }

  /**
   * What a command run from VS Code's UI sends back to it (the Inspect commands return the
   * session): its id and name. Without this the reply held the whole dataset: serialising it
   * blocked the extension host for about a minute at 100 000 x 128 before the panel could load.
   */
  toJSON(): { id: string; name: string } {
    return { id: this.id, name: this.dataset.name };
  }

  override dispose(): void {
    if (this._isDisposed) return;
    this.analysisJob?.abort();
    this.queryGallery.stop();
    this.scheduler.stop();
    this.dropTable();
    super.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
  }
}
