/**
 * The data layer's public API: load a dataset from the workspace, find candidate datasets, tell
 * whether a file could be one. Pure Node code (no `vscode`), shared by the extension host, the
 * worker, the CLI and the tests. Files are only ever read.
 */
import type { Dataset } from '../shared/dataset';
import { loadDataset as load } from './load';
import type { LoadOptions } from './loadOptions';

export type { LoadOptions } from './loadOptions';

export { InputError } from '../shared/dataset';
export type { Dataset, SampleSource, SnapshotRef } from '../shared/dataset';
export { AmbiguousChoiceError } from './errors';
export { discoverDatasets, looksLikeDataset } from './discover';
export type { DatasetCandidate } from './discover';

/**
 * Loads a dataset from a file, a folder (projector folder, folder with embeddings.json or one
 * obvious dataset), or a manifest. Throws InputError (naming file + problem) or
 * AmbiguousChoiceError (the UI asks, then calls again with `opts[err.key]` set).
 */
export function loadDataset(target: string, opts?: LoadOptions): Promise<Dataset> {
  return load(target, opts);
}
