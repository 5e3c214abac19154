/**
 * The load worker (bundled to dist/loadWorker.js): reads a dataset off the extension host's thread.
 * Parsing metadata, resolving a million sample paths and checking a million rows took 10-20 s at
 * N = 1 000 000, during which the host (every extension) did not answer. The embeddings and labels
 * come back in shared memory (not copied), the samples' sources (shared/sampleSources.ts) and the
 * metadata columns (shared/stringColumn.ts) as transferred buffers; the rest by structured clone.
 */
import { parentPort } from 'node:worker_threads';
import { loadDataset } from '../data/index';
import { shareDataset } from '../shared/sharedMemory';
import { serve } from './rpcServer';
import type { LoadMethods } from './loadMethods';

if (!parentPort) throw new Error('loadWorker must run in a worker thread');

serve<LoadMethods>(parentPort, {
  load: [async ({ target, opts }) => shareDataset(await loadDataset(target, opts)), true],
});
