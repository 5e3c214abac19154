/**
 * `AnalysisClient`: the extension host's (and optionally the CLI's) handle on the analysis
 * workers. Plain Node, no `vscode`.
 *
 * - Work is split by anchor / query rows across `workers` threads (default min(2, cores)) and
 *   merged so the result is identical whatever the number of workers: census parts through
 *   `mergeCensus`, row-wise results by concatenation and sums in sample-index order.
 * - Workers start lazily. A call with an AbortSignal that fires terminates the workers doing that
 *   call and rejects with an AbortError; the next call starts fresh workers, re-sends the dataset
 *   and (when an index had been built) rebuilds the census index with the same options.
 * - Progress from the workers is averaged and forwarded to `progress.onProgress`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { mergeCensus, type CensusResult } from '../engine/census';
import type { KnnResult } from '../engine/knn';
import type { ContrastiveOptions, ContrastiveResult, NtXentResult } from '../engine/pairLosses';
import type { RetrievalResult } from '../engine/retrieval';
import { summarizeQueryGallery, type QueryGalleryResult, type QueryGallerySpec } from '../engine/queryGallery';
import { abortError, type DistanceOptions, type EngineInput, type Progress } from '../engine/types';
import { prepareEmbeddings } from '../engine/distances';
import type { PassAccumulator, PassResult } from '../engine/passResult';
import type { PassSpec } from '../engine/passTypes';
import { shared } from '../shared/sharedMemory';
import { mergeBatchHard, mergeSemihard, type BatchHardResult, type SemihardResult } from './miningParts';
import { marginTableJob, type MarginTableOptions, type MarginTableResult } from './marginTableJob';
import { passJob, type PassOptions } from './passJob';
import type { AnalysisMethods } from './analysisMethods';
import type { OnProgress, PoolAccess } from './poolAccess';
import { ROW_JOBS, type RowArgs, type RowJobName, type RowResult } from './rowJobs';
import { splitRows } from './rpc';
import { WorkerSlot } from './workerSlot';

export type { MarginTableResult } from './marginTableJob';
export type { PassOptions } from './passJob';

/** Construction options. */
export interface AnalysisClientOptions {
  /** Worker threads (default min(2, available cores)). */
  workers?: number;
  /** The bundled worker (default dist/worker.js beside this bundle: path.join(__dirname, 'worker.js')). */
  workerScript?: string;
}

/** Drives the analysis workers; see the file comment. */
export class AnalysisClient {
  private readonly workerCount: number;
  private readonly script: string;
  private slots: (WorkerSlot | undefined)[] = [];
  private input: EngineInput | undefined;
  /** Distance options of the last buildIndex: the ones every distance-based call uses. */
  private options: DistanceOptions | undefined;
  /** Set while the workers hold (or should rebuild) a census index for `options`. */
  private indexWanted = false;
  private disposed = false;
  /** preempt() calls so far: a preemptible census started before one must not start after it. */
  private preemptions = 0;
  /** The input whose coordinates the caller checked to be finite (setDataset's `finiteChecked`). */
  private finite: EngineInput | undefined;
  /** Resolves when the pass in progress ends (passes run one after another). */
  private passQueue: Promise<void> = Promise.resolve();
  /** L2-normalised embeddings in shared memory for the current dataset (passes with `normalize`). */
  private prepared: { input: EngineInput; x: Float32Array } | undefined;

  constructor(opts: AnalysisClientOptions = {}) {
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    this.workerCount = Math.max(1, Math.floor(opts.workers ?? Math.min(2, cores)));
    this.script = opts.workerScript ?? path.join(__dirname, 'worker.js');
  }

  /** What the jobs (passJob, marginTableJob) may use of this pool. */
  private readonly access: PoolAccess = {
    input: () => this.requireInput(),
    slots: () => this.ensureSlots(),
    indexedSlots: () => this.indexedSlots(),
    ranges: (count) => this.ranges(count),
    options: () => this.requireOptions(),
    prepared: (normalize) => this.preparedFor(normalize),
    finiteChecked: (input) => this.finite === input,
    dropIndex: (options) => {
      this.options = options;
      for (const s of this.slots) if (s) s.indexed = false;
      this.indexWanted = false;
    },
  };

  /**
   * Sends the dataset to the workers (replacing any previous one and its index). Its embeddings and
   * labels are put in shared memory (unless they are already), so the workers do not copy them.
   * `normalizedInPlace`: the embeddings are already L2-normalised (normalizeRowsInPlace); passes
   * with `normalize` then read them as they are. `finiteChecked`: the caller checked that every
   * coordinate is finite (the loaders do), so the workers skip that N x D check.
   */
  async setDataset(
    input: EngineInput,
    opts: { normalizedInPlace?: boolean; finiteChecked?: boolean } = {},
  ): Promise<void> {
    this.checkAlive();
    input = { ...input, embeddings: shared(input.embeddings), labels: shared(input.labels) };
    this.input = input;
    // Embeddings already L2-normalised by normalizeRowsInPlace are their own prepared copy (no second N x D array).
    this.prepared = opts.normalizedInPlace ? { input, x: input.embeddings } : undefined;
    this.finite = opts.finiteChecked ? input : undefined;
    this.indexWanted = false;
    const live = this.slots.filter((s): s is WorkerSlot => !!s && !s.isDead);
    for (const s of live) this.sendDataset(s, input);
    await Promise.all(live.map((s) => s.ready));
  }

  /** The distance backend the workers run ('wasm', 'tensorflow' or 'js'); starts a worker if none. */
  async backend(): Promise<string> {
    return this.ensureSlots()[0].ready;
  }

  /** Builds the census index with these distance options, anchors split across the workers. */
  async buildIndex(opts: DistanceOptions, progress?: Progress): Promise<void> {
    this.options = { distance: opts.distance, normalize: opts.normalize };
    this.indexWanted = false;
    const slots = this.foreground(this.ensureSlots());
    for (const s of slots) s.indexed = false;
    const ranges = this.ranges(slots.length);
    await this.run(slots, progress, (s, i, onP) =>
      s.request(
        'buildIndex',
        { opts: this.options!, anchorStart: ranges[i].rowStart, anchorEnd: ranges[i].rowEnd },
        onP,
      ),
    );
    for (const s of slots) s.indexed = true;
    this.indexWanted = true;
  }

  /**
   * Triplet census at a margin, merged across workers (no distance recomputation). A
   * `preemptible` census stops with an AbortError at the next {@link preempt} (a slow full
   * recount must not hold up the slider's next quick one).
   */
  async census(
    margin: number,
    opts: { topK?: number; perSample?: boolean; classPairs?: boolean; perAnchor?: boolean; preemptible?: boolean } = {},
    progress?: Progress,
  ): Promise<CensusResult> {
    const topK = opts.topK ?? 20;
    const preemptions = this.preemptions;
    const slots = this.foreground(await this.indexedSlots(progress));
    if (opts.preemptible && preemptions !== this.preemptions) throw abortError();
    // classPairs: false (with perSample off) skips the walk over violating negatives: the fast
    // path while a slider is dragged. Counts and loss are identical either way.
    const parts = await this.run(slots, progress, (s) =>
      s.request('census', {
        margin,
        topK,
        perSample: opts.perSample === true,
        classPairs: opts.classPairs !== false,
        perAnchor: opts.perAnchor === true,
        stopEpoch: opts.preemptible ? s.stopEpoch : undefined,
      }),
    );
    return mergeCensus(parts, topK);
  }

  /**
   * The census at every margin of `margins` (ascending: the slider's positions) with the `topK + 32`
   * smallest-t triplets below the largest one (the slack decides the worst list across ties), for answering a margin
   * from a table (engine/marginTable.ts). A background job: the anchors go in chunks of `chunk`, and any other
   * request sent meanwhile runs first (it stops the chunk in progress, which is redone after it).
   * Rejects with an AbortError when `signal` fires, stopping the chunk in progress (the workers
   * stay up).
   */
  marginTable(margins: Float64Array, topK: number, opts: MarginTableOptions = {}): Promise<MarginTableResult> {
    return marginTableJob(this.access, margins, topK, opts);
  }

  /**
   * One pass over the distance matrix (engine/pass.ts): the anchors go to the workers chunk by
   * chunk, each worker taking the next chunk when it is free (so a busy core does not hold the
   * others back), and every chunk is joined exactly (the result does not depend on the split).
   * A background job: a foreground request sent meanwhile stops the chunk in progress, which is
   * redone after it. Rejects with an AbortError when `signal` fires (the workers stay up).
   */
  async pass(spec: PassSpec, opts: PassOptions = {}): Promise<PassResult> {
    return (await this.passAccumulator(spec, opts)).result();
  }

  /** {@link pass}, answering with the joined chunks before the result is derived (what a shard writes). */
  async passAccumulator(spec: PassSpec, opts: PassOptions = {}): Promise<PassAccumulator> {
    // One pass at a time (a worker holds one pass): a later one waits until the earlier one ends or is cancelled.
    const before = this.passQueue;
    let release!: () => void;
    this.passQueue = new Promise<void>((r) => {
      release = r;
    });
    try {
      await before;
      return await passJob(this.access, spec, opts);
    } finally {
      release();
    }
  }

  /** Worker threads this client runs. */
  get workers(): number {
    return this.workerCount;
  }

  /** The embeddings as the distance reads them (L2-normalised when asked), once in shared memory for every worker. */
  preparedEmbeddings(normalize: boolean): Float32Array {
    return this.preparedFor(normalize);
  }

  /** The embeddings as the distance reads them, once in shared memory for every worker. */
  private preparedFor(normalize: boolean): Float32Array {
    const input = this.requireInput();
    if (!normalize) return input.embeddings;
    if (this.prepared?.input !== input) this.prepared = { input, x: shared(prepareEmbeddings(input, true)) };
    return this.prepared.x;
  }

  /** Stops every preemptible census sent before now; they reject with an AbortError. The workers stay up. */
  preempt(): void {
    this.preemptions++;
    for (const s of this.slots) if (s && !s.isDead) s.preempt();
  }

  /** Counts of triplets by t = d(a,n) - d(a,p) in the bins of `edges` (see tHistogram). */
  async histogram(edges: Float64Array, progress?: Progress): Promise<Float64Array> {
    const slots = this.foreground(await this.indexedSlots(progress));
    const parts = await this.run(slots, progress, (s) => s.request('histogram', { edges }));
    const total = new Float64Array(parts[0].length);
    for (const p of parts) for (let i = 0; i < p.length; i++) total[i] += p[i];
    return total;
  }

  /**
   * Batch-hard (Hermans et al.) per anchor and overall, from the census index (engine/mining.ts:
   * `soft` is the paper's ln(1 + exp(d(a,p*) - d(a,n*))), without the margin).
   */
  async batchHard(margin: number, soft = false, progress?: Progress): Promise<BatchHardResult> {
    const slots = this.foreground(await this.indexedSlots(progress));
    const ranges = this.ranges(slots.length);
    const parts = await this.run(slots, progress, (s) => s.request('batchHard', { margin, soft }));
    return mergeBatchHard(parts.map((result, i) => ({ range: ranges[i], result })));
  }

  /** Semi-hard selection (TensorFlow Addons) for every (a, p) pair, from the census index. */
  async semihard(margin: number, progress?: Progress): Promise<SemihardResult> {
    const slots = this.foreground(await this.indexedSlots(progress));
    const parts = await this.run(slots, progress, (s) => s.request('semihard', { margin }));
    return mergeSemihard(parts);
  }

  /** precision@1, R-precision, MAP@R (PML semantics), overall and per class. */
  retrieval(progress?: Progress, opts?: DistanceOptions): Promise<RetrievalResult> {
    return this.rows('retrieval', {}, progress, opts);
  }

  /**
   * Query / gallery retrieval with the Market-1501 protocol (engine/queryGallery.ts), the queries
   * split across the workers, which read the prepared embeddings in shared memory (no copy each).
   */
  async queryGallery(spec: QueryGallerySpec, opts: DistanceOptions, progress?: Progress): Promise<QueryGalleryResult> {
    const prepared = this.preparedFor(opts.normalize);
    const slots = this.foreground(this.ensureSlots()).slice(0, Math.max(1, spec.queries.length));
    const ranges = splitRows(spec.queries.length, slots.length);
    const parts = await this.run(slots, progress, (s, i, onP) =>
      s.request(
        'queryGalleryRows',
        {
          spec,
          opts: { distance: opts.distance, normalize: false },
          prepared,
          range: { start: ranges[i].rowStart, end: ranges[i].rowEnd },
        },
        onP,
      ),
    );
    return summarizeQueryGallery(spec, parts);
  }

  /**
   * Exact k nearest neighbours of every sample (see exactKnn), with the current distance options
   * unless `opts` is given (UMAP wants `{ distance: 'euclidean' }` and includeSelf).
   */
  knn(k: number, includeSelf = false, progress?: Progress, opts?: DistanceOptions): Promise<KnnResult> {
    return this.rows('knn', { k, includeSelf }, progress, opts);
  }

  /** Contrastive loss (Hadsell or PML form) over all pairs, with the current distance options. */
  contrastive(options: ContrastiveOptions, progress?: Progress): Promise<ContrastiveResult> {
    return this.rows('contrastive', options, progress);
  }

  /** NT-Xent with temperature tau (cosine similarity, independent of the distance options). */
  ntXent(tau = 0.07, progress?: Progress): Promise<NtXentResult> {
    return this.rows('ntXent', { tau }, progress);
  }

  /** Runs a row-wise job (rowJobs.ts): one range of rows per worker, merged in sample order. */
  async rows<K extends RowJobName>(
    name: K,
    args: RowArgs<K>,
    progress?: Progress,
    opts?: DistanceOptions,
  ): Promise<RowResult<K>> {
    // The table's entries differ in their types; each is consistent with itself.
    const job = ROW_JOBS[name] as unknown as {
      method: keyof AnalysisMethods & string;
      usesOptions: boolean;
      params(a: unknown, o: DistanceOptions, r: { rowStart: number; rowEnd: number }): never;
      merge(input: EngineInput, parts: unknown[], a: unknown): RowResult<K>;
    };
    const o = opts ?? (job.usesOptions ? this.requireOptions() : { distance: 'euclidean' as const, normalize: false });
    const input = this.requireInput();
    const slots = this.foreground(this.ensureSlots());
    const ranges = this.ranges(slots.length);
    const parts = await this.run(slots, progress, (s, i, onP) =>
      s.request(job.method, job.params(args, o, ranges[i]), onP),
    );
    return job.merge(input, parts, args);
  }

  /** Terminates the workers; pending and later calls reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const reason = new Error('AnalysisClient disposed');
    for (const s of this.slots) s?.terminate(reason);
    this.slots = [];
  }

  // ---- internals ----

  private checkAlive(): void {
    if (this.disposed) throw new Error('AnalysisClient disposed');
  }

  private requireInput(): EngineInput {
    this.checkAlive();
    if (!this.input) throw new Error('no dataset: call setDataset first');
    return this.input;
  }

  private requireOptions(): DistanceOptions {
    this.requireInput();
    if (!this.options) throw new Error('no distance options: call buildIndex first');
    return this.options;
  }

  /**
   * Posts the dataset to a worker. Requests run in order in the worker, so later requests see it
   * without waiting; a failure resurfaces in them ("no dataset") and in `ready`.
   */
  private sendDataset(s: WorkerSlot, input: EngineInput): void {
    s.indexed = false;
    s.ready = s.request('setDataset', input).then((r) => r.backend);
    s.ready.catch(() => undefined);
  }

  /** Anchor ranges for `count` workers; never more workers than samples. */
  private ranges(count: number) {
    return splitRows(this.requireInput().n, count);
  }

  /** Live workers (as many as useful for this dataset), started and given the dataset as needed. */
  private ensureSlots(): WorkerSlot[] {
    const input = this.requireInput();
    const count = Math.max(1, Math.min(this.workerCount, input.n));
    const out: WorkerSlot[] = [];
    for (let i = 0; i < count; i++) {
      let s = this.slots[i];
      if (!s || s.isDead) {
        s = new WorkerSlot(this.script);
        this.sendDataset(s, input);
        this.slots[i] = s;
      }
      out.push(s);
    }
    return out;
  }

  /** Makes these workers' background job (the margin table) yield to the request about to be sent. */
  private foreground(slots: WorkerSlot[]): WorkerSlot[] {
    for (const s of slots) s.yieldBackground();
    return slots;
  }

  /** Live workers holding the census index (rebuilt after a restart); throws without one. */
  private async indexedSlots(progress?: Progress): Promise<WorkerSlot[]> {
    const opts = this.requireOptions();
    if (!this.indexWanted) throw new Error('no census index: call buildIndex first');
    const slots = this.ensureSlots();
    const ranges = this.ranges(slots.length);
    const missing = slots.map((s, i) => ({ s, i })).filter(({ s }) => !s.indexed);
    if (missing.length) {
      await this.run(
        missing.map((m) => m.s),
        progress,
        (s, j) =>
          s.request('buildIndex', {
            opts,
            anchorStart: ranges[missing[j].i].rowStart,
            anchorEnd: ranges[missing[j].i].rowEnd,
          }),
      );
      for (const m of missing) m.s.indexed = true;
    }
    return slots;
  }

  /**
   * Runs one request per worker in parallel with the call's progress and cancellation: fractions
   * are averaged over the workers; an abort terminates exactly these workers.
   */
  private async run<T>(
    slots: WorkerSlot[],
    progress: Progress | undefined,
    fn: (s: WorkerSlot, i: number, onP: OnProgress) => Promise<T>,
  ): Promise<T[]> {
    const signal = progress?.signal;
    if (signal?.aborted) throw abortError();
    const fractions = new Array<number>(slots.length).fill(0);
    const onP =
      (i: number): OnProgress =>
      (f, m) => {
        fractions[i] = f;
        progress?.onProgress?.(fractions.reduce((a, b) => a + b, 0) / fractions.length, m);
      };
    const onAbort = () => {
      for (const s of slots) s.terminate(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.all(slots.map((s, i) => fn(s, i, onP(i))));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
