/**
 * The layout cache: reopening a dataset shows its projection at once. A layout depends only on
 * the embeddings and the projection parameters, so the key is a content hash of exactly those;
 * the host passes its storage folder (`context.globalStorageUri`), this module is plain fs.
 *
 * Files are `<key>.npy` (n x 2 float32, readable by NumPy), written to a temporary name and
 * renamed into place so a crash or a second window never leaves a half-written file under the
 * key. An unreadable or mismatched file is treated as absent and replaced by the next write.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { layoutFromNpy, layoutToNpy } from './layoutFile';
import { resolveParams, type LayoutParams } from './params';

/** Bump when the algorithm changes what a given key produces, so old layouts are not reused. */
const ALGORITHM_VERSION = 'umap-typed-2'; // 2: NN-descent neighbours above 10 000 points
/** At most this many layouts are kept; the least recently written go first. */
const MAX_FILES = 100;
const KEY_RE = /^[0-9a-f]{64}$/;

/**
 * The cache key (sha256 hex) of a layout: the embeddings' bytes, the labels' bytes when given,
 * and the parameters that change the layout, with defaults filled in. Distances with the same
 * neighbours share a key (euclidean = sqeuclidean; cosine = euclidean on normalised rows), and so
 * do the exact search and `exactIds` (the neighbour source is part of the key: exact or not).
 */
export function layoutCacheKey(embeddings: Float32Array, params: LayoutParams): string;
export function layoutCacheKey(embeddings: Float32Array, labels: Int32Array | undefined, params: LayoutParams): string;
export function layoutCacheKey(
  embeddings: Float32Array,
  a: Int32Array | LayoutParams | undefined,
  b?: LayoutParams,
): string {
  const labels = a instanceof Int32Array ? a : undefined;
  const params = (a instanceof Int32Array || a === undefined ? b : a) ?? {};
  const p = resolveParams(params);
  const canonical = {
    version: ALGORITHM_VERSION,
    nNeighbors: p.nNeighbors,
    minDist: p.minDist,
    seed: p.seed,
    nEpochs: p.nEpochs ?? null,
    normalized: p.normalize || p.distance === 'cosine',
    init: p.init,
    exactPow: params.exactPow === true,
    // Exact ids brought from elsewhere are what the exact search finds: the same key.
    neighbours: params.exactIds ? 'exact' : p.neighbours,
  };
  const h = createHash('sha256');
  h.update(JSON.stringify(canonical));
  h.update(`|embeddings:${embeddings.length}|`);
  h.update(new Uint8Array(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength));
  if (labels) {
    h.update(`|labels:${labels.length}|`);
    h.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  }
  if (params.knn) {
    // A caller-supplied kNN table is part of the input.
    h.update(`|knn:${params.knn.k}|`);
    h.update(new Uint8Array(params.knn.indices.buffer, params.knn.indices.byteOffset, params.knn.indices.byteLength));
    h.update(
      new Uint8Array(params.knn.distances.buffer, params.knn.distances.byteOffset, params.knn.distances.byteLength),
    );
  }
  if (params.alignedInit) {
    h.update(`|init:${params.alignedInit.length}|`);
    h.update(new Uint8Array(params.alignedInit.buffer, params.alignedInit.byteOffset, params.alignedInit.byteLength));
  }
  return h.digest('hex');
}

function fileFor(dir: string, key: string): string {
  if (!KEY_RE.test(key)) throw new RangeError(`not a layout cache key: ${JSON.stringify(key)}`);
  return path.join(dir, `${key}.npy`);
}

/**
 * The cached layout under `key`, or undefined when there is none, or when the file is unreadable
 * or (with `expectedN`) holds another number of points; such a file is removed.
 */
export async function readCachedLayout(
  dir: string,
  key: string,
  expectedN?: number,
): Promise<Float32Array | undefined> {
  const file = fileFor(dir, key);
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(file);
  } catch {
    return undefined;
  }
  const layout = layoutFromNpy(bytes, expectedN);
  if (!layout) {
    await fsp.rm(file, { force: true }).catch(() => undefined);
    await fsp.rm(noteFileFor(dir, key), { force: true }).catch(() => undefined);
  }
  return layout;
}

/** The note stored with a layout (how it was made, for its caption: "approximate neighbours …"), or ''. */
export async function readCachedNote(dir: string, key: string): Promise<string> {
  try {
    return (await fsp.readFile(noteFileFor(dir, key), 'utf8')).slice(0, 1000);
  } catch {
    return '';
  }
}

function noteFileFor(dir: string, key: string): string {
  return fileFor(dir, key).replace(/\.npy$/, '.note');
}

/**
 * Stores `layout` under `key` (creating `dir`), atomically replacing any previous file, and its `note` beside it (none
 * when empty).
 */
export async function writeCachedLayout(dir: string, key: string, layout: Float32Array, note = ''): Promise<void> {
  const file = fileFor(dir, key);
  await fsp.mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fsp.writeFile(tmp, layoutToNpy(layout));
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  const noteFile = noteFileFor(dir, key);
  if (note) await fsp.writeFile(noteFile, note, 'utf8');
  else await fsp.rm(noteFile, { force: true });
  await prune(dir).catch(() => undefined);
}

/** Keeps the MAX_FILES most recently written layouts. */
async function prune(dir: string): Promise<void> {
  const all = await fsp.readdir(dir);
  // A note whose layout is gone (removed as unreadable, or by an older version of this prune).
  const layouts = new Set(all.filter((f) => f.endsWith('.npy')));
  for (const f of all)
    if (/^[0-9a-f]{64}\.note$/.test(f) && !layouts.has(f.replace(/\.note$/, '.npy')))
      await fsp.rm(path.join(dir, f), { force: true });
  const names = all.filter((f) => /^[0-9a-f]{64}\.npy$/.test(f));
  if (names.length <= MAX_FILES) return;
  const stats = await Promise.all(names.map(async (f) => ({ f, t: (await fsp.stat(path.join(dir, f))).mtimeMs })));
  stats.sort((x, y) => y.t - x.t);
  for (const { f } of stats.slice(MAX_FILES)) {
    await fsp.rm(path.join(dir, f), { force: true });
    await fsp.rm(path.join(dir, f.replace(/\.npy$/, '.note')), { force: true });
  }
}
