import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { api, censusAt, closeAll, EXTENSION_ID, until, ws } from './helpers';
import { ProjectionClient } from '../../src/projection/client';
import { npyBytes } from '../../src/cli/npyWriter';
import type { Session } from '../../src/session';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * "Follow latest snapshot" in the real extension host: a run folder with two numbered snapshots
 * is opened, following is turned on through the sidebar's message, and a third snapshot is
 * written slowly in chunks; the session must switch to it exactly once, after the last chunk,
 * keep its margin, and lay it out from the previous layout. Also: Export Triplets writes what
 * the census counted, and Compare with Snapshot reports on the same triplets.
 */
describe('following a training run', function () {
  this.timeout(180_000);
  const dir = ws('run');
  const file = (k: number): string => ws('run', `emb_${String(k).padStart(4, '0')}.npy`);
  let base: { n: number; dim: number; embeddings: Float32Array };

  before(async () => {
    await closeAll();
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(ws('clusters', 'labels.npy'), ws('run', 'labels.npy'));
    const a = await api();
    const clusters = await a.inspector.open(ws('clusters', 'embeddings.npy'));
    assert.ok(clusters);
    base = {
      n: clusters.dataset.n,
      dim: clusters.dataset.dim,
      embeddings: Float32Array.from(clusters.dataset.embeddings),
    };
    await closeAll();
    for (const k of [10, 20]) fs.writeFileSync(file(k), npyBytes(scaled(k), base.n, base.dim));
  });

  after(async () => {
    const a = await api();
    await a.follow.setFollow(false);
    await vscode.workspace
      .getConfiguration('embeddingInspector')
      .update('followLatest', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
  });

  /** Epoch k: the clusters drifting a little (the model changing). */
  function scaled(k: number): Float32Array {
    return base.embeddings.map((v, i) => v * (1 + k / 100) + (i % 7 === 0 ? k / 200 : 0));
  }

  it('switches once to a snapshot written in chunks, only when it is whole, keeping the margin', async () => {
    const a = await api();
    const s = await a.inspector.open(file(20));
    assert.ok(s);
    assert.equal(s.dataset.snapshots?.length, 2);
    await s.setMargin(0.3);
    await censusAt(s, 0.3);
    const before = await until(() => s.layouts.get('umap'), 'the first UMAP layout', 120_000);
    const switches: { session: Session; size: number }[] = [];
    const sub = a.follow.onDidSwitch((n) => switches.push({ session: n, size: fs.statSync(file(30)).size }));
    try {
      await a.controls.handleMessage({ type: 'setFollow', on: true });
      assert.equal(a.follow.on, true);
      assert.equal(a.follow.state().available, true);
      await sleep(500);
      const bytes = npyBytes(scaled(30), base.n, base.dim);
      const fd = fs.openSync(file(30), 'w');
      const chunks = 5,
        step = Math.ceil(bytes.length / chunks);
      for (let o = 0; o < bytes.length; o += step) {
        fs.writeSync(fd, bytes, o, Math.min(step, bytes.length - o));
        fs.fsyncSync(fd);
        if (o + step < bytes.length) {
          await sleep(700);
          assert.equal(switches.length, 0, `no switch while the file is ${o + step} of ${bytes.length} bytes`);
        }
      }
      fs.closeSync(fd);
      const first = await until(() => switches[0], 'the switch to epoch 30', 30_000);
      await sleep(3000);
      assert.equal(switches.length, 1, 'exactly one switch');
      assert.equal(first.size, bytes.length, 'read only once whole');
      const next = first.session;
      assert.equal(next.dataset.files.embeddings, file(30));
      assert.equal(a.inspector.activeSession, next);
      assert.deepEqual(Array.from(next.dataset.embeddings), Array.from(scaled(30)));
      assert.equal(next.dataset.snapshots?.length, 3);
      assert.equal(next.settings.margin, 0.3, 'the margin is kept');
      await censusAt(next, 0.3);
      const after = await until(() => next.layouts.get('umap'), 'the aligned layout', 120_000);
      assert.equal(after.length, before.length);
      // Started from the previous layout: points stay nearer to where they were than the same
      // projection from its usual random start (what a switch without alignment shows).
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const client = new ProjectionClient({
        workerScript: path.join(ext.extensionPath, 'dist', 'projectionWorker.js'),
      });
      let unaligned: Float32Array;
      try {
        const d = next.dataset;
        unaligned = await client.compute(
          { embeddings: d.embeddings, n: d.n, dim: d.dim },
          { seed: 42, distance: next.settings.distance, normalize: next.settings.normalize },
        );
      } finally {
        client.dispose();
      }
      const moved = (l: Float32Array): number => {
        let m = 0;
        for (let i = 0; i < l.length; i++) m += Math.abs(l[i] - before[i]);
        return m;
      };
      assert.ok(
        moved(after) < moved(unaligned),
        `aligned layout moved ${moved(after).toFixed(1)}, unaligned ${moved(unaligned).toFixed(1)}`,
      );
    } finally {
      sub.dispose();
    }
  });

  it('exports the hard triplets the census counted, as int64 .npy', async () => {
    const a = await api();
    const s = a.inspector.activeSession!;
    const c = await censusAt(s, s.settings.margin);
    const out = ws('run', 'hard.npy');
    const r = await vscode.commands.executeCommand<{ file: string; count: number } | undefined>(
      'embeddingInspector.exportTriplets',
      { kind: 'hard', file: out },
    );
    assert.ok(r);
    assert.equal(r.count, c.counts.hard);
    const b = fs.readFileSync(out);
    const hlen = b.readUInt16LE(8);
    assert.match(
      b.subarray(10, 10 + hlen).toString('latin1'),
      new RegExp(`'descr': '<i8', 'fortran_order': False, 'shape': \\(${c.counts.hard}, 3\\)`),
    );
    assert.equal(b.length, 10 + hlen + 24 * c.counts.hard);
  });

  it('compares with an earlier snapshot: the transitions add up to the triplets', async () => {
    const a = await api();
    const s = a.inspector.activeSession!;
    const c = await censusAt(s, s.settings.margin);
    const r = await vscode.commands.executeCommand<
      | {
          a: { triplets: number; violating: number };
          b: { violating: number };
          transitions: { matrix: Record<string, Record<string, number>> };
        }
      | undefined
    >('embeddingInspector.compareSnapshots', 0);
    assert.ok(r);
    assert.equal(r.a.triplets, c.triplets);
    assert.equal(
      r.b.violating,
      s.settings.convention === 'pml' ? c.pml.violating : c.facenet.violating,
      'B is the open (later) snapshot',
    );
    const total = Object.values(r.transitions.matrix)
      .flatMap((row) => Object.values(row))
      .reduce((x, y) => x + y, 0);
    assert.equal(total, c.triplets);
    // The sidebar's "Compare with" picker: a bad index is rejected, a good one runs the same diff.
    assert.ok(await a.controls.handleMessage({ type: 'compareWith', index: 99 }), 'index 99 is rejected');
    assert.equal(
      await a.controls.handleMessage({ type: 'compareWith', index: 1 }),
      undefined,
      'valid picks are accepted',
    );
    assert.equal(
      await a.controls.handleMessage({ type: 'compareWith', index: -1 }),
      undefined,
      'valid picks are accepted',
    );
  });
});
