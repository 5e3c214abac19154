/**
 * `embedding-inspector merge <part files…>`: joins the parts written by
 * `census --anchors <start>:<end> --part <file>` (one per shard of a cluster job) and prints the
 * census the one-process run prints, bit for bit. Parts of another dataset, other options or
 * another distance kernel are refused, and so are overlapping or missing anchor ranges.
 */
import { InputError } from '../shared/dataset';
import type { PassSpec } from '../engine/passTypes';
import { parseArgs, type FlagSpecs } from './args';
import { censusReport } from './censusReport';
import { readPart, type Part, type PartKey } from './censusPart';
import { formatCensusTable } from './format';

export const mergeFlags: FlagSpecs = {
  json: { kind: 'boolean', help: 'print one JSON object instead of a table (the same as `census --json`)' },
};

export const mergeUsage = 'merge <part files…> [--json]';

/** The spec the parts were counted with (all that the join needs of it). */
function specOf(key: PartKey): PassSpec {
  return {
    distance: { distance: key.distance as PassSpec['distance']['distance'], normalize: key.normalize },
    margin: key.margin,
    topK: key.top,
    perSample: false,
    retrieval: true,
    semihard: false,
    blockAnchors: 1,
  };
}

/** Fields every part must share, with the words that name them. */
const SHARED: [keyof PartKey, string][] = [
  ['fingerprint', 'dataset (embeddings, labels or class names differ)'],
  ['n', 'number of samples'],
  ['dim', 'dimension'],
  ['classes', 'number of classes'],
  ['margin', 'margin (--margin)'],
  ['distance', 'distance (--distance)'],
  ['normalize', 'normalisation (--normalize)'],
  ['convention', 'convention (--convention)'],
  ['top', 'worst-list length (--top)'],
  ['backend', 'distance kernel (its distances can differ in the last bits)'],
];

/** Runs the merge command; returns the exit code. */
export async function runMerge(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, mergeFlags, { count: 1, names: ['part files…'], variadic: true });
  const parts: Part[] = positional.map((f) => readPart(f, specOf));
  const first = parts[0];
  for (const p of parts.slice(1)) {
    for (const [k, words] of SHARED) {
      if (p.key[k] !== first.key[k])
        throw new InputError(
          p.file,
          `was counted with another ${words} than ${first.file}: ${JSON.stringify(p.key[k])} vs ${JSON.stringify(first.key[k])}`,
        );
    }
  }
  const sorted = [...parts].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const p of sorted) {
    if (p.start < at)
      throw new InputError(p.file, `its anchors ${p.start}:${p.end} overlap another part's (up to ${at})`);
    if (p.start > at)
      throw new InputError(
        p.file,
        `anchors ${at}:${p.start} are in no part; count them with \`census --anchors ${at}:${p.start} --part <file>\``,
      );
    at = p.end;
  }
  if (at < first.key.n)
    throw new InputError(
      sorted[sorted.length - 1].file,
      `anchors ${at}:${first.key.n} are in no part; count them with \`census --anchors ${at}:${first.key.n} --part <file>\``,
    );
  const acc = sorted[0].acc;
  for (const p of sorted.slice(1)) acc.merge(p.acc);
  const k = first.key;
  const report = censusReport(
    {
      dataset: k.dataset,
      n: k.n,
      dim: k.dim,
      classes: k.classes,
      margin: k.margin,
      distance: k.distance,
      normalize: k.normalize,
      convention: k.convention,
      backend: k.backend,
      warnings: k.warnings,
    },
    acc.result(),
  );
  process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatCensusTable(report));
  return 0;
}
