/** The layout cache: content keys, atomic files NumPy can read, corrupt files ignored and replaced. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { layoutCacheKey, readCachedLayout, readCachedNote, writeCachedLayout } from '../../../src/projection/cache';

describe('projection: layout cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-layout-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const emb = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));

  it('keys on the content and the parameters that change the layout', () => {
    const k = layoutCacheKey(emb, {});
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(layoutCacheKey(Float32Array.from(emb), {}), k, 'same bytes, same key');
    assert.equal(
      layoutCacheKey(emb, { nNeighbors: 15, minDist: 0.1, seed: 42, distance: 'euclidean', normalize: false }),
      k,
      'defaults filled in',
    );
    assert.equal(layoutCacheKey(emb, { distance: 'sqeuclidean' }), k, 'same neighbours as euclidean');
    assert.equal(
      layoutCacheKey(emb, { distance: 'cosine' }),
      layoutCacheKey(emb, { normalize: true }),
      'cosine = euclidean on unit rows',
    );
    const changed = Float32Array.from(emb);
    changed[17] += 1e-6;
    const others = [
      layoutCacheKey(changed, {}),
      layoutCacheKey(emb, { seed: 43 }),
      layoutCacheKey(emb, { minDist: 0.2 }),
      layoutCacheKey(emb, { nNeighbors: 16 }),
      layoutCacheKey(emb, { nEpochs: 10 }),
      layoutCacheKey(emb, { normalize: true }),
      layoutCacheKey(emb, new Int32Array(10), {}),
      layoutCacheKey(emb, { alignedInit: new Float32Array(20) }),
      layoutCacheKey(emb.subarray(0, 38), {}),
    ];
    assert.equal(new Set([k, ...others]).size, others.length + 1);
    assert.equal(layoutCacheKey(emb, Int32Array.from([1, 2]), {}), layoutCacheKey(emb, Int32Array.from([1, 2]), {}));
  });

  it('writes a file NumPy reads as N x 2 float32 and reads it back', async () => {
    const layout = Float32Array.from([0.5, -1.25, 3e10, 7, -0, 1e-30]);
    const key = layoutCacheKey(emb, {});
    await writeCachedLayout(dir, key, layout);
    assert.deepEqual(fs.readdirSync(dir), [`${key}.npy`], 'no temporary file left behind');
    assert.deepEqual(await readCachedLayout(dir, key, 3), layout);
    const py = `import numpy as np, sys\na = np.load(sys.argv[1])\nprint(a.dtype, a.shape, ' '.join(repr(float(v)) for v in a.ravel()))`;
    const out = execFileSync('python3', ['-c', py, path.join(dir, `${key}.npy`)], { encoding: 'utf8' }).trim();
    assert.equal(out, 'float32 (3, 2) 0.5 -1.25 30000001024.0 7.0 -0.0 1.0000000031710769e-30');
  });

  it('reads what NumPy writes', async () => {
    const key = 'a'.repeat(64);
    execFileSync('python3', [
      '-c',
      `import numpy as np; np.save(${JSON.stringify(path.join(dir, `${key}.npy`))}, np.array([[1, 2], [3, 4.5]], dtype=np.float32))`,
    ]);
    assert.deepEqual(await readCachedLayout(dir, key), Float32Array.from([1, 2, 3, 4.5]));
  });

  it('treats a missing, corrupt or mismatched file as absent, removes it, and a write replaces it', async () => {
    const key = layoutCacheKey(emb, { seed: 1 });
    assert.equal(await readCachedLayout(dir, key), undefined, 'missing');
    const file = path.join(dir, `${key}.npy`);
    fs.writeFileSync(file, 'not a layout');
    assert.equal(await readCachedLayout(dir, key), undefined, 'garbage');
    assert.equal(fs.existsSync(file), false, 'the corrupt file is removed');
    await writeCachedLayout(dir, key, Float32Array.from([1, 2, 3, 4]));
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, good.subarray(0, good.length - 3));
    assert.equal(await readCachedLayout(dir, key), undefined, 'truncated');
    await writeCachedLayout(dir, key, Float32Array.from([1, 2, 3, 4]));
    assert.equal(await readCachedLayout(dir, key, 3), undefined, 'other n');
    await writeCachedLayout(dir, key, Float32Array.from([1, 2, 3, NaN]));
    assert.equal(await readCachedLayout(dir, key), undefined, 'non-finite');
    await writeCachedLayout(dir, key, Float32Array.from([5, 6]));
    assert.deepEqual(await readCachedLayout(dir, key, 1), Float32Array.from([5, 6]));
  });

  it("keeps a layout's note beside it (a cached layout keeps its caption), and none when written without", async () => {
    const key = 'b'.repeat(64);
    assert.equal(await readCachedNote(dir, key), '', 'no note before any write');
    const note = 'approximate neighbours (NN-descent, recall ≈ 0.87)';
    await writeCachedLayout(dir, key, Float32Array.from([1, 2]), note);
    assert.equal(await readCachedNote(dir, key), note);
    assert.deepEqual(await readCachedLayout(dir, key, 1), Float32Array.from([1, 2]));
    await writeCachedLayout(dir, key, Float32Array.from([3, 4]));
    assert.equal(await readCachedNote(dir, key), '', 'a layout written without a note has none');
    assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith('.note')), 'its old note is removed');
    // An unreadable layout goes with its note; a note left without its layout goes at the next write.
    await writeCachedLayout(dir, key, Float32Array.from([1, 2]), note);
    fs.writeFileSync(path.join(dir, `${key}.npy`), 'garbage');
    assert.equal(await readCachedLayout(dir, key), undefined);
    assert.deepEqual(fs.readdirSync(dir), [], 'the layout and its note removed');
    fs.writeFileSync(path.join(dir, `${'c'.repeat(64)}.note`), 'orphan');
    await writeCachedLayout(dir, key, Float32Array.from([1, 2]));
    assert.deepEqual(fs.readdirSync(dir), [`${key}.npy`], 'the orphan note pruned');
  });

  it('refuses keys that are not hashes (no path tricks)', async () => {
    await assert.rejects(readCachedLayout(dir, '../x'), RangeError);
    await assert.rejects(writeCachedLayout(dir, 'x/../../y', new Float32Array(2)), RangeError);
  });
});
