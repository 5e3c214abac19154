/** The load worker's method (loadWorker.ts serves it, loadClient.ts sends it). Pure types. */
import type { LoadOptions } from '../data/loadOptions';
import type { Dataset } from '../shared/dataset';

export type LoadMethods = {
  /** data/index.ts's loadDataset, its embeddings and labels in shared memory. */
  load: { params: { target: string; opts: LoadOptions }; result: Dataset };
};
