/**
 * Triplet export against a brute-force enumeration on the same float32 distances (both
 * conventions, integer embeddings with ties), the rank window against a sort written here, the
 * cap, and the files read back by real NumPy (Debian python3-numpy) and Python's csv module.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';
import {
  exportTriplets,
  ExportTooLargeError,
  hardNegatives,
  parseRankWindow,
  TripletCategory,
} from '../../../src/engine/export';
import { csvText, exportBytes, npyInt64Bytes, PAIR_COLUMNS } from '../../../src/engine/exportFormat';
import type { Convention, EngineInput } from '../../../src/engine/types';
import { rng } from '../../helpers/rng';

function input(n: number, dim: number, classes: number, seed: number): EngineInput {
  const r = rng(seed);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i < classes ? i : Math.floor(r() * classes);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < n * dim; i++) embeddings[i] = Math.floor(r() * 4) - 1; // integers: many ties
  return { embeddings, n, dim, labels, classes };
}

const dist = { distance: 'sqeuclidean' as const, normalize: false };

function rowsOf(r: { rows: Int32Array; count: number; cols: number }): string[] {
  const out: string[] = [];
  for (let k = 0; k < r.count; k++) out.push(Array.from(r.rows.subarray(k * r.cols, (k + 1) * r.cols)).join(','));
  return out;
}

function bruteTriplets(inp: EngineInput, m: number, c: Convention, cat: TripletCategory, anchors?: number[]): string[] {
  const { n, labels } = inp;
  const d = distanceRows(prepareEmbeddings(inp, false), n, inp.dim, 0, n, dist.distance);
  const out: string[] = [];
  for (let a = 0; a < n; a++) {
    if (anchors && !anchors.includes(a)) continue;
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      for (let q = 0; q < n; q++) {
        if (labels[q] === labels[a]) continue;
        const t = d[a * n + q] - d[a * n + p];
        const hard = c === 'pml' ? t <= 0 : t < 0,
          viol = c === 'pml' ? t <= m : t < m;
        if (cat === 'hard' ? hard : cat === 'semihard' ? viol && !hard : viol) out.push(`${a},${p},${q}`);
      }
    }
  }
  return out.sort();
}

describe('exportTriplets', () => {
  const inp = input(29, 3, 3, 11);
  for (const convention of ['pml', 'facenet'] as Convention[]) {
    for (const category of ['hard', 'semihard', 'violating'] as TripletCategory[]) {
      it(`${category} triplets, ${convention}: exactly the brute-force set, each once`, async () => {
        for (const m of [0, 1, 3]) {
          const r = await exportTriplets(inp, { ...dist, margin: m, convention, category });
          const got = rowsOf(r);
          assert.equal(new Set(got).size, got.length, 'no duplicates');
          assert.deepEqual(got.slice().sort(), bruteTriplets(inp, m, convention, category), `m = ${m}`);
        }
      });
    }
  }

  it('a selection restricts the anchors', async () => {
    const r = await exportTriplets(inp, {
      ...dist,
      margin: 1,
      convention: 'pml',
      category: 'violating',
      anchors: [4, 2, 4],
    });
    assert.deepEqual(rowsOf(r).sort(), bruteTriplets(inp, 1, 'pml', 'violating', [2, 4]));
    await assert.rejects(
      exportTriplets(inp, { ...dist, margin: 1, convention: 'pml', category: 'hard', anchors: [29] }),
      /outside/,
    );
  });

  it('refuses above the cap and says how many rows it would write', async () => {
    const all = bruteTriplets(inp, 2, 'pml', 'violating').length;
    await assert.rejects(
      exportTriplets(inp, { ...dist, margin: 2, convention: 'pml', category: 'violating', cap: all - 1 }),
      (e: unknown) => e instanceof ExportTooLargeError && e.count === all && e.cap === all - 1,
    );
    const ok = await exportTriplets(inp, { ...dist, margin: 2, convention: 'pml', category: 'violating', cap: all });
    assert.equal(ok.count, all);
  });
});

describe('hardNegatives', () => {
  const inp = input(31, 2, 3, 5);
  const d = distanceRows(prepareEmbeddings(inp, false), inp.n, inp.dim, 0, inp.n, dist.distance);
  const ranked = (a: number): number[] =>
    [...Array(inp.n).keys()]
      .filter((j) => inp.labels[j] !== inp.labels[a])
      .sort((x, y) => d[a * inp.n + x] - d[a * inp.n + y] || x - y);

  it('pairs: (anchor, negative, rank) for ranks from..to, 1-based, clipped to the negatives', async () => {
    const r = await hardNegatives(inp, { ...dist, from: 3, to: 15, form: 'pairs' });
    const expected: string[] = [];
    for (let a = 0; a < inp.n; a++)
      ranked(a).forEach((q, i) => {
        if (i + 1 >= 3 && i + 1 <= 15) expected.push(`${a},${q},${i + 1}`);
      });
    assert.deepEqual(rowsOf(r), expected);
  });

  it('triplets: the hardest (farthest) positive with each negative in the window', async () => {
    const r = await hardNegatives(inp, { ...dist, from: 1, to: 2, form: 'triplets', anchors: [0, 7] });
    const expected: string[] = [];
    for (const a of [0, 7]) {
      const pos = [...Array(inp.n).keys()].filter((j) => j !== a && inp.labels[j] === inp.labels[a]);
      const hardest = pos.reduce((b, p) => (d[a * inp.n + p] > d[a * inp.n + b] ? p : b), pos[0]);
      for (const q of ranked(a).slice(0, 2)) expected.push(`${a},${hardest},${q}`);
    }
    assert.deepEqual(rowsOf(r), expected);
  });

  it('parses rank windows', () => {
    assert.deepEqual(parseRankWindow('101-500'), { from: 101, to: 500 });
    assert.deepEqual(parseRankWindow(' 101..500 '), { from: 101, to: 500 });
    assert.deepEqual(parseRankWindow('50'), { from: 1, to: 50 });
    assert.equal(typeof parseRankWindow('500-101'), 'string');
    assert.equal(typeof parseRankWindow('0-5'), 'string');
    assert.equal(typeof parseRankWindow('abc'), 'string');
  });
});

describe('export files read by real NumPy', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-export-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('.npy int64 K x 3 and CSV give the same rows in numpy.load / csv', async function () {
    this.timeout(20000);
    const inp = input(29, 3, 3, 11);
    const r = await exportTriplets(inp, { ...dist, margin: 1, convention: 'pml', category: 'violating' });
    // Indices past 2^31 would not fit int32: include one big value to check the int64 encoding.
    const big = { rows: Int32Array.from([...r.rows, 2147483647, 0, 7]), count: r.count + 1, cols: 3 };
    fs.writeFileSync(path.join(dir, 't.npy'), npyInt64Bytes(big));
    fs.writeFileSync(path.join(dir, 't.csv'), exportBytes('t.csv', big));
    fs.writeFileSync(path.join(dir, 'e.npy'), npyInt64Bytes({ rows: new Int32Array(0), count: 0, cols: 3 }));
    const py = [
      'import numpy as np, csv, json, sys',
      `a = np.load(${JSON.stringify(path.join(dir, 't.npy'))}, allow_pickle=False)`,
      `e = np.load(${JSON.stringify(path.join(dir, 'e.npy'))}, allow_pickle=False)`,
      `rows = list(csv.reader(open(${JSON.stringify(path.join(dir, 't.csv'))})))`,
      'print(json.dumps({"dtype": a.dtype.str, "shape": list(a.shape), "c": bool(a.flags.c_contiguous), "rows": a.tolist(),',
      '  "header": rows[0], "csv": [[int(x) for x in r] for r in rows[1:]], "empty": list(e.shape), "edtype": e.dtype.str}))',
    ].join('\n');
    const out = JSON.parse(execFileSync('python3', ['-c', py], { encoding: 'utf8' }));
    assert.equal(out.dtype, '<i8');
    assert.deepEqual(out.shape, [big.count, 3]);
    assert.equal(out.c, true);
    const expected = rowsOf(big).map((s) => s.split(',').map(Number));
    assert.deepEqual(out.rows, expected);
    assert.deepEqual(out.header, ['anchor', 'positive', 'negative']);
    assert.deepEqual(out.csv, expected);
    assert.deepEqual(out.empty, [0, 3]);
    assert.equal(out.edtype, '<i8');
    assert.equal(
      csvText({ rows: Int32Array.from([1, 2, 3]), count: 1, cols: 3 }, PAIR_COLUMNS),
      'anchor,negative,rank\n1,2,3\n',
    );
  });
});
