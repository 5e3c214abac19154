/**
 * The projection worker (bundled to dist/projectionWorker.js): UMAP and PCA off the extension
 * host's thread, served over worker/rpc.ts one job at a time. Cancelling a job is done by the
 * client terminating this thread, so there is no cancel message.
 */
import { parentPort } from 'node:worker_threads';
import { currentBackend } from '../engine/distances';
import { serve } from '../worker/rpcServer';
import { computeLayout, describeKnn } from './umap';
import { pcaLayout } from './pca';
import type { ProjectionMethods } from './projectionMethods';

if (!parentPort) throw new Error('projectionWorker must run in a worker thread');

serve<ProjectionMethods>(
  parentPort,
  {
    pca: [
      ({ input, options }) => {
        const r = pcaLayout(input.embeddings, input.n, input.dim, options);
        const kept = r.totalVariance > 0 ? (100 * (r.variance[0] + r.variance[1])) / r.totalVariance : 0;
        const note = `${kept.toFixed(kept < 10 ? 1 : 0)} % of the variance${r.sampled < input.n ? `, axes from ${r.sampled.toLocaleString('en-US')} sampled rows` : ''}`;
        return { layout: r.layout, note };
      },
      true,
    ],
    umap: [
      async ({ input, params }, progress) => {
        let note = '';
        const layout = await computeLayout(input, params, {
          onKnn: (info) => (note = describeKnn(info)),
          onProgress: progress.onProgress,
        });
        return { layout, note, backend: currentBackend() };
      },
      true,
    ],
  },
  100,
);
