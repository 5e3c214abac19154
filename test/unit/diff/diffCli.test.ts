/**
 * `embedding-inspector diff` as a child process (dist/cli.js) on .npy snapshots written here: the
 * JSON's counts and transitions against a brute-force enumeration written in this test, and exit
 * code 2 with a message for snapshots of different samples or labels.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { npyBytes } from '../../../src/cli/npyWriter';
import { distanceRows, prepareEmbeddings } from '../../../src/engine/distances';

const cli = path.resolve(__dirname, '../../../cli.js');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000 });

function emb(n: number, dim: number, seed: number): Float32Array {
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = Math.round(2 * Math.sin(seed * 7.1 + i * 1.3)); // integers: ties
  return x;
}

/** A 1-D int32 .npy (NumPy format 1.0: header padded so the data starts at a multiple of 64). */
function labelsNpy(l: Int32Array): Buffer {
  let header = `{'descr': '<i4', 'fortran_order': False, 'shape': (${l.length},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(l.buffer, l.byteOffset, l.byteLength)]);
}

describe('CLI diff', function () {
  this.timeout(60000);
  let dir: string;
  const n = 24,
    dim = 3;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-diffcli-'));
    fs.writeFileSync(path.join(dir, 'emb_01.npy'), npyBytes(emb(n, dim, 1), n, dim));
    fs.writeFileSync(path.join(dir, 'emb_02.npy'), npyBytes(emb(n, dim, 2), n, dim));
    fs.writeFileSync(path.join(dir, 'labels.npy'), labelsNpy(labels));
    fs.mkdirSync(path.join(dir, 'other'));
    fs.writeFileSync(path.join(dir, 'other', 'emb_03.npy'), npyBytes(emb(n, dim, 3), n, dim));
    const swapped = labels.slice();
    swapped[5] = (swapped[5] + 1) % 3;
    fs.writeFileSync(path.join(dir, 'other', 'labels.npy'), labelsNpy(swapped));
    fs.mkdirSync(path.join(dir, 'short'));
    fs.writeFileSync(path.join(dir, 'short', 'emb_04.npy'), npyBytes(emb(n - 1, dim, 4), n - 1, dim));
    fs.writeFileSync(path.join(dir, 'short', 'labels.npy'), labelsNpy(labels.subarray(0, n - 1)));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--json counts and transitions match a brute force', () => {
    const m = 2;
    const r = run([
      'diff',
      path.join(dir, 'emb_01.npy'),
      path.join(dir, 'emb_02.npy'),
      '--margin',
      String(m),
      '--distance',
      'sqeuclidean',
      '--json',
      '--top',
      '5',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const dOf = (seed: number) =>
      distanceRows(
        prepareEmbeddings({ embeddings: emb(n, dim, seed), n, dim, labels, classes: 3 }, false),
        n,
        dim,
        0,
        n,
        'sqeuclidean',
      );
    const da = dOf(1),
      db = dOf(2);
    const cat = (t: number): string => (t > m ? 'easy' : t > 0 ? 'semihard' : 'hard');
    const matrix: Record<string, Record<string, number>> = {};
    for (const x of ['easy', 'semihard', 'hard']) matrix[x] = { easy: 0, semihard: 0, hard: 0 };
    let violA = 0,
      lossB = 0;
    for (let a = 0; a < n; a++)
      for (let p = 0; p < n; p++)
        for (let q = 0; q < n; q++) {
          if (p === a || labels[p] !== labels[a] || labels[q] === labels[a]) continue;
          const tA = da[a * n + q] - da[a * n + p],
            tB = db[a * n + q] - db[a * n + p];
          matrix[cat(tA)][cat(tB)]++;
          if (tA <= m) violA++;
          lossB += Math.max(0, m - tB);
        }
    assert.deepEqual(out.transitions.matrix, matrix);
    assert.equal(out.a.violating, violA);
    assert.equal(out.b.lossSum, lossB);
    assert.equal(out.n, n);
    assert.equal(out.margin, m);
    assert.ok(out.worsened.length <= 5);
    assert.equal(out.transitions.stayedHard, matrix.hard.hard);
  });

  it('exit 2 with a message for different labels or sample counts', () => {
    const bad = run(['diff', path.join(dir, 'emb_01.npy'), path.join(dir, 'other', 'emb_03.npy'), '--json']);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /sample 5 has label/);
    const short = run(['diff', path.join(dir, 'emb_01.npy'), path.join(dir, 'short', 'emb_04.npy')]);
    assert.equal(short.status, 2);
    assert.match(short.stderr, /23 samples/);
  });
});
