/**
 * Checks on what the host sends before the panel uses it: array types and lengths must match the
 * dataset's n, so a bad message is logged and ignored instead of drawing garbage. Pure.
 * Each function returns null when the value is usable, else a short reason.
 */
import type { CensusView, DatasetView, ToProjection } from '../../src/shared/protocol';

/** A 'layoutChunk' message. */
export type LayoutChunk = Extract<ToProjection, { type: 'layoutChunk' }>;

/** Typed-array check that also holds across realms (frames), unlike instanceof. */
export function isTypedArray(value: unknown, name: 'Int32Array' | 'Uint8Array' | 'Float32Array'): boolean {
  return Object.prototype.toString.call(value) === `[object ${name}]`;
}

/** A dataset is usable when its per-sample arrays all have length n. */
export function validateDataset(d: DatasetView): string | null {
  if (!d || typeof d.id !== 'string') return 'no id';
  if (!Number.isInteger(d.n) || d.n < 0) return `bad n ${d.n}`;
  if (!isTypedArray(d.labels, 'Int32Array') || d.labels.length !== d.n)
    return 'labels must be an Int32Array of length n';
  if (!Array.isArray(d.classNames)) return 'classNames missing';
  if (!Array.isArray(d.imageUris) || (d.imageUris.length !== d.n && d.imageUris.length !== 0))
    return 'imageUris must have length n (or 0)';
  if (!Array.isArray(d.imageDirs) || !d.imageDirs.every((u) => typeof u === 'string'))
    return 'imageDirs must be strings';
  if (!isTypedArray(d.imageDir, 'Int32Array') || (d.imageDir.length !== d.n && d.imageDir.length !== 0))
    return 'imageDir must be an Int32Array of length n (or 0: no sample files)';
  if (d.imageDir.some((k) => k < -1 || k >= d.imageDirs.length)) return 'imageDir points past imageDirs';
  if (!Array.isArray(d.sampleTitles) || (d.sampleTitles.length !== d.n && d.sampleTitles.length !== 0))
    return 'sampleTitles must have length n (or 0: no sample files)';
  if (d.imageDir.length > 0 && d.sampleTitles.length !== d.n) return 'imageDir needs the sample titles (file names)';
  if (d.sprite !== undefined) {
    const s = d.sprite,
      ints = [s.width, s.height, s.cellWidth, s.cellHeight, s.columns];
    if (typeof s.uri !== 'string' || !s.uri || !ints.every((v) => Number.isInteger(v) && v > 0))
      return 'sprite needs a uri and positive integer sizes';
    if (s.columns * s.cellWidth > s.width || Math.ceil(d.n / s.columns) * s.cellHeight > s.height)
      return `sprite of ${s.width} x ${s.height} px cannot hold ${d.n} cells of ${s.cellWidth} x ${s.cellHeight} in ${s.columns} columns`;
  }
  return null;
}

/** A layout is usable when it is a Float32Array of n * dims values (dims 2 or 3). */
export function validateLayout(layout: Float32Array, dims: number, n: number): string | null {
  if (!isTypedArray(layout, 'Float32Array')) return 'layout must be a Float32Array';
  if (dims !== 2 && dims !== 3) return `dims must be 2 or 3, got ${dims}`;
  if (layout.length !== n * dims) return `layout has ${layout.length} values, expected ${n * dims}`;
  return null;
}

/**
 * A chunk of a layout sent in pieces is usable when it is the next one expected (`offset` = the
 * points received so far, for a layout of the dataset's n points), a Float32Array of a whole number
 * of points (dims 2 or 3) that does not run past n, and not empty unless the layout is.
 */
export function validateLayoutChunk(c: LayoutChunk, n: number, expectedOffset: number): string | null {
  if (!c || !Number.isInteger(c.layoutId)) return 'chunk without a layoutId';
  if (c.kind !== 'umap' && c.kind !== 'pca' && c.kind !== 'own') return `unknown layout kind ${String(c.kind)}`;
  if (c.dims !== 2 && c.dims !== 3) return `dims must be 2 or 3, got ${c.dims}`;
  if (c.n !== n) return `chunk of a layout of ${c.n} points, the dataset has ${n}`;
  if (!isTypedArray(c.data, 'Float32Array')) return 'chunk data must be a Float32Array';
  if (c.offset !== expectedOffset) return `chunk at point ${c.offset}, expected ${expectedOffset}`;
  if (c.data.length % c.dims !== 0)
    return `chunk of ${c.data.length} values is not a whole number of ${c.dims}-d points`;
  const count = c.data.length / c.dims;
  if (count === 0 && n > 0) return 'empty chunk';
  if (c.offset + count > n) return `chunk runs to point ${c.offset + count}, past n = ${n}`;
  return null;
}

/** A census is usable when its per-sample arrays have the right types and length n. */
export function validateCensus(c: CensusView, n: number): string | null {
  if (!c || !c.settings || !c.counts) return 'settings or counts missing';
  const arrays: [string, unknown, 'Int32Array' | 'Uint8Array' | 'Float32Array'][] = [
    ['category', c.category, 'Uint8Array'],
    ['lossAsAnchor', c.lossAsAnchor, 'Float32Array'],
    ['violAsAnchor', c.violAsAnchor, 'Float32Array'],
    ['violAsPositive', c.violAsPositive, 'Float32Array'],
    ['violAsNegative', c.violAsNegative, 'Float32Array'],
    ['nearestImpostor', c.nearestImpostor, 'Int32Array'],
  ];
  for (const [name, value, type] of arrays) {
    if (!isTypedArray(value, type) || (value as ArrayLike<number>).length !== n)
      return `${name} must be a ${type} of length n`;
  }
  if (!Array.isArray(c.worst)) return 'worst missing';
  for (const r of c.worst)
    for (const i of [r.anchor, r.positive, r.negative])
      if (!Number.isInteger(i) || i < 0 || i >= n) return `worst triplet index ${i} out of range`;
  return null;
}
