/**
 * Number formatting for both webviews (one format for a count everywhere). Pure: no DOM,
 * unit-tested in Node.
 *
 * Counts reach ~1e10 (N = 10 000, 100 classes), so they are grouped by thousands with a THIN SPACE
 * (U+2009), the SI convention, which reads the same in every locale (no `,` vs `.` ambiguity).
 * The CSS keeps such numbers on one line (`white-space: nowrap`).
 */

/** The thousands separator used by {@link formatCount}: U+2009 THIN SPACE. */
export const THIN_SPACE = '\u2009';

/** Shown for a value that does not exist (no triplets, metric not computed). */
export const MISSING = '—';

/**
 * An integer count with thin-space thousands: `9880000000` → `9 880 000 000` (thin spaces).
 * Non-integers are rounded (counts arrive as doubles); non-finite values give {@link MISSING}.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  const negative = n < 0;
  // Exact for |n| < 2^53; above that a count is already approximate and toFixed still prints digits.
  const digits = Math.round(Math.abs(n)).toFixed(0);
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += THIN_SPACE;
    out += digits[i];
  }
  return negative ? '-' + out : out;
}

/**
 * `part` as a percentage of `whole`: `12.3%`, `4.56%`, `0%`, `100%`. Tiny non-zero shares print as
 * `<0.01%` and near-total ones as `>99.99%`, so a non-zero count never reads as 0% (or all as 100%).
 * `whole <= 0` gives {@link MISSING}.
 */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return MISSING;
  if (part <= 0) return '0%';
  if (part >= whole) return '100%';
  const p = (100 * part) / whole;
  if (p < 0.01) return '<0.01%';
  if (p > 99.99) return '>99.99%';
  return (p < 10 ? p.toFixed(2) : p.toFixed(1)) + '%';
}

/** A share in [0, 1] as a percentage, same rules as {@link formatPercent}. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return MISSING;
  return formatPercent(Math.min(Math.max(share, 0), 1) * 1e6, 1e6);
}

/**
 * A real value (loss, metric) with `significant` digits, fixed width so it does not jitter while
 * the slider moves: `0.04120`, `1.234`, `12.35`; large values as grouped integers (`12 346`), tiny
 * ones in exponent form.
 */
export function formatValue(x: number | undefined, significant = 4): string {
  if (x === undefined || !Number.isFinite(x)) return MISSING;
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4) return x.toExponential(Math.max(0, significant - 2));
  // Past `significant` integer digits toPrecision would switch to exponent form: show the integer.
  if (a >= 10 ** significant) return formatCount(x);
  return x.toPrecision(significant);
}

/** How many decimals a slider step needs: 0.01 → 2, 0.005 → 3, 1 → 0, 2.5 → 1 (at most 8). */
export function decimalsForStep(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 2;
  for (let d = 0; d <= 8; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 8;
}

/**
 * A margin as shown next to every count: with the step's decimals, but never hiding digits the
 * value really has (a typed 0.125 with step 0.01 shows `0.125`, not `0.13`).
 */
export function formatMargin(m: number, step: number): string {
  if (!Number.isFinite(m)) return MISSING;
  const min = decimalsForStep(step);
  for (let d = min; d <= 8; d++) {
    const s = m.toFixed(d);
    if (Math.abs(Number(s) - m) <= 1e-12 * Math.max(1, Math.abs(m))) return s;
  }
  return m.toFixed(8);
}

/** An axis tick label: short, no trailing zeros (`0`, `0.5`, `1.25`, `-0.2`, `1e-5`). */
export function formatTick(x: number): string {
  if (x === 0 || Object.is(x, -0)) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-4) return x.toExponential(0).replace('e+', 'e');
  return String(Number(x.toPrecision(6)));
}
