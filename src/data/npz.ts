/**
 * NumPy `.npz` reader: a zip archive of `.npy` members, stored (`np.savez`) or deflated
 * (`np.savez_compressed`). Opening one reads only its central directory and each member's .npy
 * header (inflating a few KB), so the arrays can be chosen by name, dtype and shape; then only
 * the chosen arrays are inflated, each straight into a buffer of exactly its data size. A member
 * that inflates to 1 GiB therefore costs 1 GiB, once, and a member nobody uses costs nothing.
 */
import { decodeNpyData, NpyArray, NpyHeader, parseNpyHeader } from './npy';
import { ByteSource, memorySource, withFileSource } from './byteSource';
import { InputError, fail } from './errors';
import { listZip, streamZipEntry, ZipEntry } from './zip';

/** One array of the archive: its zip entry and its .npy header (data not read yet). */
export interface NpzMember {
  /** The name as `np.load` shows it (member name without `.npy`). */
  key: string;
  entry: ZipEntry;
  header: NpyHeader;
}

/** Largest .npy header read while listing (v2/v3 headers can be long; 1 MB is plenty). */
const MAX_HEADER = 1 << 20;

/** Rethrows an InputError from the .npy layer as one about the array `key` of the archive. */
function asMember<T>(file: string, key: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputError && err.file === file) fail(file, `array '${key}': ${err.problem}`);
    throw err;
  }
}

/** Inflates just enough of a member to parse its .npy header. */
async function readHeader(src: ByteSource, e: ZipEntry, key: string, file: string): Promise<NpyHeader> {
  const parts: Uint8Array[] = [];
  let have = 0;
  let need = 12; // magic, version and header length; then the whole header
  await streamZipEntry(
    src,
    e,
    file,
    (chunk) => {
      parts.push(new Uint8Array(chunk.subarray(0, Math.max(0, Math.min(chunk.length, MAX_HEADER - have))))); // a copy
      have += chunk.length;
      if (need === 12 && have >= 12) {
        const head = Buffer.concat(parts);
        if (head[6] < 1 || head[6] > 3) return false; // not a .npy we know: parseNpyHeader says why
        need = head[6] === 1 ? 10 + head.readUInt16LE(8) : 12 + head.readUInt32LE(8);
        if (need > MAX_HEADER) fail(file, `array '${key}': .npy header of ${need} bytes is too long`);
      }
      return have < need;
    },
    64 * 1024,
  );
  let h: NpyHeader;
  try {
    h = asMember(file, key, () => parseNpyHeader(Buffer.concat(parts), file));
  } catch (err) {
    // A damaged member shows first as a bad header: its CRC says so more precisely (read to the end, kept nowhere).
    await streamZipEntry(src, e, file, () => true);
    throw err;
  }
  if (h.dataOffset + h.dataBytes > e.size) {
    fail(
      file,
      `array '${key}': truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${h.dataBytes} bytes of data, the member holds ${Math.max(0, e.size - h.dataOffset)}`,
    );
  }
  return h;
}

/** An opened archive: its arrays' headers, and reading one array on request. */
export class NpzArchive {
  private constructor(
    private readonly src: ByteSource,
    readonly file: string,
    readonly members: Map<string, NpzMember>,
  ) {}

  /** Lists the archive and parses every member's header. */
  static async open(src: ByteSource, file: string): Promise<NpzArchive> {
    const members = new Map<string, NpzMember>();
    for (const e of await listZip(src, file)) {
      if (e.name.endsWith('/')) continue;
      const key = e.name.replace(/\.npy$/, '');
      members.set(key, { key, entry: e, header: await readHeader(src, e, key, file) });
    }
    if (members.size === 0) fail(file, 'the archive holds no arrays');
    return new NpzArchive(src, file, members);
  }

  /** The array names, in archive order. */
  get keys(): string[] {
    return [...this.members.keys()];
  }

  /** Bytes that reading these arrays will hold once decompressed (their whole members). */
  decompressedBytes(keys: string[]): number {
    return keys.reduce((s, k) => s + this.member(k).entry.size, 0);
  }

  private member(key: string): NpzMember {
    return this.members.get(key) ?? fail(this.file, `no array '${key}' (arrays: ${this.keys.join(', ')})`);
  }

  /**
   * Inflates one array straight into a buffer of exactly its data size (the header bytes only
   * pass through the CRC), then views it as a typed array without a copy where the dtype allows.
   */
  async read(key: string): Promise<NpyArray> {
    const { entry, header: h } = this.member(key);
    // Shared memory, as files.ts reads: float32 embeddings are viewed in place and reach the workers without a copy.
    const dest = new Uint8Array(new SharedArrayBuffer(h.dataBytes));
    const from = h.dataOffset,
      to = h.dataOffset + h.dataBytes;
    let pos = 0;
    await streamZipEntry(this.src, entry, this.file, (chunk) => {
      const a = Math.max(pos, from),
        b = Math.min(pos + chunk.length, to);
      if (b > a) dest.set(chunk.subarray(a - pos, b - pos), a - from);
      pos += chunk.length;
    });
    return asMember(this.file, key, () => decodeNpyData(h, dest, this.file));
  }
}

/** Opens the .npz file, runs `use` on it, and closes it. */
export function withNpzFile<T>(file: string, use: (npz: NpzArchive) => Promise<T>): Promise<T> {
  return withFileSource(file, async (src) => use(await NpzArchive.open(src, file)));
}

/** Parses every array of an archive held in memory (tests and fuzzing); keys as `np.load` shows them. */
export async function parseNpz(bytes: Uint8Array, fileName: string): Promise<Map<string, NpyArray>> {
  const npz = await NpzArchive.open(memorySource(bytes), fileName);
  const out = new Map<string, NpyArray>();
  for (const k of npz.keys) out.set(k, await npz.read(k));
  return out;
}
