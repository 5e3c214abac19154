/**
 * Above EXACT_NEIGHBOURS_UP_TO points a streaming session's UMAP starts from NN-descent's
 * neighbours; its exact census pass also keeps every sample's exact neighbours, and the layout is
 * computed again from them and replaces the approximate one (real extension host). Truth: the
 * engine's exactKnn in the extension's own worker, and UMAP with its own exact search in the
 * extension's own projection worker (the same bytes expected).
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
import { rng } from '../helpers/rng';
import { writeNpy } from '../helpers/npy';

describe('UMAP above 10 000 points: NN-descent first, then the exact pass’s neighbours (real extension host)', function () {
  this.timeout(300_000);
  const cfg = () => vscode.workspace.getConfiguration('embeddingInspector');
  const n = EXACT_NEIGHBOURS_UP_TO + 500,
    dim = 8,
    classes = 40;
  const r = rng(23),
    g = () => Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r());
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const centres = Float32Array.from({ length: classes * dim }, g);
  const embeddings = Float32Array.from(
    { length: n * dim },
    (_, k) => centres[labels[Math.floor(k / dim)] * dim + (k % dim)] + g(),
  );
  const extensionPath = () => vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
  let session: Session;
  const notes: string[] = [];

  before(async () => {
    await closeAll();
    fs.mkdirSync(ws('exactnn'), { recursive: true });
    writeNpy(ws('exactnn', 'embeddings.npy'), '<f4', [n, dim], embeddings);
    writeNpy(ws('exactnn', 'labels.npy'), '<i4', [n], labels);
    // 120 MB: the census index (about 500 MB here) does not fit, so the session streams.
    await cfg().update('maxFileMegabytes', 120, vscode.ConfigurationTarget.Workspace);
    const a = await api();
    const s = await a.inspector.open(ws('exactnn', 'embeddings.npy'));
    assert.ok(s, 'the dataset opened');
    session = s;
    assert.ok(session.streaming, 'the session streams');
    session.onDidChange((e) => {
      const note = session.layouts.state().choices.find((c) => c.kind === 'umap' && c.ready)?.note;
      if (e === 'layout' && note !== undefined && notes.at(-1) !== note) notes.push(note);
    });
  });

  after(async () => {
    await cfg().update('maxFileMegabytes', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
    fs.rmSync(ws('exactnn'), { recursive: true, force: true });
  });

  it('replaces the NN-descent layout with the one from the pass’s exact neighbours, and caches it', async () => {
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
      const truth = await engine.knn(15, true, undefined, options);
      // Offered already (the layout above came from them): answered at once.
      const ids = await session.exactNeighbours.wait(normalizedRows(options), 15, new AbortController().signal);
      assert.deepEqual(ids?.indices, truth.indices);
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
});
