/**
 * Above EXACT_NEIGHBOURS_UP_TO points a session's UMAP starts from NN-descent's neighbours; then
 * it is computed again from exact ones (a streaming session's census pass keeps them; in memory,
 * UMAP's own exact search in its worker) and replaces the approximate one
 * (real extension host). Truth: the engine's exactKnn in the extension's own worker, and UMAP with
 * its own exact search in the extension's own projection worker (the same bytes expected).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, EXTENSION_ID, until, ws } from './helpers';
import type { Session } from '../../src/session';
import { AnalysisClient } from '../../src/worker/client';
import { ProjectionClient } from '../../src/projection/client';
import { EXACT_NEIGHBOURS_UP_TO } from '../../src/projection/params';
import { normalizedRows } from '../../src/projection/exactNeighbours';
import { blobs } from './loadFixtures';
import { writeNpy } from '../helpers/npy';

/** `streaming`: the session streams (a 120 MB budget); otherwise it holds its index in memory. Each has its own data (a
 * seed of its own): the other's exact layout is not in the cache. */
function exactNeighboursSuite(streaming: boolean, seed: number, folder: string): void {
  const cfg = () => vscode.workspace.getConfiguration('embeddingInspector');
  const n = EXACT_NEIGHBOURS_UP_TO + 500,
    dim = 8,
    classes = 40;
  const { embeddings, labels } = blobs(seed, n, dim, classes, 1);
  const extensionPath = () => vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  let session: Session;
  const notes: string[] = [];

  before(async () => {
    await closeAll();
    fs.mkdirSync(ws(folder), { recursive: true });
    writeNpy(ws(folder, 'embeddings.npy'), '<f4', [n, dim], embeddings);
    writeNpy(ws(folder, 'labels.npy'), '<i4', [n], labels);
    // 120 MB: the census index (about 500 MB here) does not fit, so the session streams.
    if (streaming) await cfg().update('maxFileMegabytes', 120, vscode.ConfigurationTarget.Workspace);
    const a = await api();
    const s = await a.inspector.open(ws(folder, 'embeddings.npy'));
    assert.ok(s, 'the dataset opened');
    session = s;
    assert.equal(session.streaming, streaming, streaming ? 'the session streams' : 'the session is in memory');
    session.onDidChange((e) => {
      const note = session.layouts.state().choices.find((c) => c.kind === 'umap' && c.ready)?.note;
      if (e === 'layout' && note !== undefined && notes.at(-1) !== note) notes.push(note);
    });
  });

  after(async () => {
    await cfg().update('maxFileMegabytes', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
    fs.rmSync(ws(folder), { recursive: true, force: true });
  });

  const from = streaming ? 'the pass’s exact neighbours' : 'exact neighbours';
  it(`replaces the NN-descent layout with the one from ${from}, and caches it`, async () => {
    await until(() => notes.includes('exact neighbours'), 'the layout from exact neighbours', 280_000);
    const shown = session.layouts.get('umap')!;
    // The pass's neighbours are exact: the engine's brute-force kNN, self first.
    const engine = new AnalysisClient({ workerScript: path.join(extensionPath(), 'dist', 'worker.js') });
    const projection = new ProjectionClient({
      workerScript: path.join(extensionPath(), 'dist', 'projectionWorker.js'),
    });
    try {
      await engine.setDataset({ embeddings, n, dim, labels, classes });
      const options = { distance: session.settings.distance, normalize: session.settings.normalize };
      if (streaming) {
        const truth = await engine.knn(15, true, undefined, options);
        // Offered already (the layout above came from them): answered at once.
        const ids = await session.exactNeighbours.wait(normalizedRows(options), 15, new AbortController().signal);
        assert.deepEqual(ids?.indices, truth.indices);
      }
      // The layout is UMAP's own with exact neighbours, byte for byte.
      const own = await projection.compute({ embeddings, n, dim }, { ...options, neighbours: 'exact' });
      assert.deepEqual(Buffer.from(shown.buffer, shown.byteOffset, shown.byteLength), Buffer.from(own.buffer));
    } finally {
      engine.dispose();
      projection.dispose();
    }
    // Computed here: NN-descent's layout (its recall stated) came first; from the cache: the exact one at once.
    if (notes.length > 1) assert.match(notes[0], /^approximate neighbours \(NN-descent\), recall [01]\.\d{3}/);
    assert.equal(notes.at(-1), 'exact neighbours');
    assert.equal(session.layouts.shown?.kind, 'umap');
  });
}

describe('UMAP above 10 000 points: NN-descent first, then the exact pass’s neighbours (real extension host)', function () {
  this.timeout(300_000);
  exactNeighboursSuite(true, 23, 'exactnn');
});

describe('UMAP above 10 000 points in memory: NN-descent first, then exact neighbours (real extension host)', function () {
  this.timeout(300_000);
  exactNeighboursSuite(false, 29, 'exactnn-memory');
});
