/**
 * `embedding-inspector census <dataset>`: the exact triplet census at one margin, batch-hard and
 * retrieval metrics, as one JSON object (`--json`) or a readable table. Exact at any N: one pass
 * over the distance matrix in blocks sized to the memory budget (engine/pass.ts), progress with
 * the time left on stderr. `--sample <anchors>` prints a stated estimate in seconds instead;
 * `--anchors <start>:<end> --part <file>` counts one shard for `merge` (a cluster job's piece).
 */
import * as path from 'node:path';
import type { Convention } from '../engine/types';
import { chunkAnchorsFor, planPass, PROCESS_BYTES, shortfall, type PassPlan } from '../engine/passPlan';
import { drawSample, estimateFromGroups } from '../engine/passSample';
import type { CensusTotals, PassSpec } from '../engine/passTypes';
import type { Dataset } from '../shared/dataset';
import { shareDataset } from '../shared/sharedMemory';
import { normalizeRowsInPlace } from '../engine/distances';
import { parseArgs, UsageError, type FlagSpecs, type FlagValues } from './args';
import { censusReport, sampledReport, type RunFacts } from './censusReport';
import { fingerprint, writePart } from './censusPart';
import {
  createClient,
  datasetFlags,
  distanceFlags,
  distanceOptions,
  engineInput,
  loadFromFlags,
  maxBytesFromFlags,
  workerFlags,
} from './common';
import { formatCensusTable, formatSampledTable } from './format';
import { cliProgress } from './progress';
import { queryGalleryFlags, queryGalleryReport, splitFromFlags } from './queryGallery';

export type { CensusReport } from './censusReport';

export const censusFlags: FlagSpecs = {
  ...datasetFlags,
  ...distanceFlags,
  margin: {
    kind: 'number',
    min: 0,
    default: 0.2,
    help: 'triplet margin m (PML miner 0.2, PML loss 0.05, TF Addons 1.0)',
  },
  convention: { kind: 'enum', values: ['pml', 'facenet'], default: 'pml', help: 'easy / semi-hard / hard split' },
  top: { kind: 'number', integer: true, min: 0, max: 100000, default: 10, help: 'how many worst triplets to list' },
  json: { kind: 'boolean', help: 'print one JSON object instead of a table' },
  sample: {
    kind: 'number',
    integer: true,
    min: 1,
    placeholder: 'anchors',
    help: 'estimate from this many random anchors, with 95 % intervals, instead of counting every anchor',
  },
  seed: { kind: 'number', integer: true, min: 0, max: 2147483647, default: 1, help: 'random seed of --sample' },
  anchors: {
    kind: 'string',
    placeholder: 'start:end',
    help: 'count only the anchors start..end-1 (0-based) into a --part file, for `merge`',
  },
  part: { kind: 'string', placeholder: 'file', help: 'with --anchors: where to write the partial census' },
  ...queryGalleryFlags,
  ...workerFlags,
};

/** Runs the census command; returns the exit code. */
export async function runCensus(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, censusFlags, { count: 1, names: ['dataset'] });
  if (flags.part !== undefined && flags.anchors === undefined)
    throw new UsageError('--part needs --anchors <start>:<end> (the anchors this part counts)');
  if (flags.anchors !== undefined && flags.part === undefined)
    throw new UsageError('--anchors needs --part <file> (where to write the partial census for `merge`)');
  if (flags.sample !== undefined && flags.anchors !== undefined)
    throw new UsageError('--sample and --anchors cannot be combined');
  const partFile = flags.part === undefined ? undefined : path.resolve(String(flags.part));
  const dataset = shareDataset(await loadFromFlags(positional[0], flags));
  const input = engineInput(dataset);
  const range = flags.anchors === undefined ? undefined : parseRange(String(flags.anchors), input.n);
  // Checked before the census: a split column that cannot be used stops the run at once (exit 2).
  const split = flags.sample === undefined && !range ? splitFromFlags(dataset, flags) : undefined;
  const opts = distanceOptions(flags);
  // A shard's part names its dataset by a hash of the data as loaded (before normalising below).
  const print = range ? fingerprint(dataset.embeddings, dataset.labels, dataset.classNames) : '';
  // Only the normalised embeddings are needed from here on: normalise them in place (no second N x D copy).
  if (opts.normalize) normalizeRowsInPlace(input.embeddings, input.n, input.dim);
  const convention = flags.convention as Convention,
    top = Number(flags.top),
    margin = Number(flags.margin);
  const client = createClient(flags);
  const progress = cliProgress();
  try {
    // The loaders refused NaN and infinities already (naming the row); normalising keeps them finite.
    await client.setDataset(input, { normalizedInPlace: opts.normalize, finiteChecked: true });
    const facts: RunFacts = {
      dataset: dataset.name,
      n: input.n,
      dim: input.dim,
      classes: input.classes,
      margin,
      distance: opts.distance,
      normalize: opts.normalize,
      convention,
      backend: await client.backend(),
      warnings: dataset.warnings,
    };
    const plan = planFor(dataset, flags, opts.distance, opts.normalize, client.workers);
    const spec: PassSpec = {
      distance: opts,
      margin,
      topK: top,
      perSample: false,
      retrieval: true,
      semihard: false,
      blockAnchors: plan.blockAnchors,
      indexAnchors: plan.indexAnchors,
    };
    const chunkAnchors = chunkAnchorsFor(plan, input.n);
    if (flags.sample !== undefined) {
      const draw = drawSample(input.n, Number(flags.sample), Number(flags.seed));
      const groups: { index: number; totals: CensusTotals }[] = [];
      const first = new Map<number, number>(draw.groups.map((g, i) => [g[0] ?? -1, i]));
      const r = await client.pass(
        { ...spec, retrieval: false },
        {
          chunks: draw.groups,
          workers: plan.workers,
          onChunk: (c) => groups.push({ index: first.get(c.anchors[0] ?? -1) ?? 0, totals: c.census }),
          onProgress: (d, t) => progress.update('sampled census', d, t),
        },
      );
      progress.done();
      const totals = groups.sort((a, b) => a.index - b.index).map((g) => g.totals);
      const report = sampledReport(facts, estimateFromGroups(draw, totals), r);
      process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatSampledTable(report));
      return 0;
    }
    if (range) {
      const ids = Int32Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
      const acc = await client.passAccumulator(spec, {
        anchors: ids,
        chunkAnchors,
        workers: plan.workers,
        onProgress: (d, t) => progress.update(`census of anchors ${range.start}:${range.end}`, d, t),
      });
      progress.done();
      writePart(partFile!, { ...facts, top, fingerprint: print }, range.start, range.end, acc);
      process.stderr.write(
        `wrote the census of anchors ${range.start}:${range.end} of ${input.n} to ${partFile}; \`embedding-inspector merge\` joins the parts\n`,
      );
      return 0;
    }
    const r = await client.pass(spec, {
      chunkAnchors,
      workers: plan.workers,
      onProgress: (d, t) => progress.update('census', d, t),
    });
    progress.done();
    const report = censusReport(facts, r);
    if (split) {
      const qgProgress = cliProgress(); // its own clock: the time left is the evaluation's
      const qg = await client.queryGallery(split, opts, {
        onProgress: (f) =>
          qgProgress.update(
            'query / gallery retrieval',
            Math.round(f * split.queries.length),
            split.queries.length,
            'queries',
          ),
      });
      qgProgress.done();
      report.queryGallery = queryGalleryReport(split, qg);
    }
    process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatCensusTable(report));
    return 0;
  } finally {
    progress.done();
    client.dispose();
  }
}

/** `start:end` with 0 <= start < end <= n. */
function parseRange(text: string, n: number): { start: number; end: number } {
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--anchors needs <start>:<end> (like 0:50000), got ${JSON.stringify(text)}`);
  const start = Number(m[1]),
    end = Number(m[2]);
  if (!(start < end && end <= n))
    throw new UsageError(`--anchors ${text}: needs start < end <= ${n} (the dataset has ${n} samples)`);
  return { start, end };
}

/** The memory plan for this dataset and the budget; a plan that cannot fit is a UsageError saying what to do. */
function planFor(
  d: Dataset,
  flags: FlagValues,
  distance: PassSpec['distance']['distance'],
  normalize: boolean,
  workers: number,
): PassPlan {
  const input = {
    n: d.n,
    dim: d.dim,
    classes: d.classNames.length,
    distance,
    normalize,
    workers,
    positions: 0,
    perSample: false,
    knn: 0,
    budgetBytes: maxBytesFromFlags(flags),
    otherBytes: PROCESS_BYTES,
    normalizedInPlace: normalize,
  };
  const plan = planPass(input);
  if ('needBytes' in plan)
    throw new UsageError(
      shortfall(
        input,
        plan.needBytes,
        'raise the memory budget (--max-megabytes) or count a sample of anchors (--sample)',
      ),
    );
  return plan;
}
