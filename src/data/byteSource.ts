/**
 * Random access to the bytes of a file or of a buffer, for readers that take only the parts they
 * need (a zip's central directory, one member) instead of reading everything into memory first.
 * Read-only; every failure of the file is an InputError naming it.
 */
import * as fs from 'fs';
import { fail } from './errors';
import { ioProblem } from './files';

/** Bytes that can be read at any position. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Up to `length` bytes at `position` in a fresh buffer; shorter only at the end. */
  readAt(position: number, length: number): Promise<Uint8Array>;
  /** Releases the file (a no-op for a buffer). */
  close(): Promise<void>;
}

/** A buffer as a source (tests, fuzzing, data already in memory). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    readAt: async (position, length) =>
      bytes.slice(Math.min(position, bytes.length), Math.min(position + length, bytes.length)),
    close: async () => undefined,
  };
}

/** Opens a file as a source; the caller closes it (see withFileSource). */
export async function openFileSource(file: string): Promise<ByteSource> {
  let fh: fs.promises.FileHandle;
  let size: number;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    fail(file, ioProblem(err));
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) fail(file, 'is a folder, not a file');
    size = st.size;
  } catch (err) {
    await fh.close();
    if ((err as Error).name === 'InputError') throw err;
    fail(file, ioProblem(err));
  }
  return {
    size,
    readAt: async (position, length) => {
      const n = Math.max(0, Math.min(length, size - position));
      const buf = new Uint8Array(n);
      let got = 0;
      try {
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, position + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (err) {
        fail(file, ioProblem(err));
      }
      return got === n ? buf : buf.subarray(0, got);
    },
    close: () => fh.close(),
  };
}

/** Runs `use` on the file opened as a source, closing it afterwards whatever happens. */
export async function withFileSource<T>(file: string, use: (src: ByteSource) => Promise<T>): Promise<T> {
  const src = await openFileSource(file);
  try {
    return await use(src);
  } finally {
    await src.close();
  }
}
