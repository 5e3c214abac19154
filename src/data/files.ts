/**
 * File access for the loaders: read-only (`fs.promises`, never a write), size checked against
 * the memory budget before any byte is read, and every failure turned into an InputError.
 */
import * as fs from 'fs';
import { fail, overBudget } from './errors';
import { checkFinite } from './arrays';
import { NpyArray, NpyHeader, decodeNpyData, parseNpyHeader } from './npy';

/** Default memory budget: 2 GiB, the setting's default (`embeddingInspector.maxFileMegabytes`). */
export const DEFAULT_MAX_BYTES = 2048 * 1024 * 1024;

/** A sentence for a failed read ('file not found', 'permission denied', …), never a raw errno. */
export function ioProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot read (${code ?? (err as Error).message})`;
}

/** True when a path exists (async: the extension host is never blocked on the disk). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Size of a file, refusing it when it exceeds `maxBytes` (checked before reading). */
export async function checkedSize(file: string, maxBytes = DEFAULT_MAX_BYTES, what = 'file'): Promise<number> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (err) {
    fail(file, ioProblem(err));
  }
  if (st.isDirectory()) fail(file, 'is a folder, not a file');
  if (st.size > maxBytes) {
    fail(file, overBudget(`${what} is`, st.size, maxBytes));
  }
  return st.size;
}

/** Reads a whole file after the budget check. */
export async function readChecked(file: string, maxBytes = DEFAULT_MAX_BYTES): Promise<Uint8Array> {
  await checkedSize(file, maxBytes);
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    fail(file, ioProblem(err));
  }
}

/** Reads at most `n` bytes from the start of a file (for headers and sniffing). */
export async function readPrefix(file: string, n: number, position = 0): Promise<Uint8Array> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(file, 'r');
    // Not zero-filled (it is overwritten) and never pooled: the data owns its whole buffer.
    // Shared memory: float32 embeddings are viewed in place, so the analysis workers read them without a copy.
    const buf = new Uint8Array(new SharedArrayBuffer(n));
    let got = 0;
    // One read call returns at most 2 GB; loop until full or end of file.
    while (got < n) {
      const { bytesRead } = await fh.read(buf, got, Math.min(n - got, 1 << 30), position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  } catch (err) {
    return fail(file, ioProblem(err));
  } finally {
    await fh?.close();
  }
}

/** Reads just the header of a .npy file. */
export async function readNpyHeader(file: string): Promise<NpyHeader> {
  const head = await readPrefix(file, 4096);
  try {
    return parseNpyHeader(head, file);
  } catch (err) {
    // A header longer than 4 KB (many-field headers of v2/v3) needs a second, exact read.
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (head.length === 4096 && head[6] >= 2)
      return parseNpyHeader(await readPrefix(file, 12 + dv.getUint32(8, true)), file);
    throw err;
  }
}

/**
 * Reads `n` bytes at `position` into a fresh buffer in 32 MB chunks; `onChunk(buf, done)` runs
 * on each finished chunk while the next one is being read, so checking overlaps the disk.
 */
async function readChunked(
  file: string,
  n: number,
  position: number,
  onChunk: (buf: Uint8Array, done: number) => void,
): Promise<Uint8Array> {
  const CHUNK = 32 * 1024 * 1024;
  // Shared memory: float32 embeddings are viewed in place, so the analysis workers read them without a copy.
  const buf = new Uint8Array(new SharedArrayBuffer(n));
  let fh: fs.promises.FileHandle | undefined;
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    fh = await fs.promises.open(file, 'r');
    let done = 0;
    pending = fh.read(buf, 0, Math.min(CHUNK, n), position);
    while (pending) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      done += bytesRead;
      if (done < n) pending = fh.read(buf, done, Math.min(CHUNK, n - done), position + done);
      onChunk(buf, done);
    }
    return done === n ? buf : buf.subarray(0, done);
  } catch (err) {
    await pending?.catch(() => undefined); // never close the file under a read in flight
    if ((err as Error).name === 'InputError') throw err;
    return fail(file, ioProblem(err));
  } finally {
    await fh?.close();
  }
}

/** A parsed .npy; `finiteChecked` when every value was already checked while reading. */
export type NpyRead = NpyArray & { finiteChecked?: boolean };

/**
 * Reads a .npy file: header first, then the data straight into a fresh buffer of exactly the
 * announced size, so little-endian data becomes a typed array with no copy and no slack. For
 * `<f4` C-order matrices (the common case) the NaN / Infinity check runs chunk by chunk while
 * the disk reads the next chunk.
 */
export async function readNpyFile(file: string, maxBytes = DEFAULT_MAX_BYTES): Promise<NpyRead> {
  const size = await checkedSize(file, maxBytes);
  if (size === 0) fail(file, 'empty file');
  const h = await readNpyHeader(file);
  if (h.dataOffset + h.dataBytes > size) {
    fail(
      file,
      `truncated: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${h.dataBytes} bytes of data, found ${size - h.dataOffset}`,
    );
  }
  if (h.dtype === '<f4' && !h.fortranOrder && h.shape.length === 2 && h.dataBytes > 0) {
    const cols = h.shape[1];
    let checked = 0;
    let view: Float32Array | undefined;
    const data = await readChunked(file, h.dataBytes, h.dataOffset, (buf, done) => {
      view ??= new Float32Array(buf.buffer, 0, h.dataBytes / 4);
      const upTo = Math.floor(done / 4);
      checkFinite(view, cols, file, checked, upTo);
      checked = upTo;
    });
    return { ...decodeNpyData(h, data, file), finiteChecked: true };
  }
  const data = await readPrefix(file, h.dataBytes, h.dataOffset);
  return decodeNpyData(h, data, file);
}
