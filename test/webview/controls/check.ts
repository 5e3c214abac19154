/**
 * Minimal assertions for the webview unit tests. The webview tsconfig has DOM types and no Node
 * types, so `node:assert` does not type-check here; these few helpers are all the tests need.
 */

/** Fails with `message` unless `ok`. */
export function ok(value: unknown, message = 'expected a truthy value'): void {
  if (!value) throw new Error(message);
}

/** Fails unless `actual === expected` (Object.is, so NaN equals NaN and 0 differs from -0). */
export function equal<T>(actual: T, expected: T, what = ''): void {
  if (!Object.is(actual, expected))
    throw new Error(`${what ? what + ': ' : ''}expected ${show(expected)}, got ${show(actual)}`);
}

/** Fails unless |actual - expected| <= tol. */
export function close(actual: number, expected: number, tol = 1e-12, what = ''): void {
  if (!(Math.abs(actual - expected) <= tol))
    throw new Error(`${what ? what + ': ' : ''}expected ${expected} ± ${tol}, got ${actual}`);
}

/** Fails unless both values serialise to the same JSON (arrays of plain values, small objects). */
export function same(actual: unknown, expected: unknown, what = ''): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what ? what + ': ' : ''}expected ${e}, got ${a}`);
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
