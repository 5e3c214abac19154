/**
 * Zip archives (APPNOTE.TXT) read in place: the central directory (ZIP64 included) from the end
 * of the file, then one member at a time, stored or deflated, streamed in chunks to a consumer
 * with its size and CRC-32 checked. Nothing is inflated that nobody asked for, and a member is
 * never held twice: whoever consumes the chunks decides where they go.
 */
import { once } from 'events';
import * as zlib from 'zlib';
import type { ByteSource } from './byteSource';
import { InputError, fail } from './errors';

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
/** A larger central directory is refused (about a million members). */
const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;
/** Compressed bytes read per step while streaming a member. */
const READ_CHUNK = 1 << 20;

/** Reads a little-endian u64 as a JS number, refusing values past 2^53. */
function u64(dv: DataView, off: number, file: string): number {
  const v = dv.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(file, 'bad zip: 64-bit size out of range');
  return Number(v);
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Lists the members of a zip archive from its end records and central directory. */
export async function listZip(src: ByteSource, file: string): Promise<ZipEntry[]> {
  if (src.size === 0) fail(file, 'empty file');
  if (src.size < 22) fail(file, 'not a zip archive (too short)');
  const tailStart = Math.max(0, src.size - 22 - 65535);
  const tail = await src.readAt(tailStart, src.size - tailStart);
  const dv = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (dv.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = view(await src.readAt(0, 4));
    fail(
      file,
      head.getUint32(0, true) === SIG_LOCAL
        ? 'truncated zip archive (no end-of-central-directory record)'
        : 'not a zip archive (bad magic)',
    );
  }
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) &&
    eocd >= 20 &&
    dv.getUint32(eocd - 20, true) === SIG_LOC64
  ) {
    const rec = u64(dv, eocd - 20 + 8, file);
    const r = view(await src.readAt(rec, 56));
    if (r.byteLength < 56 || r.getUint32(0, true) !== SIG_EOCD64) fail(file, 'bad zip: broken ZIP64 record');
    count = u64(r, 32, file);
    cdSize = u64(r, 40, file);
    cdOffset = u64(r, 48, file);
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY) fail(file, `bad zip: a central directory of ${cdSize} bytes`);
  const cd = await src.readAt(cdOffset, cdSize);
  const cv = view(cd);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== SIG_CEN) fail(file, 'bad zip: damaged central directory');
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen > cd.length) fail(file, 'bad zip: damaged central directory');
    const e: ZipEntry = {
      name: new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen)),
      method: cv.getUint16(p + 10, true),
      crc: cv.getUint32(p + 16, true),
      compressedSize: cv.getUint32(p + 20, true),
      size: cv.getUint32(p + 24, true),
      localOffset: cv.getUint32(p + 42, true),
    };
    readZip64Extra(cv, p + 46 + nameLen, extraLen, e, file);
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

/** Where a member's (compressed) bytes start: after its local header, name and extra field. */
async function dataStart(src: ByteSource, e: ZipEntry, file: string): Promise<number> {
  const h = await src.readAt(e.localOffset, 30);
  if (h.length < 30 || view(h).getUint32(0, true) !== SIG_LOCAL)
    fail(file, `member ${e.name}: bad zip: damaged local header`);
  const start = e.localOffset + 30 + view(h).getUint16(26, true) + view(h).getUint16(28, true);
  if (start + e.compressedSize > src.size) fail(file, `member ${e.name}: truncated zip archive`);
  return start;
}

/**
 * Streams a member's uncompressed bytes to `consume`, in order, in chunks it must copy from
 * before returning. `consume` returns false to stop early (nothing more is read or inflated);
 * read to the end, the member must have exactly its declared size and CRC-32, and inflating
 * past the declared size stops at once (no zip bomb). `readChunk` bounds each compressed read.
 */
export async function streamZipEntry(
  src: ByteSource,
  e: ZipEntry,
  file: string,
  consume: (chunk: Uint8Array) => boolean | void,
  readChunk = READ_CHUNK,
): Promise<void> {
  const start = await dataStart(src, e, file);
  const end = start + e.compressedSize;
  let produced = 0;
  let crc = 0;
  let stopped = false;
  /** Takes one uncompressed chunk; false when the consumer or a check ends the stream. */
  const take = (chunk: Uint8Array): boolean => {
    produced += chunk.length;
    if (produced > e.size) fail(file, `member ${e.name}: bad zip: inflates past its declared size of ${e.size} bytes`);
    crc = zlib.crc32(chunk, crc);
    return consume(chunk) !== false;
  };
  if (e.method === 0) {
    for (let pos = start; pos < end && !stopped; pos += readChunk) {
      stopped = !take(await src.readAt(pos, Math.min(readChunk, end - pos)));
    }
  } else if (e.method === 8) {
    stopped = await inflateInto(src, start, end, readChunk, take, e, file);
  } else fail(file, `member ${e.name}: unsupported zip compression method ${e.method}`);
  if (stopped) return;
  if (produced !== e.size) fail(file, `member ${e.name}: bad zip: ${produced} bytes, directory says ${e.size}`);
  if (crc >>> 0 !== e.crc) fail(file, `member ${e.name}: bad zip: CRC mismatch (corrupted data)`);
}

/**
 * Inflates the raw deflate stream at [start, end) of `src` chunk by chunk (zlib's stream, off the
 * main thread), handing each output chunk to `take`. Resolves to true when `take` stopped it.
 */
async function inflateInto(
  src: ByteSource,
  start: number,
  end: number,
  readChunk: number,
  take: (chunk: Uint8Array) => boolean,
  e: ZipEntry,
  file: string,
): Promise<boolean> {
  const inflater = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
  let settled = false;
  const done = new Promise<boolean>((resolve, reject) => {
    const finish = (err: unknown, early: boolean): void => {
      if (settled) return;
      settled = true;
      if (err !== undefined) reject(err);
      else resolve(early);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        if (!take(chunk)) {
          inflater.destroy();
          finish(undefined, true);
        }
      } catch (err) {
        inflater.destroy();
        finish(err, false);
      }
    });
    inflater.on('error', (err) =>
      finish(new InputError(file, `member ${e.name}: cannot inflate: ${err.message}`), false),
    );
    inflater.on('end', () => finish(undefined, false));
  });
  done.catch(() => undefined); // handled below; never an unhandled rejection meanwhile
  try {
    for (let pos = start; pos < end && !settled; pos += readChunk) {
      const buf = await src.readAt(pos, Math.min(readChunk, end - pos));
      if (settled) break;
      if (!inflater.write(buf))
        await Promise.race([once(inflater, 'drain').catch(() => undefined), done.catch(() => undefined)]);
    }
  } catch (err) {
    inflater.destroy(); // a read failed: stop inflating, report the read's error
    throw err;
  }
  if (!settled) inflater.end();
  return done;
}
