/**
 * The CLI at scale, as a cluster user runs it: `census --anchors --part` shards joined by `merge`
 * print the one-process JSON byte for byte (k = 1, 2, 7 shards); `--sample` states its estimate and
 * is exact when it samples every anchor; bad shards and budgets are refused with a sentence (exit 2).
 * At N = 50 000 (where the old index needed 11 GB): two shard processes, each under a 1 GB budget
 * measured as peak RSS, whose per-anchor counts equal a per-anchor brute force on the engine's own
 * distances, and whose merged totals are the sum of theirs.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distanceRowsOf, initBackend, prepareEmbeddings } from '../../../src/engine/distances';
import { readPart } from '../../../src/cli/censusPart';
import type { PassSpec } from '../../../src/engine/passTypes';
import { rng } from '../../helpers/rng';
import { writeNpy } from '../../helpers/npy';

const cli = path.resolve(__dirname, '../../../cli.js');
const preload = path.resolve(__dirname, '../../../../test/helpers/reportMaxRss.cjs');

function gaussian(n: number, dim: number, classes: number, seed: number) {
  const r = rng(seed),
    g = () => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
  const centres = Float32Array.from({ length: classes * dim }, g);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < dim; k++) embeddings[i * dim + k] = centres[labels[i] * dim + k] + 1.5 * g();
  return { embeddings, labels, n, dim, classes };
}

function run(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 600000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a CLI child asynchronously (two shards at once on two cores). */
function runAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--require', preload, cli, ...args]);
    let stdout = '',
      stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const maxRssMB = (stderr: string): number => Number(/EI_MAX_RSS_KB (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024;

describe('cli census at scale: shards, merge, sample, budget', function () {
  this.timeout(600000);
  let dir = '',
    emb = '',
    lab = '';
  const data = gaussian(300, 8, 7, 5);
  before(async () => {
    await initBackend();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-shards-'));
    emb = path.join(dir, 'emb.npy');
    lab = path.join(dir, 'labels.npy');
    writeNpy(emb, '<f4', [data.n, data.dim], data.embeddings);
    writeNpy(lab, '<i4', [data.n], data.labels);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('merge of k = 1, 2, 7 shards prints the one-process JSON byte for byte', () => {
    const base = ['census', emb, '--labels', lab, '--normalize', '--margin', '0.3', '--top', '12', '--json'];
    const one = run(base);
    assert.equal(one.code, 0, one.stderr);
    for (const k of [1, 2, 7]) {
      const files: string[] = [];
      for (let s = 0; s < k; s++) {
        const a = Math.floor((s * data.n) / k),
          b = Math.floor(((s + 1) * data.n) / k),
          f = path.join(dir, `k${k}_${s}.json`);
        const r = run([...base.slice(0, -1), '--anchors', `${a}:${b}`, '--part', f]);
        assert.equal(r.code, 0, r.stderr);
        files.push(f);
      }
      const m = run(['merge', ...files.reverse(), '--json']);
      assert.equal(m.code, 0, m.stderr);
      assert.equal(m.stdout, one.stdout, `${k} shards`);
    }
  });

  it('merge refuses a gap, an overlap and parts of other options, naming the file and what to do', () => {
    const base = ['census', emb, '--labels', lab, '--json'];
    const part = (range: string, name: string, extra: string[] = []) => {
      const f = path.join(dir, name);
      assert.equal(run([...base.slice(0, -1), ...extra, '--anchors', range, '--part', f]).code, 0);
      return f;
    };
    const a = part('0:100', 'a.json'),
      b = part('150:300', 'b.json'),
      c = part('90:150', 'c.json'),
      d = part('100:300', 'd.json', ['--margin', '0.5']);
    const cases: [string[], RegExp][] = [
      [['merge', a, b], /anchors 100:150 are in no part; count them with `census --anchors 100:150/],
      [['merge', a, c, b], /overlap/],
      [['merge', a, d], /another margin/],
      [['merge', path.join(dir, 'none.json')], /no such part file/],
      [['merge', emb], /not a census part file/],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  });

  it('--sample states its estimate; sampling every anchor gives the exact counts with zero-width intervals', () => {
    const exact = JSON.parse(run(['census', emb, '--labels', lab, '--json']).stdout);
    const all = JSON.parse(run(['census', emb, '--labels', lab, '--json', '--sample', String(data.n)]).stdout);
    assert.equal(all.estimate, true);
    assert.match(all.method, /uniform random sample of 300 of 300 anchors \(seed 1\)/);
    for (const k of ['triplets', 'easy', 'semihard', 'hard', 'violating'] as const)
      assert.deepEqual(all[k], { value: exact[k], halfWidth95: 0 }, k);
    const some = JSON.parse(run(['census', emb, '--labels', lab, '--json', '--sample', '60', '--seed', '7']).stdout);
    assert.equal(some.sampledAnchors, 60);
    const share = exact.violating / exact.triplets;
    assert.ok(
      Math.abs(some.violatingShare.value - share) <= 3 * some.violatingShare.halfWidth95,
      `${some.violatingShare.value} ± ${some.violatingShare.halfWidth95} vs ${share}`,
    );
    const text = run(['census', emb, '--labels', lab, '--sample', '60']);
    assert.match(text.stdout, /≈ [\d.]+ % ± [\d.]+ % violating, sample of 60 anchors/);
  });

  it('bad shard options and a budget too small exit 2 with a sentence', () => {
    const cases: [string[], RegExp][] = [
      [['census', emb, '--labels', lab, '--part', path.join(dir, 'x.json')], /--part needs --anchors/],
      [['census', emb, '--labels', lab, '--anchors', '0:10'], /--anchors needs --part/],
      [['census', emb, '--labels', lab, '--anchors', '10:5', '--part', path.join(dir, 'x.json')], /start < end <= 300/],
      [['census', emb, '--labels', lab, '--anchors', '0-5', '--part', path.join(dir, 'x.json')], /<start>:<end>/],
      [
        ['census', emb, '--labels', lab, '--sample', '5', '--anchors', '0:5', '--part', path.join(dir, 'x.json')],
        /cannot be combined/,
      ],
      [
        ['census', emb, '--labels', lab, '--max-megabytes', '60'],
        /needs about .* more than the budget of 60 MB; raise the memory budget \(--max-megabytes/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    }
  });

  it('squared distances beyond float32 are refused with a sentence (issue 17 item 3: they gave semihard -10800 with exit 0)', () => {
    const huge = path.join(dir, 'huge.npy');
    writeNpy(
      huge,
      '<f4',
      [data.n, data.dim],
      Float32Array.from(data.embeddings, (v, k) => (k % 3 === 0 ? 1e20 : v * 1e19)),
    );
    for (const distance of ['sqeuclidean', 'euclidean']) {
      const r = run(['census', huge, '--labels', lab, '--distance', distance, '--json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /exceed the float32 range .* L2-normalise the embeddings/);
      assert.equal(r.stdout, '');
    }
    const ok = run(['census', huge, '--labels', lab, '--distance', 'sqeuclidean', '--normalize', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const j = JSON.parse(ok.stdout);
    assert.equal(j.easy + j.semihard + j.hard, j.triplets);
  });

  it('N = 50 000: two shard processes under a 1 GB budget (peak RSS), per-anchor counts equal a brute force, totals are the sum of the shards', async function () {
    const big = gaussian(50000, 16, 1000, 9),
      m = 0.2;
    const bemb = path.join(dir, 'big.npy'),
      blab = path.join(dir, 'big_labels.npy');
    writeNpy(bemb, '<f4', [big.n, big.dim], big.embeddings);
    writeNpy(blab, '<i4', [big.n], big.labels);
    const base = [
      'census',
      bemb,
      '--labels',
      blab,
      '--normalize',
      '--margin',
      String(m),
      '--json',
      '--max-megabytes',
      '1024',
    ];
    const p1 = path.join(dir, 'big1.json'),
      p2 = path.join(dir, 'big2.json');
    const [a, b] = await Promise.all([
      runAsync([...base, '--workers', '1', '--anchors', '0:20000', '--part', p1]),
      runAsync([...base, '--workers', '1', '--anchors', '20000:50000', '--part', p2]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    for (const r of [a, b]) assert.ok(maxRssMB(r.stderr) < 1024, `peak RSS ${maxRssMB(r.stderr).toFixed(0)} MB`);
    const merged = run(['merge', p1, p2, '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    // Per-anchor brute force on the engine's own distances, for random anchors of both shards.
    const spec = (): PassSpec => ({
      distance: { distance: 'euclidean', normalize: true },
      margin: m,
      topK: 10,
      perSample: false,
      retrieval: true,
      semihard: false,
      blockAnchors: 1,
    });
    const parts = [readPart(p1, spec), readPart(p2, spec)];
    const r = rng(3),
      ids = Int32Array.from({ length: 16 }, () => Math.floor(r() * big.n));
    const x = prepareEmbeddings({ ...big }, true),
      rows = distanceRowsOf(x, big.n, big.dim, ids, 'euclidean');
    let triplets = 0;
    ids.forEach((anchor, i) => {
      const row = rows.subarray(i * big.n, (i + 1) * big.n),
        la = big.labels[anchor];
      const pos: number[] = [],
        neg: number[] = [];
      for (let j = 0; j < big.n; j++)
        if (big.labels[j] !== la) neg.push(row[j]);
        else if (j !== anchor) pos.push(row[j]);
      let viol = 0,
        loss = 0;
      for (const dap of pos)
        for (const dan of neg) {
          const t = dan - dap;
          if (t <= m) viol++;
          if (t < m) loss += m - t;
        }
      triplets += pos.length * neg.length;
      const part = parts[anchor < 20000 ? 0 : 1].acc.state;
      assert.equal(part.violAsAnchor[anchor], viol, `anchor ${anchor}: violating`);
      assert.ok(
        Math.abs(part.lossAsAnchor[anchor] - loss) <= 1e-9 * Math.max(1, loss),
        `anchor ${anchor}: loss ${part.lossAsAnchor[anchor]} vs ${loss}`,
      );
    });
    assert.ok(triplets > 0);
    const j = JSON.parse(merged.stdout),
      [s1, s2] = parts.map((p) => p.acc.state);
    assert.equal(j.triplets, 1000 * 50 * 49 * (50000 - 50));
    assert.deepEqual(
      [j.triplets, j.pml.violating, j.facenet.violating, j.pml.hard],
      [s1.triplets + s2.triplets, s1.pml[3] + s2.pml[3], s1.facenet[3] + s2.facenet[3], s1.pml[2] + s2.pml[2]],
      'totals are the sum of the shards',
    );
  });
});
