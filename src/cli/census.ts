/**
 * `embedding-inspector census <dataset>`: the exact triplet census at one margin, batch-hard and
 * retrieval metrics, as one JSON object (`--json`) or a readable table.
 */
import type { Convention } from '../engine/types';
import { parseArgs, type FlagSpecs } from './args';
import { createClient, datasetFlags, distanceFlags, distanceOptions, engineInput, loadFromFlags, stderrProgress, workerFlags } from './common';
import { formatCensusTable } from './format';

export const censusFlags: FlagSpecs = {
  ...datasetFlags,
  ...distanceFlags,
  margin: { kind: 'number', min: 0, default: 0.2, help: 'triplet margin m (PML miner 0.2, PML loss 0.05, TF Addons 1.0)' },
  convention: { kind: 'enum', values: ['pml', 'facenet'], default: 'pml', help: 'easy / semi-hard / hard split' },
  top: { kind: 'number', integer: true, min: 0, max: 100000, default: 10, help: 'how many worst triplets to list' },
  json: { kind: 'boolean', help: 'print one JSON object instead of a table' },
  ...workerFlags,
};

/** The JSON the census command prints (the CLI's stable output; fields may be added, not removed). */
export interface CensusReport {
  dataset: string;
  n: number; dim: number; classes: number;
  margin: number; distance: string; normalize: boolean; convention: Convention; backend: string;
  triplets: number; easy: number; semihard: number; hard: number; violating: number;
  /** Counts under both conventions (the top-level ones are the chosen convention's). */
  pml: { easy: number; semihard: number; hard: number; violating: number };
  facenet: { easy: number; semihard: number; hard: number; violating: number };
  lossSum: number; meanLoss: number; meanLossNonZero: number; nonZero: number;
  batchHard: { meanLoss: number; violatingAnchors: number; anchors: number };
  retrieval: { precisionAt1: number; rPrecision: number; mapAtR: number; queries: number };
  worst: { anchor: number; positive: number; negative: number; loss: number; dap: number; dan: number }[];
  warnings: string[];
}

/** Runs the census command; returns the exit code. */
export async function runCensus(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, censusFlags, { count: 1, names: ['dataset'] });
  const dataset = await loadFromFlags(positional[0], flags);
  const input = engineInput(dataset);
  const opts = distanceOptions(flags);
  const margin = Number(flags.margin);
  const convention = flags.convention as Convention;
  const top = Number(flags.top);
  const client = createClient(flags);
  const progress = stderrProgress();
  try {
    await client.setDataset(input);
    await client.buildIndex(opts, { onProgress: progress.onProgress });
    const r = await client.census(margin, { topK: top });
    const bh = await client.batchHard(margin, false);
    const ret = await client.retrieval({ onProgress: progress.onProgress });
    progress.done();
    const counts = convention === 'pml' ? r.pml : r.facenet;
    const report: CensusReport = {
      dataset: dataset.name,
      n: input.n, dim: input.dim, classes: input.classes,
      margin, distance: opts.distance, normalize: opts.normalize, convention, backend: await client.backend(),
      triplets: r.triplets, easy: counts.easy, semihard: counts.semihard, hard: counts.hard, violating: counts.violating,
      pml: { ...r.pml }, facenet: { ...r.facenet },
      lossSum: r.lossSum, meanLoss: r.meanLoss, meanLossNonZero: r.meanLossNonZero, nonZero: r.nonZero,
      batchHard: { meanLoss: bh.meanLoss, violatingAnchors: bh.violatingAnchors, anchors: bh.validAnchors },
      retrieval: { precisionAt1: ret.precisionAt1, rPrecision: ret.rPrecision, mapAtR: ret.mapAtR, queries: ret.queries },
      worst: r.worst.map((w) => ({ anchor: w.anchor, positive: w.positive, negative: w.negative, loss: w.loss, dap: w.dap, dan: w.dan })),
      warnings: dataset.warnings,
    };
    process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatCensusTable(report));
    return 0;
  } finally {
    progress.done();
    client.dispose();
  }
}
