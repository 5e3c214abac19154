/**
 * Bytes of exported index rows, ready for a PyTorch sampler: a NumPy `.npy` (format 1.0, dtype
 * `<i8`, C order, K x cols; numpy.load reads it directly) or CSV with a header line. Pure: the
 * callers write the bytes where the user chose.
 */
import type { IndexRows } from './export';

/** Column names of each export form. */
export const TRIPLET_COLUMNS = ['anchor', 'positive', 'negative'];
export const PAIR_COLUMNS = ['anchor', 'negative', 'rank'];

/**
 * A v1.0 .npy holding the rows as int64 little-endian. The header is
 * `{'descr': '<i8', 'fortran_order': False, 'shape': (K, C), }` padded with spaces and a final
 * newline so the data starts at a multiple of 64 bytes, as NumPy's own writer does.
 */
export function npyInt64Bytes(r: IndexRows): Uint8Array {
  if (r.rows.length !== r.count * r.cols)
    throw new RangeError(`npy: ${r.rows.length} values do not make ${r.count} x ${r.cols}`);
  let header = `{'descr': '<i8', 'fortran_order': False, 'shape': (${r.count}, ${r.cols}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 8 * r.rows.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < r.rows.length; i++) body.setBigInt64(8 * i, BigInt(r.rows[i]), true);
  return out;
}

/** CSV text: a header line (`anchor,positive,negative` by default), then one row per line. */
export function csvText(r: IndexRows, columns: string[] = TRIPLET_COLUMNS): string {
  if (columns.length !== r.cols) throw new RangeError(`csv: ${columns.length} column names for ${r.cols} columns`);
  const lines: string[] = [columns.join(',')];
  for (let k = 0; k < r.count; k++) {
    const o = k * r.cols;
    lines.push(Array.from(r.rows.subarray(o, o + r.cols)).join(','));
  }
  return lines.join('\n') + '\n';
}

/** `.npy` or CSV bytes by the file's extension (anything but .csv is written as .npy). */
export function exportBytes(file: string, r: IndexRows, columns?: string[]): Uint8Array {
  if (/\.csv$/i.test(file)) return new TextEncoder().encode(csvText(r, columns));
  return npyInt64Bytes(r);
}
