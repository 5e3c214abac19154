/**
 * Query / gallery retrieval (Market-1501 protocol) against a hand-computed case and against a
 * brute-force reference written here from torchreid's eval_market1501 (full sort of the gallery,
 * junk removed, cumsum CMC, AP = mean precision at each correct rank), on random data with
 * identities, cameras and many ties.
 */
import * as assert from 'node:assert/strict';
import { distanceRowsOf, initBackend, prepareEmbeddings, setKernelMode } from '../../../src/engine/distances';
import {
  queryGalleryMetrics,
  queryGalleryRows,
  summarizeQueryGallery,
  type QueryGallerySpec,
} from '../../../src/engine/queryGallery';
import type { DistanceKind, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';
import { market1501Reference as reference, type Dist } from '../../helpers/market1501Reference';

/** Float64 distance between two rows of plain numbers. */
function plainDistance(x: Float32Array, dim: number, kind: DistanceKind): Dist {
  return (i, j) => {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const d = x[i * dim + k] - x[j * dim + k];
      s += d * d;
    }
    return kind === 'euclidean' ? Math.sqrt(s) : s;
  };
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);
}

describe('query / gallery retrieval (Market-1501 protocol)', () => {
  // Hand-computed, 1-D, euclidean. Rows: 0..2 queries, 3..7 gallery.
  //   q0 x=0   id A cam 1      g0 x=1 A cam 1 (junk for q0)   g1 x=2 C cam 2   g2 x=3 A cam 2
  //   q1 x=4.5 id B cam 2      g3 x=4 B cam 1                 g4 x=5 A cam 3
  //   q2 x=0   id D cam 1      (no D in the gallery: skipped)
  // q0: distances g0 1 (removed), g1 2 (C), g2 3 (A), g3 4 (B), g4 5 (A): kept order C, A*, B, A*;
  //     matches at ranks 2 and 4 -> first match 2, AP = (1/2 + 2/4) / 2 = 0.5.
  // q1: g3 and g4 both at 0.5: the tie goes to the smaller gallery position, g3 (B*) -> rank 1,
  //     the only match, AP = 1 (the other tie order would give rank 2, AP 0.5).
  // CMC@1 = 1/2 (q1), CMC@5 = CMC@10 = 1, mAP = (0.5 + 1) / 2 = 0.75, valid queries 2 of 3.
  // Without cameras q0's g0 is a match: ranks 1, 3, 5 -> AP = (1 + 2/3 + 3/5) / 3 = 34/45.
  const A = 0,
    B = 1,
    C = 2,
    D = 3;
  const tiny: EngineInput = {
    embeddings: Float32Array.from([0, 4.5, 0, 1, 2, 3, 4, 5]),
    n: 8,
    dim: 1,
    labels: Int32Array.from([A, B, D, A, C, A, B, A]),
    classes: 4,
  };
  const spec: QueryGallerySpec = {
    queries: Int32Array.from([0, 1, 2]),
    gallery: Int32Array.from([3, 4, 5, 6, 7]),
    cameras: Int32Array.from([1, 2, 1, 1, 2, 2, 1, 3]),
  };

  it('matches the hand-computed case (junk removed, tie by gallery position, a skipped query)', async () => {
    const rows = await queryGalleryRows(tiny, spec, { distance: 'euclidean', normalize: false });
    assert.deepEqual([...rows.firstMatch], [2, 1, 0]);
    assert.deepEqual([...rows.ap].slice(0, 2), [0.5, 1]);
    assert.ok(Number.isNaN(rows.ap[2]));
    const r = summarizeQueryGallery(spec, [rows]);
    assert.deepEqual(r, {
      queries: 3,
      gallery: 5,
      validQueries: 2,
      rank1: 0.5,
      rank5: 1,
      rank10: 1,
      mAP: 0.75,
      cameras: true,
    });
  });

  it('without cameras removes nothing (hand-computed)', async () => {
    const r = await queryGalleryMetrics(
      tiny,
      { ...spec, cameras: undefined },
      { distance: 'sqeuclidean', normalize: false },
    );
    close(r.mAP, (34 / 45 + 1) / 2, 'mAP');
    assert.equal(r.rank1, 1);
    assert.equal(r.validQueries, 2);
    assert.equal(r.cameras, false);
  });

  it('never matches a query with its own row (query value = gallery value: leave-one-out)', async () => {
    const all = Int32Array.from({ length: 8 }, (_, i) => i);
    const r = await queryGalleryRows(tiny, { queries: all, gallery: all }, { distance: 'euclidean', normalize: false });
    // Row 0 (A at 0), itself left out: row 2 (D, 0), row 3 (A*, 1), row 4 (C, 2), row 5 (A*, 3),
    // row 6 (B, 4), row 1 (B, 4.5), row 7 (A*, 5): matches at ranks 2, 4, 7 -> AP = (1/2 + 2/4 + 3/7) / 3.
    close(r.ap[0], (1 / 2 + 2 / 4 + 3 / 7) / 3, 'AP of row 0');
    assert.equal(r.firstMatch[2], 0, 'D has no other sample');
  });

  for (const kind of ['euclidean', 'sqeuclidean'] as DistanceKind[]) {
    it(`equals the brute-force reference on random data with ties (${kind}, integer grid)`, async () => {
      for (let trial = 0; trial < 6; trial++) {
        const r = rng(100 + trial),
          n = 90 + trial * 17,
          dim = 3,
          ids = 6 + trial,
          cams = 2 + (trial % 3);
        const emb = Float32Array.from({ length: n * dim }, () => Math.floor(r() * 5) - 2);
        const labels = Int32Array.from({ length: n }, () => Math.floor(r() * ids));
        const cameras = Int32Array.from({ length: n }, () => Math.floor(r() * cams));
        const role = Array.from({ length: n }, () => r()); // < 0.25 query, else gallery; a few both
        const queries = Int32Array.from([...role.keys()].filter((i) => role[i] < 0.25 || role[i] > 0.97));
        const gallery = Int32Array.from([...role.keys()].filter((i) => role[i] >= 0.25));
        const input: EngineInput = { embeddings: emb, n, dim, labels, classes: ids };
        for (const withCams of [true, false]) {
          const s: QueryGallerySpec = { queries, gallery, cameras: withCams ? cameras : undefined };
          const want = reference(labels, s, plainDistance(emb, dim, kind));
          // Split across "workers" in three uneven parts, given out of order.
          const cut = [0, Math.floor(queries.length / 3), queries.length - 2, queries.length];
          const parts = await Promise.all(
            [2, 0, 1].map((i) =>
              queryGalleryRows(input, s, { distance: kind, normalize: false }, { start: cut[i], end: cut[i + 1] }),
            ),
          );
          const got = summarizeQueryGallery(s, parts);
          const what = `trial ${trial} ${withCams ? 'cameras' : 'no cameras'}`;
          assert.equal(got.validQueries, want.valid, `${what}: valid queries`);
          assert.ok(want.valid > 3, `${what}: a meaningful case`);
          for (const k of ['rank1', 'rank5', 'rank10', 'mAP'] as const) close(got[k], want[k], `${what}: ${k}`);
          const rows = parts.sort((a, b) => a.start - b.start);
          const first = rows.flatMap((p) => [...p.firstMatch]);
          assert.deepEqual(
            first,
            want.perQuery.map((p) => p.first),
            `${what}: first-match ranks`,
          );
        }
      }
    });
  }

  it("equals the reference on the engine's own distances (cosine, normalised, tfjs kernel)", async () => {
    await initBackend();
    setKernelMode('tfjs');
    try {
      const r = rng(7),
        n = 300,
        dim = 16,
        ids = 25;
      const labels = Int32Array.from({ length: n }, () => Math.floor(r() * ids));
      const centres = Array.from({ length: ids }, () => Array.from({ length: dim }, () => r() * 2 - 1));
      const emb = Float32Array.from(
        { length: n * dim },
        (_, i) => centres[labels[Math.floor(i / dim)]][i % dim] + (r() - 0.5) * 1.5,
      );
      const cameras = Int32Array.from({ length: n }, () => Math.floor(r() * 4));
      const queries = Int32Array.from([...Array(n).keys()].filter((i) => i % 5 === 0));
      const gallery = Int32Array.from([...Array(n).keys()].filter((i) => i % 5 !== 0));
      const input: EngineInput = { embeddings: emb, n, dim, labels, classes: ids };
      const spec: QueryGallerySpec = { queries, gallery, cameras };
      // The engine measures between the query and gallery rows only, normalised: so does the reference.
      const x = prepareEmbeddings(input, true);
      const full = distanceRowsOf(
        x,
        n,
        dim,
        Int32Array.from({ length: n }, (_, i) => i),
        'cosine',
      );
      const want = reference(labels, spec, (q, g) => full[q * n + g]);
      const got = await queryGalleryMetrics(input, spec, { distance: 'cosine', normalize: true });
      assert.equal(got.validQueries, want.valid);
      for (const k of ['rank1', 'rank5', 'rank10', 'mAP'] as const)
        assert.ok(Math.abs(got[k] - want[k]) < 1e-9, `${k}: ${got[k]} vs ${want[k]}`);
      assert.ok(want.mAP > 0.05 && want.mAP < 0.95, `a meaningful case: mAP ${want.mAP}`);
    } finally {
      setKernelMode('auto');
    }
  });

  it('refuses bad ranges and reports no valid query as zeros', async () => {
    await assert.rejects(
      queryGalleryRows(tiny, spec, { distance: 'euclidean', normalize: false }, { start: 2, end: 9 }),
      RangeError,
    );
    const r = await queryGalleryMetrics(
      tiny,
      { queries: Int32Array.from([2]), gallery: spec.gallery, cameras: spec.cameras },
      { distance: 'euclidean', normalize: false },
    );
    assert.deepEqual(r, {
      queries: 1,
      gallery: 5,
      validQueries: 0,
      rank1: 0,
      rank5: 0,
      rank10: 0,
      mAP: 0,
      cameras: true,
    });
  });
});
