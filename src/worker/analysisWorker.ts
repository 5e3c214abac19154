/**
 * The analysis worker (bundled to dist/worker.js): holds one dataset and the census index of its
 * anchor range, and serves AnalysisMethods (analysisMethods.ts) one at a time, in arrival order
 * (rpcServer.ts).
 *
 * Results are posted with their typed arrays transferred. The census result may share arrays with
 * the index (which must survive for the next recount), so it is sent by structured clone instead.
 * Progress messages are throttled (at most one per 50 ms per request, plus the final one).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildCensusIndex, countAtMargin, prepareFastRecount, tHistogram, type CensusIndex } from '../engine/census';
import { initBackend, releaseKernelMemory } from '../engine/distances';
import { PassRunner } from '../engine/pass';
import { marginTable, smallestT } from '../engine/marginTable';
import { exactKnn } from '../engine/knn';
import { contrastiveRows, ntXentRows } from '../engine/pairLosses';
import { retrievalRows } from '../engine/retrieval';
import { queryGalleryRows } from '../engine/queryGallery';
import type { EngineInput } from '../engine/types';
import { batchHardFromIndex, semihardSelection } from '../engine/mining';
import type { AnalysisMethods } from './analysisMethods';
import { serve, type Handlers } from './rpcServer';

let input: EngineInput | undefined;
/** Shared stop counter from the client (WorkerSlot.preempt); absent when run without one. */
const stopCounter = (workerData as { stop?: Int32Array } | undefined)?.stop;

/**
 * A shouldStop poll for a preemptible request sent at `epoch` (none when not preemptible):
 * counter 0 stops censuses (WorkerSlot.preempt), counter 1 background work (yieldBackground).
 */
function stopper(epoch: number | undefined, counter = 0): (() => boolean) | undefined {
  const c = stopCounter;
  return c && c.length > counter && epoch !== undefined ? () => Atomics.load(c, counter) !== epoch : undefined;
}
let index: CensusIndex | undefined;
/** The pass in progress (passBegin .. passEnd). */
let runner: PassRunner | undefined;

function needInput(): EngineInput {
  if (!input) throw new Error('no dataset: setDataset was not called');
  return input;
}

function needIndex(): CensusIndex {
  if (!index) throw new Error('no census index: buildIndex was not called');
  return index;
}

/** What each method does; `true` in the second slot means "safe to transfer the result's buffers". */
const handlers: Handlers<AnalysisMethods> = {
  setDataset: [
    async (p) => {
      // Every worker (and the CLI) starts the same backend first, so all pick the same kernel.
      const backend = await initBackend();
      input = p;
      index = undefined;
      runner = undefined;
      return { backend };
    },
    false,
  ],
  buildIndex: [
    async (p, progress) => {
      index = undefined;
      index = await buildCensusIndex(
        needInput(),
        p.opts,
        { anchorStart: p.anchorStart, anchorEnd: p.anchorEnd },
        progress,
      );
      prepareFastRecount(index); // part of the index build, not of the slider's first move
      return null;
    },
    false,
  ],
  census: [
    (p) =>
      countAtMargin(needIndex(), p.margin, {
        topK: p.topK,
        perSample: p.perSample,
        classPairs: p.classPairs,
        perAnchor: p.perAnchor,
        shouldStop: stopper(p.stopEpoch),
      }),
    false,
  ],
  marginTable: [(p) => marginTable(needIndex(), p.margins, p.from, p.to, stopper(p.stopEpoch, 1)), true],
  smallestT: [(p) => smallestT(needIndex(), p.limit, p.k), false],
  histogram: [(p) => tHistogram(needIndex(), p.edges), false],
  batchHard: [(p) => batchHardFromIndex(needIndex(), p.margin, { soft: p.soft }), true],
  semihard: [(p) => semihardSelection(needIndex(), p.margin), true],
  retrievalRows: [(p, progress) => retrievalRows(needInput(), p.opts, p.range, progress), true],
  queryGalleryRows: [
    (p, progress) =>
      queryGalleryRows(
        p.prepared ? { ...needInput(), embeddings: p.prepared } : needInput(),
        p.spec,
        p.opts,
        p.range,
        progress,
      ),
    true,
  ],
  knn: [(p, progress) => exactKnn(needInput(), p.k, p.opts, progress, p.range), true],
  contrastiveRows: [(p, progress) => contrastiveRows(needInput(), p.opts, p.options, p.range, progress), true],
  ntXentRows: [(p, progress) => ntXentRows(needInput(), p.tau, p.range, progress), true],
  passBegin: [
    (p) => {
      // The index of an earlier build is not needed while streaming: its memory goes first.
      index = undefined;
      runner = new PassRunner(needInput(), p.spec, p.prepared, p.finiteChecked === true);
      return null;
    },
    false,
  ],
  passChunk: [
    (p) => {
      if (!runner) throw new Error('no pass: passBegin was not called');
      return runner.runChunk(p.anchors, stopper(p.stopEpoch, 1));
    },
    true,
  ],
  passEnd: [
    () => {
      if (!runner) throw new Error('no pass: passBegin was not called');
      const totals = runner.totals();
      runner = undefined;
      releaseKernelMemory();
      return totals;
    },
    true,
  ],
};

if (parentPort) serve(parentPort, handlers, 50);
