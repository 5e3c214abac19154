/** Text formatting for the projection panel (counts, margins, the worst-list header). Pure. */
import type { CensusView, SampleCategory } from '../../src/shared/protocol';
import { formatCount } from '../common/format';

export { formatCount } from '../common/format';

/** A margin with at least two decimals and no more than it needs: 0.2 -> "0.20", 0.125 -> "0.125". */
export function formatMargin(m: number): string {
  if (!Number.isFinite(m)) return String(m);
  if (Math.abs(m * 100 - Math.round(m * 100)) < 1e-9) return m.toFixed(2);
  return String(Number(m.toPrecision(6)));
}

/** A loss or distance for display: 4 significant digits. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** The worst-list header: "hard 1 234 · semi-hard 567 · margin 0.20 · pml". */
export function censusHeader(c: Pick<CensusView, 'counts' | 'settings'>): string {
  return `hard ${formatCount(c.counts.hard)} · semi-hard ${formatCount(c.counts.semihard)} · margin ${formatMargin(c.settings.margin)} · ${c.settings.convention}`;
}

/** Display name of a category. */
export function categoryName(cat: SampleCategory | number): string {
  return ['no triplets', 'easy', 'semi-hard', 'hard'][cat] ?? 'unknown';
}
