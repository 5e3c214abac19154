/**
 * A column of strings (one per sample) in two typed arrays instead of a million small strings:
 * every value's UTF-8 bytes one after another, and where each starts. Posted from the load worker
 * its buffers are transferred, not cloned (structured-cloning two million strings held the host
 * thread about 0.7 s at N = 1 000 000); `at(i)` decodes value i when asked. Sample paths
 * (sampleSources.ts) and metadata columns (Dataset.metadata) are kept this way. Pure: no `vscode`,
 * no DOM.
 *
 * A value UTF-8 cannot hold exactly (a lone surrogate) and an `undefined` entry are kept as they
 * are in `odd` (their bytes are empty), so every value reads back as it was given.
 */

/** What crosses a thread (structured clone keeps the fields, not the class): see `revive`. */
export interface StringColumnParts {
  /** Number of values. */
  length: number;
  /** Every value's UTF-8 bytes, one after another. */
  bytes: Uint8Array;
  /** Value i is bytes[start[i], start[i + 1]); length + 1 entries. */
  start: Uint32Array;
  /** Index and value, in index order, for the values the bytes cannot hold exactly (no bytes of their own). */
  odd: [number, string | undefined][];
  /** True when every byte is ASCII (values decode one byte per character). */
  ascii: boolean;
}

// One for every instance: an instance's own fields must stay cloneable (they cross threads).
// ignoreBOM: a value that starts with U+FEFF keeps it (the default decoder drops it).
const encoder = new TextEncoder(),
  decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** s's length in UTF-8, or -1 when UTF-8 cannot hold it (a lone surrogate). */
export function utf8Length(s: string): number {
  let len = s.length;
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c < 0xd800 || c > 0xdfff) len += 2;
    else if (c <= 0xdbff && j + 1 < s.length && (s.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
      j++; // a pair: 4 bytes for 2 units
      len += 2;
    } else return -1;
  }
  return len;
}

export class StringColumn implements StringColumnParts {
  readonly length: number;
  readonly bytes: Uint8Array;
  readonly start: Uint32Array;
  readonly odd: [number, string | undefined][];
  readonly ascii: boolean;

  private constructor(p: StringColumnParts) {
    this.length = p.length;
    this.bytes = p.bytes;
    this.start = p.start;
    this.odd = p.odd;
    this.ascii = p.ascii;
  }

  /** The compact form of `values` (holes read back as undefined, as `values[i]`). */
  static fromArray(values: readonly (string | undefined)[]): StringColumn {
    return StringColumn.build(values.length, (i) => values[i]);
  }

  /** The column of n values, value(i) each (called twice per index: it must answer the same). */
  static build(n: number, value: (i: number) => string | undefined): StringColumn {
    const start = new Uint32Array(n + 1);
    const odd: [number, string | undefined][] = [];
    // First the byte counts (start[i + 1] holds value i's length for now), then the bytes into a
    // buffer of the exact size.
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = value(i);
      const len = typeof s === 'string' ? utf8Length(s) : -1;
      if (len < 0) {
        odd.push([i, s]);
        continue;
      }
      start[i + 1] = len;
      total += len;
    }
    if (total > 0xffffffff) throw new RangeError('a string column exceeds 4 GB');
    const bytes = new Uint8Array(total);
    let end = 0,
      ascii = true;
    for (let i = 0; i < n; i++) {
      const len = start[i + 1];
      start[i] = end;
      if (len === 0) continue;
      const s = value(i)!;
      if (len === s.length) for (let j = 0; j < len; j++) bytes[end + j] = s.charCodeAt(j);
      else {
        encoder.encodeInto(s, bytes.subarray(end, end + len));
        ascii = false;
      }
      end += len;
    }
    start[n] = end;
    return new StringColumn({ length: n, bytes, start, odd, ascii });
  }

  /** The class again around parts that crossed a thread (their arrays are used, not copied). */
  static revive(p: StringColumnParts): StringColumn {
    return p instanceof StringColumn ? p : new StringColumn(p);
  }

  /** Value i; undefined for any i but 0..length-1 (a negative or fractional index too, as `array[i]`). */
  at(i: number): string | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) return undefined;
    const a = this.start[i],
      b = this.start[i + 1];
    if (a === b) {
      const k = this.oddIndex(i);
      return k >= 0 ? this.odd[k][1] : '';
    }
    return this.decodeRange(a, b);
  }

  /** True when value i is kept whole in `odd` (its bytes are empty). */
  isOdd(i: number): boolean {
    return this.start[i] === this.start[i + 1] && this.oddIndex(i) >= 0;
  }

  /** The string of bytes[a, b) (whole characters: a and b at value boundaries or separators). */
  decodeRange(a: number, b: number): string {
    if (this.ascii && b - a < 4096)
      return String.fromCharCode.apply(null, this.bytes.subarray(a, b) as unknown as number[]);
    return decoder.decode(this.bytes.subarray(a, b));
  }

  /** fn over every value, into a plain array (as Array.map). */
  map<T>(fn: (s: string | undefined, i: number) => T): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = fn(this.at(i), i);
    return out;
  }

  /** The plain array this replaces (holes as undefined entries). */
  toArray(): (string | undefined)[] {
    return this.map((s) => s);
  }

  /** Value i's entry in `odd` (in index order: a binary search), or -1. */
  private oddIndex(i: number): number {
    let lo = 0,
      hi = this.odd.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1,
        at = this.odd[mid][0];
      if (at === i) return mid;
      if (at < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/** Every column of `columns` in the compact form, in the same order. */
export function toStringColumns(
  columns: Record<string, readonly (string | undefined)[]>,
): Record<string, StringColumn> {
  return Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, StringColumn.fromArray(v)]));
}

/** The classes again around columns that crossed a thread. */
export function reviveStringColumns(columns: Record<string, StringColumnParts>): Record<string, StringColumn> {
  return Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, StringColumn.revive(v)]));
}
