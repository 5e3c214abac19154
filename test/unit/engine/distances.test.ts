/**
 * distanceRows against a float64 reference written here, for both kernels (plain JS and the
 * tfjs wasm GEMM): values, exact zeros (diagonal, duplicates), block independence, and
 * prepareEmbeddings' normalisation.
 */
import * as assert from 'node:assert/strict';
import {
  distanceRows,
  distanceRowsOf,
  initBackend,
  kernelFor,
  prepareEmbeddings,
  setKernelMode,
  setKernelShape,
} from '../../../src/engine/distances';
import type { DistanceKind, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';

/** The definition, in float64 on the float32 inputs. */
function reference(x: Float32Array, dim: number, i: number, j: number, kind: DistanceKind): number {
  let s = 0,
    dot = 0,
    ni = 0,
    nj = 0;
  for (let k = 0; k < dim; k++) {
    const a = x[i * dim + k],
      b = x[j * dim + k];
    s += (a - b) * (a - b);
    dot += a * b;
    ni += a * a;
    nj += b * b;
  }
  if (kind === 'cosine') return ni === 0 || nj === 0 ? (i === j ? 0 : 1) : 1 - dot / Math.sqrt(ni * nj);
  return kind === 'euclidean' ? Math.sqrt(s) : s;
}

function data(n: number, dim: number, seed: number, integer = false): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n * dim }, () => (integer ? Math.floor(r() * 7) - 3 : r() * 4 - 2));
}

const kinds: DistanceKind[] = ['euclidean', 'sqeuclidean', 'cosine'];

describe('distances', function () {
  this.timeout(30000);
  let hasTfjs = false;
  before(async () => {
    hasTfjs = (await initBackend()) !== 'js';
  });
  afterEach(() => {
    setKernelMode('auto');
    setKernelShape();
  });

  for (const mode of ['js', 'tfjs'] as const) {
    for (const kind of kinds) {
      it(`${mode} kernel, ${kind}: matches the float64 definition`, function () {
        if (mode === 'tfjs' && !hasTfjs) this.skip();
        setKernelMode(mode);
        const n = 97,
          dim = 33,
          x = data(n, dim, 1);
        x.copyWithin(5 * dim, 9 * dim, 10 * dim); // sample 5 duplicates sample 9
        const d = distanceRows(x, n, dim, 0, n, kind);
        // JS: one rounding of the float64 value. GEMM: a few float32 ulps on far pairs.
        const tol = mode === 'js' ? 0 : 2e-6;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const v = d[i * n + j],
              ref = i === j ? 0 : reference(x, dim, i, j, kind);
            assert.ok(v >= 0, 'never negative');
            if (tol === 0 && kind !== 'cosine') assert.equal(v, Math.fround(ref), `(${i},${j})`);
            else
              assert.ok(Math.abs(v - ref) <= Math.max(tol, 2 ** -22) * Math.max(1, ref), `(${i},${j}): ${v} vs ${ref}`);
          }
          assert.equal(d[i * n + i], 0, 'diagonal exactly 0');
        }
        assert.equal(d[5 * n + 9], 0, 'duplicates exactly 0');
        assert.equal(d[9 * n + 5], 0);
      });
    }
  }

  it('tfjs kernel: integer embeddings give exact squared distances (ties stay ties)', function () {
    if (!hasTfjs) this.skip();
    setKernelMode('tfjs');
    const n = 80,
      dim = 6,
      x = data(n, dim, 2, true);
    const d = distanceRows(x, n, dim, 0, n, 'sqeuclidean');
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) assert.equal(d[i * n + j], reference(x, dim, i, j, 'sqeuclidean'));
  });

  it('a row does not depend on the block it was computed in (so workers agree)', function () {
    for (const mode of hasTfjs ? (['js', 'tfjs'] as const) : (['js'] as const)) {
      setKernelMode(mode);
      const n = 150,
        dim = 20,
        x = data(n, dim, 3);
      for (const kind of kinds) {
        const whole = distanceRows(x, n, dim, 0, n, kind);
        for (const [s, e] of [
          [0, 1],
          [7, 8],
          [40, 113],
          [149, 150],
        ]) {
          assert.deepEqual(
            distanceRows(x, n, dim, s, e, kind),
            whole.subarray(s * n, e * n),
            `${mode} ${kind} [${s},${e})`,
          );
        }
      }
    }
  });

  it('the cut of the GEMM (rows per call, column tiles) and the row order change no bit', function () {
    if (!hasTfjs) this.skip();
    setKernelMode('tfjs');
    const n = 301,
      dim = 37,
      x = data(n, dim, 5);
    for (const kind of kinds) {
      setKernelShape();
      const whole = distanceRows(x, n, dim, 0, n, kind);
      for (const s of [
        { gemmRows: 1, tileColumns: 7 },
        { gemmRows: 5, tileColumns: 64 },
        { gemmRows: 300, tileColumns: 300 },
        { gemmRows: 128, tileColumns: 1 },
      ]) {
        setKernelShape(s);
        assert.deepEqual(distanceRows(x, n, dim, 0, n, kind), whole, `${kind} ${JSON.stringify(s)}`);
        const ids = Int32Array.from([300, 3, 3, 150, 0]);
        const some = distanceRowsOf(x, n, dim, ids, kind);
        ids.forEach((id, r) =>
          assert.deepEqual(
            some.subarray(r * n, (r + 1) * n),
            whole.subarray(id * n, (id + 1) * n),
            `${kind} row ${id}`,
          ),
        );
      }
    }
  });

  it('samples as the left or the right GEMM operand give the same bits (every kind, odd sizes, near pairs)', function () {
    if (!hasTfjs) this.skip();
    setKernelMode('tfjs');
    for (const [n, dim] of [
      [301, 37],
      [1000, 128],
      [777, 5],
    ]) {
      const x = data(n, dim, 6 + dim);
      x.copyWithin(4 * dim, 9 * dim, 10 * dim); // a duplicate: the exact recompute path
      for (const kind of kinds) {
        setKernelShape({ samplesLeftBytes: Infinity });
        const right = distanceRows(x, n, dim, 0, n, kind);
        for (const s of [
          { samplesLeftBytes: 0 },
          { samplesLeftBytes: 0, gemmRows: 7, tileColumns: 100 },
          { samplesLeftBytes: 0, gemmRows: 1 },
        ]) {
          setKernelShape(s);
          assert.deepEqual(
            distanceRows(x, n, dim, 0, n, kind),
            right,
            `${kind} n=${n} dim=${dim} ${JSON.stringify(s)}`,
          );
        }
      }
    }
  });

  it('the automatic choice depends only on the problem size', () => {
    assert.equal(kernelFor(10, 4), 'js');
    if (hasTfjs) assert.equal(kernelFor(5000, 128), 'tfjs');
  });

  it('prepareEmbeddings copies, normalises rows, keeps zero rows zero', () => {
    const input: EngineInput = {
      embeddings: Float32Array.from([3, 4, 0, 0, 1, 0]),
      n: 3,
      dim: 2,
      labels: new Int32Array(3),
      classes: 1,
    };
    const y = prepareEmbeddings(input, true);
    assert.deepEqual(Array.from(y), [0.6, 0.8, 0, 0, 1, 0].map(Math.fround));
    assert.deepEqual(Array.from(input.embeddings), [3, 4, 0, 0, 1, 0]);
    assert.notEqual(prepareEmbeddings(input, false), input.embeddings);
  });

  it('rejects a bad row range and a short output buffer', () => {
    const x = data(4, 2, 4);
    assert.throws(() => distanceRows(x, 4, 2, 3, 5, 'euclidean'), RangeError);
    assert.throws(() => distanceRows(x, 4, 2, 0, 4, 'euclidean', new Float32Array(3)), RangeError);
  });
});
