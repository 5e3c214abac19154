/**
 * Query / gallery retrieval in the real extension host (issue 16, item 6): the fixture `reid`
 * (metadata.tsv with label, split and camera columns) opened as a user would; the sidebar receives
 * CMC rank-1/5/10 and mAP equal to torchreid's eval_market1501 written out in the test
 * (helpers/market1501Reference.ts) on float64 distances, again after the distance changes; a split
 * that cannot be used shows a message naming the file and column; no split column, nothing shown.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, censusAt, closeAll, until, ws, sentToControls } from './helpers';
import type { Session } from '../../src/session';
import type { QueryGalleryView, ToControls } from '../../src/shared/protocol';
import { market1501Reference } from '../helpers/market1501Reference';

type QgMessage = Extract<ToControls, { type: 'queryGallery' }>;

/** Float64 distances between the fixture's rows, normalised first (the default setting). */
function distances(s: Session, kind: 'euclidean' | 'cosine') {
  const { embeddings: e, n, dim } = s.dataset;
  const x = new Float64Array(e.subarray(0, n * dim));
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let k = 0; k < dim; k++) q += x[i * dim + k] ** 2;
    for (let k = 0; k < dim; k++) x[i * dim + k] /= Math.sqrt(q);
  }
  return (a: number, b: number) => {
    let s2 = 0,
      dot = 0;
    for (let k = 0; k < dim; k++) {
      s2 += (x[a * dim + k] - x[b * dim + k]) ** 2;
      dot += x[a * dim + k] * x[b * dim + k];
    }
    return kind === 'cosine' ? 1 - dot : Math.sqrt(s2);
  };
}

describe('query / gallery retrieval in the sidebar (Market-1501 protocol)', function () {
  this.timeout(120_000);
  let session: Session;
  const cfg = () => vscode.workspace.getConfiguration('embeddingInspector');
  const split = { queries: new Int32Array(0), gallery: new Int32Array(0), cameras: new Int32Array(0) };

  /** The last query / gallery view the sidebar received for this session, once it matches `ok`. */
  async function sidebarView(
    ok: (v: QueryGalleryView | null) => boolean,
    what: string,
  ): Promise<QueryGalleryView | null> {
    const a = await api();
    const last = () =>
      sentToControls(a)
        .filter((m): m is QgMessage => m.type === 'queryGallery' && m.datasetId === session.id)
        .at(-1);
    const m = await until(
      () => {
        const l = last();
        return l && ok(l.view) && l;
      },
      () => `${what}; last sent: ${JSON.stringify(last()?.view)}`,
      60_000,
    );
    return m.view;
  }

  before(async () => {
    const a = await api();
    await closeAll();
    const s = await a.inspector.open(ws('reid'), { revealControls: true });
    assert.ok(s, 'the reid dataset opened');
    session = s;
    await censusAt(session, session.settings.margin);
    // The split and cameras as the fixture writes them: one query per identity (every 6th row).
    const n = session.dataset.n;
    split.queries = Int32Array.from({ length: n / 6 }, (_, i) => 6 * i);
    split.gallery = Int32Array.from([...Array(n).keys()].filter((i) => i % 6 !== 0));
    split.cameras = Int32Array.from(session.dataset.metadata!.camera.toArray(), (c) => Number(c!.slice(1)));
  });

  after(async () => {
    await cfg().update('distance', undefined, vscode.ConfigurationTarget.Workspace);
    await cfg().update('queryGallery.galleryValue', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
  });

  it('sends CMC rank-1/5/10 and mAP equal to the reference, with the valid queries', async () => {
    assert.equal(session.settings.distance, 'euclidean');
    const v = (await sidebarView(
      (x) => x?.state === 'ready' && x.distance === 'euclidean, normalised',
      'the euclidean metrics',
    ))!;
    const want = market1501Reference(session.dataset.labels, split, distances(session, 'euclidean'));
    assert.equal(v.queries, 12);
    assert.equal(v.gallery, 60);
    assert.equal(v.metrics!.validQueries, want.valid);
    assert.equal(want.valid, 11, 'the identity seen by one camera only has no valid match');
    for (const k of ['rank1', 'rank5', 'rank10', 'mAP'] as const)
      assert.ok(Math.abs(v.metrics![k] - want[k]) < 1e-12, `${k}: ${v.metrics![k]} vs ${want[k]}`);
    assert.ok(want.mAP > 0.2 && want.mAP < 0.99 && want.rank1 < 1, `a case with misses: ${JSON.stringify(want)}`);
    assert.equal(v.cameraColumn, 'camera');
    assert.match(v.protocol, /Market-1501/);
  });

  it('follows a distance change (cosine)', async () => {
    await cfg().update('distance', 'cosine', vscode.ConfigurationTarget.Workspace);
    const v = (await sidebarView((x) => x?.state === 'ready' && x.distance === 'cosine', 'the cosine metrics'))!;
    const want = market1501Reference(session.dataset.labels, split, distances(session, 'cosine'));
    for (const k of ['rank1', 'rank5', 'rank10', 'mAP'] as const)
      assert.ok(Math.abs(v.metrics![k] - want[k]) < 1e-12, `${k}: ${v.metrics![k]} vs ${want[k]}`);
  });

  it('says why when the split values do not match the settings (file and column named)', async () => {
    await cfg().update('queryGallery.galleryValue', 'gal', vscode.ConfigurationTarget.Workspace);
    const v = (await sidebarView((x) => x?.state === 'error', 'the error'))!;
    assert.match(
      v.message!,
      /reid[\\/]metadata\.tsv: column 'split' of sample 1 \(0-based\) is "gallery": every value must be 'query' or 'gal'/,
    );
    await cfg().update('queryGallery.galleryValue', undefined, vscode.ConfigurationTarget.Workspace);
    await sidebarView((x) => x?.state === 'ready', 'the metrics again');
  });

  it('shows nothing for a dataset without a split column', async () => {
    const a = await api();
    const other = await a.inspector.open(ws('clusters', 'embeddings.npy'), { revealControls: true });
    assert.ok(other);
    await censusAt(other, other.settings.margin);
    await other.queryGallery.idle();
    assert.equal(other.queryGallery.view, undefined);
    const sent = await until(
      () =>
        sentToControls(a)
          .filter((m): m is QgMessage => m.type === 'queryGallery' && m.datasetId === other.id)
          .at(-1),
      'a query / gallery message for clusters',
    );
    assert.equal(sent.view, null);
  });
});
