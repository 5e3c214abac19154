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
import { mergeCensus, type CensusResult, type WorstTriplet } from '../engine/census';
import { checkMargins, mergeMarginTable, mergeSmallestT, type MarginTable, type MarginTablePart } from '../engine/marginTable';
import type { KnnResult } from '../engine/knn';
import { summarizeContrastive, summarizeNtXent, type ContrastiveOptions, type ContrastiveResult, type NtXentResult } from '../engine/pairLosses';
import { summarizeRetrieval, type RetrievalResult } from '../engine/retrieval';
import { summarizeQueryGallery, type QueryGalleryResult, type QueryGallerySpec } from '../engine/queryGallery';
import { abortError, type DistanceOptions, type EngineInput, type Progress } from '../engine/types';
import { prepareEmbeddings } from '../engine/distances';
import { PassAccumulator, type PassResult } from '../engine/passResult';
import type { ChunkResult, PassSpec } from '../engine/passTypes';
import { shared } from '../shared/sharedMemory';
import { mergeBatchHard, mergeSemiHard, type BatchHardResult, type SemiHardResult } from './miningParts';
import { splitRows } from './rpc';
import { WorkerSlot } from './workerSlot';

/** Construction options. */
export interface AnalysisClientOptions {
  /** Worker threads (default min(2, available cores)). */
  workers?: number;
  /** The bundled worker (default dist/worker.js beside this bundle: path.join(__dirname, 'worker.js')). */
  workerScript?: string;
}

type OnProgress = (fraction: number, message: string) => void;

/** `AnalysisClient.marginTable`'s answer: the table and what `worstAt` needs. */
export interface MarginTableResult {
  table: MarginTable;
  /** The topK + 32 smallest-t triplets with t < limit, in (t, ids) order, and whether there were no more. */
  smallest: WorstTriplet[];
  complete: boolean;
  limit: number;
  topK: number;
}

/** Options of {@link AnalysisClient.pass}. */
export interface PassOptions {
  /** The anchors (dataset ids) to count; every sample by default (a sample's ids for an estimate). */
  anchors?: Int32Array;
  /** Or the anchors as given chunks (a sample's groups): each is one request and one `onChunk`. */
  chunks?: Int32Array[];
  /** Anchors per request (default spec.blockAnchors): the unit of progress, balancing and cancellation. */
  chunkAnchors?: number;
  /** Cancels the pass: the chunk in progress stops within a block, the workers stay up. */
  signal?: AbortSignal;
  /** After every chunk: anchors done and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Every chunk as it arrives (a sample's groups are chunks). */
  onChunk?: (chunk: ChunkResult) => void;
  /** Keep the margin table's per-anchor columns (positions x n x 8 bytes); otherwise only their class sums. */
  columns?: boolean;
  /** Use at most this many workers (the memory plan may ask for fewer). */
  workers?: number;
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

  /**
   * Sends the dataset to the workers (replacing any previous one and its index). Its embeddings and
   * labels are put in shared memory (unless they are already), so the workers do not copy them.
   * `normalizedInPlace`: the embeddings are already L2-normalised (normalizeRowsInPlace); passes
   * with `normalize` then read them as they are. `finiteChecked`: the caller checked that every
   * coordinate is finite (the loaders do), so the workers skip that N x D check.
   */
  async setDataset(input: EngineInput, opts: { normalizedInPlace?: boolean; finiteChecked?: boolean } = {}): Promise<void> {
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
      s.request('buildIndex', { opts: this.options!, anchorStart: ranges[i].rowStart, anchorEnd: ranges[i].rowEnd }, onP));
    for (const s of slots) s.indexed = true;
    this.indexWanted = true;
  }

  /**
   * Triplet census at a margin, merged across workers (no distance recomputation). A
   * `preemptible` census stops with an AbortError at the next {@link preempt} (a slow full
   * recount must not hold up the slider's next quick one).
   */
  async census(margin: number, opts: { topK?: number; perSample?: boolean; classPairs?: boolean; perAnchor?: boolean; preemptible?: boolean } = {}, progress?: Progress): Promise<CensusResult> {
    const topK = opts.topK ?? 20;
    const preemptions = this.preemptions;
    const slots = this.foreground(await this.indexedSlots(progress));
    if (opts.preemptible && preemptions !== this.preemptions) throw abortError();
    // classPairs: false (with perSample off) skips the walk over violating negatives: the fast
    // path while a slider is dragged. Counts and loss are identical either way.
    const parts = await this.run(slots, progress, (s) => s.request('census', {
      margin, topK, perSample: opts.perSample === true, classPairs: opts.classPairs !== false, perAnchor: opts.perAnchor === true,
      stopEpoch: opts.preemptible ? s.stopEpoch : undefined,
    }));
    return mergeCensus(parts, topK);
  }

  /**
   * The census at every margin of `margins` (ascending: the slider's positions) with the `topK + 32`
   * smallest-t triplets below the largest one (the slack decides the worst list across ties), for answering a margin from a table
   * (engine/marginTable.ts). A background job: the anchors go in chunks of `chunk`, and any other
   * request sent meanwhile runs first (it stops the chunk in progress, which is redone after it).
   * Rejects with an AbortError when `signal` fires, stopping the chunk in progress (the workers
   * stay up).
   */
  async marginTable(margins: Float64Array, topK: number, opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void; chunk?: number } = {}): Promise<MarginTableResult> {
    checkMargins(margins);
    const n = this.requireInput().n, chunk = Math.max(1, Math.floor(opts.chunk ?? 32));
    const slots = await this.indexedSlots();
    const ranges = this.ranges(slots.length);
    // Cancelled: the chunk in progress stops too (not only the next ones).
    const onAbort = () => { for (const s of slots) s.yieldBackground(); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let done = 0;
    const runSlot = async (s: WorkerSlot, from: number, to: number): Promise<MarginTablePart[]> => {
      const parts: MarginTablePart[] = [];
      s.background++;
      try {
        for (let a = from; a < to;) {
          if (opts.signal?.aborted) throw abortError();
          const end = Math.min(to, a + chunk);
          try {
            parts.push(await s.request('marginTable', { margins, from: a, to: end, stopEpoch: s.backgroundEpoch }));
          } catch (e) {
            if ((e as Error)?.name === 'AbortError' && !s.isDead && !opts.signal?.aborted) continue; // yielded to a foreground request: redo the chunk
            throw e;
          }
          done += end - a;
          opts.onProgress?.(done / n);
          a = end;
        }
      } finally {
        s.background--;
      }
      return parts;
    };
    let parts: MarginTablePart[];
    try {
      parts = (await Promise.all(slots.map((s, i) => runSlot(s, ranges[i].rowStart, ranges[i].rowEnd)))).flat();
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (opts.signal?.aborted) throw abortError();
    const limit = margins[margins.length - 1], count = Math.max(0, Math.floor(topK)) + 32;
    const smallest = await Promise.all(slots.map((s) => s.request('smallestT', { limit, k: count })));
    const { list, complete } = mergeSmallestT(smallest, count);
    return { table: mergeMarginTable(parts, n), smallest: list, complete, limit, topK: count - 32 };
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
    this.passQueue = new Promise<void>((r) => { release = r; });
    try {
      await before;
      return await this.runPass(spec, opts);
    } finally {
      release();
    }
  }

  private async runPass(spec: PassSpec, opts: PassOptions): Promise<PassAccumulator> {
    if (opts.signal?.aborted) throw abortError();
    const input = this.requireInput(), n = input.n;
    this.options = { distance: spec.distance.distance, normalize: spec.distance.normalize };
    const all = this.ensureSlots();
    const slots = all.slice(0, Math.max(1, Math.min(all.length, opts.workers ?? all.length)));
    // A pass drops a worker's census index (its memory goes to the blocks): build it again if asked.
    for (const s of all) s.indexed = false;
    this.indexWanted = false;
    const prepared = this.preparedFor(spec.distance.normalize);
    const step = Math.max(1, Math.floor(opts.chunkAnchors ?? spec.blockAnchors));
    const chunks: (Int32Array | { start: number; end: number })[] = opts.chunks ? [...opts.chunks] : [];
    const total = opts.chunks ? opts.chunks.reduce((t, c) => t + c.length, 0) : opts.anchors ? opts.anchors.length : n;
    for (let a = 0; !opts.chunks && a < total; a += step) {
      const e = Math.min(total, a + step);
      // slice, not subarray: a posted view would carry its whole buffer along.
      chunks.push(opts.anchors ? opts.anchors.slice(a, e) : { start: a, end: e });
    }
    const acc = new PassAccumulator(spec, input.labels, input.classes, opts.columns !== false);
    const onAbort = () => { for (const s of slots) s.yieldBackground(); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let next = 0, done = 0, failed = false;
    const runSlot = async (s: WorkerSlot): Promise<void> => {
      s.background++;
      try {
        while (next < chunks.length && !failed) {
          if (opts.signal?.aborted) throw abortError();
          const c = chunks[next++];
          let r: ChunkResult;
          for (;;) {
            try {
              r = await s.request('passChunk', { anchors: c, stopEpoch: s.backgroundEpoch });
              break;
            } catch (e) {
              // Yielded to a foreground request: redo the chunk.
              if ((e as Error)?.name === 'AbortError' && !s.isDead && !opts.signal?.aborted) continue;
              throw e;
            }
          }
          acc.addChunk(r);
          done += r.anchors.length;
          opts.onChunk?.(r);
          opts.onProgress?.(done, total);
        }
      } finally {
        s.background--;
      }
    };
    let ended = false;
    try {
      await Promise.all(slots.map((s) => s.request('passBegin', { spec, prepared, finiteChecked: this.finite === input })));
      // Every worker's loop ends before this pass does (one failing stops the others taking chunks):
      // no late chunk may reach the next pass's runner.
      const results = await Promise.allSettled(slots.map((s) => runSlot(s).catch((e: unknown) => { failed = true; throw e; })));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      if (opts.signal?.aborted) throw abortError();
      for (const t of await Promise.all(slots.map((s) => s.request('passEnd', {})))) acc.addTotals(t);
      ended = true;
    } catch (e) {
      // A worker that ran out of memory or died mid-pass: say what it means for the user.
      if ((e as Error)?.name !== 'AbortError' && slots.some((s) => s.isDead)) {
        throw new Error(`an analysis worker stopped during the pass over ${n} samples (${(e as Error)?.message ?? e}); ` +
          'if it ran out of memory, lower the memory budget so fewer anchors are counted at once, or count a sample of anchors');
      }
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      // A cancelled or failed pass still frees the workers' runners (distance rows, index buffers, GEMM operand).
      if (!ended) await Promise.allSettled(slots.filter((s) => !s.isDead).map((s) => s.request('passEnd', {})));
    }
    return acc;
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
  async semiHard(margin: number, progress?: Progress): Promise<SemiHardResult> {
    const slots = this.foreground(await this.indexedSlots(progress));
    const parts = await this.run(slots, progress, (s) => s.request('semiHard', { margin }));
    return mergeSemiHard(parts);
  }

  /** precision@1, R-precision, MAP@R (PML semantics), overall and per class. */
  async retrieval(progress?: Progress, opts?: DistanceOptions): Promise<RetrievalResult> {
    const o = opts ?? this.requireOptions();
    const input = this.requireInput();
    const slots = this.foreground(this.ensureSlots());
    const ranges = this.ranges(slots.length);
    const parts = await this.run(slots, progress, (s, i, onP) => s.request('retrievalRows', { opts: o, range: ranges[i] }, onP));
    return summarizeRetrieval(input.labels, input.classes, parts);
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
      s.request('queryGalleryRows', { spec, opts: { distance: opts.distance, normalize: false }, prepared, range: { start: ranges[i].rowStart, end: ranges[i].rowEnd } }, onP));
    return summarizeQueryGallery(spec, parts);
  }

  /**
   * Exact k nearest neighbours of every sample (see exactKnn), with the current distance options
   * unless `opts` is given (UMAP wants `{ distance: 'euclidean' }` and includeSelf).
   */
  async knn(k: number, includeSelf = false, progress?: Progress, opts?: DistanceOptions): Promise<KnnResult> {
    const o = opts ?? this.requireOptions();
    const input = this.requireInput();
    const slots = this.foreground(this.ensureSlots());
    const ranges = this.ranges(slots.length);
    const parts = await this.run(slots, progress, (s, i, onP) =>
      s.request('knn', { k, opts: { distance: o.distance, normalize: o.normalize, includeSelf }, range: ranges[i] }, onP));
    const kk = parts[0].k;
    const indices = new Int32Array(input.n * kk);
    const distances = new Float32Array(input.n * kk);
    for (const p of parts) {
      indices.set(p.indices, p.rowStart * kk);
      distances.set(p.distances, p.rowStart * kk);
    }
    return { k: kk, indices, distances, rowStart: 0, rowEnd: input.n };
  }

  /** Contrastive loss (Hadsell or PML form) over all pairs, with the current distance options. */
  async contrastive(options: ContrastiveOptions, progress?: Progress): Promise<ContrastiveResult> {
    const opts = this.requireOptions();
    const input = this.requireInput();
    const slots = this.foreground(this.ensureSlots());
    const ranges = this.ranges(slots.length);
    const parts = await this.run(slots, progress, (s, i, onP) => s.request('contrastiveRows', { opts, options, range: ranges[i] }, onP));
    return summarizeContrastive(input.labels, input.classes, options, parts);
  }

  /** NT-Xent with temperature tau (cosine similarity, independent of the distance options). */
  async ntXent(tau = 0.07, progress?: Progress): Promise<NtXentResult> {
    const input = this.requireInput();
    const slots = this.foreground(this.ensureSlots());
    const ranges = this.ranges(slots.length);
    const parts = await this.run(slots, progress, (s, i, onP) => s.request('ntXentRows', { tau, range: ranges[i] }, onP));
    return summarizeNtXent(input.labels, input.classes, tau, parts);
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
      await this.run(missing.map((m) => m.s), progress, (s, j) =>
        s.request('buildIndex', { opts, anchorStart: ranges[missing[j].i].rowStart, anchorEnd: ranges[missing[j].i].rowEnd }));
      for (const m of missing) m.s.indexed = true;
    }
    return slots;
  }

  /**
   * Runs one request per worker in parallel with the call's progress and cancellation: fractions
   * are averaged over the workers; an abort terminates exactly these workers.
   */
  private async run<T>(slots: WorkerSlot[], progress: Progress | undefined, fn: (s: WorkerSlot, i: number, onP: OnProgress) => Promise<T>): Promise<T[]> {
    const signal = progress?.signal;
    if (signal?.aborted) throw abortError();
    const fractions = new Array<number>(slots.length).fill(0);
    const onP = (i: number): OnProgress => (f, m) => {
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
