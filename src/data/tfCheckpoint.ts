/**
 * TensorFlow V2 checkpoints (tensor bundles): `<prefix>.index` is a LevelDB-format table (SSTable)
 * mapping tensor names to `BundleEntryProto`s, the key "" to the `BundleHeaderProto`; the tensor
 * bytes live in `<prefix>.data-0000S-of-0000N`. Read-only; only what the projector needs: one
 * dense tensor by name, converted to float32.
 *
 * Follows TensorFlow's `tensorflow/core/util/tensor_bundle/tensor_bundle.{h,cc}` (entry layout,
 * masked crc32c of the raw tensor bytes, shard file names) and the table format of
 * `tensorflow/core/lib/io/{format,block,table}.cc` (LevelDB's: 48-byte footer, block trailers,
 * prefix-compressed keys with restart points).
 */
import type { Float32Origin } from './arrays';
import { fail, formatBytes, overBudget } from './errors';
import { checkedSize, readChecked, readPrefix } from './files';

const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;
const FOOTER = 48;
/** The .index holds names and shapes only; anything bigger is not an index. */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;

/** DataType enum values (tensorflow/core/framework/types.proto) and their byte sizes. */
const DTYPES: Record<number, { name: string; size: number; float: boolean }> = {
  1: { name: 'float32', size: 4, float: true },
  2: { name: 'float64', size: 8, float: true },
  3: { name: 'int32', size: 4, float: false },
  4: { name: 'uint8', size: 1, float: false },
  5: { name: 'int16', size: 2, float: false },
  6: { name: 'int8', size: 1, float: false },
  7: { name: 'string', size: 0, float: false },
  9: { name: 'int64', size: 8, float: false },
  10: { name: 'bool', size: 1, float: false },
  14: { name: 'bfloat16', size: 2, float: true },
  19: { name: 'float16', size: 2, float: true },
  21: { name: 'variant', size: 0, float: false },
};

export function dtypeName(dtype: number): string {
  return DTYPES[dtype]?.name ?? `dtype ${dtype}`;
}

/** One tensor of a bundle, as its index entry describes it. */
export interface CheckpointTensor {
  name: string;
  dtype: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  crc32c?: number;
  /** True for a partitioned variable (saved as slices): not read here. */
  sliced: boolean;
}

// ---- crc32c (Castagnoli), and TF's mask (crc32c.h) ----
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export function unmaskCrc(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

// ---- byte reading ----
class Reader {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
    readonly file: string,
    readonly what: string,
  ) {}
  /** A varint as a JS number; refuses values past 2^53. */
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) fail(this.file, `truncated or corrupt ${this.what} (a number runs past its end)`);
      const byte = this.b[this.pos++];
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        if (v > Number.MAX_SAFE_INTEGER) fail(this.file, `corrupt ${this.what}: number too large`);
        return v;
      }
      mul *= 128;
    }
    fail(this.file, `corrupt ${this.what}: bad varint`);
  }
  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos)
      fail(this.file, `truncated or corrupt ${this.what} (${n} bytes wanted, ${this.end - this.pos} left)`);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u32(): number {
    const x = this.bytes(4);
    return (x[0] | (x[1] << 8) | (x[2] << 16) | (x[3] << 24)) >>> 0;
  }
}

/** Iterates protobuf fields: (field number, wire type, value: number or bytes). */
function* pbFields(b: Uint8Array, file: string, what: string): Generator<[number, number, number | Uint8Array]> {
  const r = new Reader(b, 0, b.length, file, what);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) fail(file, `corrupt ${what}: field number 0`);
    if (wire === 0) yield [field, wire, r.varint()];
    else if (wire === 1) {
      const x = r.bytes(8);
      yield [field, wire, new DataView(x.buffer, x.byteOffset, 8).getFloat64(0, true)];
    } else if (wire === 2) yield [field, wire, r.bytes(r.varint())];
    else if (wire === 5) yield [field, wire, r.u32()];
    else fail(file, `corrupt ${what}: wire type ${wire}`);
  }
}

function parseEntry(name: string, value: Uint8Array, file: string): CheckpointTensor {
  const what = `entry of '${name}'`;
  const e: CheckpointTensor = { name, dtype: 0, shape: [], shardId: 0, offset: 0, size: 0, sliced: false };
  for (const [f, w, v] of pbFields(value, file, what)) {
    if (f === 1 && w === 0) e.dtype = v as number;
    else if (f === 2 && w === 2) {
      for (const [sf, sw, sv] of pbFields(v as Uint8Array, file, what)) {
        if (sf === 2 && sw === 2) {
          let size = 0;
          for (const [df, dw, dv] of pbFields(sv as Uint8Array, file, what))
            if (df === 1 && dw === 0) size = dv as number;
          e.shape.push(size);
        } else if (sf === 3 && sw === 0 && sv !== 0) fail(file, `tensor '${name}' has an unknown shape`);
      }
    } else if (f === 3 && w === 0) e.shardId = v as number;
    else if (f === 4 && w === 0) e.offset = v as number;
    else if (f === 5 && w === 0) e.size = v as number;
    else if (f === 6 && w === 5) e.crc32c = v as number;
    else if (f === 7) e.sliced = true;
  }
  return e;
}

// ---- snappy (raw block format), for tables written with compression ----
export function snappyDecompress(src: Uint8Array, file: string): Uint8Array {
  const r = new Reader(src, 0, src.length, file, 'snappy block');
  const n = r.varint();
  // A snappy element expands at most ~22 times (a 3-byte copy of 64 bytes): bound the claim.
  if (n > MAX_INDEX_BYTES || n > 32 * src.length + 64)
    fail(file, `corrupt snappy block: claims ${formatBytes(n)} from ${formatBytes(src.length)}`);
  const out = new Uint8Array(n);
  let o = 0;
  while (r.pos < r.end) {
    const tag = src[r.pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const k = len - 59;
        const x = r.bytes(k);
        len = 0;
        for (let i = k - 1; i >= 0; i--) len = len * 256 + x[i];
      }
      len += 1;
      if (len > n - o) fail(file, 'corrupt snappy block: literal past the end');
      out.set(r.bytes(len), o);
      o += len;
    } else {
      let len: number;
      let off: number;
      if (kind === 1) {
        len = ((tag >>> 2) & 7) + 4;
        off = ((tag >>> 5) << 8) | r.bytes(1)[0];
      } else if (kind === 2) {
        len = (tag >>> 2) + 1;
        const x = r.bytes(2);
        off = x[0] | (x[1] << 8);
      } else {
        len = (tag >>> 2) + 1;
        off = r.u32();
      }
      if (off === 0 || off > o || len > n - o) fail(file, 'corrupt snappy block: bad copy');
      for (let i = 0; i < len; i++, o++) out[o] = out[o - off];
    }
  }
  if (o !== n) fail(file, `corrupt snappy block: ${o} of ${n} bytes`);
  return out;
}

// ---- the table ----
function readBlock(b: Uint8Array, r: Reader, file: string, what: string): Uint8Array {
  const offset = r.varint();
  const size = r.varint();
  if (offset + size + 5 > b.length - FOOTER)
    fail(file, `truncated or corrupt: ${what} block at ${offset} (+${size}) runs past the end of the file`);
  const contents = b.subarray(offset, offset + size);
  const type = b[offset + size];
  const stored = new DataView(b.buffer, b.byteOffset + offset + size + 1, 4).getUint32(0, true);
  if (crc32c(b.subarray(offset, offset + size + 1)) !== unmaskCrc(stored))
    fail(file, `corrupt: checksum mismatch in the ${what} block at ${offset}`);
  if (type === 0) return contents;
  if (type === 1) return snappyDecompress(contents, file);
  fail(file, `${what} block at ${offset} uses compression type ${type} (only uncompressed and snappy are read)`);
}

/** The key/value pairs of one block (prefix-compressed keys; restart array at the end). */
function blockEntries(block: Uint8Array, file: string, what: string, out: [string, Uint8Array][]): void {
  if (block.length < 4) fail(file, `corrupt ${what} block: ${block.length} bytes`);
  const numRestarts = new DataView(block.buffer, block.byteOffset + block.length - 4, 4).getUint32(0, true);
  if (numRestarts > (block.length - 4) / 4)
    fail(file, `corrupt ${what} block: ${numRestarts} restart points in ${block.length} bytes`);
  const end = block.length - 4 - 4 * numRestarts;
  const r = new Reader(block, 0, end, file, `${what} block`);
  let key = new Uint8Array(0);
  while (r.pos < end) {
    const shared = r.varint();
    const own = r.varint();
    const vlen = r.varint();
    if (shared > key.length)
      fail(file, `corrupt ${what} block: key shares ${shared} bytes of a ${key.length}-byte key`);
    const tail = r.bytes(own);
    const k = new Uint8Array(shared + own);
    k.set(key.subarray(0, shared));
    k.set(tail, shared);
    key = k;
    out.push([Buffer.from(key).toString('utf8'), r.bytes(vlen)]);
  }
}

/** Parses a whole .index file: the header and every tensor entry. */
export function parseCheckpointIndex(
  b: Uint8Array,
  file: string,
): { numShards: number; bigEndian: boolean; tensors: CheckpointTensor[] } {
  if (b.length < FOOTER) fail(file, `truncated: ${b.length} bytes, a checkpoint index has at least ${FOOTER}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(b.length - 8, true) !== MAGIC_LO || dv.getUint32(b.length - 4, true) !== MAGIC_HI) {
    fail(file, 'not a TensorFlow checkpoint index (bad magic number at the end; truncated?)');
  }
  const fr = new Reader(b, b.length - FOOTER, b.length - 8, file, 'footer');
  fr.varint();
  fr.varint(); // metaindex block handle (unused)
  const index = readBlock(b, fr, file, 'index');
  const handles: [string, Uint8Array][] = [];
  blockEntries(index, file, 'index', handles);
  const kv: [string, Uint8Array][] = [];
  for (const [, h] of handles)
    blockEntries(readBlock(b, new Reader(h, 0, h.length, file, 'block handle'), file, 'data'), file, 'data', kv);
  let numShards = 1;
  let bigEndian = false;
  let sawHeader = false;
  const tensors: CheckpointTensor[] = [];
  for (const [k, v] of kv) {
    if (k === '') {
      sawHeader = true;
      for (const [f, w, x] of pbFields(v, file, 'bundle header')) {
        if (f === 1 && w === 0) numShards = x as number;
        else if (f === 2 && w === 0) bigEndian = x === 1;
      }
    } else tensors.push(parseEntry(k, v, file));
  }
  if (!sawHeader) fail(file, 'not a TensorFlow checkpoint index (no bundle header entry)');
  if (numShards < 1 || numShards > 99999) fail(file, `corrupt bundle header: ${numShards} shards`);
  return { numShards, bigEndian, tensors };
}

async function readIndex(prefix: string): Promise<ReturnType<typeof parseCheckpointIndex>> {
  const file = `${prefix}.index`;
  return parseCheckpointIndex(await readChecked(file, MAX_INDEX_BYTES), file);
}

/** The tensors of a checkpoint (name, dtype, shape, where its bytes are). */
export async function listCheckpointTensors(prefix: string): Promise<CheckpointTensor[]> {
  return (await readIndex(prefix)).tensors;
}

const pad5 = (n: number): string => String(n).padStart(5, '0');

/** Names a checkpoint tensor may go by: as given, with or without TF2's `/.ATTRIBUTES/VARIABLE_VALUE`. */
function nameVariants(name: string): string[] {
  const suffix = '/.ATTRIBUTES/VARIABLE_VALUE';
  return name.endsWith(suffix) ? [name, name.slice(0, -suffix.length)] : [name, name + suffix];
}

const describe = (t: CheckpointTensor): string =>
  `${t.name} (${t.shape.join(' x ') || 'scalar'} ${dtypeName(t.dtype)})`;

/**
 * Reads one dense float tensor (float32 / float64 / float16 / bfloat16) as float32, checking its
 * size against `maxBytes` before reading and its crc32c after. For float64, `origin` gives the
 * original values (for checkFinite to tell a value beyond float32's range from an Infinity).
 */
export async function readCheckpointTensor(
  prefix: string,
  name: string,
  maxBytes: number,
): Promise<{ shape: number[]; data: Float32Array; origin?: Float32Origin }> {
  const indexFile = `${prefix}.index`;
  const { numShards, bigEndian, tensors } = await readIndex(prefix);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const t = nameVariants(name)
    .map((n) => byName.get(n))
    .find((x) => x);
  if (!t) {
    const floats2d = tensors
      .filter((x) => x.shape.length === 2 && DTYPES[x.dtype]?.float && !x.sliced)
      .map((x) => describe(x));
    fail(indexFile, `no tensor '${name}' in this checkpoint (2-D float tensors: ${floats2d.join(', ') || 'none'})`);
  }
  const dt = DTYPES[t.dtype];
  if (!dt?.float) fail(indexFile, `tensor '${t.name}' is ${dtypeName(t.dtype)}, not a float tensor`);
  if (t.sliced)
    fail(indexFile, `tensor '${t.name}' is a partitioned variable (saved in slices), which is not read here`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count) || count * dt.size !== t.size) {
    fail(
      indexFile,
      `corrupt entry for '${t.name}': shape (${t.shape.join(', ')}) of ${dt.name} needs ${count * dt.size} bytes, the entry says ${t.size}`,
    );
  }
  if (t.size > maxBytes) fail(indexFile, overBudget(`tensor '${t.name}' is`, t.size, maxBytes));
  if (t.shardId >= numShards) fail(indexFile, `corrupt entry for '${t.name}': shard ${t.shardId} of ${numShards}`);
  const dataFile = `${prefix}.data-${pad5(t.shardId)}-of-${pad5(numShards)}`;
  const fileSize = await checkedSize(dataFile, Number.MAX_SAFE_INTEGER);
  if (t.offset + t.size > fileSize)
    fail(
      dataFile,
      `truncated: tensor '${t.name}' needs bytes ${t.offset}–${t.offset + t.size}, the file has ${fileSize}`,
    );
  const raw = t.size === 0 ? new Uint8Array(0) : await readPrefix(dataFile, t.size, t.offset);
  if (raw.length !== t.size)
    fail(dataFile, `truncated: tensor '${t.name}' needs ${t.size} bytes at ${t.offset}, read ${raw.length}`);
  if (t.crc32c !== undefined && crc32c(raw) !== unmaskCrc(t.crc32c))
    fail(dataFile, `checksum mismatch for tensor '${t.name}': the file is corrupt`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = !bigEndian;
  const data = new Float32Array(count);
  if (dt.size === 8) {
    for (let i = 0; i < count; i++) data[i] = dv.getFloat64(8 * i, le);
    return { shape: t.shape, data, origin: (i) => dv.getFloat64(8 * i, le) };
  }
  if (dt.size === 4) for (let i = 0; i < count; i++) data[i] = dv.getFloat32(4 * i, le);
  else if (t.dtype === 14) {
    const tmp = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      tmp.setUint32(0, dv.getUint16(2 * i, le) << 16);
      data[i] = tmp.getFloat32(0);
    }
  } else for (let i = 0; i < count; i++) data[i] = halfToFloat(dv.getUint16(2 * i, le));
  return { shape: t.shape, data };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
