/**
 * `embedding-inspector project <dataset> --out layout.npy`: the 2-D UMAP layout the extension
 * shows, written as an N x 2 float32 .npy (v1.0). Same code (`computeLayout`), same defaults and
 * seed as the extension, so the same dataset and settings give the same bytes.
 */
import * as path from 'node:path';
import { layoutToNpy } from '../projection/layoutFile';
import {
  computeLayout,
  DEFAULT_LAYOUT_PARAMS,
  describeKnn,
  EXACT_NEIGHBOURS_UP_TO,
  SPECTRAL_ABOVE,
  type LayoutParams,
} from '../projection/umap';
import { parseArgs, UsageError, type FlagSpecs } from './args';
import { datasetFlags, distanceFlags, loadFromFlags, stderrProgress } from './common';
import { checkOutputs, datasetInputs, writeOutput } from './output';

/** The flags of `project` (dataset and distance flags as the other commands). */
export const projectFlags: FlagSpecs = {
  ...datasetFlags,
  ...distanceFlags,
  out: { kind: 'string', help: 'write the N x 2 float32 layout to this .npy file (required)', placeholder: 'file.npy' },
  neighbors: {
    kind: 'number',
    integer: true,
    min: 2,
    max: 200,
    default: DEFAULT_LAYOUT_PARAMS.nNeighbors,
    help: 'UMAP neighbours per point, the point itself included',
  },
  'min-dist': {
    kind: 'number',
    min: 0,
    max: 1,
    default: DEFAULT_LAYOUT_PARAMS.minDist,
    help: 'UMAP minimum distance between points in the layout',
  },
  seed: {
    kind: 'number',
    integer: true,
    min: 0,
    max: 2 ** 31 - 1,
    default: DEFAULT_LAYOUT_PARAMS.seed,
    help: 'random seed (same data + options + seed = same layout)',
  },
  neighbours: {
    kind: 'enum',
    values: ['auto', 'exact', 'approximate'],
    default: DEFAULT_LAYOUT_PARAMS.neighbours,
    help: `how UMAP finds the neighbours: exact search (O(n^2)), NN-descent (approximate, its recall measured on sampled rows and said), or auto: exact up to ${EXACT_NEIGHBOURS_UP_TO.toLocaleString('en-US')} points`,
  },
  init: {
    kind: 'enum',
    values: ['auto', 'random', 'spectral'],
    default: DEFAULT_LAYOUT_PARAMS.init,
    help: `initial layout: umap-js's random start, umap-learn's spectral one (a graph in pieces: placed by their centroids), or auto: spectral above ${SPECTRAL_ABOVE.toLocaleString('en-US')} points`,
  },
  epochs: {
    kind: 'number',
    integer: true,
    min: 1,
    max: 10000,
    help: 'optimisation epochs (default: 500 up to 2 500 points ... 200 above 7 500)',
  },
};

/** Command-line usage of `project`, for help texts. */
export const projectUsage =
  'project <dataset> --out <layout.npy> [--neighbors 15] [--min-dist 0.1] [--seed 42] [options]';

/** True for errors about the user's arguments or files (exit code 2). */
function isInputProblem(e: unknown): boolean {
  const name = (e as Error | undefined)?.name;
  return name === 'UsageError' || name === 'InputError' || name === 'AmbiguousChoiceError';
}

/**
 * Runs `project` with the arguments after the subcommand name. Resolves to 0 when the layout
 * was written, 2 (message on stderr) for bad arguments or unreadable input; other failures reject.
 */
export async function projectCommand(argv: string[]): Promise<number> {
  try {
    const { positional, flags } = parseArgs(argv, projectFlags, { count: 1, names: ['dataset'] });
    if (flags.out === undefined) throw new UsageError('missing --out <layout.npy>');
    const out = path.resolve(String(flags.out));
    const dataset = await loadFromFlags(positional[0], flags);
    await checkOutputs([{ flag: '--out', file: out }], datasetInputs(dataset)); // before UMAP: never overwrite an input
    const params: LayoutParams = {
      nNeighbors: Number(flags.neighbors),
      minDist: Number(flags['min-dist']),
      seed: Number(flags.seed),
      nEpochs: flags.epochs === undefined ? undefined : Number(flags.epochs),
      distance: flags.distance as LayoutParams['distance'],
      normalize: flags.normalize === true,
      neighbours: flags.neighbours as LayoutParams['neighbours'],
      init: flags.init as LayoutParams['init'],
    };
    const progress = stderrProgress();
    let layout: Float32Array;
    let neighbours = '';
    try {
      layout = await computeLayout({ embeddings: dataset.embeddings, n: dataset.n, dim: dataset.dim }, params, {
        onProgress: progress.onProgress,
        onKnn: (info) => (neighbours = `; ${describeKnn(info)}`),
      });
    } finally {
      progress.done();
    }
    await writeOutput(out, layoutToNpy(layout), '--out');
    const how =
      dataset.dim <= 3
        ? `data is ${dataset.dim}-D, shown as is`
        : `UMAP nNeighbors ${params.nNeighbors}, minDist ${params.minDist}, seed ${params.seed}${neighbours}`;
    process.stderr.write(`wrote ${dataset.n} x 2 layout of ${dataset.name} to ${out} (${how})\n`);
    return 0;
  } catch (e) {
    if (!isInputProblem(e)) throw e;
    process.stderr.write(`embedding-inspector: ${(e as Error).message}\n`);
    if ((e as Error).name === 'UsageError') process.stderr.write('Run `embedding-inspector help project` for usage.\n');
    return 2;
  }
}
