/**
 * Finding datasets in the workspace: projector configs, manifests, `.npz`, `.npy` embeddings with
 * a labels file beside them, and tables / Parquet / JSONL / safetensors with a vector column.
 * Reads only headers and first lines, never whole files; bounded in depth, entries and time.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readNpyHeader, readPrefix } from './files';
import { parquetColumns } from './parquet';
import { MANIFEST_NAME, PROJECTOR_CONFIG } from './plan';
import { LABEL_NAMES, firstLineNumeric } from './readers';
import { listSafetensors } from './safetensors';
import { groupNumbered } from './snapshots';
import { describeProjectorConfig } from './logdir';
import { parseDelimitedTable, parseJsonl } from './tabular';

/** A dataset found in the workspace, for a quick pick. */
export interface DatasetCandidate {
  /** What to pass to loadDataset (a file or a folder). */
  target: string;
  /** Short display text (path relative to the workspace folder). */
  label: string;
  /** One line of detail: format, shape, labels, snapshots. */
  detail: string;
  /** manifest | projector | npz | npy | table | jsonl | parquet | safetensors */
  kind: string;
}

const SKIP_DIRS = new Set([
  'node_modules',
  'dist',
  'out',
  '__pycache__',
  'site-packages',
  'venv',
  'env',
  'wandb',
  'mlruns',
]);
const DATA_EXT = new Set(['.npy', '.npz', '.safetensors', '.parquet', '.jsonl', '.ndjson', '.tsv', '.csv']);
const SNIFF_BYTES = 64 * 1024;

/** True when a single file could be a dataset (for the explorer context menu). No I/O. */
export function looksLikeDataset(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  if (base === MANIFEST_NAME || base.endsWith('.embeddings.json') || base === PROJECTOR_CONFIG) return true;
  return DATA_EXT.has(path.extname(base));
}

/** Cuts a sniffed prefix at its last newline so parsers see whole lines only. */
function wholeLines(b: Uint8Array, complete: boolean): Uint8Array {
  if (complete) return b;
  const last = b.lastIndexOf(10);
  return last > 0 ? b.subarray(0, last + 1) : b;
}

/** Reads a parquet footer (the metadata only) and lists its vector columns. */
async function sniffParquet(file: string): Promise<string | undefined> {
  const size = (await fs.promises.stat(file)).size;
  if (size < 12) return undefined;
  const tail = await readPrefix(file, 8, size - 8);
  const metaLen = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (metaLen + 8 > size || metaLen > 64 * 1024 * 1024) return undefined;
  const { vectors, rows } = parquetColumns(await readPrefix(file, metaLen + 8, size - metaLen - 8), file, true);
  return vectors.length > 0 ? `Parquet, ${rows} rows, vector column ${vectors.join(' / ')}` : undefined;
}

/** Describes one data file when it could hold embeddings, else undefined. Never throws. */
async function sniff(file: string, labelsBeside: boolean): Promise<{ kind: string; detail: string } | undefined> {
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === '.npz') return { kind: 'npz', detail: 'NumPy archive (.npz)' };
    if (ext === '.parquet') {
      const d = await sniffParquet(file);
      return d ? { kind: 'parquet', detail: d } : undefined;
    }
    if (ext === '.npy') {
      if (!labelsBeside) return undefined; // checked first: no header read for lone arrays
      const h = await readNpyHeader(file);
      if (h.shape.length !== 2 || /[US]/.test(h.dtype)) return undefined;
      return { kind: 'npy', detail: `NumPy ${h.shape[0]} x ${h.shape[1]} ${h.dtype}` };
    }
    const head = await readPrefix(file, SNIFF_BYTES);
    const complete = head.length < SNIFF_BYTES;
    if (ext === '.safetensors') {
      const st = await readPrefix(
        file,
        Math.min(16 * 1024 * 1024, 8 + Number(new DataView(head.buffer, head.byteOffset).getBigUint64(0, true))),
      );
      const { tensors } = listSafetensors(st, file);
      // Model checkpoints hold hundreds of tensors; an embeddings file holds a handful.
      const emb = tensors.filter((t) => t.shape.length === 2 && /^F|^BF/.test(t.dtype));
      if (emb.length === 0 || tensors.length > 4) return undefined;
      return {
        kind: 'safetensors',
        detail: `safetensors ${emb.map((t) => `${t.name} ${t.shape.join(' x ')}`).join(', ')}`,
      };
    }
    if (ext === '.jsonl' || ext === '.ndjson') {
      const t = parseJsonl(wholeLines(head, complete), file);
      return { kind: 'jsonl', detail: `JSON Lines, dimension ${t.dim}` };
    }
    if (ext === '.csv' || ext === '.tsv') {
      const delim = ext === '.csv' ? 44 : 9;
      if (firstLineNumeric(head, delim, file)) {
        // Header-less numbers (tensors.tsv style): a dataset only with labels beside it.
        return labelsBeside
          ? { kind: 'table', detail: `${ext.slice(1).toUpperCase()} of numbers, no header` }
          : undefined;
      }
      const t = parseDelimitedTable(wholeLines(head, complete), file, delim);
      return { kind: 'table', detail: `${ext.slice(1).toUpperCase()} table, dimension ${t.dim}` };
    }
  } catch (err) {
    if ((err as Error).name === 'AmbiguousChoiceError')
      return { kind: ext.slice(1), detail: 'several embedding columns (you will choose)' };
  }
  return undefined;
}

/** The label file names that make `.npy` embeddings in the same folder a dataset. */
function labelFileIn(names: string[]): string | undefined {
  const lower = names.map((n) => n.toLowerCase());
  for (const base of LABEL_NAMES) {
    for (const ext of ['.npy', '.txt']) {
      const i = lower.indexOf(base + ext);
      if (i >= 0) return names[i];
    }
  }
  return (
    names.find((n) => /[_.-]labels?\.(npy|txt)$/i.test(n)) ?? names.find((n) => n.toLowerCase() === 'metadata.tsv')
  );
}

/** Candidates in one folder (not recursive). `names` are its file names when already listed. */
export async function findInFolder(dir: string, names?: string[], deadline = Infinity): Promise<DatasetCandidate[]> {
  names ??= (await fs.promises.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  const rel = (p: string): string => path.basename(p);
  if (names.includes(MANIFEST_NAME))
    return [
      {
        target: path.join(dir, MANIFEST_NAME),
        label: MANIFEST_NAME,
        detail: 'manifest (embeddings.json)',
        kind: 'manifest',
      },
    ];
  if (names.includes(PROJECTOR_CONFIG)) {
    return [
      {
        target: dir,
        label: rel(dir),
        detail: (await describeProjectorConfig(path.join(dir, PROJECTOR_CONFIG))).detail,
        kind: 'projector',
      },
    ];
  }
  if (names.includes('tensors.tsv'))
    return [{ target: dir, label: rel(dir), detail: 'TensorBoard projector folder', kind: 'projector' }];
  const labels = labelFileIn(names);
  const out: DatasetCandidate[] = [];
  const dataFiles = names.filter(
    (n) => DATA_EXT.has(path.extname(n).toLowerCase()) && n !== labels && !/(^|[_.-])labels?\./i.test(n),
  );
  // A numbered series (epochs) is one candidate: its last snapshot, which loadDataset groups again.
  const series = groupNumbered(dataFiles);
  const inSeries = new Map<string, number>();
  for (const files of series.values())
    files.forEach((f, i) => inSeries.set(f.file, i === files.length - 1 ? files.length : 0));
  for (const n of dataFiles) {
    if (inSeries.get(n) === 0) continue;
    if (Date.now() > deadline) break;
    const file = path.join(dir, n);
    const s = await sniff(file, labels !== undefined);
    if (!s) continue;
    const count = inSeries.get(n);
    const detail = [
      s.detail,
      ...(labels && s.kind === 'npy' ? [`labels: ${labels}`] : []),
      ...(count ? [`${count} snapshots`] : []),
    ].join(' · ');
    out.push({ target: file, label: count ? n.replace(/\d+(?=\D*$)/, '*') : n, detail, kind: s.kind });
  }
  return out;
}

/**
 * Finds candidate datasets under the given folders, breadth first, skipping node_modules, .git,
 * dist and hidden folders, within 8 levels, `maxFiles` directory entries and 5 seconds.
 */
export async function discoverDatasets(roots: string[], opts: { maxFiles?: number } = {}): Promise<DatasetCandidate[]> {
  const maxFiles = opts.maxFiles ?? 20000;
  const deadline = Date.now() + 5000;
  let seen = 0;
  const out: DatasetCandidate[] = [];
  // Folders a projector config above names for its tensors (a PyTorch log dir's NNNNN/<tag>/ step
  // folders): part of that dataset, not offered again. Breadth first: the config is seen first.
  const claimed = new Set<string>();
  for (const root of roots) {
    let level = [path.resolve(root)];
    for (let depth = 0; depth <= 8 && level.length > 0; depth++) {
      const nextLevel: string[] = [];
      for (const dir of level) {
        if (seen >= maxFiles || Date.now() > deadline) break;
        let entries: fs.Dirent[];
        try {
          entries = await fs.promises.readdir(dir, { withFileTypes: true });
        } catch {
          continue; // unreadable folder: skip, discovery never fails
        }
        seen += entries.length;
        for (const e of entries) {
          if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name))
            nextLevel.push(path.join(dir, e.name));
        }
        const files = entries.filter((e) => e.isFile()).map((e) => e.name);
        if (files.includes(PROJECTOR_CONFIG))
          for (const d of (await describeProjectorConfig(path.join(dir, PROJECTOR_CONFIG))).claims) claimed.add(d);
        if (claimed.has(dir)) continue;
        const found = await findInFolder(dir, files, deadline);
        for (const c of found) {
          const relDir = path.relative(root, path.dirname(c.target));
          const shown =
            c.kind === 'projector'
              ? path.relative(root, c.target) || path.basename(c.target)
              : path.join(relDir, c.label);
          out.push({ ...c, label: roots.length > 1 ? path.join(path.basename(root), shown) : shown });
        }
      }
      level = nextLevel.sort();
    }
  }
  return out;
}
