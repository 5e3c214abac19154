/**
 * Snapshots without a manifest: files in one folder whose names differ only by a number
 * (`embeddings_epoch01.npy`, `embeddings_epoch12.npy`; `emb_0030.npy`) are epochs of one dataset,
 * sorted by that number.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SnapshotRef } from '../shared/dataset';

/** The last run of digits in a file name, with what surrounds it. */
export function numberedName(fileName: string): { prefix: string; number: number; suffix: string } | undefined {
  const m = /^(.*?)(\d+)(\D*)$/.exec(fileName);
  if (!m) return undefined;
  // The suffix must be just the extension(s): `emb_12_final.npy` is not a numbered snapshot.
  if (!/^(\.[A-Za-z0-9]+)+$/.test(m[3])) return undefined;
  return { prefix: m[1], number: parseInt(m[2], 10), suffix: m[3] };
}

/** A display name: `epoch 12` / `step 300` when the prefix says so, else the file's stem. */
function snapshotName(prefix: string, n: number, fileName: string, suffix: string): string {
  const word = /(epoch|step|iter|iteration|checkpoint|ckpt)[_-]?$/i.exec(prefix)?.[1].toLowerCase();
  if (word) return `${word === 'ckpt' ? 'checkpoint' : word} ${n}`;
  return fileName.slice(0, fileName.length - suffix.length);
}

/**
 * Groups file names (one folder) into snapshot series: key `prefix#suffix` -> files sorted by
 * number. Only series of two or more files are returned.
 */
export function groupNumbered(fileNames: string[]): Map<string, { file: string; number: number }[]> {
  const groups = new Map<string, { file: string; number: number }[]>();
  for (const f of fileNames) {
    const n = numberedName(f);
    if (!n) continue;
    const key = `${n.prefix}#${n.suffix}`;
    groups.set(key, [...(groups.get(key) ?? []), { file: f, number: n.number }]);
  }
  for (const [k, v] of groups) {
    if (v.length < 2) groups.delete(k);
    else v.sort((a, b) => a.number - b.number || (a.file < b.file ? -1 : 1));
  }
  return groups;
}

/** Snapshot references for a list of absolute paths in one series (already sorted). */
export function toSnapshotRefs(files: string[]): SnapshotRef[] {
  return files.map((p) => {
    const base = path.basename(p);
    const n = numberedName(base);
    return n
      ? { name: snapshotName(n.prefix, n.number, base, n.suffix), epoch: n.number, path: p }
      : { name: base, path: p };
  });
}

/**
 * The series `file` belongs to (itself included), or undefined when it has no numbered
 * siblings. Reads only the folder listing.
 */
export async function siblingSnapshots(file: string): Promise<SnapshotRef[] | undefined> {
  const base = path.basename(file);
  const n = numberedName(base);
  if (!n) return undefined;
  let names: string[];
  try {
    names = (await fs.promises.readdir(path.dirname(file), { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return undefined;
  }
  const series = groupNumbered(names).get(`${n.prefix}#${n.suffix}`);
  if (!series || !series.some((s) => s.file === base)) return undefined;
  return toSnapshotRefs(series.map((s) => path.join(path.dirname(file), s.file)));
}
