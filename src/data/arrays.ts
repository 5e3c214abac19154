/**
 * Typed-array plumbing shared by the binary readers (.npy, .npz, .safetensors, projector .bytes):
 * turning raw bytes into native typed arrays without per-element parsing, and turning any numeric
 * array into the row-major Float32Array the engine wants.
 */
import { fail } from './errors';

/** Numeric data as read from a file, converted to this machine's (little-endian) byte order. */
export type NumericData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/**
 * Most rows (or strings) any reader accepts: V8 aborts the process, rather than throwing, when a
 * JS array grows past ~2^27 elements, so counts from a file are checked against this first.
 */
export const MAX_ROWS = 1 << 26;

/** Element kind: float, signed int, unsigned int, bool, bfloat16. */
export type NumericKind = 'f' | 'i' | 'u' | 'b' | 'bf';

type Ctor = { new (buf: ArrayBuffer, off: number, len: number): NumericData; BYTES_PER_ELEMENT: number };

function ctorFor(kind: NumericKind, size: number): Ctor | undefined {
  switch (`${kind}${size}`) {
    case 'f4':
      return Float32Array;
    case 'f8':
      return Float64Array;
    case 'i1':
      return Int8Array;
    case 'i2':
      return Int16Array;
    case 'i4':
      return Int32Array;
    case 'i8':
      return BigInt64Array;
    case 'u1':
    case 'b1':
      return Uint8Array;
    case 'u2':
      return Uint16Array;
    case 'u4':
      return Uint32Array;
    case 'u8':
      return BigUint64Array;
    default:
      return undefined;
  }
}

/** True when (kind, size) is an element type the readers can decode. */
export function isSupportedNumeric(kind: NumericKind, size: number): boolean {
  return ctorFor(kind, size) !== undefined || ((kind === 'f' || kind === 'bf') && size === 2);
}

/** Reverses the byte order of every `size`-byte element, into a fresh aligned buffer. */
function swapped(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += size) {
    for (let k = 0; k < size; k++) out[i + k] = src[i + size - 1 - k];
  }
  return out;
}

/** Lookup table from IEEE half-precision bits to float32: one table read per element. */
let halfTable: Float32Array | undefined;
function halfToFloat(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) halfTable[h] = s * m * 2 ** -24;
    else if (e === 31) halfTable[h] = m ? NaN : s * Infinity;
    else halfTable[h] = s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return halfTable;
}

/**
 * Views `count` elements at `bytes[offset..]` as a typed array in native order. Little-endian,
 * aligned data is returned as a view (zero copy); misaligned data costs one copy; big-endian one
 * byte swap. float16 / bfloat16 come back as Float32Array (JS has no 16-bit float array here).
 */
export function typedFromBytes(
  bytes: Uint8Array,
  offset: number,
  count: number,
  kind: NumericKind,
  size: number,
  little: boolean,
  file: string,
): NumericData {
  const nbytes = count * size;
  if (offset + nbytes > bytes.length)
    fail(file, `truncated: expected ${nbytes} bytes of data, found ${bytes.length - offset}`);
  let raw = bytes.subarray(offset, offset + nbytes);
  if (!little && size > 1) raw = swapped(raw, size);
  if (size === 2 && (kind === 'f' || kind === 'bf')) {
    const out = new Float32Array(count);
    if (kind === 'f') {
      const table = halfToFloat();
      for (let i = 0; i < count; i++) out[i] = table[raw[2 * i] | (raw[2 * i + 1] << 8)];
    } else {
      // bfloat16 is the top half of a float32: shift it into place.
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = (raw[2 * i] | (raw[2 * i + 1] << 8)) << 16;
    }
    return out;
  }
  const C = ctorFor(kind, size) ?? fail(file, `unsupported element type ${kind}${size}`);
  if (raw.byteOffset % size !== 0) raw = new Uint8Array(raw); // a copy (Buffer#slice would be a view)
  return new C(raw.buffer as ArrayBuffer, raw.byteOffset, count);
}

/**
 * Converts a 2-D numeric array to a row-major Float32Array, transposing Fortran order with a
 * cache-blocked loop. Returns the input itself when it is already a row-major Float32Array.
 */
export function toRowMajorFloat32(data: NumericData, rows: number, cols: number, fortran: boolean): Float32Array {
  let f: Float32Array;
  if (data instanceof Float32Array) f = data;
  else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    f = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) f[i] = Number(data[i]);
  } else f = new Float32Array(data); // native conversion, no JS loop
  if (!fortran || rows <= 1 || cols <= 1) return f;
  const out = new Float32Array(rows * cols);
  const B = 64;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let j = j0; j < j1; j++) {
        const src = j * rows;
        for (let i = i0; i < i1; i++) out[i * cols + j] = f[src + i];
      }
    }
  }
  return out;
}

/**
 * What the values were before they became float32, so that a value too large for float32 (it
 * became Infinity) is told apart from a real Infinity: a function from the row-major index to the
 * original value (float64 data), or 'finite' when the reader already refused non-finite values
 * (text formats), so any Infinity left is an overflow.
 */
export type Float32Origin = ((i: number) => number) | 'finite';

/** The largest float32, as the messages print it. */
const FLOAT32_MAX_TEXT = '3.4028235e+38';

/**
 * Throws an InputError naming the first non-finite value ("row 17, column 3 is NaN"), 1-based
 * as a user counts rows. The common all-finite case is one pass of integer ops over the bits
 * (exponent all ones = NaN or Infinity); only a failing array is scanned again to name the cell.
 * `from` / `to` (element indices) check a part, e.g. a chunk that has just been read. With
 * `origin`, a finite value that overflowed float32 is reported as such, with its value.
 */
export function checkFinite(
  data: Float32Array,
  cols: number,
  file: string,
  from = 0,
  to = data.length,
  origin?: Float32Origin,
): void {
  const u = new Int32Array(data.buffer, data.byteOffset, data.length);
  let bad = 0;
  for (let i = from; i < to; i++) bad |= ((u[i] & 0x7f800000) + 0x00800000) & 0x80000000;
  if (bad === 0) return;
  for (let i = from; i < to; i++) {
    const v = data[i];
    if (v - v !== 0) {
      const cell = `row ${Math.floor(i / cols) + 1}, column ${(i % cols) + 1}`;
      const was = typeof origin === 'function' ? origin(i) : undefined;
      if (!Number.isNaN(v) && (origin === 'finite' || (was !== undefined && Number.isFinite(was)))) {
        fail(
          file,
          `${cell} is ${was !== undefined ? `${was}, ` : ''}beyond the float32 range (largest magnitude ${FLOAT32_MAX_TEXT}); embeddings are read as float32, so scale them down`,
        );
      }
      const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      fail(file, `${cell} is ${what}; embeddings must be finite`);
    }
  }
}

/** The origin of a float64 array converted to row-major float32 (`fortran`: stored by columns). */
export function float64Origin(src: Float64Array, rows: number, cols: number, fortran: boolean): Float32Origin {
  return fortran && rows > 1 && cols > 1 ? (i) => src[(i % cols) * rows + Math.floor(i / cols)] : (i) => src[i];
}
