/**
 * ProjectionClient with the real bundled worker (dist/projectionWorker.js, built by
 * scripts/build.mjs next to dist/test/): same bytes as in-process, progress, abort, dispose.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setKernelMode } from '../../../src/engine/distances';
import { ProjectionClient } from '../../../src/projection/client';
import { computeLayout } from '../../../src/projection/umap';
import { clusteredData } from './helpers';

const workerScript = path.resolve(__dirname, '../../../projectionWorker.js');

describe('projection: ProjectionClient (worker thread)', function () {
  this.timeout(60_000);
  const n = 300,
    dim = 12;
  const { x } = clusteredData(n, dim, 5, 3, 21);
  const input = { embeddings: x, n, dim };
  let client: ProjectionClient;
  before(() => assert.ok(fs.existsSync(workerScript), `build first: ${workerScript}`));
  beforeEach(() => {
    client = new ProjectionClient({ workerScript });
  });
  afterEach(() => client.dispose());

  it('computes the same bytes as computeLayout in-process, with progress up to 1', async () => {
    const fractions: number[] = [];
    const viaWorker = await client.compute(input, { seed: 3, nEpochs: 60 }, { onProgress: (f) => fractions.push(f) });
    const inProcess = await computeLayout(input, { seed: 3, nEpochs: 60 });
    assert.deepEqual(viaWorker, inProcess);
    assert.ok(fractions.length > 0);
    assert.equal(fractions[fractions.length - 1], 1);
    // The worker is reused for the next job.
    assert.deepEqual(await client.compute(input, { seed: 3, nEpochs: 60 }), inProcess);
  });

  it('gives the same bytes with the tfjs GEMM kernel (worker) as with the exact JS kernel (in-process)', async () => {
    // The kNN distances are recomputed exactly, so the engine's kernel does not show in the layout.
    // (Run in the worker: its realm has one tfjs copy; several test bundles in one process do not.)
    const n2 = 400,
      dim2 = 48;
    const big = { embeddings: clusteredData(n2, dim2, 5, 1, 14).x, n: n2, dim: dim2 };
    const viaWorker = await client.compute(big, { nEpochs: 30, normalize: true });
    assert.equal(client.lastBackend, 'wasm', 'the worker computed its kNN with tfjs wasm');
    setKernelMode('js');
    try {
      assert.deepEqual(await computeLayout(big, { nEpochs: 30, normalize: true }), viaWorker);
    } finally {
      setKernelMode('auto');
    }
  });

  it('rejects with an AbortError when aborted, then works again with a fresh worker', async () => {
    const ac = new AbortController();
    const job = client.compute(
      input,
      { nEpochs: 100_000 },
      {
        signal: ac.signal,
        onProgress: (_f, m) => {
          if (m.startsWith('UMAP')) ac.abort();
        },
      },
    );
    await assert.rejects(job, (e: Error) => e.name === 'AbortError');
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(client.compute(input, {}, { signal: pre.signal }), (e: Error) => e.name === 'AbortError');
    assert.equal((await client.compute(input, { nEpochs: 5 })).length, 2 * n);
  });

  it('passes errors back with their name, and runs queued jobs in order', async () => {
    await assert.rejects(
      client.compute(input, { minDist: 3 }),
      (e: Error) => e.name === 'RangeError' && /minDist/.test(e.message),
    );
    const [a, b] = await Promise.all([
      client.compute(input, { seed: 1, nEpochs: 10 }),
      client.compute(input, { seed: 2, nEpochs: 10 }),
    ]);
    assert.deepEqual(a, await computeLayout(input, { seed: 1, nEpochs: 10 }));
    assert.deepEqual(b, await computeLayout(input, { seed: 2, nEpochs: 10 }));
  });

  it('dispose rejects the running job and any later call', async () => {
    const job = client.compute(input, { nEpochs: 100_000 });
    setTimeout(() => client.dispose(), 300);
    await assert.rejects(job, /disposed/);
    await assert.rejects(client.compute(input, {}), /disposed/);
  });
});
