/**
 * The search worker's methods (searchWorker.ts serves them, SearchClient sends them), over the
 * protocol of rpc.ts. Pure types.
 */
import type { Searchable, SearchResult } from '../analysis/search';

export type SearchMethods = {
  /** Keep these samples' texts (labels, file names, metadata columns) for the searches that follow. */
  setSamples: { params: Searchable; result: null };
  /** The samples matching `query` (analysis/search.ts). */
  search: { params: { query: string }; result: SearchResult };
};
