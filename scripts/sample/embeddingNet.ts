/**
 * A small embedding network trained with batch-hard triplet loss (Hermans, Beyer & Leibe 2017),
 * written on tfjs-core alone (no tfjs-layers): 784 -> hidden (ReLU) -> dim, L2-normalised output.
 * Weights are initialised from our seeded PRNG, and the cpu backend is deterministic, so the same
 * seed gives the same bytes.
 */
import * as tf from '@tensorflow/tfjs-core';
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

/**
 * Batch-hard triplet loss: per anchor the farthest positive and the nearest negative in the batch,
 * `mean(max(0, m + max_p d(a,p) - min_n d(a,n)))`, d euclidean on the normalised embeddings.
 * `labels` is a B-vector of class ids; every class in the batch must have >= 2 members.
 */
export function batchHardLoss(z: tf.Tensor2D, labels: tf.Tensor1D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(z), 1, true);
    const d2 = tf.add(tf.sub(sq, tf.mul(2, tf.matMul(z, z, false, true))), tf.transpose(sq));
    // sqrt'(0) is infinite: clamp so the (masked) diagonal cannot turn gradients into NaN.
    const d = tf.sqrt(tf.maximum(d2, 1e-12));
    const same = tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0));
    const eye = tf.cast(tf.eye(labels.shape[0]), 'bool');
    const posMask = tf.cast(tf.logicalAnd(same, tf.logicalNot(eye)), 'float32');
    const negMask = tf.cast(tf.logicalNot(same), 'float32');
    // Distances are >= 0, so masking to 0 keeps the max over positives only; for the min over
    // negatives push non-negatives beyond the largest possible distance (2 on the unit sphere).
    const hardestPos = tf.max(tf.mul(d, posMask), 1);
    const hardestNeg = tf.min(tf.add(d, tf.mul(tf.sub(1, negMask), 4)), 1);
    return tf.mean(tf.relu(tf.add(tf.sub(hardestPos, hardestNeg), margin))) as tf.Scalar;
  });
}

/** Embeds `count` rows of 8-bit images (rows listed in `rows`) in chunks; returns N x dim float32. */
export function embedRows(net: EmbeddingNet, pixels: Uint8Array, rows: Int32Array, inDim: number, dim: number): Float32Array {
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
export function trainStep(net: EmbeddingNet, optimizer: tf.Optimizer, x: tf.Tensor2D, labels: tf.Tensor1D, margin: number): number {
  const vars = [net.w1, net.b1, net.w2, net.b2];
  const loss = optimizer.minimize(() => batchHardLoss(embed(net, x), labels, margin), true, vars);
  const value = loss ? loss.dataSync()[0] : NaN;
  loss?.dispose();
  return value;
}
