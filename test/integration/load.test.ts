/**
 * Load and faults in the real extension host (issue 17, item 9): 200 margin changes in 2 s through
 * the sidebar's path, 20 snapshot switches from the sidebar's picker, the projection closed
 * mid-census and mid-UMAP, 5 datasets opened at once (analysis workers killed: workerKill.test.ts).
 * Each scenario asserts what the user sees afterwards; the whole file asserts that no promise
 * rejection went unhandled in the host, and that worker threads and memory come back to the
 * baseline measured before the first scenario (HostWatch in loadFixtures.ts says how they are counted).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, censusAt, closeAll, EXTENSION_ID, until, ws, sentToControls, sentToPanel } from './helpers';
import type { Session } from '../../src/session';
import { AnalysisClient } from '../../src/worker/client';
import { analysisSlots, assertMatchesBrute, blobs, HostWatch, umap, writeDataset } from './loadFixtures';
import { tracked, trackedSummary, within } from './hostProbes';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('load and faults in the real extension host', function () {
  this.timeout(120_000);
  const cfg = () => vscode.workspace.getConfiguration('embeddingInspector');
  const root = ws('load');
  const host = new HostWatch('load.test');
  const { errorMessages, threadsText, threadsBackTo } = host;
  // Per-run data where the UMAP cache must miss (the projection has to run to be closed mid-way).
  const runSeed = Date.now() % 1_000_000;
  const files = {
    margin: '',
    closeCensus: '',
    closeUmap: '',
    run: (k: number) => path.join(root, 'run', `emb_${String(k).padStart(4, '0')}.npy`),
    many: [] as string[],
  };
  const DIM = 16;

  host.setUpBefore(root, runSeed, () => {
    // Datasets: N = 400 for the slider (brute force stays under a second), 1 500 to be closed mid-way.
    files.margin = writeDataset(path.join(root, 'margin'), blobs(3, 400, DIM, 4, 0.9), DIM);
    files.closeCensus = writeDataset(path.join(root, 'closeCensus'), blobs(runSeed + 11, 1500, DIM, 10, 0.8), DIM);
    files.closeUmap = writeDataset(path.join(root, 'closeUmap'), blobs(runSeed + 13, 1500, DIM, 10, 0.8), DIM);
    const series = blobs(7, 120, 8, 4, 0.7);
    for (let k = 1; k <= 5; k++)
      writeDataset(
        path.join(root, 'run'),
        {
          embeddings: series.embeddings.map((v, i) => v * (1 + k / 20) + (i % 5 === 0 ? k / 50 : 0)),
          labels: series.labels,
        },
        8,
        path.basename(files.run(k)),
      );
    for (let k = 0; k < 5; k++)
      files.many.push(writeDataset(path.join(root, `many${k}`), blobs(20 + k, 80 + 20 * k, 8, 4, 0.8), 8));
  });

  host.cleanUpAfter(root);

  it("200 margin changes in 2 s from the sidebar: the census shown is the last margin's, equal to a brute-force recount", async () => {
    const a = await api();
    const s = await a.inspector.open(files.margin);
    assert.ok(s);
    await censusAt(s, s.settings.margin);
    const d = s.dataset;
    // Jumps all over the slider (golden-ratio steps), some positions of the table, ending between positions.
    const margins = Array.from({ length: 200 }, (_, i) => Number((0.02 + 0.7 * ((i * 0.6180339887) % 1)).toFixed(4)));
    margins[199] = 0.31337;
    const sent: Promise<string | undefined>[] = [];
    const t0 = Date.now();
    for (let i = 0; i < margins.length;) {
      // Every message due by now (one each 10 ms), not awaited: the webview does not wait either.
      const due = Math.min(margins.length, Math.floor((Date.now() - t0) / 10) + 1);
      while (i < due) sent.push(a.controls.handleMessage({ type: 'setMargin', margin: margins[i++] }));
      await sleep(4);
    }
    const sendMs = Date.now() - t0;
    assert.ok(sendMs < 3_000, `200 margins sent in ${sendMs} ms (the host kept up with a 2 s drag)`);
    await within(Promise.all(sent), 30_000, 'every margin message to be handled');
    const last = margins[199];
    const c = await censusAt(s, last);
    await sleep(1_000); // longer than the settle time, the pacer and the settings write: anything stale would land now
    assert.equal(s.census, c, 'nothing was published after the census at the last margin');
    assert.equal(s.settings.margin, last);
    assert.equal(s.status.state, 'ready', `status ${JSON.stringify(s.status)}`);
    assertMatchesBrute(c, s, last, 'the census at the last margin');
    assert.ok(
      c.pml.semihard > 0 && c.pml.easy > 0 && c.pml.hard > 0,
      'the data has every kind of triplet at that margin',
    );
    // And bit for bit the engine's census at that margin, counted afresh in workers of its own.
    const engine = new AnalysisClient({
      workerScript: path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'worker.js'),
    });
    try {
      await engine.setDataset({
        embeddings: d.embeddings,
        n: d.n,
        dim: d.dim,
        labels: d.labels,
        classes: d.classNames.length,
      });
      await engine.buildIndex({ distance: s.settings.distance, normalize: s.settings.normalize });
      const fresh = await within(engine.census(last, { topK: 50 }), 30_000, 'a fresh engine census');
      assert.deepEqual(
        [c.triplets, c.pml, c.facenet],
        [fresh.triplets, fresh.pml, fresh.facenet],
        'the census equals a fresh count at the last margin',
      );
      assert.ok(Object.is(c.lossSum, fresh.lossSum), `loss ${c.lossSum} vs a fresh count's ${fresh.lossSum}`);
    } finally {
      engine.dispose();
    }
    // What the sidebar and the projection were sent last: the same census, full, at the last margin.
    const toSidebar = sentToControls(a)
      .filter((m) => m.type === 'census' && m.datasetId === s.id)
      .pop();
    assert.ok(toSidebar && toSidebar.type === 'census', 'the sidebar got a census');
    assert.equal(toSidebar.census.settings.margin, last, "the sidebar's last census is at the last margin");
    assert.ok(!toSidebar.census.partial, 'and it is the full recount');
    assert.deepEqual(toSidebar.census.counts, c.pml);
    // The sidebar is sent a status when it changes (its log keeps the last 100 messages): no error among them.
    const errorStatus = sentToControls(a).find((m) => m.type === 'status' && m.state === 'error');
    assert.equal(errorStatus, undefined, 'the sidebar was shown no error');
    const panel = a.inspector.panelOf(s)!;
    const toPanel = sentToPanel(panel)
      .filter((m) => m.type === 'census' || m.type === 'censusUpdate')
      .pop();
    assert.deepEqual(
      toPanel,
      { type: 'census', margin: last, partial: undefined },
      "the projection's last colours are the full census at the last margin",
    );
    await until(
      () => cfg().get('margin') === last,
      () => `the last margin saved to the settings (they hold ${cfg().get('margin')})`,
      10_000,
    );
    assert.deepEqual(errorMessages, []);
  });

  it("20 snapshot switches from the sidebar's picker: the session shows the last one chosen, and only it stays open", async () => {
    const a = await api();
    const first = await a.inspector.open(files.run(1));
    assert.ok(first);
    assert.equal(first.dataset.snapshots?.length, 5);
    assert.equal(first.dataset.activeSnapshot, 0);
    await censusAt(first, first.settings.margin);
    const picks = Array.from({ length: 20 }, (_, k) => (3 * k + 1) % 5);
    const chosen = picks[picks.length - 1];
    const sent: Promise<string | undefined>[] = [];
    for (const index of picks) {
      sent.push(a.controls.handleMessage({ type: 'setSnapshot', index }));
      await sleep(20); // a keyboard held down on the picker
    }
    await within(Promise.all(sent), 60_000, 'every snapshot message to be handled');
    const s = await until(
      () => {
        const open = a.inspector.openSessions;
        return open.length === 1 && open[0] === a.inspector.activeSession && open[0];
      },
      () =>
        `one session left open and active; open: ${a.inspector.openSessions.map((x) => `${path.basename(x.dataset.files.embeddings)}${x === a.inspector.activeSession ? ' (active)' : ''}`).join(', ')}`,
      30_000,
    );
    assert.equal(s.dataset.activeSnapshot, chosen, `the last snapshot chosen (${chosen}) is shown`);
    assert.equal(s.dataset.files.embeddings, files.run(chosen + 1));
    const c = await censusAt(s, s.settings.margin);
    assertMatchesBrute(c, s, c.settings.margin, 'the census of the snapshot shown');
    const state = sentToControls(a)
      .filter((m) => m.type === 'state')
      .pop();
    assert.ok(
      state && state.type === 'state' && state.datasetId === s.id && state.activeSnapshot === chosen,
      `the sidebar shows snapshot ${chosen}: ${JSON.stringify(state && state.type === 'state' && { id: state.datasetId === s.id, active: state.activeSnapshot })}`,
    );
    await until(() => umap(s).done, 'the UMAP layout of the last snapshot', 60_000);
    // The sessions of the other snapshots are closed: only this one's analysis workers remain.
    const own = analysisSlots(s).filter((x) => !x.isDead).length;
    await until(
      () => tracked.size === host.baseline.tracked + own,
      () => `only the open session's ${own} analysis workers: ${threadsText()}`,
      30_000,
    );
    assert.deepEqual(errorMessages, []);
  });

  it('closing the projection mid-census leaves no running work and no error', async () => {
    const a = await api();
    const s = await a.inspector.open(files.closeCensus);
    assert.ok(s);
    await until(() => analysisSlots(s).some((x) => x.pending.size > 0), 'the analysis workers to be busy', 20_000);
    assert.equal(s.census, undefined, 'closed before the census arrived');
    await closeAll();
    assert.equal(s.disposed, true);
    await within(s.idle(), 10_000, 'the analysis to end after the panel closed');
    await threadsBackTo(0, 0, 'every worker of the closed session (analysis and UMAP) to end');
    assert.equal(a.inspector.activeSession, undefined);
    assert.equal(a.inspector.openSessions.length, 0);
    const lastStatus = sentToControls(a)
      .filter((m) => m.type === 'status')
      .pop();
    assert.ok(
      lastStatus && lastStatus.type === 'status' && lastStatus.state !== 'error',
      `the sidebar shows no error: ${JSON.stringify(lastStatus)}`,
    );
    await sleep(500);
    assert.deepEqual(errorMessages, [], 'no error notification');
  });

  it('closing the projection mid-UMAP leaves no running work and no error', async () => {
    const a = await api();
    const s = await a.inspector.open(files.closeUmap);
    assert.ok(s);
    await until(
      () => umap(s).running,
      () => `UMAP to be running (${JSON.stringify(umap(s))})`,
      60_000,
    );
    assert.ok(
      tracked.size > host.baseline.tracked && [...tracked.values()].includes('projectionWorker.js'),
      `the projection worker runs: ${trackedSummary()}`,
    );
    await closeAll();
    await threadsBackTo(0, 0, 'every worker of the closed session (analysis and UMAP) to end');
    await within(s.idle(), 10_000, 'the analysis to end after the panel closed');
    assert.equal(umap(s).done, false, 'no UMAP layout was delivered after closing');
    const lastStatus = sentToControls(a)
      .filter((m) => m.type === 'status')
      .pop();
    assert.ok(
      lastStatus && lastStatus.type === 'status' && lastStatus.state !== 'error',
      `the sidebar shows no error: ${JSON.stringify(lastStatus)}`,
    );
    await sleep(500);
    assert.deepEqual(errorMessages, [], 'no error notification');
  });

  it('5 datasets opened at once: one session each, every one ready with its exact census', async () => {
    const a = await api();
    const opened = await within(
      Promise.all(
        files.many.map((f) =>
          vscode.commands.executeCommand<Session | undefined>('embeddingInspector.inspectFile', vscode.Uri.file(f)),
        ),
      ),
      60_000,
      'five datasets to open',
    );
    assert.ok(
      opened.every((s) => s),
      'every dataset opened',
    );
    const all = opened as Session[];
    assert.equal(new Set(all).size, 5, 'one session per dataset');
    assert.deepEqual(
      new Set(a.inspector.openSessions),
      new Set(all),
      'all five stay open (the product keeps a session per dataset)',
    );
    for (const s of all) {
      assert.ok(a.inspector.panelOf(s), `${s.dataset.name} has its projection panel`);
      const c = await censusAt(s, s.settings.margin);
      const name = path.relative(root, s.dataset.files.embeddings);
      assertMatchesBrute(c, s, c.settings.margin, name);
      assert.equal(s.status.state, 'ready', `${name}: ${JSON.stringify(s.status)}`);
      await until(() => umap(s).done, `${name}'s UMAP layout`, 60_000);
    }
    assert.ok(all.includes(a.inspector.activeSession!), 'one of them is active');
    assert.deepEqual(errorMessages, []);
  });

  it('afterwards: no unhandled rejection, worker threads and memory back to the baseline, the extension still works', async () => {
    await host.assertBackToBaseline(await api());
  });
});
