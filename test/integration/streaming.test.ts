/**
 * A dataset whose census index does not fit the memory budget, in the real extension host: the
 * session streams. A stated estimate comes first (marked as such, with its sample and intervals,
 * also in the sidebar), the exact census replaces it and equals the in-memory engine's, slider
 * positions are answered from the pass's table, and a typed margin between positions shows the
 * nearest position's numbers (said so) until its exact recount ends.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { api, censusAt, closeAll, EXTENSION_ID, until, ws, sentToControls } from './helpers';
import type { Session } from '../../src/session';
import type { CensusResult } from '../../src/engine/census';
import { AnalysisClient } from '../../src/worker/client';
import { sliderMargins } from '../../src/shared/sliderScale';
import { rng } from '../helpers/rng';
import { writeNpy } from '../helpers/npy';

describe('a dataset beyond the memory budget streams (real extension host)', function () {
  this.timeout(180_000);
  const cfg = () => vscode.workspace.getConfiguration('embeddingInspector');
  const n = 4000,
    dim = 12,
    classes = 25;
  const r = rng(17),
    g = () => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const centres = Float32Array.from({ length: classes * dim }, g);
  const embeddings = Float32Array.from(
    { length: n * dim },
    (_, k) => centres[labels[Math.floor(k / dim)] * dim + (k % dim)] + 1.2 * g(),
  );
  let session: Session;
  let movedTo: number | undefined;
  const seen: NonNullable<Session['census']>[] = [];
  // The truth: the in-memory census index in the extension's own worker (same distance kernel).
  let engine: AnalysisClient;
  const truthAt = (m: number): Promise<CensusResult> => engine.census(m, { topK: 50, perSample: true });

  before(async () => {
    await closeAll();
    engine = new AnalysisClient({
      workerScript: path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'worker.js'),
    });
    await engine.setDataset({ embeddings, n, dim, labels, classes });
    await engine.buildIndex({ distance: 'euclidean', normalize: true });
    fs.mkdirSync(ws('stream'), { recursive: true });
    writeNpy(ws('stream', 'embeddings.npy'), '<f4', [n, dim], embeddings);
    writeNpy(ws('stream', 'labels.npy'), '<i4', [n], labels);
    // 120 MB: the file and the passes fit, the census index (about 79 MB here) does not fit half of it.
    await cfg().update('maxFileMegabytes', 120, vscode.ConfigurationTarget.Workspace);
    await cfg().update('margin', 0.2, vscode.ConfigurationTarget.Workspace);
    const a = await api();
    // The sidebar, shown: it gets the census messages.
    await vscode.commands.executeCommand('workbench.view.extension.embeddingInspector');
    await until(() => sentToControls(a).some((m) => m.type === 'state'), 'the sidebar view to be ready', 30_000);
    const s = await a.inspector.open(ws('stream', 'embeddings.npy'));
    assert.ok(s, 'the dataset opened');
    session = s;
    session.onDidChange((e) => {
      if (e !== 'census' || !session.census) return;
      seen.push(session.census);
      // The user moves the slider while the exact pass runs: the estimate follows, and the census must end there.
      if (session.census.estimate && movedTo === undefined) {
        movedTo = sliderMargins(session.marginRange)[7];
        void session.setMargin(movedTo);
      }
    });
  });

  after(async () => {
    engine.dispose();
    await cfg().update('maxFileMegabytes', undefined, vscode.ConfigurationTarget.Workspace);
    await cfg().update('margin', undefined, vscode.ConfigurationTarget.Workspace);
    await cfg().update('convention', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
    fs.rmSync(ws('stream'), { recursive: true, force: true });
  });

  it('states an estimate from a sample first, then the exact census replaces it, equal to the in-memory engine', async () => {
    assert.equal(session.streaming, true, 'the session streams');
    const exact = await until(
      () => seen.find((c) => !c.estimate && !c.partial),
      () =>
        `the exact census; status ${JSON.stringify(session.status)}, censuses seen ${seen.length}, last ${session.census ? JSON.stringify({ est: !!session.census.estimate, partial: !!session.census.partial }) : 'none'}`,
    );
    const est = seen.find((c) => c.estimate);
    assert.ok(est?.estimate, 'an estimate was shown before the exact census');
    assert.ok(seen.indexOf(est) < seen.indexOf(exact));
    assert.equal(est.estimate.populationAnchors, n);
    assert.ok(est.estimate.sampledAnchors > 0 && est.estimate.sampledAnchors <= n);
    assert.match(est.estimate.method, /uniform random sample of [\d,]+ of 4,000 anchors \(seed 1\)/);
    const a = await api();
    assert.ok(
      sentToControls(a).some((m) => m.type === 'census' && m.census.estimate),
      'the sidebar was sent the estimate, marked',
    );
    assert.equal(exact.settings.margin, 0.2, 'the exact pass is labelled with the margin it counted');
    const truth = await truthAt(0.2);
    assert.deepEqual([exact.triplets, exact.pml, exact.facenet], [truth.triplets, truth.pml, truth.facenet]);
    assert.ok(Object.is(exact.lossSum, truth.lossSum), `loss ${exact.lossSum} vs ${truth.lossSum}`);
    assert.deepEqual(
      exact.worst,
      truth.worst.map((w) => ({ ...w })),
    );
    assert.deepEqual([...exact.violAsPositive], [...Float32Array.from(truth.perSample!.violAsPositive)]);
    const share = truth.pml.violating / truth.triplets;
    const e = est.estimate.violatingShare;
    assert.ok(
      Math.abs(e.value - share) <= 3 * e.halfWidth95 + 1e-12,
      `estimate ${e.value} ± ${e.halfWidth95} vs exact ${share}`,
    );
  });

  it('a slider moved during the exact pass: the estimate followed it, and the census ends at that margin, exactly', async () => {
    assert.ok(movedTo !== undefined && movedTo !== 0.2);
    const atMoved = seen.find((c) => c.estimate && c.settings.margin === movedTo);
    assert.ok(atMoved, 'an estimate at the moved margin');
    const truth = await truthAt(movedTo);
    const share = truth.pml.violating / truth.triplets,
      e = atMoved.estimate!.violatingShare;
    assert.ok(
      Math.abs(e.value - share) <= 3 * e.halfWidth95 + 1e-12,
      `estimate ${e.value} ± ${e.halfWidth95} vs exact ${share}`,
    );
    const final = await censusAt(session, movedTo);
    assert.deepEqual([final.triplets, final.pml, final.facenet], [truth.triplets, truth.pml, truth.facenet]);
    assert.ok(Object.is(final.lossSum, truth.lossSum));
  });

  it("answers a slider position from the pass's table at once, then a typed margin between positions shows the nearest one until its exact recount", async () => {
    const a = await api();
    await until(() => session.tableReady, 'the table from the exact pass');
    const positions = sliderMargins(session.marginRange);
    const m = positions[Math.floor(positions.length / 3)];
    const from = seen.length;
    await a.controls.handleMessage({ type: 'setMargin', margin: m });
    assert.equal(seen.slice(from).filter((c) => c.fromTable).length, 1, 'answered from the table, once');
    const quick = seen[from];
    assert.ok(
      quick.fromTable && quick.settings.margin === m && quick.shownMargin === undefined,
      "the first census after the move is the table's",
    );
    const atM = await truthAt(m);
    assert.deepEqual([quick.pml, quick.facenet, quick.lossSum], [atM.pml, atM.facenet, atM.lossSum]);
    const exactAtM = await censusAt(session, m);
    assert.deepEqual(
      [...exactAtM.violAsNegative],
      [...Float32Array.from(atM.perSample!.violAsNegative)],
      'then the exact pass: per-sample counts as negative',
    );
    // A margin between two positions: the nearest position's numbers, said so, then the exact recount.
    const typed = (positions[5] + positions[6]) / 2 + (positions[6] - positions[5]) / 10;
    const from2 = seen.length;
    await a.controls.handleMessage({ type: 'setMargin', margin: typed });
    const near = seen[from2];
    assert.equal(near.shownMargin, positions[6], 'shows the nearest position, and says which');
    assert.equal(near.settings.margin, typed);
    const full = await censusAt(session, typed);
    assert.equal(full.shownMargin, undefined);
    const atTyped = await truthAt(typed);
    assert.deepEqual([full.pml, full.facenet, full.lossSum], [atTyped.pml, atTyped.facenet, atTyped.lossSum]);
  });

  it('the convention changed, or the slider back at the margin last counted: the exact census again at once, no pass', async () => {
    const a = await api(),
      typed = session.census!.settings.margin,
      atTyped = await truthAt(typed);
    assert.ok(!session.census!.partial && !session.census!.fromTable, 'starts from the exact census');
    let from = seen.length;
    await cfg().update('convention', 'facenet', vscode.ConfigurationTarget.Workspace);
    const switched = await until(
      () => seen.slice(from).find((c) => c.settings.convention === 'facenet'),
      'a census in the facenet convention',
    );
    assert.ok(
      !switched.partial && !switched.fromTable && switched.shownMargin === undefined,
      'the exact census, not a table answer and a new pass',
    );
    assert.deepEqual(switched.counts, atTyped.facenet);
    assert.equal(session.passProgress, undefined, 'no pass running');
    // Away to a slider position (answered from the table at once, its exact recount started) and back before that
    // recount ends.
    const away = a.controls.handleMessage({ type: 'setMargin', margin: sliderMargins(session.marginRange)[3] });
    assert.ok(seen[seen.length - 1].fromTable, 'the position was answered from the table');
    from = seen.length;
    await a.controls.handleMessage({ type: 'setMargin', margin: typed });
    await away;
    const back = seen[from];
    const what = (c: typeof back | undefined) =>
      JSON.stringify(
        c && { margin: c.settings.margin, partial: c.partial, fromTable: c.fromTable, shown: c.shownMargin },
      );
    assert.ok(
      back && !back.partial && !back.fromTable && back.shownMargin === undefined,
      `the exact census at once, not the nearest position: ${seen.slice(from).map(what).join(' ')}`,
    );
    assert.equal(seen.length, from + 1, 'the recount at the position was stopped: nothing else was published');
    assert.equal(back.settings.margin, typed);
    assert.deepEqual([back.pml, back.facenet, back.lossSum], [atTyped.pml, atTyped.facenet, atTyped.lossSum]);
  });
});
