/**
 * What the host's webview handlers share: the checks a message's fields get before use, and the
 * default branch of their switches (a compile error when a message type of the protocol is not
 * handled). Messages from a webview are input like any other.
 */

/** An integer in [0, n). */
export function isIndex(x: unknown, n: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < n;
}

/** An integer in [lo, hi]. */
export function isIntIn(x: unknown, lo: number, hi: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

/** A message: an object with a string `type`. */
export function isMessage(m: unknown): m is { type: string } {
  return !!m && typeof m === 'object' && typeof (m as { type?: unknown }).type === 'string';
}

/**
 * For a switch's default branch over a message union: `msg` is `never` there when every type is
 * handled, so a type added to the protocol and forgotten here fails to compile. At run time the
 * message is one the protocol does not know.
 */
export function unhandled(_msg: never): string {
  return 'unknown type';
}
