/**
 * `embedding-inspector diff <datasetA> <datasetB>`: what changed between two snapshots of the
 * same samples at one margin (engine/diff.ts): counts in each, the 3 x 3 triplet transitions, the
 * samples and class pairs that got worse most. Different sample counts or labels are bad input
 * (exit 2).
 */
import * as path from 'node:path';
import { CATEGORIES, DiffResult, diffSnapshots } from '../engine/diff';
import { initBackend } from '../engine/distances';
import type { Convention } from '../engine/types';
import { InputError, type Dataset } from '../shared/dataset';
import { parseArgs, type FlagSpecs } from './args';
import { datasetFlags, distanceFlags, distanceOptions, engineInput, loadFromFlags, stderrProgress } from './common';

export const diffFlags: FlagSpecs = {
  ...datasetFlags,
  ...distanceFlags,
  margin: { kind: 'number', min: 0, default: 0.2, help: 'triplet margin m (PML miner 0.2, PML loss 0.05, TF Addons 1.0)' },
  convention: { kind: 'enum', values: ['pml', 'facenet'], default: 'pml', help: 'easy / semi-hard / hard split' },
  top: { kind: 'number', integer: true, min: 0, max: 100000, default: 10, help: 'how many worsened samples and class pairs to list' },
  json: { kind: 'boolean', help: 'print one JSON object instead of a table' },
};

export const diffUsage = 'diff <datasetA> <datasetB> --margin <m> [options]';

type Counts = { triplets: number; easy: number; semihard: number; hard: number; violating: number; lossSum: number };

/** The JSON the diff command prints (fields may be added, not removed). */
export interface DiffReport {
  datasetA: string; datasetB: string; fileA: string; fileB: string;
  n: number; classes: number; margin: number; distance: string; normalize: boolean; convention: Convention;
  a: Counts; b: Counts;
  /** transitions.matrix[categoryInA][categoryInB]; categories easy, semihard, hard. */
  transitions: { matrix: Record<string, Record<string, number>>; becameEasy: number; stayedHard: number; turnedHard: number };
  /** Per sample as anchor, B - A. */
  worsened: { index: number; dViolating: number; dLoss: number }[];
  /** (anchor class, negative class) by name, violating triplets in A and B. */
  worsenedPairs: { anchorClass: string; negativeClass: string; a: number; b: number; delta: number }[];
}

/** Refuses two datasets that are not snapshots of the same labelled samples. */
function checkSameSamples(a: Dataset, b: Dataset): void {
  if (a.n !== b.n) throw new InputError(b.files.embeddings, `${b.n} samples, but ${a.files.embeddings} has ${a.n}: a diff needs two snapshots of the same samples`);
  for (let i = 0; i < a.n; i++) {
    if (a.classNames[a.labels[i]] !== b.classNames[b.labels[i]]) {
      throw new InputError(b.files.embeddings, `sample ${i} has label '${b.classNames[b.labels[i]]}', but '${a.classNames[a.labels[i]]}' in ${a.files.embeddings}: a diff needs the same labels`);
    }
  }
  if (a.classNames.join('\u0000') !== b.classNames.join('\u0000')) throw new InputError(b.files.embeddings, 'the class lists differ');
}

/** The report from a diff result. */
export function diffReport(a: Dataset, b: Dataset, r: DiffResult, flags: { distance: string; normalize: boolean }): DiffReport {
  const counts = (c: DiffResult['a']): Counts => ({ triplets: c.triplets, easy: c.easy, semihard: c.semihard, hard: c.hard, violating: c.violating, lossSum: c.lossSum });
  const matrix: Record<string, Record<string, number>> = {};
  CATEGORIES.forEach((ca, i) => { matrix[ca] = {}; CATEGORIES.forEach((cb, j) => { matrix[ca][cb] = r.transitions[3 * i + j]; }); });
  return {
    datasetA: a.name, datasetB: b.name, fileA: a.files.embeddings, fileB: b.files.embeddings,
    n: r.n, classes: a.classNames.length, margin: r.margin, distance: flags.distance, normalize: flags.normalize, convention: r.convention,
    a: counts(r.a), b: counts(r.b),
    transitions: { matrix, becameEasy: r.becameEasy, stayedHard: r.stayedHard, turnedHard: r.turnedHard },
    worsened: r.worsened.map((w) => ({ ...w })),
    worsenedPairs: r.worsenedPairs.map((p) => ({ anchorClass: a.classNames[p.anchorClass], negativeClass: a.classNames[p.negativeClass], a: p.a, b: p.b, delta: p.delta })),
  };
}

/** A readable table of the report. */
export function formatDiff(r: DiffReport): string {
  const w = (s: string | number, k = 18): string => String(typeof s === 'number' && !Number.isInteger(s) ? s.toFixed(3) : s).padStart(k);
  const lines = [
    `${path.basename(r.fileA)} -> ${path.basename(r.fileB)}: ${r.n} samples, margin ${r.margin}, ${r.distance}${r.normalize ? ' (normalised)' : ''}, ${r.convention} convention`,
    '',
    `${''.padEnd(10)}${w('A')}${w('B')}`,
    ...(['easy', 'semihard', 'hard', 'violating', 'lossSum'] as const).map((k) => `${k.padEnd(10)}${w(r.a[k])}${w(r.b[k])}`),
    '',
    `transitions (rows: A, columns: B)`,
    `${''.padEnd(10)}${CATEGORIES.map((c) => w(c)).join('')}`,
    ...CATEGORIES.map((ca) => `${ca.padEnd(10)}${CATEGORIES.map((cb) => w(r.transitions.matrix[ca][cb])).join('')}`),
    `became easy ${r.transitions.becameEasy}, stayed hard ${r.transitions.stayedHard}, turned hard ${r.transitions.turnedHard}`,
    '',
    'worsened samples (Δ loss as anchor, Δ violating):',
    ...r.worsened.map((s) => `  #${s.index}  ${s.dLoss.toPrecision(6)}  ${s.dViolating >= 0 ? '+' : ''}${s.dViolating}`),
    'worsened class pairs (anchor -> negative: violating A -> B):',
    ...r.worsenedPairs.map((p) => `  ${p.anchorClass} -> ${p.negativeClass}: ${p.a} -> ${p.b} (+${p.delta})`),
  ];
  return lines.join('\n') + '\n';
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
    const r = await diffSnapshots(engineInput(a), engineInput(b), {
      ...opts, margin: Number(flags.margin), convention: flags.convention as Convention, top: Number(flags.top),
    }, { onProgress: progress.onProgress });
    progress.done();
    const report = diffReport(a, b, r, opts);
    process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatDiff(report));
    return 0;
  } finally {
    progress.done();
  }
}
