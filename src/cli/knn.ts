/**
 * `embedding-inspector knn <dataset> --k <k>`: exact k nearest neighbours of every sample
 * (ascending distance, ties by index, the sample itself excluded unless --include-self).
 * With `--out file.npy` the N x k int32 indices go to a real .npy (v1.0) and, with
 * `--out-distances`, the float32 distances too; otherwise one JSON object goes to stdout.
 */
import * as path from 'node:path';
import { parseArgs, type FlagSpecs } from './args';
import {
  createClient,
  datasetFlags,
  distanceFlags,
  distanceOptions,
  engineInput,
  loadFromFlags,
  stderrProgress,
  workerFlags,
} from './common';
import { npyBytes } from './npyWriter';
import { checkOutputs, datasetInputs, writeOutput } from './output';

export const knnFlags: FlagSpecs = {
  ...datasetFlags,
  ...distanceFlags,
  k: { kind: 'number', integer: true, min: 1, default: 15, help: 'neighbours per sample (clamped to n - 1)' },
  'include-self': {
    kind: 'boolean',
    help: 'each row starts with the sample itself at distance 0, counted in k (umap-js setPrecomputedKNN layout)',
  },
  out: { kind: 'string', help: 'write the N x k int32 indices to this .npy file', placeholder: 'file.npy' },
  'out-distances': {
    kind: 'string',
    help: 'write the N x k float32 distances to this .npy file',
    placeholder: 'file.npy',
  },
  ...workerFlags,
};

/** Runs the knn command; returns the exit code. */
export async function runKnn(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, knnFlags, { count: 1, names: ['dataset'] });
  const dataset = await loadFromFlags(positional[0], flags);
  const outputs = (['out', 'out-distances'] as const)
    .filter((f) => flags[f] !== undefined)
    .map((f) => ({ flag: `--${f}`, file: path.resolve(String(flags[f])) }));
  await checkOutputs(outputs, datasetInputs(dataset)); // before the work: never overwrite an input
  const input = engineInput(dataset);
  const opts = distanceOptions(flags);
  const includeSelf = flags['include-self'] === true;
  const client = createClient(flags);
  const progress = stderrProgress();
  try {
    await client.setDataset(input);
    const r = await client.knn(Number(flags.k), includeSelf, { onProgress: progress.onProgress }, opts);
    progress.done();
    const summary = {
      dataset: dataset.name,
      n: input.n,
      k: r.k,
      distance: opts.distance,
      normalize: opts.normalize,
      includeSelf,
    };
    if (outputs.length > 0) {
      for (const o of outputs)
        await writeOutput(o.file, npyBytes(o.flag === '--out' ? r.indices : r.distances, input.n, r.k), o.flag);
      process.stderr.write(
        `wrote ${input.n} x ${r.k} neighbours (${opts.distance}${opts.normalize ? ', normalised' : ''})\n`,
      );
      return 0;
    }
    const indices: number[][] = [];
    const distances: number[][] = [];
    for (let i = 0; i < input.n; i++) {
      indices.push(Array.from(r.indices.subarray(i * r.k, (i + 1) * r.k)));
      distances.push(Array.from(r.distances.subarray(i * r.k, (i + 1) * r.k)));
    }
    process.stdout.write(JSON.stringify({ ...summary, indices, distances }) + '\n');
    return 0;
  } finally {
    progress.done();
    client.dispose();
  }
}
