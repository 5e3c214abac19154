/**
 * What every CLI subcommand shares: the dataset flags (passed to the data layer's loadDataset),
 * the distance flags, turning a Dataset into the engine's input, and the analysis client.
 */
import * as path from 'node:path';
import { loadDataset, type LoadOptions } from '../data/index';
import { DEFAULT_MAX_BYTES } from '../data/files';
import type { Dataset } from '../shared/dataset';
import type { DistanceKind, DistanceOptions, EngineInput } from '../engine/types';
import { AnalysisClient } from '../worker/client';
import type { FlagSpecs, FlagValues } from './args';

/** The memory budget's default in MB: the extension's `embeddingInspector.maxFileMegabytes` default. */
export const DEFAULT_MAX_MEGABYTES = DEFAULT_MAX_BYTES / 2 ** 20;

/** Flags that choose and read the dataset (see the data layer's LoadOptions). */
export const datasetFlags: FlagSpecs = {
  labels: {
    kind: 'string',
    help: 'labels file (.npy, .txt, .tsv, .csv, ...) when the dataset does not carry them',
    placeholder: 'file',
  },
  'label-column': { kind: 'string', help: 'metadata column holding the class label', placeholder: 'name' },
  'embeddings-key': {
    kind: 'string',
    help: 'array / column holding the embeddings when several could (.npz, tables)',
    placeholder: 'key',
  },
  'labels-key': { kind: 'string', help: 'array / column holding the labels when several could', placeholder: 'key' },
  snapshot: {
    kind: 'number',
    integer: true,
    min: 0,
    help: 'which snapshot (epoch) of a manifest to use, 0-based',
    placeholder: 'i',
  },
  'max-megabytes': {
    kind: 'number',
    min: 1,
    max: 65536,
    default: DEFAULT_MAX_MEGABYTES,
    placeholder: 'MB',
    help: 'memory budget: files, and arrays once decompressed, larger than this are refused before reading (as the setting embeddingInspector.maxFileMegabytes)',
  },
};

/** The memory budget in bytes from `--max-megabytes` (default 2048 MB, like the extension's setting). */
export function maxBytesFromFlags(flags: FlagValues): number {
  const mb = flags['max-megabytes'] === undefined ? DEFAULT_MAX_MEGABYTES : Number(flags['max-megabytes']);
  return Math.round(mb * 2 ** 20);
}

/** Distance flags (definitions.md, "Distances"). */
export const distanceFlags: FlagSpecs = {
  distance: {
    kind: 'enum',
    values: ['euclidean', 'sqeuclidean', 'cosine'],
    default: 'euclidean',
    help: 'distance d between embeddings',
  },
  normalize: { kind: 'boolean', help: 'L2-normalise embeddings first (PML default; off unless given)' },
};

/** Parallelism flag shared by the compute commands. */
export const workerFlags: FlagSpecs = {
  workers: { kind: 'number', integer: true, min: 1, max: 64, help: 'worker threads (default: min(2, cores))' },
};

/** LoadOptions from the parsed flags. */
export function loadOptions(flags: FlagValues): LoadOptions {
  const o: LoadOptions = {};
  if (flags.labels !== undefined) o.labels = path.resolve(String(flags.labels));
  if (flags['label-column'] !== undefined) o.labelColumn = String(flags['label-column']);
  if (flags['embeddings-key'] !== undefined) o.embeddingsKey = String(flags['embeddings-key']);
  if (flags['labels-key'] !== undefined) o.labelsKey = String(flags['labels-key']);
  if (flags.snapshot !== undefined) o.snapshot = Number(flags.snapshot);
  o.maxBytes = maxBytesFromFlags(flags);
  return o;
}

/** Loads the dataset named on the command line (paths relative to the current directory). */
export function loadFromFlags(target: string, flags: FlagValues): Promise<Dataset> {
  return loadDataset(path.resolve(target), loadOptions(flags));
}

/** DistanceOptions from the parsed flags. */
export function distanceOptions(flags: FlagValues): DistanceOptions {
  return { distance: flags.distance as DistanceKind, normalize: flags.normalize === true };
}

/** The engine's view of a dataset. */
export function engineInput(d: Dataset): EngineInput {
  return { embeddings: d.embeddings, n: d.n, dim: d.dim, labels: d.labels, classes: d.classNames.length };
}

/**
 * An AnalysisClient on the bundled worker beside this CLI bundle (dist/worker.js), so the CLI runs
 * exactly the extension's code path; `EI_WORKER_SCRIPT` overrides the path.
 */
export function createClient(flags: FlagValues): AnalysisClient {
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  return new AnalysisClient({
    workers,
    workerScript: process.env.EI_WORKER_SCRIPT ?? path.join(__dirname, 'worker.js'),
  });
}

/** Progress on stderr when it is a terminal (one rewritten line), silent otherwise. */
export function stderrProgress(): { onProgress?: (fraction: number, message: string) => void; done(): void } {
  if (!process.stderr.isTTY) return { done: () => undefined };
  let shown = false;
  return {
    onProgress: (f, m) => {
      shown = true;
      process.stderr.write(`\r${m} ${(100 * f).toFixed(0)}%   `);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
