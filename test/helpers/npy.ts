import * as fs from 'node:fs';

/**
 * Writes a NumPy .npy file, format 1.0 as NumPy writes it (magic, version 1 0, a little-endian
 * uint16 header length, the header dict padded with spaces to a 64-byte boundary and ended by a
 * newline, then the C-order data), without a second copy of the data.
 */
export function writeNpy(file: string, descr: '<f4' | '<i4', shape: number[], data: Float32Array | Int32Array): void {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10 + header.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  head.write(header, 10, 'latin1');
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    fs.writeSync(fd, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    fs.closeSync(fd);
  }
}
