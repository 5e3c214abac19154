/**
 * A 2-D little-endian array as the bytes of a NumPy `.npy` file, format version 1.0: the magic
 * `\x93NUMPY`, version bytes 1 0, a uint16 little-endian header length, then the header dict
 * `{'descr': '<i4', 'fortran_order': False, 'shape': (N, K), }` padded with spaces and ended by a
 * newline so that the data starts at a multiple of 64 bytes (what NumPy itself writes).
 * (Writing them to disk is output.ts's job.)
 */

/** The bytes of a v1.0 .npy file holding `data` as a rows x cols C-order array. */
export function npyBytes(data: Int32Array | Float32Array, rows: number, cols: number): Uint8Array {
  if (data.length !== rows * cols) throw new RangeError(`npy: ${data.length} values do not make ${rows} x ${cols}`);
  const descr = data instanceof Int32Array ? '<i4' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new RangeError('npy: header too long for format 1.0');
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Int32Array) body.setInt32(4 * i, data[i], true);
    else body.setFloat32(4 * i, data[i], true);
  }
  return out;
}
