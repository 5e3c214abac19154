/**
 * The report of a snapshot diff (engine/diff.ts) as the CLI's `diff --json` prints it and the
 * "Compare with Snapshot" command shows it: counts in each snapshot, the 3 x 3 transitions, the
 * samples and class pairs that got worse most, and a readable table of it.
 */
import * as path from 'node:path';
import { CATEGORIES, type DiffResult } from './diff';
import type { Convention } from './types';
import type { Dataset } from '../shared/dataset';

type Counts = { triplets: number; easy: number; semihard: number; hard: number; violating: number; lossSum: number };

/** The JSON the diff command prints (fields may be added, not removed). */
export interface DiffReport {
  datasetA: string;
  datasetB: string;
  fileA: string;
  fileB: string;
  n: number;
  classes: number;
  margin: number;
  distance: string;
  normalize: boolean;
  convention: Convention;
  a: Counts;
  b: Counts;
  /** transitions.matrix[categoryInA][categoryInB]; categories easy, semihard, hard. */
  transitions: {
    matrix: Record<string, Record<string, number>>;
    becameEasy: number;
    stayedHard: number;
    turnedHard: number;
  };
  /** Per sample as anchor, B - A. */
  worsened: { index: number; dViolating: number; dLoss: number }[];
  /** (anchor class, negative class) by name, violating triplets in A and B. */
  worsenedPairs: { anchorClass: string; negativeClass: string; a: number; b: number; delta: number }[];
}

/** The report from a diff result. */
export function diffReport(
  a: Dataset,
  b: Dataset,
  r: DiffResult,
  flags: { distance: string; normalize: boolean },
): DiffReport {
  const counts = (c: DiffResult['a']): Counts => ({
    triplets: c.triplets,
    easy: c.easy,
    semihard: c.semihard,
    hard: c.hard,
    violating: c.violating,
    lossSum: c.lossSum,
  });
  const matrix: Record<string, Record<string, number>> = {};
  CATEGORIES.forEach((ca, i) => {
    matrix[ca] = {};
    CATEGORIES.forEach((cb, j) => {
      matrix[ca][cb] = r.transitions[3 * i + j];
    });
  });
  return {
    datasetA: a.name,
    datasetB: b.name,
    fileA: a.files.embeddings,
    fileB: b.files.embeddings,
    n: r.n,
    classes: a.classNames.length,
    margin: r.margin,
    distance: flags.distance,
    normalize: flags.normalize,
    convention: r.convention,
    a: counts(r.a),
    b: counts(r.b),
    transitions: { matrix, becameEasy: r.becameEasy, stayedHard: r.stayedHard, turnedHard: r.turnedHard },
    worsened: r.worsened.map((w) => ({ ...w })),
    worsenedPairs: r.worsenedPairs.map((p) => ({
      anchorClass: a.classNames[p.anchorClass],
      negativeClass: a.classNames[p.negativeClass],
      a: p.a,
      b: p.b,
      delta: p.delta,
    })),
  };
}

/** A readable table of the report. */
export function formatDiff(r: DiffReport): string {
  const w = (s: string | number, k = 18): string =>
    String(typeof s === 'number' && !Number.isInteger(s) ? s.toFixed(3) : s).padStart(k);
  const lines = [
    `${path.basename(r.fileA)} -> ${path.basename(r.fileB)}: ${r.n} samples, margin ${r.margin}, ${r.distance}${r.normalize ? ' (normalised)' : ''}, ${r.convention} convention`,
    '',
    `${''.padEnd(10)}${w('A')}${w('B')}`,
    ...(['easy', 'semihard', 'hard', 'violating', 'lossSum'] as const).map(
      (k) => `${k.padEnd(10)}${w(r.a[k])}${w(r.b[k])}`,
    ),
    '',
    `transitions (rows: A, columns: B)`,
    `${''.padEnd(10)}${CATEGORIES.map((c) => w(c)).join('')}`,
    ...CATEGORIES.map((ca) => `${ca.padEnd(10)}${CATEGORIES.map((cb) => w(r.transitions.matrix[ca][cb])).join('')}`),
    `became easy ${r.transitions.becameEasy}, stayed hard ${r.transitions.stayedHard}, turned hard ${r.transitions.turnedHard}`,
    '',
    'worsened samples (Δ loss as anchor, Δ violating):',
    ...r.worsened.map(
      (s) => `  #${s.index}  ${s.dLoss.toPrecision(6)}  ${s.dViolating >= 0 ? '+' : ''}${s.dViolating}`,
    ),
    'worsened class pairs (anchor -> negative: violating A -> B):',
    ...r.worsenedPairs.map((p) => `  ${p.anchorClass} -> ${p.negativeClass}: ${p.a} -> ${p.b} (+${p.delta})`),
  ];
  return lines.join('\n') + '\n';
}
