/**
 * The margin slider's arithmetic. Pure: no DOM, unit-tested in Node. Shared by the sidebar (which
 * sends these margins) and the host (which tabulates the census at exactly these margins).
 *
 * The `<input type="range">` works on integer positions 0..K (K = (max - min) / step) rather than on
 * margins directly: float steps such as 0.01 accumulate rounding error in the browser
 * (0.30000000000000004), and integer positions make "10 steps" for PageUp exact.
 */

/** The slider's range as the host sends it in `state.marginRange`. */
export interface MarginRange {
  min: number;
  max: number;
  step: number;
}

/** Largest number of positions the slider offers; a finer step from the host is coarsened. */
export const MAX_POSITIONS = 10_000;

/**
 * A usable range from whatever the host sent: finite, min >= 0, max > min, step > 0 and at most
 * {@link MAX_POSITIONS} positions. Falls back to [0, 1] step 0.01.
 */
export function sanitizeRange(r: MarginRange | undefined): MarginRange {
  const fallback = { min: 0, max: 1, step: 0.01 };
  if (!r || ![r.min, r.max, r.step].every(Number.isFinite)) return fallback;
  const min = Math.max(0, r.min);
  if (!(r.max > min)) return fallback;
  let step = r.step > 0 ? r.step : (r.max - min) / 100;
  if ((r.max - min) / step > MAX_POSITIONS) step = (r.max - min) / MAX_POSITIONS;
  return { min, max: r.max, step };
}

/** Number of the last position, K = round((max - min) / step) (at least 1). */
export function lastPosition(r: MarginRange): number {
  return Math.max(1, Math.round((r.max - r.min) / r.step));
}

/** The position nearest to margin `v`, clamped to 0..K (a typed margin may lie outside the range). */
export function valueToPosition(v: number, r: MarginRange): number {
  const k = lastPosition(r);
  if (!Number.isFinite(v)) return 0;
  return Math.min(k, Math.max(0, Math.round((v - r.min) / r.step)));
}

/**
 * The margin at position `p`: min + p * step, rounded to the step's precision so positions map to
 * the values a user would type (0.2, not 0.20000000000000004); the last position is exactly max.
 */
export function positionToValue(p: number, r: MarginRange): number {
  const k = lastPosition(r);
  const q = Math.min(k, Math.max(0, Math.round(p)));
  if (q === k) return r.max;
  const v = r.min + q * r.step;
  return Number(v.toPrecision(12));
}

/** Every margin the slider can send for the host's range, ascending (position p at index p). */
export function sliderMargins(range: MarginRange): Float64Array {
  const r = sanitizeRange(range),
    k = lastPosition(r);
  return Float64Array.from({ length: k + 1 }, (_, p) => positionToValue(p, r));
}

/**
 * The position a key press leads to, or undefined when the key is not a slider key.
 * Arrows step by one, PageUp / PageDown by ten, Home / End jump to the ends.
 */
export function keyToPosition(key: string, p: number, r: MarginRange): number | undefined {
  const k = lastPosition(r);
  let next: number;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowUp':
      next = p + 1;
      break;
    case 'ArrowLeft':
    case 'ArrowDown':
      next = p - 1;
      break;
    case 'PageUp':
      next = p + 10;
      break;
    case 'PageDown':
      next = p - 10;
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = k;
      break;
    default:
      return undefined;
  }
  return Math.min(k, Math.max(0, next));
}

/** Result of reading the numeric margin box. */
export type MarginParse = { ok: true; value: number } | { ok: false; error: string };

/** Largest margin the host accepts (its settings validation); larger values would go unanswered. */
export const MAX_MARGIN = 1e6;

const DECIMAL = /^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads the numeric box: any finite decimal >= 0 (`0.2`, `.5`, `1e-3`) up to {@link MAX_MARGIN}.
 * Rejects empty text, negatives, hex, `Infinity` and comma decimals with a message shown inline.
 */
export function parseMarginInput(text: string): MarginParse {
  const s = text.trim();
  if (s === '') return { ok: false, error: 'Enter a margin (a number ≥ 0).' };
  if (/^-/.test(s)) return { ok: false, error: 'The margin cannot be negative.' };
  if (/^\d*,\d+$/.test(s)) return { ok: false, error: 'Use a dot as the decimal separator.' };
  if (!DECIMAL.test(s)) return { ok: false, error: `“${s}” is not a number.` };
  const value = Number(s);
  if (!Number.isFinite(value)) return { ok: false, error: 'The margin must be finite.' };
  if (value > MAX_MARGIN)
    return { ok: false, error: `The margin must be at most ${MAX_MARGIN.toExponential(0).replace('e+', 'e')}.` };
  return { ok: true, value };
}
