/**
 * NumPy `.npy` reader (format versions 1.0, 2.0, 3.0). Numeric dtypes become typed arrays in
 * native byte order with no per-element parsing; unicode / byte strings become string arrays.
 * Object arrays are refused: they are pickles, and unpickling runs arbitrary code.
 */
import {
  MAX_ROWS,
  NumericData,
  NumericKind,
  isSupportedNumeric,
  typedFromBytes,
  toRowMajorFloat32,
  checkFinite,
  float64Origin,
} from './arrays';
import { fail } from './errors';

/** A parsed .npy array. */
export interface NpyArray {
  /** The dtype as NumPy writes it (`a.dtype.str`), e.g. `<f4`, `>i8`, `|b1`, `<U7`. */
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  /** Native-order typed array (float16 as Float32Array, bool as Uint8Array) or strings for U/S. */
  data: NumericData | string[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Human names for dtype codes NumPy can write but we cannot use, for clear refusals. */
const UNSUPPORTED: Record<string, string> = {
  c: 'complex numbers',
  M: 'datetimes',
  m: 'timedeltas',
  V: 'raw void / structured records',
  O: 'Python objects',
};

/** Parses the header dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(text: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) fail(file, 'bad .npy header: not a dictionary');
  if (/'descr'\s*:\s*\[/.test(t)) fail(file, 'structured (record) dtype is not supported; save a plain numeric array');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(t)?.[1] ?? fail(file, "bad .npy header: no 'descr'");
  const fo = /'fortran_order'\s*:\s*(True|False)/.exec(t)?.[1] ?? fail(file, "bad .npy header: no 'fortran_order'");
  const sh = /'shape'\s*:\s*\(([^)]*)\)/.exec(t)?.[1] ?? fail(file, "bad .npy header: no 'shape'");
  const shape = sh
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+L?$/.test(s)) fail(file, `bad .npy header: shape entry '${s}'`);
      return parseInt(s, 10);
    });
  return { descr, fortran: fo === 'True', shape };
}

/** Decodes fixed-width strings: `U` is UTF-32 code points, `S` bytes; trailing NULs dropped. */
function decodeStrings(
  bytes: Uint8Array,
  off: number,
  count: number,
  kind: 'U' | 'S',
  width: number,
  little: boolean,
): string[] {
  const out: string[] = new Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin = new TextDecoder('latin1');
  for (let i = 0; i < count; i++) {
    if (kind === 'S') {
      let end = off + width;
      while (end > off && bytes[end - 1] === 0) end--;
      out[i] = latin.decode(bytes.subarray(off, end));
      off += width;
      continue;
    }
    let s = '';
    for (let k = 0; k < width; k++) {
      const cp = dv.getUint32(off + 4 * k, little);
      if (cp === 0) break;
      s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    }
    out[i] = s;
    off += 4 * width;
  }
  return out;
}

/** What the header says: enough to size the data before reading it. */
export interface NpyHeader {
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  /** Byte offset of the data in the file. */
  dataOffset: number;
  /** Number of data bytes the header announces. */
  dataBytes: number;
}

/**
 * Parses the magic, version and header dict from the start of a .npy file. `bytes` may be just
 * a prefix of the file; throws InputError when it does not hold the whole header.
 */
export function parseNpyHeader(bytes: Uint8Array, fileName: string): NpyHeader {
  if (bytes.length === 0) fail(fileName, 'empty file');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    fail(fileName, 'not a NumPy .npy file (bad magic bytes)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(fileName, `unsupported .npy format version ${major}.${bytes[7]}`);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail(fileName, 'truncated .npy header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + hlen > bytes.length)
    fail(fileName, `truncated .npy header (${hlen} bytes announced, ${bytes.length - start} present)`);
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  const { descr, fortran, shape } = parseHeader(headerText, fileName);

  const m = /^([<>|=])([a-zA-Z?])(\d*)$/.exec(descr) ?? fail(fileName, `unsupported dtype '${descr}'`);
  const code = m[2];
  const size = m[3] ? parseInt(m[3], 10) : 0;
  if (code === 'O')
    fail(
      fileName,
      'object array (Python pickle) refused: it is never unpickled because that can run code; save labels as strings (dtype U) or integers',
    );
  if (UNSUPPORTED[code]) fail(fileName, `unsupported dtype '${descr}' (${UNSUPPORTED[code]})`);
  const count = shape.reduce((a, b) => a * b, 1);
  let itemSize: number;
  if (code === 'U') itemSize = 4 * size;
  else if (code === 'S') itemSize = size;
  else if (code === '?' || (code === 'b' && size === 1)) itemSize = 1;
  else {
    if (!'fiu'.includes(code) || !isSupportedNumeric(code as NumericKind, size))
      fail(fileName, `unsupported dtype '${descr}'`);
    itemSize = size;
  }
  const dataBytes = count * itemSize;
  if (!Number.isSafeInteger(dataBytes)) fail(fileName, `bad .npy header: shape (${shape.join(', ')}) is too large`);
  return { dtype: descr, shape, fortranOrder: fortran, dataOffset: start + hlen, dataBytes };
}

/**
 * Decodes the data of a .npy array. `data` holds exactly the data bytes (from `dataOffset`);
 * when it is little-endian and aligned the typed array is a view on it (zero copy).
 */
export function decodeNpyData(h: NpyHeader, data: Uint8Array, fileName: string): NpyArray {
  if (data.length < h.dataBytes) {
    fail(
      fileName,
      `truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${h.dataBytes} bytes of data, found ${data.length}`,
    );
  }
  const [, order, code, sizeText] = /^([<>|=])([a-zA-Z?])(\d*)$/.exec(h.dtype)!;
  const size = sizeText ? parseInt(sizeText, 10) : 1;
  const little = order !== '>';
  const count = h.shape.reduce((a, b) => a * b, 1);
  const base = { dtype: h.dtype, shape: h.shape, fortranOrder: h.fortranOrder };
  if (code === 'U' || code === 'S') {
    if (count > MAX_ROWS) fail(fileName, `${count} strings is more than this reader handles (${MAX_ROWS})`);
    if (size === 0) return { ...base, data: new Array<string>(count).fill('') };
    return { ...base, data: decodeStrings(data, 0, count, code, size, little) };
  }
  const kind = (code === '?' ? 'b' : code) as NumericKind; // descr 'b1' is bool
  return { ...base, data: typedFromBytes(data, 0, count, kind, size, little, fileName) };
}

/** Parses a whole .npy file held in memory. Throws InputError naming `fileName` on bad input. */
export function parseNpy(bytes: Uint8Array, fileName: string): NpyArray {
  const h = parseNpyHeader(bytes, fileName);
  return decodeNpyData(h, bytes.subarray(h.dataOffset), fileName);
}

/** True when the array holds numbers (not strings). */
export function isNumeric(a: NpyArray): a is NpyArray & { data: NumericData } {
  return !Array.isArray(a.data);
}

/**
 * Turns a parsed 2-D numeric array into N x D row-major float32 embeddings, refusing other
 * shapes, empty arrays and non-finite values (naming the row and column; skipped when the
 * reader already checked them, `finiteChecked`).
 */
export function npyToEmbeddings(
  a: NpyArray & { finiteChecked?: boolean },
  fileName: string,
): { n: number; dim: number; data: Float32Array } {
  const checked = a.finiteChecked === true; // read before narrowing drops the field
  if (!isNumeric(a)) fail(fileName, `holds strings (dtype ${a.dtype}), not embeddings`);
  if (a.shape.length !== 2)
    fail(fileName, `expected a 2-D array (samples x dimensions), got shape (${a.shape.join(', ')})`);
  const [n, dim] = a.shape;
  if (n === 0 || dim === 0) fail(fileName, `empty array: shape (${n}, ${dim})`);
  const data = toRowMajorFloat32(a.data, n, dim, a.fortranOrder);
  const origin = a.data instanceof Float64Array ? float64Origin(a.data, n, dim, a.fortranOrder) : undefined;
  if (!checked) checkFinite(data, dim, fileName, 0, data.length, origin); // readNpyFile may have checked while reading
  return { n, dim, data };
}
