/**
 * A small embedding network trained with batch-hard triplet loss (Hermans, Beyer & Leibe 2017),
 * written on tfjs-core alone (no tfjs-layers): 784 -> hidden (ReLU) -> dim, L2-normalised output.
 * Weights are initialised from our seeded PRNG, and the cpu backend is deterministic, so the same
 * seed gives the same bytes.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node build registers no gradients (the tfjs umbrella does); the registries are global,
// so registering them from the ESM build serves this copy too.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
// A named use keeps bundlers from dropping the import (its package marks the node build side-effect free).
import { version_cpu as cpuBackendVersion } from '@tensorflow/tfjs-backend-cpu';
import { Rand } from './prng';

/** The trainable weights. */
export interface EmbeddingNet {
  w1: tf.Variable<tf.Rank.R2>;
  b1: tf.Variable<tf.Rank.R1>;
  w2: tf.Variable<tf.Rank.R2>;
  b2: tf.Variable<tf.Rank.R1>;
}

/** Selects the deterministic pure-JS backend; call once before anything else. */
export async function useCpuBackend(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error(`tfjs cpu backend ${cpuBackendVersion} failed to initialise`);
  await tf.ready();
}

/** He-uniform weights U(-a, a), a = sqrt(6 / fanIn): only sqrt, which is exactly rounded everywhere. */
function heUniform(rand: Rand, fanIn: number, fanOut: number): Float32Array {
  const a = Math.sqrt(6 / fanIn);
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * a;
  return w;
}

/** A fresh network with seeded weights and zero biases. */
export function createNet(rand: Rand, inDim: number, hidden: number, dim: number): EmbeddingNet {
  return {
    w1: tf.variable(tf.tensor2d(heUniform(rand, inDim, hidden), [inDim, hidden])),
    b1: tf.variable(tf.zeros([hidden]) as tf.Tensor1D),
    w2: tf.variable(tf.tensor2d(heUniform(rand, hidden, dim), [hidden, dim])),
    b2: tf.variable(tf.zeros([dim]) as tf.Tensor1D),
  };
}

/** Forward pass: B x inDim inputs in [0, 1] -> B x dim unit-length embeddings. */
export function embed(net: EmbeddingNet, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h = tf.relu(tf.add(tf.matMul(x, net.w1), net.b1));
    const z = tf.add(tf.matMul(h, net.w2), net.b2) as tf.Tensor2D;
    // Clamp the squared norm so a dead (all-zero) output does not divide by zero.
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-12));
    return tf.div(z, norm) as tf.Tensor2D;
  });
}

/** Which negative each anchor (or anchor-positive pair) trains against. */
export type Mining = 'batch-hard' | 'semi-hard';

/** Pairwise euclidean distances and the same-class / different-class masks of one batch. */
function batchGeometry(
  z: tf.Tensor2D,
  labels: tf.Tensor1D,
): { d: tf.Tensor2D; posMask: tf.Tensor2D; negMask: tf.Tensor2D } {
  const sq = tf.sum(tf.square(z), 1, true);
  const d2 = tf.add(tf.sub(sq, tf.mul(2, tf.matMul(z, z, false, true))), tf.transpose(sq));
  // sqrt'(0) is infinite: clamp so the (masked) diagonal cannot turn gradients into NaN.
  const d = tf.sqrt(tf.maximum(d2, 1e-12)) as tf.Tensor2D;
  const same = tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0));
  const eye = tf.cast(tf.eye(labels.shape[0]), 'bool');
  const posMask = tf.cast(tf.logicalAnd(same, tf.logicalNot(eye)), 'float32') as tf.Tensor2D;
  const negMask = tf.cast(tf.logicalNot(same), 'float32') as tf.Tensor2D;
  return { d, posMask, negMask };
}

/**
 * Batch-hard triplet loss (Hermans et al.): per anchor the farthest positive and the nearest
 * negative in the batch, `mean(max(0, m + max_p d(a,p) - min_n d(a,n)))`, d euclidean.
 */
export function batchHardLoss(z: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const { d, posMask, negMask } = batchGeometry(z, labels);
    // Distances are >= 0, so masking to 0 keeps the max over positives only; for the min over
    // negatives push non-negatives beyond the largest possible distance (2 on the unit sphere).
    const hardestPos = tf.max(tf.mul(d, posMask), 1);
    const hardestNeg = tf.min(tf.add(d, tf.mul(tf.sub(1, negMask), 4)), 1);
    return tf.mean(tf.relu(tf.add(tf.sub(hardestPos, hardestNeg), margin))) as tf.Scalar;
  });
}

/**
 * Semi-hard triplet loss as TensorFlow Addons' TripletSemiHardLoss (definitions.md): for each
 * (a, p) the nearest negative with d(a,n) > d(a,p), or the farthest negative when none is
 * farther; `max(0, m + d(a,p) - d(a,n))` averaged over all (a, p) pairs.
 */
export function semihardLoss(z: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const { d, posMask } = batchGeometry(z, labels);
    // The choice of negative is not differentiable (tfjs has no gradient for comparisons), so it
    // is made in plain JS on the distance values, as a one-hot [a, p, n] selector; a batched
    // matMul with row a of d then picks d(a, n*) differentiably (tf.gather's gradient is far slower).
    const b = labels.shape[0];
    const selector = tf.tensor3d(semihardSelector(d.dataSync(), labels.dataSync(), b), [b, b, b]);
    const chosen = tf.reshape(tf.matMul(selector, tf.expandDims(d, 2)), [b, b]);
    const losses = tf.mul(tf.relu(tf.add(tf.sub(d, chosen), margin)), posMask);
    return tf.div(tf.sum(losses), tf.maximum(tf.sum(posMask), 1)) as tf.Scalar;
  });
}

/**
 * For every (a, p) of a b x b distance matrix, a one-hot row over n marking TF Addons' semi-hard
 * negative: the nearest n of another class with d(a,n) > d(a,p), else the farthest one (an
 * all-zero row when the batch has no negative; such anchors are masked out by the caller).
 */
export function semihardSelector(d: ArrayLike<number>, labels: ArrayLike<number>, b: number): Float32Array {
  const sel = new Float32Array(b * b * b);
  for (let a = 0; a < b; a++) {
    for (let p = 0; p < b; p++) {
      const dp = d[a * b + p];
      let near = -1;
      let far = -1;
      for (let n = 0; n < b; n++) {
        if (labels[n] === labels[a]) continue;
        const dn = d[a * b + n];
        if (dn > dp && (near < 0 || dn < d[a * b + near])) near = n;
        if (far < 0 || dn > d[a * b + far]) far = n;
      }
      const pick = near >= 0 ? near : far;
      if (pick >= 0) sel[(a * b + p) * b + pick] = 1;
    }
  }
  return sel;
}

/** Embeds `count` rows of 8-bit images (rows listed in `rows`) in chunks; returns N x dim float32. */
export function embedRows(
  net: EmbeddingNet,
  pixels: Uint8Array,
  rows: Int32Array,
  inDim: number,
  dim: number,
): Float32Array {
  const out = new Float32Array(rows.length * dim);
  const chunk = 500;
  for (let s = 0; s < rows.length; s += chunk) {
    const part = rows.subarray(s, Math.min(rows.length, s + chunk));
    const x = toInput(pixels, part, inDim);
    const z = embed(net, x);
    out.set(z.dataSync() as Float32Array, s * dim);
    x.dispose();
    z.dispose();
  }
  return out;
}

/** Gathers rows of 8-bit pixels into a B x inDim float tensor scaled to [0, 1]. */
export function toInput(pixels: Uint8Array, rows: Int32Array, inDim: number): tf.Tensor2D {
  const x = new Float32Array(rows.length * inDim);
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * inDim;
    for (let j = 0; j < inDim; j++) x[i * inDim + j] = pixels[base + j] / 255;
  }
  return tf.tensor2d(x, [rows.length, inDim]);
}

/** One Adam step on a batch; returns the batch loss. */
export function trainStep(
  net: EmbeddingNet,
  optimizer: tf.Optimizer,
  x: tf.Tensor2D,
  labels: tf.Tensor1D,
  margin: number,
  mining: Mining,
): number {
  const vars = [net.w1, net.b1, net.w2, net.b2];
  const lossFn = mining === 'batch-hard' ? batchHardLoss : semihardLoss;
  const loss = optimizer.minimize(() => lossFn(embed(net, x), labels, margin), true, vars);
  const value = loss ? loss.dataSync()[0] : NaN;
  loss?.dispose();
  return value;
}
