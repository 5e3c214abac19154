/**
 * Random-projection trees, as pynndescent's `rp_trees.py` (`euclidean_random_projection_split`,
 * `make_dense_tree`) builds them to seed NN-descent: split a node by the hyperplane halfway
 * between two of its points chosen at random, recurse until a node holds at most `leafSize`
 * points. Points that share a leaf are likely neighbours, so all pairs in each leaf make a good
 * first guess of the kNN graph.
 *
 * Only the leaves are needed (the forest is never searched), so a tree is built by partitioning
 * one permutation array in place, quicksort-style, and each leaf is handed to the caller as a
 * range of that array the moment it is found: O(n) memory per tree, nothing kept afterwards.
 * Pure: no `vscode`, no DOM, no tfjs.
 */

/** pynndescent's "nearly zero" margin: a point this close to the hyperplane goes to a random side. */
const EPS = 1e-8;
/** pynndescent's max_depth: deeper nodes (only reachable with pathological data) become leaves. */
const MAX_DEPTH = 200;

/** Scratch buffers for `rpTreeLeaves`, reused across the trees of a forest. */
export class RpTreeScratch {
  /** The permutation the tree partitions; leaves are ranges of it. */
  readonly perm: Int32Array;
  /** Which side each position of the node being split goes to (0 left, 1 right). */
  private readonly side: Uint8Array;
  /** The current hyperplane's normal (float64: it is read dim times per point). */
  readonly normal: Float64Array;

  constructor(n: number, dim: number) {
    this.perm = new Int32Array(n);
    this.side = new Uint8Array(n);
    this.normal = new Float64Array(dim);
  }

  /** Sides of perm[start..end) against the hyperplane through the midpoint of rows l and r; returns how many go left.
   */
  assignSides(
    x: Float32Array,
    dim: number,
    start: number,
    end: number,
    l: number,
    r: number,
    random: () => number,
  ): number {
    const h = this.normal,
      perm = this.perm,
      side = this.side;
    let offset = 0;
    for (let d = 0; d < dim; d++) {
      const a = x[l * dim + d],
        b = x[r * dim + d];
      h[d] = a - b;
      offset -= (h[d] * (a + b)) / 2;
    }
    const dim4 = dim - (dim & 3);
    let nLeft = 0;
    for (let i = start; i < end; i++) {
      const o = perm[i] * dim;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let d = 0;
      for (; d < dim4; d += 4) {
        s0 += h[d] * x[o + d];
        s1 += h[d + 1] * x[o + d + 1];
        s2 += h[d + 2] * x[o + d + 2];
        s3 += h[d + 3] * x[o + d + 3];
      }
      for (; d < dim; d++) s0 += h[d] * x[o + d];
      const margin = offset + (s0 + s1) + (s2 + s3);
      const left = Math.abs(margin) < EPS ? random() < 0.5 : margin > 0;
      side[i] = left ? 0 : 1;
      if (left) nLeft++;
    }
    const size = end - start;
    if (nLeft === 0 || nLeft === size) {
      // Every point on one side: the points (nearly) coincide along this direction, so any
      // split is as good as another; split at random, and in the middle if even that fails.
      nLeft = 0;
      for (let i = start; i < end; i++) {
        const left = random() < 0.5;
        side[i] = left ? 0 : 1;
        if (left) nLeft++;
      }
      if (nLeft === 0 || nLeft === size) {
        nLeft = size >> 1;
        for (let i = start; i < end; i++) side[i] = i - start < nLeft ? 0 : 1;
      }
    }
    return nLeft;
  }

  /** Moves the left points of perm[start..end) before the right ones (two pointers, not stable). */
  partition(start: number, end: number): void {
    const perm = this.perm,
      side = this.side;
    let i = start,
      j = end - 1;
    for (;;) {
      while (i < j && side[i] === 0) i++;
      while (i < j && side[j] === 1) j--;
      if (i >= j) return;
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      side[i] = 0;
      side[j] = 1;
    }
  }
}

/**
 * Builds one random-projection tree over all n rows of x (row-major n x dim) and yields every
 * leaf as [start, end): its points are `scratch.perm[start..end)`, valid until the next leaf is
 * asked for. Leaves come depth first, left before right, so `end / n` is the share of the tree
 * done; `random` decides everything, so a seeded generator gives the same leaves every time. A
 * generator, so the caller can pause between leaves (progress, cancellation).
 */
export function* rpTreeLeaves(
  x: Float32Array,
  n: number,
  dim: number,
  leafSize: number,
  random: () => number,
  scratch: RpTreeScratch,
): Generator<[number, number]> {
  const perm = scratch.perm;
  for (let i = 0; i < n; i++) perm[i] = i;
  // Explicit stack of (start, end, depth): a degenerate tree must not overflow the call stack.
  const stack: number[] = [0, n, 0];
  while (stack.length) {
    const depth = stack.pop()!,
      end = stack.pop()!,
      start = stack.pop()!;
    const size = end - start;
    if (size <= leafSize || depth >= MAX_DEPTH) {
      if (size > 0) yield [start, end];
      continue;
    }
    const a = start + Math.floor(random() * size);
    let b = start + Math.floor(random() * (size - 1));
    if (b >= a) b++;
    const nLeft = scratch.assignSides(x, dim, start, end, perm[a], perm[b], random);
    scratch.partition(start, end);
    // Right pushed first so the left child is visited first.
    stack.push(start + nLeft, end, depth + 1, start, start + nLeft, depth + 1);
  }
}

/**
 * Trees in the forest: pynndescent's own default, max(3, min(12, round(2 log10 n))) (10 at
 * n = 100 000). umap-learn asks for more (5 + sqrt(n) / 20: 21 at 100 000, 55 at 1 000 000), but
 * measured here the extra trees cost more time than the NN-descent iterations they save, for
 * the same recall (bench/nnDescent.ts).
 */
export function defaultTrees(n: number): number {
  return Math.max(3, Math.min(12, Math.round(2 * Math.log10(Math.max(1, n)))));
}
