import type { EngineInput } from '../../src/engine/types';
import { rng } from './rng';

/**
 * A seeded census test input: every class present (the first `classes` samples take one each),
 * coordinates in [-1, 1) shifted by class; `integer` gives coordinates in {-1, 0, 1, 2}, so
 * squared distances are integers and t == m, t == 0 ties are everywhere.
 */
export function makeInput(n: number, dim: number, classes: number, seed: number, integer = false): EngineInput {
  const r = rng(seed);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i < classes ? i : Math.floor(r() * classes);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < n * dim; i++)
    embeddings[i] = integer ? Math.floor(r() * 4) - 1 : r() * 2 - 1 + (labels[Math.floor(i / dim)] % 3) * 0.3;
  return { embeddings, n, dim, labels, classes };
}
