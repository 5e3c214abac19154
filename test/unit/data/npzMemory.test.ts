/**
 * Issue 17, item 2: a compressed .npz costs about its decompressed data in memory, once. The
 * fixture npz/large_zeros.npz (NumPy's savez_compressed: 256 MiB of float32 zeros, an int64
 * labels array and two small arrays, 257 KB on disk) is loaded in a fresh Node process — this
 * same bundle, started with EI_NPZ_PEAK — whose peak resident memory (getrusage's maxRSS) is
 * measured before and after. Unneeded members are not inflated, and the budget counts the
 * decompressed size before anything is inflated.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import { loadDataset } from '../../../src/data/index';
import { InputError } from '../../../src/shared/dataset';
import { cases, expectError, fixture } from './fixtures';

const LARGE = fixture('npz/large_zeros.npz');
const MiB = 1024 * 1024;

/** Child mode: load the large array and report the peak RSS growth, in bytes, on stdout. */
async function child(): Promise<void> {
  // Warm up on the small arrays of the same file: code, zlib's threads and heap are then in place.
  await loadDataset(LARGE, { embeddingsKey: 'small', labelsKey: 'small_labels' });
  const base = process.resourceUsage().maxRSS * 1024;
  const d = await loadDataset(LARGE);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({
      growth: peak - base,
      n: d.n,
      dim: d.dim,
      data: d.embeddings.byteLength,
      classes: d.classNames.length,
      shared: d.embeddings.buffer instanceof SharedArrayBuffer,
    }),
  );
}

if (process.env.EI_NPZ_PEAK) {
  child().catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exitCode = 1;
  });
} else {
  describe('data/npz memory: decompressed once, straight into the array (issue 17)', function () {
    this.timeout(120_000);

    it('the fixture is what NumPy wrote: 256 MiB of float32 zeros behind a 257 KB file', () => {
      const large = (
        cases as unknown as { large: { file: string; arrays: Record<string, { dtype: string; shape: number[] }> }[] }
      ).large[0];
      assert.deepStrictEqual(large.arrays.embeddings, { dtype: '<f4', shape: [65536, 1024] });
    });

    it('loading it peaks at about 1x the data (was 2x: inflated, then copied), in memory the workers share', () => {
      const r = spawnSync(process.execPath, [__filename], {
        env: { ...process.env, EI_NPZ_PEAK: '1' },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.strictEqual(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as {
        growth: number;
        n: number;
        dim: number;
        data: number;
        classes: number;
        shared: boolean;
      };
      assert.deepStrictEqual([got.n, got.dim, got.data, got.classes], [65536, 1024, 256 * MiB, 8]);
      // In shared memory already, so handing it to the analysis workers (shareDataset) copies nothing.
      assert.strictEqual(got.shared, true, 'the embeddings are inflated into shared memory');
      assert.ok(
        got.growth < 1.3 * got.data,
        `peak grew by ${(got.growth / MiB).toFixed(0)} MiB for ${(got.data / MiB).toFixed(0)} MiB of data`,
      );
    });

    it('members that are not needed are not inflated, nor counted against the budget', async () => {
      const t0 = Date.now();
      const d = await loadDataset(LARGE, { embeddingsKey: 'small', labelsKey: 'small_labels', maxBytes: 1 * MiB });
      assert.deepStrictEqual([d.n, d.dim, d.classNames], [4, 2, ['0', '1']]);
      assert.ok(Date.now() - t0 < 2000, 'inflating 256 MiB would take longer');
    });

    it('the decompressed size counts against the budget before anything is inflated', async () => {
      const before = process.memoryUsage().arrayBuffers;
      const err = await expectError(
        () => loadDataset(LARGE, { maxBytes: 128 * MiB }),
        InputError,
        "arrays 'embeddings' and 'labels' decompressed are 257 MB, more than the memory budget of 128 MB; not read",
      );
      assert.strictEqual((err as InputError).file, LARGE);
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * MiB);
    });
  });
}
