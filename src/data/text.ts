/**
 * Byte-level reading of delimited text (TSV/CSV): a line/field cursor and a number parser that
 * work on the raw bytes, so a 100 000 x 512 TSV is parsed without creating 51 M strings.
 */
import { fail } from './errors';

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/**
 * Parses the decimal number in bytes[start, end) (surrounding spaces allowed). Returns NaN when
 * the text is not a number (callers check `isNaNText` to tell "nan" from garbage).
 * Up to 15 significant digits with |exponent| <= 22 the result is the correctly rounded double
 * (Clinger's fast path); longer mantissas keep 19 digits and give the correctly rounded
 * float32 (near a float32 rounding midpoint they go through parseFloat); anything else goes
 * through parseFloat too.
 */
export function parseNumber(b: Uint8Array, start: number, end: number): number {
  while (start < end && (b[start] === 32 || b[start] === 9)) start++;
  while (end > start && (b[end - 1] === 32 || b[end - 1] === 9 || b[end - 1] === 13)) end--;
  let i = start;
  let neg = false;
  if (b[i] === 45) {
    neg = true;
    i++;
  } else if (b[i] === 43) i++;
  let m = 0;
  let digits = 0;
  let exp = 0;
  let any = false;
  for (; i < end; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) break;
    any = true;
    if (digits < 19) {
      m = m * 10 + c;
      if (m > 0) digits++;
    } else exp++;
  }
  if (i < end && b[i] === 46) {
    for (i++; i < end; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      any = true;
      if (digits < 19) {
        m = m * 10 + c;
        exp--;
        if (m > 0) digits++;
      }
    }
  }
  if (!any) return slowNumber(b, start, end);
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (b[i] === 45) {
      eneg = true;
      i++;
    } else if (b[i] === 43) i++;
    let e = 0;
    const e0 = i;
    for (; i < end; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      if (e < 100000) e = e * 10 + c;
    }
    if (i === e0) return NaN;
    exp += eneg ? -e : e;
  }
  if (i !== end) return NaN;
  if (digits > 15 || exp > 22 || exp < -22)
    return slowNumber(b, start, end, digits > 15 && exp >= -22 && exp <= 22 ? (neg ? -m : m) : undefined, exp);
  const v = exp < 0 ? m / POW10[-exp] : m * POW10[exp];
  return neg ? -v : v;
}

/** Rare cases: inf/nan words, long mantissas (scaled directly), huge exponents (parseFloat). */
function slowNumber(b: Uint8Array, start: number, end: number, m?: number, exp = 0): number {
  if (m !== undefined) {
    // m has up to 19 digits, so v may be off by a few double ulps: harmless for float32 unless
    // v sits next to a float32 rounding midpoint, which the two nudged roundings detect.
    const v = exp < 0 ? m / POW10[-exp] : m * POW10[exp];
    if (Math.fround(v * (1 + 2 ** -48)) === Math.fround(v * (1 - 2 ** -48))) return v;
  }
  const s = latin1.decode(b.subarray(start, end)).trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return NaN;
  return parseFloat(s);
}

/** True when bytes[start, end) literally says nan (so a NaN result is a value, not garbage). */
export function isNaNText(b: Uint8Array, start: number, end: number): boolean {
  return /^\s*[+-]?nan\s*$/i.test(latin1.decode(b.subarray(start, end)));
}

/**
 * A cursor over the lines of delimited text. `next()` splits the next line into fields (quoted
 * fields may hold delimiters, doubled quotes and newlines); `text(i)` / `number(i)` read a field.
 */
export class DelimitedReader {
  /** 1-based number of the line the current row started on. */
  lineNo = 0;
  /** Number of fields in the current row. */
  count = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private quoted = new Uint8Array(64);
  private pos = 0;
  private nextLine = 1;

  constructor(
    readonly bytes: Uint8Array,
    readonly delim: number,
    readonly file: string,
  ) {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) this.pos = 3; // UTF-8 BOM
  }

  /** True at the end of the data (trailing blank lines count as the end). */
  atEnd(): boolean {
    const b = this.bytes;
    for (let p = this.pos; p < b.length; p++) if (b[p] !== 10 && b[p] !== 13 && b[p] !== 32) return false;
    return true;
  }

  /** Reads the next row; false at the end. */
  next(): boolean {
    if (this.atEnd()) return false;
    const b = this.bytes;
    const n = b.length;
    const d = this.delim;
    let p = this.pos;
    this.lineNo = this.nextLine;
    let k = 0;
    for (;;) {
      if (k === this.starts.length) this.grow();
      if (b[p] === 34) {
        // quoted field
        this.quoted[k] = 1;
        const s = ++p;
        for (;;) {
          if (p >= n) fail(this.file, `line ${this.lineNo}: unterminated quoted field`);
          if (b[p] === 34) {
            if (b[p + 1] === 34) {
              p += 2;
              continue;
            }
            break;
          }
          if (b[p] === 10) this.nextLine++;
          p++;
        }
        this.starts[k] = s;
        this.ends[k] = p;
        p++;
        while (p < n && b[p] !== d && b[p] !== 10) p++; // ignore junk after the closing quote
      } else {
        this.quoted[k] = 0;
        this.starts[k] = p;
        while (p < n && b[p] !== d && b[p] !== 10) p++;
        this.ends[k] = p > this.starts[k] && b[p - 1] === 13 ? p - 1 : p;
      }
      k++;
      if (p < n && b[p] === d) {
        p++;
        continue;
      }
      break;
    }
    this.count = k;
    this.pos = p + 1;
    this.nextLine++;
    return true;
  }

  private grow(): void {
    const len = this.starts.length * 2;
    const s = new Int32Array(len);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(len);
    e.set(this.ends);
    this.ends = e;
    const q = new Uint8Array(len);
    q.set(this.quoted);
    this.quoted = q;
  }

  /** Field i of the current row as a string (quotes removed, `""` unescaped). */
  text(i: number): string {
    const s = utf8.decode(this.bytes.subarray(this.starts[i], this.ends[i]));
    return this.quoted[i] ? s.replace(/""/g, '"') : s;
  }

  /** Field i as a number, NaN when it is not one. */
  number(i: number): number {
    return parseNumber(this.bytes, this.starts[i], this.ends[i]);
  }

  /** Byte range of field i, for callers that parse it themselves (vectors in one cell). */
  range(i: number): [number, number] {
    return [this.starts[i], this.ends[i]];
  }
}

/** Throws the right InputError for a field that did not parse as a finite number. */
export function badNumber(r: DelimitedReader, field: number, row: number, col: number, v: number): never {
  const [s, e] = r.range(field);
  if (Number.isNaN(v) && !isNaNText(r.bytes, s, e)) {
    const t = r.text(field);
    fail(
      r.file,
      `line ${r.lineNo}, column ${field + 1}: '${t.length > 40 ? t.slice(0, 40) + '…' : t}' is not a number`,
    );
  }
  fail(
    r.file,
    `row ${row + 1}, column ${col + 1} is ${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'} (line ${r.lineNo}); embeddings must be finite`,
  );
}

/**
 * Parses a vector held in one cell: `[0.1, 0.2]`, `0.1 0.2`, `0.1;0.2`. Returns the numbers
 * or undefined when the cell is not such a list.
 */
export function parseVectorCell(b: Uint8Array, start: number, end: number): number[] | undefined {
  const out: number[] = [];
  let p = start;
  while (p < end && (b[p] === 32 || b[p] === 91 || b[p] === 40)) p++; // spaces, '[', '('
  let q = end;
  while (q > p && (b[q - 1] === 32 || b[q - 1] === 93 || b[q - 1] === 41 || b[q - 1] === 13)) q--;
  while (p < q) {
    let e = p;
    while (e < q && b[e] !== 44 && b[e] !== 32 && b[e] !== 59 && b[e] !== 9) e++;
    if (e > p) out.push(parseNumber(b, p, e));
    p = e + 1;
  }
  return out.length > 0 ? out : undefined;
}
