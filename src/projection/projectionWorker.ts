/**
 * The projection worker (bundled to dist/projectionWorker.js): runs `computeLayout` off the
 * extension host's thread. Jobs run one after another; cancelling one is done by the client
 * terminating this thread, so there is no cancel message.
 */
import { parentPort } from 'node:worker_threads';
import { currentBackend } from '../engine/distances';
import { computeLayout } from './umap';
import { pcaLayout } from './pca';
import type { FromProjectionWorker, ToProjectionWorker } from './workerProtocol';

/** Progress is forwarded at most this often (ms), plus the final 100 %. */
const PROGRESS_INTERVAL = 100;

const port = parentPort;
if (!port) throw new Error('projectionWorker must run in a worker thread');

const post = (m: FromProjectionWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: ToProjectionWorker) => {
  if (m?.type !== 'compute' && m?.type !== 'pca') {
    console.warn('[ei] projection worker: unknown message', (m as { type?: unknown })?.type);
    return;
  }
  queue = queue.then(() => run(m));
});

async function run(m: ToProjectionWorker): Promise<void> {
  let last = 0;
  try {
    if (m.type === 'pca') {
      const r = pcaLayout(m.input.embeddings, m.input.n, m.input.dim, m.options);
      const kept = r.totalVariance > 0 ? (100 * (r.variance[0] + r.variance[1])) / r.totalVariance : 0;
      const note = `${kept.toFixed(kept < 10 ? 1 : 0)} % of the variance${r.sampled < m.input.n ? `, axes from ${r.sampled.toLocaleString('en-US')} sampled rows` : ''}`;
      post({ type: 'done', id: m.id, layout: r.layout, note }, [r.layout.buffer as ArrayBuffer]);
      return;
    }
    let note = '';
    const layout = await computeLayout(m.input, m.params, {
      onKnn: (info) => {
        note = info.method === 'exact' ? 'exact neighbours'
          : `approximate neighbours (NN-descent), recall ${info.recall !== undefined ? info.recall.toFixed(3) : '?'} on ${info.sampled ?? 0} sampled rows`;
      },
      onProgress: (fraction, message) => {
        const now = Date.now();
        if (now - last < PROGRESS_INTERVAL && fraction < 1) return;
        last = now;
        post({ type: 'progress', id: m.id, fraction, message });
      },
    });
    post({ type: 'done', id: m.id, layout, backend: currentBackend(), note }, [layout.buffer as ArrayBuffer]);
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', id: m.id, name: err?.name ?? 'Error', message: err?.message ?? String(e) });
  }
}
