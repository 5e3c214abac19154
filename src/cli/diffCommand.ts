/**
 * `embedding-inspector diff <datasetA> <datasetB>`: what changed between two snapshots of the
 * same samples at one margin (engine/diff.ts): counts in each, the 3 x 3 triplet transitions, the
 * samples and class pairs that got worse most. Different sample counts or labels are bad input
 * (exit 2).
 */
import { diffSnapshots } from '../engine/diff';
import { diffReport, formatDiff } from '../engine/diffReport';
import { initBackend } from '../engine/distances';
import type { Convention } from '../engine/types';
import { InputError, type Dataset } from '../shared/dataset';
import { parseArgs, type FlagSpecs } from './args';
import { datasetFlags, distanceFlags, distanceOptions, engineInput, loadFromFlags, stderrProgress } from './common';

export const diffFlags: FlagSpecs = {
  ...datasetFlags,
  ...distanceFlags,
  margin: {
    kind: 'number',
    min: 0,
    default: 0.2,
    help: 'triplet margin m (PML miner 0.2, PML loss 0.05, TF Addons 1.0)',
  },
  convention: { kind: 'enum', values: ['pml', 'facenet'], default: 'pml', help: 'easy / semi-hard / hard split' },
  top: {
    kind: 'number',
    integer: true,
    min: 0,
    max: 100000,
    default: 10,
    help: 'how many worsened samples and class pairs to list',
  },
  json: { kind: 'boolean', help: 'print one JSON object instead of a table' },
};

export const diffUsage = 'diff <datasetA> <datasetB> --margin <m> [options]';

/** Refuses two datasets that are not snapshots of the same labelled samples. */
function checkSameSamples(a: Dataset, b: Dataset): void {
  if (a.n !== b.n)
    throw new InputError(
      b.files.embeddings,
      `${b.n} samples, but ${a.files.embeddings} has ${a.n}: a diff needs two snapshots of the same samples`,
    );
  for (let i = 0; i < a.n; i++) {
    if (a.classNames[a.labels[i]] !== b.classNames[b.labels[i]]) {
      throw new InputError(
        b.files.embeddings,
        `sample ${i} has label '${b.classNames[b.labels[i]]}', but '${a.classNames[a.labels[i]]}' in ${a.files.embeddings}: a diff needs the same labels`,
      );
    }
  }
  if (a.classNames.join('\u0000') !== b.classNames.join('\u0000'))
    throw new InputError(b.files.embeddings, 'the class lists differ');
}

/** Runs the diff command; returns the exit code. */
export async function runDiff(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, diffFlags, { count: 2, names: ['datasetA', 'datasetB'] });
  const [a, b] = await Promise.all([loadFromFlags(positional[0], flags), loadFromFlags(positional[1], flags)]);
  checkSameSamples(a, b);
  const opts = distanceOptions(flags);
  const progress = stderrProgress();
  try {
    await initBackend();
    const r = await diffSnapshots(
      engineInput(a),
      engineInput(b),
      {
        ...opts,
        margin: Number(flags.margin),
        convention: flags.convention as Convention,
        top: Number(flags.top),
      },
      { onProgress: progress.onProgress },
    );
    progress.done();
    const report = diffReport(a, b, r, opts);
    process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatDiff(report));
    return 0;
  } finally {
    progress.done();
  }
}
