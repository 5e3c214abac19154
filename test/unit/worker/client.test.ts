/**
 * AnalysisClient with real worker threads running the built dist/worker.js (these tests run from
 * dist/test/unit/worker/, so the worker is three folders up). Checks that 1 and 2 workers give
 * identical results, that they equal the in-process engine, and that cancellation works.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCensusIndex, countAtMargin, tHistogram, type CensusResult } from '../../../src/engine/census';
import { currentBackend, initBackend, setKernelMode } from '../../../src/engine/distances';
import { batchHardFromIndex, semihardSelection } from '../../../src/engine/mining';
import { exactKnn } from '../../../src/engine/knn';
import { contrastiveLoss, ntXentLoss } from '../../../src/engine/pairLosses';
import { retrievalMetrics } from '../../../src/engine/retrieval';
import type { EngineInput } from '../../../src/engine/types';
import { AnalysisClient } from '../../../src/worker/client';
import { tableCounts } from '../../../src/engine/marginTable';
import { positionOf } from '../../../src/shared/marginTableView';
import { worstAt } from '../../../src/shared/worstAt';
import { WorkerSlot } from '../../../src/worker/workerSlot';
import { PassAccumulator } from '../../../src/engine/passResult';
import { PassRunner } from '../../../src/engine/pass';
import type { PassSpec } from '../../../src/engine/passTypes';

const workerScript = path.resolve(__dirname, '../../../worker.js');

function makeInput(n: number, dim: number, classes: number, seed: number): EngineInput {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const embeddings = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(r() * classes);
    for (let c = 0; c < dim; c++) embeddings[i * dim + c] = labels[i] * 0.3 + r() * 2 - 1;
  }
  return { embeddings, n, dim, labels, classes };
}

const isAbort = (e: Error) => e.name === 'AbortError';

/**
 * Census results compared field by field, except `lossSumPartials`: those are an exact but not
 * canonical representation of the loss sum (different splits give different partials with the same
 * exact sum); `lossSum`, their correctly rounded value, is compared.
 */
function assertSameCensus(actual: CensusResult, expected: CensusResult, what: string): void {
  const strip = (r: CensusResult) => ({ ...r, lossSumPartials: undefined });
  assert.deepEqual(strip(actual), strip(expected), what);
}

describe('worker/AnalysisClient', function () {
  this.timeout(60000);
  const clients: AnalysisClient[] = [];
  const client = (workers: number) => {
    const c = new AnalysisClient({ workers, workerScript });
    clients.push(c);
    return c;
  };
  before(async () => {
    assert.ok(fs.existsSync(workerScript), `${workerScript} missing: run the build first`);
    await initBackend(); // the workers start the same backend, so in-process numbers match
  });
  after(() => clients.forEach((c) => c.dispose()));
  afterEach(() => {
    delete process.env.EI_DISTANCE_BACKEND;
    setKernelMode('auto');
  });

  const input = makeInput(240, 8, 5, 1);
  const opts = { distance: 'euclidean' as const, normalize: true };

  it('gives identical census with 1 and 2 workers on the default backend (and in-process when it runs the same one)', async () => {
    const [one, two] = [client(1), client(2)];
    for (const c of [one, two]) {
      await c.setDataset(input);
      await c.buildIndex(opts);
    }
    // A test process loads several bundles, each with its own tfjs: the in-process engine may not
    // get the workers' backend, and another kernel can move exact ties (see initBackend).
    const same = currentBackend() === (await one.backend());
    const index = same ? await buildCensusIndex(input, opts) : undefined;
    for (const margin of [0, 0.2, 0.7]) {
      const a = await one.census(margin, { topK: 15, perSample: true });
      assertSameCensus(
        await two.census(margin, { topK: 15, perSample: true }),
        a,
        `census at m = ${margin}, 2 vs 1 workers`,
      );
      if (index)
        assertSameCensus(
          a,
          countAtMargin(index, margin, { topK: 15, perSample: true }),
          `census at m = ${margin}, worker vs in-process`,
        );
    }
  });

  it('gives identical census, histogram and row-wise results with 1 and 2 workers, equal to the engine in-process (all on the plain-JS kernel)', async () => {
    process.env.EI_DISTANCE_BACKEND = 'js'; // the workers read it when they start
    setKernelMode('js');
    const [one, two] = [client(1), client(2)];
    for (const c of [one, two]) {
      await c.setDataset(input);
      await c.buildIndex(opts);
    }
    assert.equal(await one.backend(), 'js');
    const index = await buildCensusIndex(input, opts);
    for (const margin of [0, 0.2, 0.7]) {
      const a = await one.census(margin, { topK: 15, perSample: true });
      const b = await two.census(margin, { topK: 15, perSample: true });
      assertSameCensus(b, a, `census at m = ${margin}, 2 vs 1 workers`);
      assertSameCensus(
        a,
        countAtMargin(index, margin, { topK: 15, perSample: true }),
        `census at m = ${margin}, worker vs in-process`,
      );
      assert.ok(a.pml.violating > 0 && a.triplets > 0);
    }
    const edges = Float64Array.from({ length: 21 }, (_, i) => -1 + i * 0.1);
    assert.deepEqual(await two.histogram(edges), await one.histogram(edges));
    assert.deepEqual(await one.histogram(edges), tHistogram(index, edges));
    assert.deepEqual(await two.retrieval(), await one.retrieval());
    assert.deepEqual(await one.retrieval(), await retrievalMetrics(input, opts));
    const knn = await two.knn(7, true);
    assert.deepEqual(knn, await one.knn(7, true));
    const local = await exactKnn(input, 7, { ...opts, includeSelf: true });
    assert.deepEqual([knn.indices, knn.distances], [local.indices, local.distances]);
    const co = { form: 'pml' as const, negMargin: 0.8 };
    assert.deepEqual(await two.contrastive(co), await one.contrastive(co));
    assert.deepEqual(await one.contrastive(co), await contrastiveLoss(input, opts, co));
    assert.deepEqual(await two.ntXent(0.1), await one.ntXent(0.1));
    assert.deepEqual(await one.ntXent(0.1), await ntXentLoss(input, 0.1));
    for (const soft of [false, true]) {
      assert.deepEqual(await two.batchHard(0.2, soft), await one.batchHard(0.2, soft));
      assert.deepEqual(await one.batchHard(0.2, soft), batchHardFromIndex(index, 0.2, { soft }));
    }
    assert.deepEqual(await two.semihard(0.2), await one.semihard(0.2));
    assert.deepEqual(await one.semihard(0.2), semihardSelection(index, 0.2));
  });

  it('forwards progress, and an abort rejects with AbortError; the next calls restart the workers', async () => {
    const big = makeInput(2500, 8, 10, 2);
    const c = client(2);
    await c.setDataset(big);
    const ac = new AbortController();
    const seen: number[] = [];
    // Abort at the first progress report: that worker's result is still on its way.
    const p = c.knn(
      5,
      false,
      {
        signal: ac.signal,
        onProgress: (f) => {
          seen.push(f);
          ac.abort();
        },
      },
      opts,
    );
    await assert.rejects(p, isAbort);
    assert.equal(seen.length, 1);
    // Workers come back lazily, with the dataset re-sent.
    const again = await c.knn(5, false, { onProgress: (f) => seen.push(f) }, opts);
    assert.equal(seen[seen.length - 1], 1);
    assert.deepEqual(again.indices, (await exactKnn(big, 5, opts)).indices);
  });

  it('cancels an index build; the census then needs a new build, which works', async () => {
    const big = makeInput(800, 16, 10, 3);
    const c = client(2);
    await c.setDataset(big);
    const ac = new AbortController();
    const build = c.buildIndex(opts, { signal: ac.signal });
    setImmediate(() => ac.abort());
    await assert.rejects(build, isAbort);
    await assert.rejects(c.census(0.2), /buildIndex/);
    await assert.rejects(c.buildIndex(opts, { signal: ac.signal }), isAbort); // already aborted
    await c.buildIndex(opts);
    const small = makeInput(800, 16, 10, 3);
    const fresh = client(1);
    await fresh.setDataset(small);
    await fresh.buildIndex(opts);
    assertSameCensus(await c.census(0.3, { topK: 5 }), await fresh.census(0.3, { topK: 5 }), 'after a cancelled build');
  });

  it('rebuilds the index after a cancelled recount-side call, and keeps worker errors typed', async () => {
    const c = client(2);
    await c.setDataset(input);
    await c.buildIndex(opts);
    const before = await c.census(0.2, { topK: 3 });
    const ac = new AbortController();
    const p = c.retrieval({ signal: ac.signal });
    ac.abort();
    await assert.rejects(p, isAbort);
    assertSameCensus(await c.census(0.2, { topK: 3 }), before, 'after restart'); // workers restarted, index rebuilt
    await assert.rejects(c.knn(0), (e: Error) => e.name === 'RangeError' && /positive integer/.test(e.message));
  });

  it('preempt stops a preemptible census sent before it; later and non-preemptible ones run', async () => {
    const c = client(2);
    await c.setDataset(input);
    await c.buildIndex(opts);
    const expected = await c.census(0.2, { topK: 5, perSample: true });
    const full = c.census(0.2, { topK: 5, perSample: true, preemptible: true });
    const plain = c.census(0.2, { topK: 5, perSample: true });
    c.preempt(); // before it is even sent (it awaits the index check): the client does not start it
    await assert.rejects(full, isAbort);
    assertSameCensus(await plain, expected, 'non-preemptible census sent before the preempt');
    assertSameCensus(
      await c.census(0.2, { topK: 5, perSample: true, preemptible: true }),
      expected,
      'preemptible census sent after the preempt',
    );
    const quick = await c.census(0.2, { topK: 5, classPairs: false, perAnchor: true });
    assert.deepEqual(quick.perAnchor?.violAsAnchor, expected.perSample!.violAsAnchor);
    assert.deepEqual(quick.perAnchor?.lossAsAnchor, expected.perSample!.lossAsAnchor);
  });

  it('a worker stops a preemptible census once its stop counter moves (preempt while it waits in the queue)', async () => {
    const slot = new WorkerSlot(workerScript);
    try {
      slot.request('setDataset', input).catch(() => undefined);
      slot.request('buildIndex', { opts, anchorStart: 0, anchorEnd: input.n }).catch(() => undefined);
      const params = { margin: 0.2, topK: 5, perSample: true, classPairs: true, perAnchor: false };
      // Queued behind the index build, so the worker meets it only after the preempt below.
      const stopped = slot.request('census', { ...params, stopEpoch: slot.stopEpoch });
      const kept = slot.request('census', params);
      kept.catch(() => undefined); // awaited below; only a failed test leaves it pending at terminate
      slot.preempt();
      await assert.rejects(stopped, isAbort);
      const after = await slot.request('census', { ...params, stopEpoch: slot.stopEpoch });
      assertSameCensus(after, await kept, 'preemptible census with the current stop counter');
    } finally {
      slot.terminate(new Error('test over'));
    }
  });

  it('builds the margin table in chunks across workers, equal to the census at every margin', async () => {
    const c = client(2);
    await c.setDataset(input);
    await c.buildIndex(opts);
    const margins = Float64Array.from([0, 0.1, 0.2, 0.45, 0.7, 1.5]);
    const progress: number[] = [];
    const r = await c.marginTable(margins, 5, { chunk: 17, onProgress: (f) => progress.push(f) });
    assert.equal(progress[progress.length - 1], 1);
    assert.ok(progress.length >= Math.ceil(input.n / 17), 'progress per chunk');
    for (let k = 0; k < margins.length; k++) {
      const e = await c.census(margins[k], { topK: 5, classPairs: false, perAnchor: true });
      const t = tableCounts(r.table, k);
      assert.deepEqual([t.pml, t.facenet, t.triplets], [e.pml, e.facenet, e.triplets], `counts at ${margins[k]}`);
      assert.ok(Object.is(t.lossSum, e.lossSum), `loss sum at ${margins[k]}`);
      assert.deepEqual(
        Array.from(r.table.violAsAnchor.subarray(k * input.n, (k + 1) * input.n)),
        Array.from(e.perAnchor!.violAsAnchor),
      );
      assert.deepEqual(worstAt(r.smallest, r.complete, r.limit, margins[k], 5), e.worst, `worst at ${margins[k]}`);
    }
  });

  it('a census sent while the margin table is being built runs first (the chunk in progress yields and is redone)', async () => {
    const c = client(1);
    const big = makeInput(1500, 8, 5, 9);
    await c.setDataset(big);
    await c.buildIndex(opts);
    const margins = Float64Array.from({ length: 200 }, (_, k) => k * 0.01);
    let chunksDone = 0;
    const table = c.marginTable(margins, 5, { chunk: 1500, onProgress: () => chunksDone++ });
    await new Promise((r) => setTimeout(r, 50)); // the single chunk (the whole range) is running
    const census = await c.census(0.5, { topK: 5, classPairs: false, perAnchor: true });
    // Replies come in the worker's order: had the chunk not yielded, its result would be in first.
    assert.equal(chunksDone, 0, 'the census did not wait for the chunk');
    const r = await table;
    const t = tableCounts(r.table, positionOf(r.table.margins, 0.5));
    assert.deepEqual([t.pml, t.lossSum], [census.pml, census.lossSum], 'the redone chunk is complete');
  });

  it('stops building the margin table when its signal fires, the chunk in progress included', async () => {
    const c = client(1);
    await c.setDataset(makeInput(1500, 8, 5, 9));
    await c.buildIndex(opts);
    const job = new AbortController();
    let chunksDone = 0;
    const p = c.marginTable(
      Float64Array.from({ length: 200 }, (_, k) => k * 0.01),
      5,
      { chunk: 1500, signal: job.signal, onProgress: () => chunksDone++ },
    );
    await new Promise((r) => setTimeout(r, 50)); // the single chunk (the whole range) is running
    job.abort();
    await assert.rejects(p, isAbort);
    assert.equal(chunksDone, 0, 'the running chunk stopped instead of finishing');
    const after = await c.census(0.2, { topK: 5 }); // the workers are still up
    assert.ok(after.triplets > 0);
  });

  it('a pass over 1 and 2 workers in any chunking equals the pass in process, and a sample of anchors counts just those', async () => {
    const input = makeInput(700, 12, 6, 21);
    const spec: PassSpec = {
      distance: { distance: 'euclidean', normalize: true },
      margin: 0.2,
      topK: 10,
      perSample: true,
      table: { margins: Float64Array.from([0, 0.1, 0.2, 0.5, 1]), smallest: 20 },
      edges: Float64Array.from([-1, 0, 0.2, 1, 2]),
      retrieval: true,
      knn: { k: 4, includeSelf: true },
      semihard: true,
      blockAnchors: 16,
    };
    const runner = new PassRunner(input, spec),
      acc = new PassAccumulator(spec, input.labels, input.classes);
    acc.addChunk(runner.runChunk({ start: 0, end: input.n }));
    acc.addTotals(runner.totals());
    const local = acc.result();
    const strip = (r: typeof local) => ({
      ...r,
      census: { ...r.census, lossSumPartials: undefined },
      table: { ...r.table!, lossPartials: undefined },
    });
    for (const [workers, chunk] of [
      [1, 100],
      [2, 37],
      [2, 700],
    ]) {
      const c = client(workers);
      await c.setDataset(input);
      let progressed = 0;
      const r = await c.pass(spec, {
        chunkAnchors: chunk,
        onProgress: (done, total) => {
          assert.equal(total, 700);
          progressed = done;
        },
      });
      assert.equal(progressed, 700);
      assert.deepEqual(strip(r), strip(local), `${workers} workers, chunks of ${chunk}`);
    }
    const c = client(2);
    await c.setDataset(input);
    const ids = Int32Array.from([5, 600, 3, 42]),
      chunks: number[] = [];
    const some = await c.pass(spec, { anchors: ids, chunkAnchors: 3, onChunk: (ch) => chunks.push(ch.anchors.length) });
    assert.equal(some.anchors, 4);
    assert.deepEqual(chunks.sort(), [1, 3]);
    for (const a of ids) assert.equal(some.census.perSample!.violAsAnchor[a], local.census.perSample!.violAsAnchor[a]);
    assert.equal(some.census.perSample!.violAsAnchor[6], 0);
  });

  it('a chunk stopped half way for a foreground request and redone counts once (per-sample sums as positive / negative)', async () => {
    const input = makeInput(1500, 24, 6, 23);
    const spec: PassSpec = {
      distance: { distance: 'euclidean', normalize: false },
      margin: 0.3,
      topK: 5,
      perSample: true,
      retrieval: false,
      semihard: false,
      blockAnchors: 4,
    };
    const runner = new PassRunner(input, spec),
      acc = new PassAccumulator(spec, input.labels, input.classes);
    acc.addChunk(runner.runChunk({ start: 0, end: input.n }));
    acc.addTotals(runner.totals());
    const local = acc.result();
    const c = client(1);
    await c.setDataset(input);
    const p = c.pass(spec, { chunkAnchors: 1500 }); // one long chunk
    await new Promise((r) => setTimeout(r, 150));
    await c.knn(2, false, undefined, { distance: 'euclidean', normalize: false }); // a foreground request: the chunk yields and is redone
    const r = await p;
    assert.deepEqual(r.census.perSample!.violAsPositive, local.census.perSample!.violAsPositive);
    assert.deepEqual(r.census.perSample!.violAsNegative, local.census.perSample!.violAsNegative);
    assert.deepEqual(r.census.classPairs, local.census.classPairs);
  });

  it('cancels a pass within its chunk; the workers stay up for the next one', async () => {
    const c = client(2),
      input = makeInput(3000, 32, 5, 22);
    await c.setDataset(input);
    const spec: PassSpec = {
      distance: { distance: 'euclidean', normalize: false },
      margin: 0.2,
      topK: 5,
      perSample: false,
      retrieval: false,
      semihard: false,
      blockAnchors: 8,
    };
    const job = new AbortController();
    let chunks = 0;
    const p = c.pass(spec, { chunkAnchors: 3000, signal: job.signal, onChunk: () => chunks++ });
    await new Promise((r) => setTimeout(r, 100));
    job.abort();
    await assert.rejects(p, isAbort);
    assert.equal(chunks, 0, 'the running chunk stopped instead of finishing');
    const again = await c.pass({ ...spec, blockAnchors: 500 }, { anchors: Int32Array.from([1, 2]) });
    assert.equal(again.anchors, 2);
  });

  it('dispose rejects pending and later calls', async () => {
    const c = client(1);
    await c.setDataset(makeInput(2000, 16, 4, 4));
    const p = c.knn(3, false, undefined, opts);
    c.dispose();
    await assert.rejects(p, /disposed/);
    await assert.rejects(c.retrieval(undefined, opts), /disposed/);
  });
});
