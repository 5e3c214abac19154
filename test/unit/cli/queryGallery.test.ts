/**
 * `census` with a split column: the built CLI (dist/cli.js) as a child process on a small dataset
 * written here (embeddings.npy, metadata.tsv with label / split / camera columns); the JSON's
 * query / gallery block against torchreid's eval_market1501 written out in the test
 * (helpers/market1501Reference.ts), the text output, the column flags and the refusals.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { market1501Reference } from '../../helpers/market1501Reference';
import { rng } from '../../helpers/rng';

const cli = path.resolve(__dirname, '../../../cli.js');

function writeNpyF32(file: string, rows: number, cols: number, values: Float32Array): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10 + header.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  head.write(header, 10, 'latin1');
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(values.buffer, values.byteOffset, values.byteLength)]));
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI census: query / gallery retrieval', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-qg-cli-'));
  const r = rng(11),
    n = 120,
    dim = 3;
  // Integer coordinates: squared distances are exact in float32 and float64, with many ties.
  const emb = Float32Array.from({ length: n * dim }, () => Math.floor(r() * 5) - 2);
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * 10));
  const cameras = Int32Array.from({ length: n }, () => Math.floor(r() * 3));
  const isQuery = Array.from({ length: n }, () => r() < 0.3);
  const queries = Int32Array.from([...isQuery.keys()].filter((i) => isQuery[i]));
  const gallery = Int32Array.from([...isQuery.keys()].filter((i) => !isQuery[i]));
  for (let i = 0; i < 3; i++) labels[queries[i]] = 20 + i; // identities with no gallery sample: skipped queries
  const sq = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const d = emb[i * dim + k] - emb[j * dim + k];
      s += d * d;
    }
    return s;
  };
  const write = (name: string, split: (i: number) => string) => {
    const d = path.join(dir, name);
    fs.mkdirSync(d);
    writeNpyF32(path.join(d, 'embeddings.npy'), n, dim, emb);
    const lines = [
      'label\tsplit\tcamera',
      ...[...Array(n).keys()].map((i) => `id${labels[i]}\t${split(i)}\tcam${cameras[i]}`),
    ];
    fs.writeFileSync(path.join(d, 'metadata.tsv'), lines.join('\n') + '\n');
    return d;
  };
  const good = write('good', (i) => (isQuery[i] ? 'query' : 'gallery'));
  const bad = write('bad', (i) => (i === 7 ? 'train' : isQuery[i] ? 'query' : 'gallery'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds CMC rank-1/5/10 and mAP equal to the reference (cameras), and a text block', () => {
    const out = run(['census', good, '--distance', 'sqeuclidean', '--json']);
    assert.equal(out.code, 0, out.stderr);
    const q = JSON.parse(out.stdout).queryGallery;
    const want = market1501Reference(labels, { queries, gallery, cameras }, sq);
    assert.equal(q.queries, queries.length);
    assert.equal(q.gallery, gallery.length);
    assert.equal(q.validQueries, want.valid);
    assert.equal(q.cameraColumn, 'camera');
    for (const k of ['rank1', 'rank5', 'rank10', 'mAP'] as const)
      assert.ok(Math.abs(q[k] - want[k]) < 1e-12, `${k}: ${q[k]} vs ${want[k]}`);
    assert.ok(want.valid > 10 && want.valid < queries.length, 'some queries skipped, most valid');
    const text = run(['census', good, '--distance', 'sqeuclidean']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `CMC rank-1 ${(100 * want.rank1).toFixed(2)}%  rank-5 ${(100 * want.rank5).toFixed(2)}%  rank-10 ${(100 * want.rank10).toFixed(2)}%  mAP ${(100 * want.mAP).toFixed(2)}%`,
      ),
    );
    assert.match(text.stdout, /Market-1501 protocol/);
  });

  it('follows the column flags: no camera column removes nothing; no split column, no block', () => {
    const out = run(['census', good, '--distance', 'sqeuclidean', '--camera-column', 'nosuch', '--json']);
    assert.equal(out.code, 0, out.stderr);
    const q = JSON.parse(out.stdout).queryGallery;
    const want = market1501Reference(labels, { queries, gallery }, sq);
    assert.equal(q.cameraColumn, null);
    assert.equal(q.validQueries, want.valid);
    assert.ok(Math.abs(q.mAP - want.mAP) < 1e-12);
    // The split column renamed: the queries are now the "gallery" rows and vice versa.
    const swapped = JSON.parse(
      run([
        'census',
        good,
        '--distance',
        'sqeuclidean',
        '--query-value',
        'gallery',
        '--gallery-value',
        'query',
        '--json',
      ]).stdout,
    ).queryGallery;
    assert.equal(swapped.queries, gallery.length);
    assert.equal(
      JSON.parse(run(['census', good, '--split-column', 'nosuch', '--json']).stdout).queryGallery,
      undefined,
    );
  });

  it('refuses a split value that is neither query nor gallery (exit 2, file and column named)', () => {
    const out = run(['census', bad, '--json']);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /metadata\.tsv: column 'split' of sample 7 \(0-based\) is "train"/);
    assert.equal(out.stdout, '');
  });
});
