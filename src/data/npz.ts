/**
 * NumPy `.npz` reader: a zip archive of `.npy` members, stored (`np.savez`) or deflated
 * (`np.savez_compressed`). Reads the central directory (ZIP64 included), inflates with Node's
 * zlib, checks each member's CRC, and parses members with the .npy reader.
 */
import * as zlib from 'zlib';
import { InputError, fail } from './errors';
import { NpyArray, parseNpy } from './npy';

/** One member of the archive as listed in the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOC64 = 0x07064b50;
const SIG_CEN = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** Reads a little-endian u64 as a JS number, refusing values past 2^53. */
function u64(dv: DataView, off: number, file: string): number {
  const v = dv.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(file, 'bad zip: 64-bit size out of range');
  return Number(v);
}

/** Lists the members of a zip archive held in memory. */
export function listZip(bytes: Uint8Array, file: string): ZipEntry[] {
  if (bytes.length === 0) fail(file, 'empty file');
  if (bytes.length < 22) fail(file, 'not a zip archive (too short)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === SIG_EOCD) { eocd = i; break; }
  }
  if (eocd < 0) {
    fail(file, dv.getUint32(0, true) === SIG_LOCAL ? 'truncated zip archive (no end-of-central-directory record)' : 'not a zip archive (bad magic)');
  }
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && dv.getUint32(eocd - 20, true) === SIG_LOC64) {
    const rec = u64(dv, eocd - 20 + 8, file);
    if (rec + 56 > bytes.length || dv.getUint32(rec, true) !== SIG_EOCD64) fail(file, 'bad zip: broken ZIP64 record');
    count = u64(dv, rec + 32, file);
    cdOffset = u64(dv, rec + 48, file);
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== SIG_CEN) fail(file, 'bad zip: damaged central directory');
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen > bytes.length) fail(file, 'bad zip: damaged central directory');
    const e: ZipEntry = {
      name: new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen)),
      method: dv.getUint16(p + 10, true),
      crc: dv.getUint32(p + 16, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localOffset: dv.getUint32(p + 42, true),
    };
    readZip64Extra(dv, p + 46 + nameLen, extraLen, e, file);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Replaces 0xFFFFFFFF placeholders by the values in the ZIP64 extra field (id 1), in order. */
function readZip64Extra(dv: DataView, off: number, len: number, e: ZipEntry, file: string): void {
  const end = off + len;
  while (off + 4 <= end) {
    const id = dv.getUint16(off, true);
    const sz = dv.getUint16(off + 2, true);
    if (id === 1) {
      let q = off + 4;
      const take = (): number => {
        if (q + 8 > off + 4 + sz) fail(file, 'bad zip: short ZIP64 extra field');
        const v = u64(dv, q, file);
        q += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localOffset === 0xffffffff) e.localOffset = take();
      return;
    }
    off += 4 + sz;
  }
}

/** Returns the uncompressed bytes of one member, inflating and checking its CRC-32. */
export function readZipEntry(bytes: Uint8Array, e: ZipEntry, file: string): Uint8Array {
  const where = file;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const p = e.localOffset;
  if (p + 30 > bytes.length || dv.getUint32(p, true) !== SIG_LOCAL) fail(where, `member ${e.name}: bad zip: damaged local header`);
  const start = p + 30 + dv.getUint16(p + 26, true) + dv.getUint16(p + 28, true);
  if (start + e.compressedSize > bytes.length) fail(where, `member ${e.name}: truncated zip archive`);
  const raw = bytes.subarray(start, start + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) out = raw;
  else if (e.method === 8) {
    try {
      // maxOutputLength guards against a member that inflates far past its declared size.
      out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
    } catch (err) {
      fail(where, `member ${e.name}: cannot inflate: ${(err as Error).message}`);
    }
  } else fail(where, `member ${e.name}: unsupported zip compression method ${e.method}`);
  if (out.length !== e.size) fail(where, `member ${e.name}: bad zip: ${out.length} bytes, directory says ${e.size}`);
  if ((zlib.crc32(out) >>> 0) !== e.crc) fail(where, `member ${e.name}: bad zip: CRC mismatch (corrupted data)`);
  return out;
}

/** Sum of the uncompressed sizes: what parsing the whole archive will hold in memory. */
export function npzUncompressedBytes(bytes: Uint8Array, file: string): number {
  return listZip(bytes, file).reduce((s, e) => s + e.size, 0);
}

/** Parses every `.npy` member; keys are names without the `.npy` suffix, as `np.load` shows them. */
export function parseNpz(bytes: Uint8Array, fileName: string): Map<string, NpyArray> {
  const out = new Map<string, NpyArray>();
  for (const e of listZip(bytes, fileName)) {
    if (e.name.endsWith('/')) continue;
    const key = e.name.replace(/\.npy$/, '');
    const member = readZipEntry(bytes, e, fileName);
    try {
      out.set(key, parseNpy(member, fileName));
    } catch (err) {
      if (err instanceof InputError) fail(fileName, `array '${key}': ${err.problem}`);
      throw err;
    }
  }
  if (out.size === 0) fail(fileName, 'the archive holds no arrays');
  return out;
}
