/**
 * Loads a dataset in a worker thread (loadWorker.ts) with data/index.ts's contract: the same
 * Dataset, and the same errors — an InputError naming the file and the problem, an
 * AmbiguousChoiceError with its choices — rebuilt as their classes on this side, and the samples'
 * sources and metadata columns as their classes around the buffers the worker transferred. Plain Node.
 */
import * as path from 'node:path';
import { AmbiguousChoiceError, InputError, type Dataset, type LoadOptions } from '../data/index';
import { SampleSources } from '../shared/sampleSources';
import { reviveStringColumns } from '../shared/stringColumn';
import { RpcWorker } from './rpcWorker';
import type { LoadMethods } from './loadMethods';

/** The error as the caller of loadDataset would have got it in process. */
function asLoadError(e: unknown): unknown {
  const x = e as Error & Record<string, unknown>;
  if (x?.name === 'InputError' && typeof x.file === 'string' && typeof x.problem === 'string')
    return new InputError(x.file, x.problem);
  if (
    x?.name === 'AmbiguousChoiceError' &&
    typeof x.file === 'string' &&
    (x.key === 'embeddingsKey' || x.key === 'labelsKey') &&
    Array.isArray(x.options)
  ) {
    return new AmbiguousChoiceError(x.file, x.key, x.options as string[]);
  }
  return e;
}

/** loadDataset(target, opts), computed in a worker thread that ends with the load. */
export async function loadDatasetInWorker(
  target: string,
  opts: LoadOptions = {},
  script = path.join(__dirname, 'loadWorker.js'),
): Promise<Dataset> {
  const w = new RpcWorker<LoadMethods>(script, 'load worker');
  try {
    const d = await w.request('load', { target, opts });
    // Its buffers arrived by transfer; the class did not (structured clone keeps fields only).
    if (d.sources) d.sources = SampleSources.revive(d.sources);
    if (d.metadata) d.metadata = reviveStringColumns(d.metadata);
    return d;
  } catch (e) {
    throw asLoadError(e);
  } finally {
    w.terminate(new Error('the load worker is done'));
  }
}
