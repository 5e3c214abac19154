/**
 * The search worker (bundled to dist/searchWorker.js): runs the projection's searches off the
 * extension host's thread, so a regular expression that backtracks for ever (`/^(a+)+$/`) can be
 * stopped (SearchClient terminates this thread after its time limit) instead of freezing the host.
 */
import { parentPort } from 'node:worker_threads';
import { searchSamples, withPlainColumns, type Searchable } from '../analysis/search';
import { serve } from './rpcServer';
import type { SearchMethods } from './searchMethods';

if (!parentPort) throw new Error('searchWorker must run in a worker thread');

let samples: Searchable | undefined;
serve<SearchMethods>(parentPort, {
  setSamples: [
    (p) => {
      // The metadata columns arrive compact (copied bytes, not two million strings): decoded here, once.
      samples = withPlainColumns(p);
      return null;
    },
    false,
  ],
  search: [
    ({ query }) => {
      if (!samples) throw new Error('no samples: setSamples was not called');
      return searchSamples(query, samples);
    },
    true,
  ],
});
