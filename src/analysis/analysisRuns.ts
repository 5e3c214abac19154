/**
 * The first analysis of a distance setting, on the analysis workers: in memory (the census index
 * and its margin-independent facts) or streaming (the slider's range from a few anchors, a stated
 * sample, then the exact pass). The session publishes what these return. No `vscode`.
 */
import type { PassResult } from '../engine/passResult';
import { drawSample, sampleSizeFor } from '../engine/passSample';
import type { CensusTotals, ChunkTable, PassSpec } from '../engine/passTypes';
import { abortError, type DistanceOptions, type EngineInput } from '../engine/types';
import type { Dataset } from '../shared/dataset';
import type { AnalysisSettings } from '../shared/protocol';
import { sliderMargins } from '../shared/sliderScale';
import type { AnalysisClient } from '../worker/client';
import type { IndexFacts, SampleState } from './censusViews';
import { rangeAndEdges, tripletsAsAnchor } from './derive';
import { planSessionPass, STREAM_POSITIONS, tableSourceOf, type TableSource } from './streaming';
import { chunkAnchorsFor } from '../engine/passPlan';

type Report = { report(fraction: number, message: string): void } | undefined;

/** The census index for `options` in the workers, and the facts that do not depend on the margin. */
export async function inMemoryFacts(
  client: AnalysisClient,
  input: EngineInput,
  options: DistanceOptions,
  margin: number,
  sizes: Float64Array,
  progress: Report,
  signal: AbortSignal,
): Promise<IndexFacts> {
  await client.setDataset(input, { finiteChecked: true });
  await client.buildIndex(options, { onProgress: (f, m) => progress?.report(f * 0.9, m), signal });
  progress?.report(0.9, 'Batch-hard, retrieval metrics, histogram…');
  const bh = await client.batchHard(margin, false);
  const soft = await client.batchHard(margin, true);
  // Closing the panel meanwhile (the signal) disposes the workers: not a failure to log.
  const retrieval = await client.retrieval().catch((e: unknown) => {
    if (!signal.aborted) console.error('[ei] retrieval failed', e);
    return undefined;
  });
  const { range, edges } = rangeAndEdges(bh, margin);
  const counts = await client.histogram(edges);
  const atZero = await client.census(0, { topK: 0, perSample: true, classPairs: false });
  return {
    options,
    hardestPositive: bh.hardestPositive,
    dap: Float32Array.from(bh.dap),
    dan: Float32Array.from(bh.dan),
    softLossMean: soft.meanLoss,
    retrieval: retrieval
      ? { precisionAt1: retrieval.precisionAt1, rPrecision: retrieval.rPrecision, mapAtR: retrieval.mapAtR }
      : undefined,
    histogram: { edges, counts },
    marginRange: range,
    hardAsAnchor: Float64Array.from(atZero.perSample!.violAsAnchor),
    tripletsAsAnchor: tripletsAsAnchor(input.labels, sizes),
  };
}

/** What a streaming run tells its caller while it goes. */
export interface StreamingHooks {
  signal: AbortSignal;
  onStatus(message: string): void;
  /** A pass's progress: `done` of `total` anchors since `started`, to map onto [from, from + span] of the whole. */
  onProgress(what: string, done: number, total: number, started: number, from: number, span: number): void;
  /** The stated sample is ready (before the exact pass starts). */
  onSample(sample: SampleState): void;
  /** Nearest neighbours per sample (itself included) the exact pass keeps for the layout [0: none]. */
  knn?: number;
}

/**
 * Streams a dataset too large for the census index: the slider's range and histogram edges from a
 * few anchors, then a stated sample (each group one chunk, whose totals give the intervals), then
 * the exact pass over every anchor at the margin of `s`, with the margin table. With `hooks.knn` > 0
 * that pass also keeps every sample's `knn` exact nearest neighbours, itself first (`result.knn`):
 * the projection lays out from them instead of NN-descent's (projection/exactNeighbours.ts).
 */
export async function streamingRun(
  client: AnalysisClient,
  d: Dataset,
  input: EngineInput,
  options: DistanceOptions,
  s: AnalysisSettings,
  topK: number,
  budgetBytes: number,
  sizes: Float64Array,
  hooks: StreamingHooks,
): Promise<{ facts: IndexFacts; result: PassResult; table: TableSource }> {
  const { signal } = hooks,
    n = d.n,
    knn = hooks.knn ?? 0;
  const live = <T>(v: T): T => {
    if (signal.aborted) throw abortError();
    return v;
  };
  live(await client.setDataset(input, { finiteChecked: true }));
  const plan = planSessionPass(d, options, client.workers, budgetBytes, STREAM_POSITIONS, true, knn);
  const base: PassSpec = {
    distance: options,
    margin: s.margin,
    topK,
    perSample: false,
    retrieval: false,
    semihard: false,
    blockAnchors: plan.blockAnchors,
    indexAnchors: plan.indexAnchors,
  };
  hooks.onStatus(`Measuring the distance scale on a few anchors of ${n.toLocaleString('en-US')}…`);
  const few = drawSample(n, Math.min(n, 256), 7, 1);
  const r0 = live(
    await client.pass(base, { chunks: few.groups, signal, workers: plan.workers, chunkAnchors: plan.blockAnchors }),
  );
  const { range, edges } = rangeAndEdges(r0.batchHard, s.margin, STREAM_POSITIONS);
  const tableSpec = { margins: sliderMargins(range), smallest: topK + 32 };
  const draw = drawSample(n, sampleSizeFor(n), 1, 20);
  const groups = new Map<number, { census: CensusTotals; table?: ChunkTable }>();
  const groupOf = new Map(draw.groups.map((g, i) => [g[0], i]));
  const t0 = Date.now();
  const r1 = live(
    await client.pass(
      { ...base, table: tableSpec, edges },
      {
        chunks: draw.groups,
        signal,
        workers: plan.workers,
        columns: false,
        onChunk: (c) => groups.set(groupOf.get(c.anchors[0]) ?? 0, { census: c.census, table: c.table }),
        onProgress: (done, total) => hooks.onProgress('Sample of anchors', done, total, t0, 0, 0.1),
      },
    ),
  );
  const tripletsAs = tripletsAsAnchor(d.labels, sizes);
  hooks.onSample({
    draw,
    groups: draw.groups.map((_, i) => groups.get(i)!),
    result: r1,
    facts: {
      options,
      hardestPositive: r1.batchHard.hardestPositive,
      dap: r1.batchHard.dap,
      dan: r1.batchHard.dan,
      softLossMean: r1.softBatchHardMeanLoss,
      histogram: { edges, counts: new Float64Array(edges.length - 1) },
      marginRange: range,
      hardAsAnchor: r1.hardAsAnchor,
      tripletsAsAnchor: tripletsAs,
    },
  });
  const t1 = Date.now();
  const r2 = live(
    await client.pass(
      {
        ...base,
        perSample: true,
        table: tableSpec,
        edges,
        retrieval: true,
        semihard: s.mining === 'semi-hard',
        ...(knn > 0 ? { knn: { k: knn, includeSelf: true } } : {}),
      },
      {
        signal,
        workers: plan.workers,
        columns: plan.columns,
        chunkAnchors: chunkAnchorsFor(plan, n),
        onProgress: (done, total) => hooks.onProgress('Exact census', done, total, t1, 0.1, 0.9),
      },
    ),
  );
  const ret = r2.retrieval!;
  const facts: IndexFacts = {
    options,
    hardestPositive: r2.batchHard.hardestPositive,
    dap: r2.batchHard.dap,
    dan: r2.batchHard.dan,
    softLossMean: r2.softBatchHardMeanLoss,
    retrieval: { precisionAt1: ret.precisionAt1, rPrecision: ret.rPrecision, mapAtR: ret.mapAtR },
    histogram: { edges, counts: r2.histogram! },
    marginRange: range,
    hardAsAnchor: r2.hardAsAnchor,
    tripletsAsAnchor: tripletsAs,
  };
  return { facts, result: r2, table: tableSourceOf(r2.table!, n, topK) };
}
