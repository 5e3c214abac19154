/**
 * The snapshot watcher against real files written slowly in chunks: a new snapshot is reported
 * exactly once, only after its last chunk (the bytes read in the callback are the whole file),
 * with fs.watch and with the polling fallback; files present at start are not reported; a
 * format without a length in its header is taken only once it parses. And the .npy rule itself.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNpyWhole, StabilityTracker } from '../../../src/data/wholeFile';
import { CompleteSnapshot, SnapshotWatcher } from '../../../src/follow/snapshotWatcher';
import { npyBytes } from '../../../src/cli/npyWriter';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A valid float32 .npy of rows x cols. */
function npy(rows: number, cols: number, seed: number): Uint8Array {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(seed + i);
  return npyBytes(data, rows, cols);
}

/** Writes `bytes` in `chunks` appends with `pauseMs` between them (a slow training script). */
async function slowWrite(file: string, bytes: Uint8Array, chunks: number, pauseMs: number): Promise<void> {
  const fd = fs.openSync(file, 'w');
  try {
    const step = Math.ceil(bytes.length / chunks);
    for (let o = 0; o < bytes.length; o += step) {
      fs.writeSync(fd, bytes, o, Math.min(step, bytes.length - o));
      fs.fsyncSync(fd);
      if (o + step < bytes.length) await sleep(pauseMs);
    }
  } finally {
    fs.closeSync(fd);
  }
}

describe('isNpyWhole', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-whole-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('true only when the size is exactly header + shape x itemsize', async () => {
    const b = npy(7, 3, 1),
      f = path.join(dir, 'a.npy');
    for (const cut of [0, 5, 60, 127, b.length - 1]) {
      fs.writeFileSync(f, b.subarray(0, cut));
      assert.equal(await isNpyWhole(f), false, `cut at ${cut}`);
    }
    fs.writeFileSync(f, b);
    assert.equal(await isNpyWhole(f), true);
    fs.writeFileSync(f, Buffer.concat([b, Buffer.from([0])]));
    assert.equal(await isNpyWhole(f), false, 'one byte too many');
    assert.equal(await isNpyWhole(path.join(dir, 'missing.npy')), false);
  });

  it('a whole .npy counts only after it looked unchanged for stableMs', async () => {
    let now = 1000;
    const t = new StabilityTracker(300, () => now),
      f = path.join(dir, 'b.npy');
    fs.writeFileSync(f, npy(4, 2, 2));
    assert.equal(await t.check(f), false, 'first look');
    now += 299;
    assert.equal(await t.check(f), false, 'too soon');
    now += 1;
    assert.equal(await t.check(f), true);
  });
});

describe('SnapshotWatcher', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-follow-'));
    fs.writeFileSync(path.join(dir, 'emb_0010.npy'), npy(50, 8, 1));
    fs.writeFileSync(path.join(dir, 'emb_0020.npy'), npy(50, 8, 2));
    fs.writeFileSync(path.join(dir, 'other_0030.npy'), npy(50, 8, 3)); // another series: ignored
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const noWatch of [false, true]) {
    it(`reports a slowly written snapshot once, after its last chunk (${noWatch ? 'polling only' : 'fs.watch'})`, async () => {
      const seen: { s: CompleteSnapshot; bytes: number }[] = [];
      const w = new SnapshotWatcher(
        { seriesFile: path.join(dir, 'emb_0010.npy'), pollMs: 120, debounceMs: 30, stableMs: 150, noWatch },
        (s) => seen.push({ s, bytes: fs.statSync(s.path).size }),
      );
      await w.start();
      const bytes = npy(400, 16, 3),
        file = path.join(dir, 'emb_0030.npy');
      // Pauses longer than stableMs: only the header rule keeps a half-written file out.
      await slowWrite(file, bytes, 6, 400);
      const deadline = Date.now() + 5000;
      while (seen.length === 0 && Date.now() < deadline) await sleep(50);
      await sleep(600); // a second report would come within a few polls
      w.dispose();
      await w.idle();
      assert.equal(seen.length, 1, JSON.stringify(seen));
      assert.equal(seen[0].s.path, file);
      assert.equal(seen[0].s.number, 30);
      assert.equal(seen[0].bytes, bytes.length, 'read only when whole');
    });
  }

  it('a table snapshot is taken only once it parses (the accept hook)', async () => {
    fs.writeFileSync(path.join(dir, 'vec_1.tsv'), '1\t2\n');
    fs.writeFileSync(path.join(dir, 'vec_2.tsv'), '1\t2\n');
    const seen: string[] = [];
    const accept = async (f: string): Promise<boolean> => fs.readFileSync(f, 'utf8').endsWith('END\n');
    const w = new SnapshotWatcher(
      { seriesFile: path.join(dir, 'vec_1.tsv'), pollMs: 100, debounceMs: 20, stableMs: 100, accept },
      (s) => seen.push(s.path),
    );
    await w.start();
    const f = path.join(dir, 'vec_3.tsv');
    fs.writeFileSync(f, '1\t2\n');
    await sleep(500);
    assert.deepEqual(seen, [], 'does not parse yet');
    fs.appendFileSync(f, 'END\n');
    const deadline = Date.now() + 4000;
    while (seen.length === 0 && Date.now() < deadline) await sleep(50);
    await sleep(300);
    w.dispose();
    assert.deepEqual(seen, [f]);
  });

  it('refuses a file that is not part of a numbered series', () => {
    assert.throws(
      () => new SnapshotWatcher({ seriesFile: path.join(dir, 'embeddings.npy') }, () => undefined),
      /not a numbered/,
    );
  });
});
