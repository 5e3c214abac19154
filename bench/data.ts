/**
 * Synthetic benchmark data shared by the benches: N samples of Gaussian classes (unit spread
 * around unit-variance centres), seeded. A module of its own, without a main, so importing it
 * never starts another bench.
 */
import type { EngineInput } from '../src/engine/types';
import { rng } from '../test/helpers/rng';

/** N samples of `classes` Gaussian classes in `dim` dimensions (labels i % classes). */
export function gaussianClasses(n: number, dim = 128, classes = 100, seed = 1): EngineInput {
  const r = rng(seed),
    g = (): number => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
  const centers = Float32Array.from({ length: classes * dim }, g);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < dim; k++) embeddings[i * dim + k] = centers[labels[i] * dim + k] + g();
  return { embeddings, n, dim, labels, classes };
}
