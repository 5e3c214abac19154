/**
 * The fast path for big numeric TSV (TensorBoard tensors.tsv): one pass over the bytes that finds
 * delimiters and parses numbers at the same time. It handles only the plain shape (numbers,
 * delimiters, LF / CRLF); at anything else it gives up and the caller re-reads the file with the
 * general reader, which also produces the precise error message.
 */
import { parseNumber } from './text';

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Parses rows of exactly `dim` numbers from bytes[start..] into `out` (row-major). Returns the
 * number of rows, or -1 when the input needs the general reader (quotes, nan, ragged rows, …).
 */
export function fastNumericRows(b: Uint8Array, start: number, delim: number, dim: number, out: Float32Array): number {
  const n = b.length;
  let p = start;
  let row = 0;
  let o = 0;
  while (p < n) {
    if (b[p] === 10 || b[p] === 13) {
      // blank lines are only allowed at the very end
      while (p < n && (b[p] === 10 || b[p] === 13)) p++;
      if (p < n) return -1;
      break;
    }
    if (o + dim > out.length) return -1;
    for (let c = 0; c < dim; c++) {
      const s = p;
      let neg = false;
      if (b[p] === 45) {
        neg = true;
        p++;
      } else if (b[p] === 43) p++;
      let m = 0;
      let digits = 0;
      let exp = 0;
      let any = false;
      let ch = b[p];
      while (ch >= 48 && ch <= 57) {
        any = true;
        if (digits < 19) {
          m = m * 10 + (ch - 48);
          if (m > 0) digits++;
        } else exp++;
        ch = b[++p];
      }
      if (ch === 46) {
        ch = b[++p];
        while (ch >= 48 && ch <= 57) {
          any = true;
          if (digits < 19) {
            m = m * 10 + (ch - 48);
            exp--;
            if (m > 0) digits++;
          }
          ch = b[++p];
        }
      }
      if (!any) return -1;
      if (ch === 101 || ch === 69) {
        ch = b[++p];
        let eneg = false;
        if (ch === 45) {
          eneg = true;
          ch = b[++p];
        } else if (ch === 43) ch = b[++p];
        if (!(ch >= 48 && ch <= 57)) return -1;
        let e = 0;
        while (ch >= 48 && ch <= 57) {
          if (e < 100000) e = e * 10 + (ch - 48);
          ch = b[++p];
        }
        exp += eneg ? -e : e;
      }
      let v: number;
      if (digits <= 15 && exp >= -22 && exp <= 22) {
        v = exp < 0 ? m / POW10[-exp] : m * POW10[exp];
        if (neg) v = -v;
      } else {
        v = parseNumber(b, s, p); // long mantissas and big exponents: the careful parser
        if (v - v !== 0) return -1;
      }
      out[o++] = v;
      if (c < dim - 1) {
        if (ch !== delim) return -1;
        p++;
      }
    }
    let ch = b[p];
    if (ch === 13) ch = b[++p];
    if (p < n && ch !== 10) return -1;
    p++;
    row++;
  }
  return row;
}
