/**
 * A layout (n x 2 float32) as a NumPy .npy v1.0 file: what `project --out` writes and what the
 * layout cache stores, so a cached layout can be opened with `np.load` too. Only this exact shape
 * and dtype are read back; anything else is reported as unreadable, never half-parsed.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** The .npy bytes of an n x 2 float32 layout ('<f4', C order, header padded to 64 bytes as NumPy does). */
export function layoutToNpy(layout: Float32Array): Uint8Array {
  if (layout.length % 2 !== 0) throw new RangeError(`a layout has 2 values per point, got ${layout.length} values`);
  const n = layout.length / 2;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 2), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + 8 * n);
  out.set(MAGIC);
  out.set([1, 0, header.length & 0xff, header.length >> 8], 6);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < layout.length; i++) body.setFloat32(4 * i, layout[i], true);
  return out;
}

/**
 * The layout in .npy bytes written by `layoutToNpy` (or NumPy: float32 '<f4', C order, shape
 * (n, 2)), or undefined when the bytes are anything else (truncated, other dtype or shape,
 * non-finite values). With `expectedN`, a layout of another size is undefined too.
 */
export function layoutFromNpy(bytes: Uint8Array, expectedN?: number): Float32Array | undefined {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b) || bytes[6] !== 1) return undefined;
  const headerLen = bytes[8] | (bytes[9] << 8);
  if (10 + headerLen > bytes.length) return undefined;
  const header = String.fromCharCode(...bytes.subarray(10, 10 + headerLen));
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), 2\), \}\s*$/.exec(header);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (expectedN !== undefined && n !== expectedN) return undefined;
  if (bytes.length !== 10 + headerLen + 8 * n) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + 10 + headerLen, 8 * n);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < out.length; i++) {
    const v = view.getFloat32(4 * i, true);
    if (!Number.isFinite(v)) return undefined;
    out[i] = v;
  }
  return out;
}
