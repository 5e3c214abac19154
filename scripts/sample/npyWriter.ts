/**
 * A minimal NumPy `.npy` writer (format version 1.0), following NumPy's own spec
 * (numpy/lib/format.py): magic `\x93NUMPY`, version bytes 1 0, a little-endian uint16 header length,
 * then an ASCII Python dict literal padded with spaces and ended by `\n` so that the data starts on
 * a 64-byte boundary, then the raw C-order data.
 */

/** The element types the sample needs: float32 embeddings and int64 labels. */
export type NpyArray = Float32Array | BigInt64Array;

/** Python's repr of a shape tuple: `(2000,)` for 1-D, `(2000, 32)` otherwise. */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Encodes `data` as a C-order `.npy` file of the given shape.
 * @throws Error when the shape does not match the element count.
 */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`shape ${shapeRepr(shape)} needs ${count} values, got ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<i8';
  // NumPy writes the keys in this order with a trailing ", " before the closing brace.
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const unpadded = preamble + dict.length + 1; // + the final '\n'
  const padded = Math.ceil(unpadded / 64) * 64;
  const header = dict + ' '.repeat(padded - unpadded) + '\n';
  const out = Buffer.alloc(preamble + header.length + data.byteLength);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, preamble, 'latin1');
  // Typed arrays are in host byte order; every platform Node ships on is little-endian, as '<' says.
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, preamble + header.length);
  return out;
}
