import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { Dataset } from './shared/dataset';
import type { AnalysisSettings, CensusView } from './shared/protocol';
import { Disposable } from './util/disposable';
import { AnalysisClient } from './worker/client';
import type { MarginTableView } from './shared/marginTableView';
import type { DistanceOptions, EngineInput } from './engine/types';
import { classSizes } from './analysis/derive';
import { readMemoryBudget, readProjectionSettings, readQueryGalleryColumns, readTopK } from './settings';
import { RecountScheduler } from './analysis/recountScheduler';
import { indexFits } from './analysis/streaming';
import { inMemoryFacts, streamingRun } from './analysis/analysisRuns';
import { SampleQueries } from './analysis/sampleQueries';
import { estimateAt, fullView, type IndexFacts, type SampleState, type ViewContext } from './analysis/censusViews';
import { shareDataset } from './shared/sharedMemory';
import { memoryRecount, type RecountContext } from './analysis/recounts';
import { StreamingRecounts } from './analysis/streamingRecounts';
import {
  analysisEndedText,
  computingText,
  PASS_STATUS_MS,
  passProgress,
  type PassProgress,
} from './analysis/statusText';
import { LayoutSet } from './projection/layoutSet';
import { MarginTables } from './analysis/marginTables';
import { QueryGalleryRunner } from './analysis/queryGalleryRun';
import { censusFromTable } from './analysis/tableCensus';
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
    () => (this.streaming ? this.streamRecounts.stop() : this.client.preempt()),
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
  /** Streaming: the exact recounts at a new margin by a pass, and the last exact census shown again. */
  private readonly streamRecounts: StreamingRecounts;
  /** The running pass's progress (streaming), shown in the status with the time left. */
  passProgress: PassProgress | undefined;
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
  /** A hovered sample's detail, a sample's neighbours, every sample's (under the current distance). */
  readonly samples: SampleQueries;
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
    this.samples = new SampleQueries(
      this.client,
      dataset,
      () => this.facts,
      () => this.settings,
    );
    this.sizes = classSizes(dataset.labels, dataset.classNames.length);
    this.ctx = { labels: dataset.labels, sizes: this.sizes, n: dataset.n };
    this.tables = new MarginTables(
      (m, k, o) => this.client.marginTable(m, k, o),
      this.ctx,
      this.sizes,
      () => this._onDidChange.fire('table'),
      readTopK,
    );
    this.streamRecounts = new StreamingRecounts({
      dataset: this.dataset,
      budgetBytes: this.budgetBytes,
      current: () => ({ facts: this.facts, settings: this.settings, census: this.census }),
      closed: () => this._isDisposed,
      context: (facts) => this.recountContext(facts),
      publish: (view, facts) => this.publishExact(view, facts),
      progress: (what, done, total, t0) => this.reportPass(undefined, what, done, total, t0, 0, 1),
      ended: () => (this.passProgress = undefined),
    });
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
      this.streamRecounts.forget();
    }
    this.setStatus('computing', computingText(options));
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
        this.setStatus('error', analysisEndedText(e, !!this.census?.estimate));
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
    const semihard = r2.semihard ? { meanLoss: r2.semihard.meanLoss, pairs: r2.semihard.pairs } : undefined;
    this.streamRecounts.publishExact(
      fullView(this.ctx, s, r2.census, facts, semihard, this.ntXent.at(s.temperature), Date.now() - t0),
      facts,
    );
    this._onDidChange.fire('table');
    // The slider moved while the pass ran: answer where it is now (the table at once, then a pass).
    if (this.settings !== s) void this.recount();
  }

  /** Reports a pass's progress (with the time left) to the notification and the status (at most every 500 ms). */
  private reportPass(
    progress: { report(fraction: number, message: string): void } | undefined,
    what: string,
    done: number,
    total: number,
    t0: number,
    from: number,
    span: number,
  ): void {
    const p = passProgress(what, done, total, Date.now() - t0);
    progress?.report(from + span * p.fraction, p.message);
    this.passProgress = p;
    const now = Date.now();
    if (now - this.lastPassStatus > PASS_STATUS_MS || p.fraction >= 1) {
      this.lastPassStatus = now;
      this.status = { state: this.census ? 'ready' : 'computing', message: p.message };
      this._onDidChange.fire('status');
    }
  }

  /** Publishes the sample's estimate at margin m (the analysed margin or a slider position); false when it cannot. */
  private publishEstimate(m: number): boolean {
    const view = this.sample && estimateAt(this.ctx, this.settings, m, this.sample, Math.max(20, readTopK()));
    if (!view) return false;
    ++this.recountSeq;
    this.census = view;
    this.setStatus(
      this.status.state === 'error' ? 'error' : 'computing',
      this.passProgress?.message ?? 'Exact census running…',
    );
    this._onDidChange.fire('census');
    return true;
  }

  /** Publishes an exact streaming census, then NT-Xent when it comes (StreamingRecounts). */
  private publishExact(view: CensusView, facts: IndexFacts): void {
    ++this.recountSeq;
    this.census = view;
    this.setStatus('ready', '');
    this._onDidChange.fire('census');
    void this.ntXentInBackground(facts);
  }

  /** What the recounts need of this session for `facts`. */
  private recountContext(facts: IndexFacts): RecountContext {
    return {
      client: this.client,
      ctx: this.ctx,
      facts,
      ntXent: this.ntXent,
      topK: readTopK(),
      gone: () => this._isDisposed,
    };
  }

  /** NT-Xent (its own pass over cosine distances) after the census is published, then the census again with it. */
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
    if (this.streaming && this.streamRecounts.showAgain(this.ntXent.at(this.settings.temperature))) return;
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
   * Recounts at the current settings and publishes a census: quick (`full` false) while the slider
   * moves, full once it rests (recounts.ts). A `preemptible` recount rejects with an AbortError when preempted.
   */
  private async recountNow(full = true, preemptible = false): Promise<void> {
    const facts = this.facts;
    if (!facts) return;
    // Streaming: positions are answered from the table (or the sample's estimate) while the slider
    // moves; once it rests, a pass recounts the margin exactly in the background.
    if (this.streaming) return full ? this.streamRecounts.recount() : undefined;
    const s = this.settings;
    if (!full && this.servedFromTable === s) return; // already answered from the table
    // Recounts can overlap (the first one after an index build, the scheduler's): only the one
    // started last may publish, so an older result never overwrites a newer margin's.
    const seq = ++this.recountSeq;
    const view = await memoryRecount(this.recountContext(facts), s, this.census, full, preemptible);
    if (seq !== this.recountSeq || this._isDisposed) return;
    this.servedFromTable = undefined;
    this.census = view;
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
    const a = censusFromTable(t, {
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
    this.streamRecounts.drop();
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
