/**
 * Is a file completely written? A training script writes a snapshot while we watch its folder,
 * and reading a half-written file would show a wrong epoch (or fail). Two rules, both needed:
 * - `.npy`: the header parses and announces shape x itemsize data bytes, and the file holds
 *   exactly header + data (np.save writes exactly that; a shorter file is still being written).
 * - every format: the size and modification time did not change across two looks some hundreds
 *   of milliseconds apart (`StabilityTracker`), which catches writers that pre-size a file. For
 *   formats without a length in their header the caller also parses the file before using it.
 * Pure Node (no `vscode`); files are only read.
 */
import * as fs from 'node:fs';
import { parseNpyHeader } from './npy';

/** Size and modification time of a file at one look. */
export interface FileProbe {
  size: number;
  mtimeMs: number;
}

/** Stats a file; undefined when it does not exist (any more) or is not a regular file. */
export async function probeFile(file: string): Promise<FileProbe | undefined> {
  try {
    const st = await fs.promises.stat(file);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** Largest .npy header we read to size the data (v2/v3 headers can be long, 1 MB is plenty). */
const MAX_HEADER = 1 << 20;

/**
 * For a `.npy`: true when its header parses and the file size is exactly header + shape x
 * itemsize bytes. False for a missing, truncated or over-long file (never throws).
 */
export async function isNpyWhole(file: string): Promise<boolean> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(file, 'r');
    const size = (await fh.stat()).size;
    const buf = new Uint8Array(Math.min(size, MAX_HEADER));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const h = parseNpyHeader(buf.subarray(0, bytesRead), file);
    return size === h.dataOffset + h.dataBytes;
  } catch {
    return false;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** True for names the `.npy` rule applies to. */
export function isNpyName(file: string): boolean {
  return /\.npy$/i.test(file);
}

/**
 * Remembers each file's last probe and since when it has been unchanged. `check` is true once
 * the file looked the same for at least `stableMs` and (for .npy) its header says it is whole.
 */
export class StabilityTracker {
  private readonly seen = new Map<string, FileProbe & { since: number }>();

  constructor(
    private readonly stableMs = 300,
    private readonly now: () => number = Date.now,
  ) {}

  /** Looks at the file again; true when it is whole by both rules. */
  async check(file: string): Promise<boolean> {
    const p = await probeFile(file);
    if (!p || p.size === 0) {
      this.seen.delete(file);
      return false;
    }
    const t = this.now(),
      last = this.seen.get(file);
    if (!last || last.size !== p.size || last.mtimeMs !== p.mtimeMs) {
      this.seen.set(file, { ...p, since: t });
      return false;
    }
    if (t - last.since < this.stableMs) return false;
    if (isNpyName(file) && !(await isNpyWhole(file))) return false;
    // The file may have changed while the header was read: look once more.
    const again = await probeFile(file);
    return !!again && again.size === p.size && again.mtimeMs === p.mtimeMs;
  }

  /** Forgets a file (after it was taken, or when it disappeared). */
  forget(file: string): void {
    this.seen.delete(file);
  }
}
