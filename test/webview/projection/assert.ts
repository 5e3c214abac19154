/**
 * The subset of `node:assert/strict` these tests use. The webview tsconfig has DOM types and no
 * Node types, so `node:assert` does not type-check there.
 */

/** Structural equality: primitives by Object.is, arrays and typed arrays element-wise, plain objects by keys. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    const x = a as unknown as ArrayLike<unknown>,
      y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a),
    kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const show = (v: unknown) => {
  try {
    return JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x));
  } catch {
    return String(v);
  }
};

/** Fails unless `value` is truthy. */
export function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  if (!value) throw new Error(message);
}

/** Fails unless Object.is(actual, expected). */
export function equal<T>(actual: T, expected: T, message = ''): void {
  if (!Object.is(actual, expected))
    throw new Error(`${message ? message + ': ' : ''}expected ${show(expected)}, got ${show(actual)}`);
}

/** Fails unless actual and expected are structurally equal. */
export function deepEqual<T>(actual: T, expected: T, message = ''): void {
  if (!same(actual, expected))
    throw new Error(`${message ? message + ': ' : ''}expected ${show(expected)}, got ${show(actual)}`);
}

/** Fails if actual and expected are structurally equal. */
export function notDeepEqual<T>(actual: T, expected: T, message = ''): void {
  if (same(actual, expected))
    throw new Error(`${message ? message + ': ' : ''}expected a value other than ${show(expected)}`);
}

/** Fails unless `text` matches `re`. */
export function match(text: string, re: RegExp, message = ''): void {
  if (!re.test(text)) throw new Error(`${message ? message + ': ' : ''}${JSON.stringify(text)} does not match ${re}`);
}
