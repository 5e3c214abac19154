/**
 * The census index: for every anchor in a range, its negatives sorted by distance and its
 * positives sorted by distance (definitions.md, "An exact census without O(N^3)").
 *
 * Memory is what limits N (a plain float32 + uint32 index is 8 bytes per (anchor, negative),
 * 3.2 GB at N = 20 000), so a sorted distance is stored split: distances are >= 0, so their
 * float32 bit patterns sort like the values; the high 16 bits of a sorted list change rarely
 * (a few hundred "runs" per anchor), so each anchor keeps a short run table (high half, first
 * position) and every entry only its low 16 bits. With 16-bit negative ids (n <= 65 536) and a
 * float64 prefix sum every 16 entries, an entry costs 4.5 bytes (1.8 GB at N = 20 000), and the
 * values stay exact: comparisons are done on the full 32-bit patterns.
 */
import { distanceRows, prepareEmbeddings } from './distances';
import { extractNegatives, insertionByKey, radixSort, radixSortKeys, SortScratch } from './censusSort';
import type { DistanceOptions, EngineInput, Progress } from './types';
import { throwIfAborted } from './types';
import {
  bitsOf,
  countAtMost,
  IndexContext,
  IndexData,
  IndexStorage,
  PREFIX_SHIFT,
  PREFIX_STEP,
  recoverIds,
  type Growable,
} from './censusIndexData';

/**
 * Checks the input once and gathers what every block index of it needs. `checkFinite: false` skips
 * the pass over every coordinate (N x D) when the caller already checked them (the loaders refuse
 * NaN and infinities, naming the row).
 */
export function indexContext(input: EngineInput, opts: DistanceOptions, checkFinite = true): IndexContext {
  const sizes = validate(input, checkFinite);
  return { input, distance: { ...opts }, sizes, members: classMembers(input.labels, input.n, input.classes, sizes) };
}

/** Checks labels and embeddings, counts class sizes. */
function validate(input: EngineInput, checkFinite = true): Float64Array {
  const { n, dim, labels, classes, embeddings } = input;
  if (!(n >= 0 && dim >= 1) || embeddings.length < n * dim || labels.length < n)
    throw new RangeError('census: embeddings / labels do not match n x dim');
  const sizes = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (!(c >= 0 && c < classes)) throw new RangeError(`census: sample ${i} has label ${c} outside 0..${classes - 1}`);
    sizes[c]++;
  }
  if (checkFinite)
    for (let i = 0; i < n * dim; i++)
      if (!Number.isFinite(embeddings[i]))
        throw new RangeError(`census: sample ${Math.floor(i / dim)} has a non-finite coordinate`);
  return sizes;
}

/** The index shell for the given anchors, every array sized (from `storage` when given). */
function allocate(
  ctx: IndexContext,
  a0: number,
  anchors: Int32Array | undefined,
  m: number,
  storage?: IndexStorage,
): IndexData {
  const { n, labels, classes } = ctx.input,
    sizes = ctx.sizes;
  const negOff = new Float64Array(m + 1),
    posOff = new Float64Array(m + 1),
    prefOff = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    const c = labels[anchors ? anchors[i] : a0 + i],
      neg = n - sizes[c];
    negOff[i + 1] = negOff[i] + neg;
    posOff[i + 1] = posOff[i] + sizes[c] - 1;
    prefOff[i + 1] = prefOff[i] + (neg >> PREFIX_SHIFT) + 1;
  }
  const total = negOff[m],
    pos = posOff[m],
    small = n <= 65536;
  const take = <T extends Growable>(key: string, make: (len: number) => T, len: number): T =>
    storage ? storage.take(key, make, len) : make(len);
  try {
    return {
      anchorStart: anchors ? 0 : a0,
      anchorEnd: anchors ? m : a0 + m,
      n,
      classes,
      labels: labels.subarray(0, n),
      distance: { ...ctx.distance },
      anchorIds: anchors,
      negOff,
      lower: take('lower', (l) => new Uint16Array(l), total),
      negId: small
        ? take('negId16', (l) => new Uint16Array(l), total)
        : take('negId32', (l) => new Uint32Array(l), total),
      runOff: new Float64Array(m + 1),
      runUpper: storage ? storage.whole('runUpper', (l) => new Uint16Array(l), 1024) : new Uint16Array(1024),
      runStart: storage ? storage.whole('runStart', (l) => new Uint32Array(l), 1024) : new Uint32Array(1024),
      prefOff,
      prefix: take('prefix', (l) => new Float64Array(l), prefOff[m]),
      posOff,
      posDist: take('posDist', (l) => new Float32Array(l), pos),
      posId: take('posId', (l) => new Int32Array(l), pos),
      hardLE: take('hardLE', (l) => new Uint32Array(l), pos),
      hardLT: take('hardLT', (l) => new Uint32Array(l), pos),
      storage,
    };
  } catch (e) {
    const gb = ((total * (small ? 4.5 : 6.5) + pos * 16) / 1e9).toFixed(1);
    throw new RangeError(
      `census index for ${m} anchors needs about ${gb} GB and could not be allocated (${(e as Error).message})`,
    );
  }
}

/**
 * Builds the index for anchors [anchorStart, anchorEnd) (default all). Distances come from
 * `distanceRows` in row blocks; yields to the event loop between blocks so a worker can see a
 * cancellation, and reports progress.
 */
export async function buildIndexData(
  input: EngineInput,
  opts: DistanceOptions,
  range?: { anchorStart: number; anchorEnd: number },
  progress?: Progress,
): Promise<IndexData> {
  const ctx = indexContext(input, opts);
  const { n, dim } = input;
  const a0 = range?.anchorStart ?? 0,
    a1 = range?.anchorEnd ?? n;
  if (!(Number.isInteger(a0) && Number.isInteger(a1) && 0 <= a0 && a0 <= a1 && a1 <= n))
    throw new RangeError(`census: bad anchor range [${a0}, ${a1}) for n = ${n}`);
  const idx = allocate(ctx, a0, undefined, a1 - a0);
  const x = prepareEmbeddings(input, opts.normalize);
  const block = Math.max(1, Math.min(256, Math.floor((1 << 22) / Math.max(1, n))));
  const rows = new Float32Array(block * n);
  const scratch = new SortScratch(n);
  let runCount = 0;
  for (let b = a0; b < a1; b += block) {
    throwIfAborted(progress);
    const e = Math.min(a1, b + block);
    distanceRows(x, n, dim, b, e, opts.distance, rows);
    for (let a = b; a < e; a++)
      runCount = indexAnchor(idx, a - a0, a, rows.subarray((a - b) * n, (a - b + 1) * n), ctx, scratch, runCount);
    progress?.onProgress?.((e - a0) / Math.max(1, a1 - a0), `census index: ${e - a0} / ${a1 - a0} anchors`);
    await new Promise<void>((r) => setImmediate(r));
  }
  idx.runUpper = idx.runUpper.slice(0, runCount);
  idx.runStart = idx.runStart.slice(0, runCount);
  return idx;
}

/**
 * The index of one block of anchors from their distance rows (row r of `rows` is anchor r's,
 * n entries each): the anchors are the range [a0, a0 + count) or the ids in `anchors`. With
 * `storage` the arrays are views of buffers reused from the previous block, valid until the next.
 * With `nearIds`, only the distances are sorted (half the memory traffic of sorting (distance, id)
 * pairs) and the ids of each anchor's `nearIds` nearest negatives are found apart; the others are
 * recovered on demand by negIdAt while `rows` is still intact. Every number is the same.
 */
export function indexBlock(
  ctx: IndexContext,
  block: { start: number; count: number } | Int32Array,
  rows: Float32Array,
  storage?: IndexStorage,
  nearIds?: number,
): IndexData {
  const n = ctx.input.n,
    ids = block instanceof Int32Array ? block : undefined;
  const m = ids ? ids.length : (block as { count: number }).count,
    a0 = ids ? 0 : (block as { start: number }).start;
  const idx = allocate(ctx, a0, ids, m, storage);
  const scratch = storage ? storage.sortScratch(n) : new SortScratch(n);
  if (nearIds !== undefined) {
    idx.idsKnown = new Int32Array(m);
    idx.lazy = { rows, ctx, scratch };
  }
  let runCount = 0;
  for (let i = 0; i < m; i++)
    runCount = indexAnchor(
      idx,
      i,
      ids ? ids[i] : a0 + i,
      rows.subarray(i * n, (i + 1) * n),
      ctx,
      scratch,
      runCount,
      nearIds,
    );
  if (storage) {
    storage.keep('runUpper', idx.runUpper);
    storage.keep('runStart', idx.runStart);
    idx.runUpper = idx.runUpper.subarray(0, runCount);
    idx.runStart = idx.runStart.subarray(0, runCount);
  } else {
    idx.runUpper = idx.runUpper.slice(0, runCount);
    idx.runStart = idx.runStart.slice(0, runCount);
  }
  return idx;
}

/** Sample ids of each class, ascending. */
function classMembers(labels: Int32Array, n: number, classes: number, sizes: Float64Array): Int32Array[] {
  const out = Array.from({ length: classes }, (_, c) => new Int32Array(sizes[c]));
  const fill = new Int32Array(classes);
  for (let i = 0; i < n; i++) out[labels[i]][fill[labels[i]]++] = i;
  return out;
}

/** Fills the slice of anchor i (dataset id a) of the index from its distance row. Returns the new run count. */
function indexAnchor(
  idx: IndexData,
  i: number,
  a: number,
  row: Float32Array,
  ctx: IndexContext,
  s: SortScratch,
  runCount: number,
  nearIds?: number,
): number {
  const n = idx.n,
    labels = ctx.input.labels,
    la = labels[a];
  const rowBits = new Uint32Array(row.buffer, row.byteOffset, n);
  const { len, min, max } = extractNegatives(rowBits, labels, la, s, nearIds === undefined);
  if (nearIds !== undefined) {
    const keys = radixSortKeys(s, len, min, max);
    runCount = fillAnchor(idx, i, keys, undefined, len, runCount);
    nearestIds(idx, i, keys, len, rowBits, labels, la, s, nearIds);
    indexPositives(idx, i, a, row, ctx.members[la]);
    return runCount;
  }
  const { keys, ids } = radixSort(s, len, min, max);
  runCount = fillAnchor(idx, i, keys, ids, len, runCount);
  indexPositives(idx, i, a, row, ctx.members[la]);
  return runCount;
}

/** Writes anchor i's slice of the index from its sorted keys (and ids, when all are known). Returns the new run count.
 */
function fillAnchor(
  idx: IndexData,
  i: number,
  keys: Uint32Array,
  ids: Uint32Array | undefined,
  len: number,
  runCount: number,
): number {
  // The sorted keys read as floats are the sorted distances themselves (no gather from the row).
  const values = new Float32Array(keys.buffer, keys.byteOffset, len);
  // Views on this anchor's slices keep the hot loop on small integer indices.
  const off = idx.negOff[i],
    lower = idx.lower.subarray(off, off + len),
    negId = idx.negId.subarray(off, off + len);
  const prefix = idx.prefix.subarray(idx.prefOff[i], idx.prefOff[i + 1]);
  idx.runOff[i] = runCount;
  let acc = 0,
    prevUpper = -1;
  for (let j = 0; j < len; j++) {
    if ((j & (PREFIX_STEP - 1)) === 0) prefix[j >> PREFIX_SHIFT] = acc;
    const key = keys[j],
      up = key >>> 16;
    acc += values[j];
    lower[j] = key & 0xffff;
    if (up !== prevUpper) {
      if (runCount === idx.runUpper.length) growRuns(idx);
      idx.runUpper[runCount] = up;
      idx.runStart[runCount] = j;
      runCount++;
      prevUpper = up;
    }
  }
  if ((len & (PREFIX_STEP - 1)) === 0) prefix[len >> PREFIX_SHIFT] = acc;
  idx.runOff[i + 1] = runCount;
  if (ids) negId.set(ids.subarray(0, len));
  return runCount;
}

/**
 * The ids of anchor i's nearest `want` negatives (and of every negative tied with the last of
 * them): the negatives whose key is at most the want-th sorted key, gathered in id order and
 * sorted stably by key, are exactly the sorted list's first entries. With many ties at that key
 * (more than a few times `want`), the whole order is recovered instead.
 */
function nearestIds(
  idx: IndexData,
  i: number,
  keys: Uint32Array,
  len: number,
  rowBits: Uint32Array,
  labels: Int32Array,
  la: number,
  s: SortScratch,
  want: number,
): void {
  const k = Math.min(want, len);
  idx.idsKnown![i] = 0;
  if (k === 0) return;
  const thr = keys[k - 1],
    cap = 4 * k + 64,
    n = rowBits.length;
  const fk = s.frontKeys(cap),
    fi = s.frontIds(cap);
  let c = 0;
  for (let j = 0; j < n; j++) {
    if (labels[j] === la) continue;
    const key = rowBits[j];
    if (key > thr) continue;
    if (c === cap) {
      recoverIds(idx, i);
      return;
    }
    fk[c] = key;
    fi[c] = j;
    c++;
  }
  insertionByKey(fk, fi, c);
  idx.negId.set(fi.subarray(0, c), idx.negOff[i]);
  idx.idsKnown![i] = c;
}

function growRuns(idx: IndexData): void {
  const up = new Uint16Array(idx.runUpper.length * 2),
    st = new Uint32Array(idx.runStart.length * 2);
  up.set(idx.runUpper);
  st.set(idx.runStart);
  idx.runUpper = up;
  idx.runStart = st;
}

/** Anchor a's positives sorted by (distance, id), with their margin-independent hard counts. */
function indexPositives(idx: IndexData, i: number, a: number, row: Float32Array, members: Int32Array): void {
  const p0 = idx.posOff[i];
  const c = members.length - 1;
  const d = new Float32Array(c),
    id = new Int32Array(c);
  for (let q = 0, w = 0; q < members.length; q++)
    if (members[q] !== a) {
      id[w] = members[q];
      d[w] = row[members[q]];
      w++;
    }
  const order = Array.from({ length: c }, (_, q) => q);
  order.sort((u, v) => d[u] - d[v] || id[u] - id[v]);
  for (let q = 0; q < c; q++) {
    const dist = d[order[q]],
      bits = bitsOf(dist);
    idx.posDist[p0 + q] = dist;
    idx.posId[p0 + q] = id[order[q]];
    idx.hardLE[p0 + q] = countAtMost(idx, i, bits);
    idx.hardLT[p0 + q] = countAtMost(idx, i, bits - 1);
  }
}
