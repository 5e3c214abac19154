import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, bruteCensus, censusAt, closeAll, until, ws, sentToControls, sentToPanel } from './helpers';
import type { Session } from '../../src/session';
import { sliderMargins } from '../../src/shared/sliderScale';
import { positionOf } from '../../src/shared/marginTableView';
import { answerAt } from '../../src/shared/tableAnswer';
import { labelSuspects } from '../../src/analysis/labelErrors';

function openTabPaths(): string[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => {
      const input = t.input as { uri?: vscode.Uri } | undefined;
      return input?.uri?.fsPath ?? '';
    })
    .filter(Boolean);
}

describe('a dataset opened in the real extension host', function () {
  let session: Session;
  const cfg = () => vscode.workspace.getConfiguration('embeddingInspector');

  before(async () => {
    const a = await api();
    await closeAll();
    const s = await a.inspector.open(ws('clusters', 'embeddings.npy'));
    assert.ok(s, 'the clusters dataset opened');
    session = s;
    await censusAt(session, 0.2);
  });

  after(async () => {
    await cfg().update('convention', undefined, vscode.ConfigurationTarget.Workspace);
    await cfg().update('margin', undefined, vscode.ConfigurationTarget.Workspace);
    await closeAll();
  });

  it('loads 60 samples of 4 classes with their images', () => {
    assert.equal(session.dataset.n, 60);
    assert.equal(session.dataset.dim, 8);
    assert.deepEqual(
      [...session.dataset.classNames].sort(),
      ['circle', 'cross', 'ring', 'square'],
      'the metadata label column names the classes',
    );
    assert.equal(session.dataset.sources?.at(3)?.path, ws('clusters', 'images', '003.png'));
  });

  it('counts every triplet exactly as a brute-force census does', () => {
    const d = session.dataset;
    const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, 0.2, 'euclidean', true);
    const c = session.census!;
    assert.equal(c.triplets, truth.triplets);
    assert.equal(c.triplets, 4 * 15 * 14 * 45);
    assert.deepEqual(c.pml, truth.pml);
    assert.deepEqual(c.facenet, truth.facenet);
    assert.ok(
      Math.abs(c.lossSum - truth.lossSum) <= 1e-5 * Math.max(1, truth.lossSum),
      `loss ${c.lossSum} vs ${truth.lossSum}`,
    );
    assert.ok(truth.pml.hard > 0 && truth.pml.semihard > 0, 'the fixture has hard and semi-hard triplets');
  });

  it('opens the projection panel and receives a layout for every sample', async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session);
    assert.ok(panel, 'a projection panel belongs to the session');
    const layout = await until(() => session.layouts.get('umap'), 'the UMAP layout', 90_000);
    assert.equal(layout.length, 2 * session.dataset.n);
    assert.ok(layout.every(Number.isFinite), 'every coordinate is finite');
    // PCA was drawn first; UMAP replaced it when ready. A UMAP served from the layout cache (a
    // second run on this machine) is set before PCA is computed, so PCA may still be on its way.
    const pca = await until(() => session.layouts.get('pca'), 'the PCA layout', 30_000);
    assert.ok(pca && pca.length === layout.length && pca.every(Number.isFinite), 'a PCA layout for every sample');
    assert.equal(session.layouts.shown?.kind, 'umap');
    assert.equal(session.layout, layout);
    assert.deepEqual(
      session.layouts.state().choices.map((c) => [c.kind, c.ready]),
      [
        ['umap', true],
        ['pca', true],
      ],
    );
    assert.match(session.layouts.state().choices[1].note, /% of the variance/);
  });

  it('the neighbours of a sample: answered for the webview, bad requests refused (issue 16, item 1)', async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session)!;
    await until(() => sentToPanel(panel).length > 0, 'the projection webview ready', 60_000);
    await panel.handleMessage({ type: 'requestNeighbours', requestId: 7, index: 3, k: 10 });
    assert.equal(sentToPanel(panel).at(-1)?.type, 'neighbours');
    const r = session.samples.neighbours(3, 10);
    assert.equal(r.items.length, 10);
    assert.ok(
      r.items.every((x, t) => t === 0 || x.distance >= r.items[t - 1].distance),
      'nearest first',
    );
    assert.ok(!r.items.some((x) => x.index === 3), 'the sample itself is not its own neighbour');
    const rejected: (string | undefined)[] = [];
    for (const bad of [
      { index: 3, k: 0 },
      { index: 3, k: 101 },
      { index: -1, k: 5 },
      { index: session.dataset.n, k: 5 },
      { index: 3, k: 2.5 },
    ]) {
      rejected.push(await panel.handleMessage({ type: 'requestNeighbours', requestId: 8, ...bad }));
    }
    assert.equal(rejected.filter((why) => why !== undefined).length, 5, `rejections: ${JSON.stringify(rejected)}`);
  });

  it('a search from the projection is answered; a query that is not a string, or too long, is refused (issue 16, item 2)', async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session)!;
    await until(() => sentToPanel(panel).length > 0, 'the projection webview ready', 60_000);
    await panel.handleMessage({ type: 'search', requestId: 3, query: session.dataset.classNames[0] });
    assert.equal(sentToPanel(panel).at(-1)?.type, 'searchResult');
    assert.ok(await panel.handleMessage({ type: 'search', requestId: 4, query: 42 } as Record<string, unknown>));
    assert.ok(await panel.handleMessage({ type: 'search', requestId: 5, query: 'x'.repeat(501) }));
  });

  it("suspected label errors: every sample's 10 nearest neighbours as brute force finds them, scored and ranked (issue 16, item 3)", async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session)!;
    await until(() => sentToPanel(panel).length > 0, 'the projection webview ready', 60_000);
    await panel.handleMessage({ type: 'findLabelErrors' });
    assert.equal(sentToPanel(panel).at(-1)?.type, 'labelErrors');
    const got = panel.labelErrors.suspects!;
    // Brute force in float64 on the rows as the settings read them (euclidean, normalised by default).
    const d = session.dataset,
      s = session.settings,
      k = 10;
    const x = Array.from({ length: d.n }, (_, i) => {
      const r = Array.from(d.embeddings.subarray(i * d.dim, (i + 1) * d.dim));
      const q = Math.sqrt(r.reduce((t, v) => t + v * v, 0));
      return s.normalize ? r.map((v) => v / q) : r;
    });
    const dist = (i: number, j: number) => Math.sqrt(x[i].reduce((t, v, c) => t + (v - x[j][c]) ** 2, 0));
    const indices = new Int32Array(d.n * k);
    for (let i = 0; i < d.n; i++) {
      const order = Array.from({ length: d.n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((p, q) => dist(i, p) - dist(i, q) || p - q);
      indices.set(order.slice(0, k), i * k);
    }
    const want = labelSuspects(indices, k, d.labels, d.classNames.length);
    assert.equal(s.distance, 'euclidean');
    assert.deepEqual(
      got.map((t) => [t.index, t.suggested, t.score]),
      want.map((t) => [t.index, t.suggested, t.score]),
    );
    assert.ok(want.length > 0, 'the fixture has suspects');
  });

  it('the layout picker: PCA chosen stays chosen, an unknown layout is refused', async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session)!;
    await until(
      () => session.layouts.get('umap') && sentToPanel(panel).length > 0,
      'the UMAP layout and the webview ready',
      90_000,
    );
    await panel.handleMessage({ type: 'chooseLayout', kind: 'pca' });
    assert.equal(session.layouts.shown?.kind, 'pca');
    assert.equal(session.layout, session.layouts.get('pca'));
    assert.deepEqual(
      sentToPanel(panel)
        .slice(-2)
        .map((p) => p.type),
      ['layout', 'layoutState'],
      'the PCA layout and the picker were sent to the webview',
    );
    assert.ok(await panel.handleMessage({ type: 'chooseLayout', kind: 'tsne' } as Record<string, unknown>));
    assert.equal(session.layouts.shown?.kind, 'pca');
    await panel.handleMessage({ type: 'chooseLayout', kind: 'umap' });
    assert.equal(session.layouts.shown?.kind, 'umap');
  });

  it('opens sample i when the webview asks for it', async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session)!;
    await panel.handleMessage({ type: 'openSample', index: 7 });
    await until(
      () => openTabPaths().includes(ws('clusters', 'images', '007.png')),
      'a tab showing images/007.png',
      20_000,
    );
  });

  it('rejects malformed messages without effect', async () => {
    const a = await api();
    const panel = a.inspector.panelOf(session)!;
    const before = openTabPaths().length;
    const rejected = [
      await panel.handleMessage({ type: 'openSample', index: 60 }),
      await panel.handleMessage({ type: 'openSample', index: -1 }),
      await panel.handleMessage({ type: 'openSample', index: '3' } as Record<string, unknown>),
      await panel.handleMessage({ type: 'openSample', index: 1.5 }),
      await panel.handleMessage({ type: 'requestDetail', requestId: 1, index: 1e9 }),
      await panel.handleMessage({ type: 'no-such-message' }),
      await panel.handleMessage(null as unknown as Record<string, unknown>),
    ];
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rejected.filter((why) => why !== undefined).length, 7, `rejections: ${JSON.stringify(rejected)}`);
    assert.equal(openTabPaths().length, before, 'no editor was opened');
  });

  it('recounts to the engine truth when the sidebar moves the margin', async () => {
    const a = await api();
    await a.controls.handleMessage({ type: 'setMargin', margin: 0.5 });
    const c = await censusAt(session, 0.5);
    const d = session.dataset;
    const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, 0.5, 'euclidean', true);
    assert.deepEqual(c.pml, truth.pml);
    assert.deepEqual(c.counts, truth.pml);
    // …and persists it in the workspace settings once the user pauses.
    await until(() => cfg().get('margin') === 0.5, 'margin 0.5 written to the settings', 10_000);
  });

  it('while the margin moves, the quick recount already carries its colours and class rates', async () => {
    const a = await api();
    const quick: NonNullable<Session['census']>[] = [];
    const sub = session.onDidChange((e) => {
      if (e === 'census' && session.census?.partial) quick.push(session.census);
    });
    await vscode.commands.executeCommand('workbench.view.extension.embeddingInspector');
    await until(() => sentToControls(a).some((m) => m.type === 'state'), 'the sidebar view to be ready', 30_000);
    await a.controls.handleMessage({ type: 'setMargin', margin: 0.5 });
    const before = await censusAt(session, 0.5);
    const panel = a.inspector.panelOf(session)!;
    const postedFrom = sentToPanel(panel).length;
    try {
      await a.controls.handleMessage({ type: 'setMargin', margin: 0.35 });
      const full = await censusAt(session, 0.35);
      // The projection got the quick recount's colours, then the full census, and nothing stale after it.
      await until(
        () =>
          sentToPanel(panel)
            .slice(postedFrom)
            .some((m) => m.type === 'census' && m.margin === 0.35),
        'the full census at 0.35 in the projection',
        10_000,
      );
      await new Promise((r) => setTimeout(r, 300)); // longer than the pacer's delay and interval
      const sent = sentToPanel(panel)
        .slice(postedFrom)
        .filter((m) => m.type === 'census' || m.type === 'censusUpdate');
      const lastFull = sent.map((m) => m.type).lastIndexOf('census');
      assert.ok(
        sent.some((m) => m.type === 'censusUpdate' && m.margin === 0.35 && m.partial),
        `a quick update at 0.35 reached the projection: ${JSON.stringify(sent)}`,
      );
      assert.deepEqual(
        sent.slice(lastFull),
        [{ type: 'census', margin: 0.35, partial: undefined }],
        `nothing after the full census: ${JSON.stringify(sent)}`,
      );
      const q = quick.find((c) => c.settings.margin === 0.35);
      assert.ok(q, `a quick census at 0.35 came before the full one (saw ${quick.map((c) => c.settings.margin)})`);
      const d = session.dataset;
      const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, 0.35, 'euclidean', true);
      assert.deepEqual(q.pml, truth.pml);
      assert.deepEqual([...q.violAsAnchor], [...truth.violAsAnchor], 'violating triplets per anchor');
      assert.deepEqual([...q.category], [...full.category], 'colour categories');
      assert.deepEqual([...q.classViolationRate], [...full.classViolationRate], 'class violation rates');
      assert.deepEqual([...q.lossAsAnchor], [...full.lossAsAnchor], 'loss per anchor');
      // Meaningful only if the colours at 0.35 differ from those at 0.5 (else stale ones would pass).
      assert.ok(
        full.category.some((c, i) => c !== before.category[i]),
        'some sample changes colour between 0.5 and 0.35',
      );
      const toSidebar = sentToControls(a).filter(
        (m) => m.type === 'census' && m.census.partial && m.census.settings.margin === 0.35,
      );
      assert.ok(toSidebar.length >= 1, 'the sidebar got the quick census');
    } finally {
      sub.dispose();
      await a.controls.handleMessage({ type: 'setMargin', margin: 0.5 });
      await censusAt(session, 0.5);
      await until(() => cfg().get('margin') === 0.5, 'margin 0.5 written back to the settings', 10_000);
    }
  });

  it('once the margin table is built, a slider position is answered from it at once, identical to the engine', async () => {
    const a = await api();
    await until(() => session.tableReady, 'the margin table', 60_000);
    // A slider position near 0.3: exactly the value the sidebar sends for it.
    const positions = sliderMargins(session.marginRange);
    const m = positions.reduce((best, v) => (Math.abs(v - 0.3) < Math.abs(best - 0.3) ? v : best), positions[0]);
    assert.ok(m !== session.settings.margin && m > 0.2 && m < 0.4, `position ${m}`);
    const seen: NonNullable<Session['census']>[] = [];
    const sub = session.onDidChange((e) => {
      if (e === 'census' && session.census) seen.push(session.census);
    });
    try {
      await a.controls.handleMessage({ type: 'setMargin', margin: m });
      const full = await censusAt(session, m);
      assert.equal(seen.filter((c) => c.fromTable).length, 1, 'answered from the table, once');
      const quick = seen[0];
      assert.ok(
        quick && quick.partial && quick.fromTable && quick.settings.margin === m,
        "the first census after the move is the table's, for that margin",
      );
      assert.ok(seen.indexOf(full) > 0, 'the full recount followed it');
      // Bit for bit what the engine's full recount gives at that margin, and the brute-force truth.
      const d = session.dataset;
      const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, m, 'euclidean', true);
      assert.deepEqual([quick.pml, quick.facenet], [truth.pml, truth.facenet]);
      for (const key of [
        'pml',
        'facenet',
        'triplets',
        'lossSum',
        'meanLoss',
        'meanLossNonZero',
        'worst',
        'batchHard',
      ] as const) {
        assert.deepEqual(quick[key], full[key], key);
      }
      for (const key of ['category', 'violAsAnchor', 'lossAsAnchor', 'classViolationRate'] as const) {
        assert.deepEqual([...quick[key]], [...full[key]], key);
      }
      assert.ok(quick.worst.length > 0, 'the fixture has violating triplets at this margin');
      const toSidebar = sentToControls(a).find(
        (msg) => msg.type === 'census' && msg.census.partial && msg.census.settings.margin === m,
      );
      assert.ok(toSidebar, 'the sidebar got it');
      // The sidebar's copy of the table answers the same position by itself with the same numbers.
      await a.controls.handleMessage({ type: 'ready' }); // the sidebar (re)loading gets everything, the table included
      const msg = sentToControls(a)
        .filter((x) => x.type === 'table')
        .pop();
      assert.ok(msg && msg.type === 'table' && msg.datasetId === session.id, 'a table for this dataset');
      const view = msg.table;
      assert.equal(view.margins.length, positions.length);
      const state = sentToControls(a)
        .filter((x) => x.type === 'state')
        .pop();
      assert.ok(
        state && state.type === 'state' && state.worstTriplets === 50,
        "the sidebar is told the worst list's length (default 50)",
      );
      // The sidebar answers with the host's function (shared/tableAnswer.ts), from its copy of the table.
      const local = answerAt(view, m, state.worstTriplets);
      assert.ok(local?.exact && local.k === positionOf(view.margins, m), 'the sidebar answers this position itself');
      for (const key of ['pml', 'facenet', 'triplets', 'lossSum', 'meanLoss', 'meanLossNonZero', 'batchHard'] as const)
        assert.deepEqual(local[key], quick[key], `sidebar ${key}`);
      const C = view.classes;
      assert.deepEqual(
        [...view.classViolationRate.slice(local.k * C, (local.k + 1) * C)],
        [...quick.classViolationRate],
        'sidebar class rates',
      );
      assert.deepEqual(local.worst, quick.worst, 'sidebar worst list');
    } finally {
      sub.dispose();
      await a.controls.handleMessage({ type: 'setMargin', margin: 0.5 });
      await censusAt(session, 0.5);
      await until(() => cfg().get('margin') === 0.5, 'margin 0.5 written back to the settings', 10_000);
    }
  });

  it('rejects a bad margin from the sidebar', async () => {
    const a = await api();
    const rejected = [
      await a.controls.handleMessage({ type: 'setMargin', margin: -1 }),
      await a.controls.handleMessage({ type: 'setMargin', margin: Number.NaN }),
      await a.controls.handleMessage({ type: 'setSetting', key: 'distance', value: 'manhattan' }),
    ];
    assert.equal(rejected.filter((why) => why !== undefined).length, 3, `rejections: ${JSON.stringify(rejected)}`);
    assert.equal(session.settings.margin, 0.5);
  });

  it('follows a settings change made outside the sidebar, and the sidebar shows it', async () => {
    const a = await api();
    await vscode.commands.executeCommand('workbench.view.extension.embeddingInspector');
    await until(() => sentToControls(a).some((m) => m.type === 'state'), 'the sidebar view to be ready', 30_000);
    await cfg().update('convention', 'facenet', vscode.ConfigurationTarget.Workspace);
    const c = await censusAt(session, 0.5, 'facenet');
    const d = session.dataset;
    const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, 0.5, 'euclidean', true);
    assert.deepEqual(c.counts, truth.facenet);
    await until(
      () => sentToControls(a).some((m) => m.type === 'state' && m.settings.convention === 'facenet'),
      'a sidebar state with convention facenet',
      10_000,
    );
    await until(
      () =>
        sentToControls(a).some(
          (m) =>
            m.type === 'census' &&
            m.census.settings.convention === 'facenet' &&
            m.census.counts.violating === truth.facenet.violating,
        ),
      'the sidebar census under facenet',
      10_000,
    );
  });

  it("a setting changed while the sidebar's margin is not yet saved keeps that margin", async () => {
    const a = await api();
    // The sidebar saves its margin 400 ms after the last move; the convention changes before that.
    const convention = session.settings.convention === 'pml' ? 'facenet' : 'pml';
    await a.controls.handleMessage({ type: 'setMargin', margin: 0.42 });
    await cfg().update('convention', convention, vscode.ConfigurationTarget.Workspace);
    const c = await censusAt(session, 0.42, convention);
    const d = session.dataset;
    assert.deepEqual(c.counts, bruteCensus(d.embeddings, d.n, d.dim, d.labels, 0.42, 'euclidean', true)[convention]);
    await until(() => cfg().get('margin') === 0.42, 'margin 0.42 saved to the settings', 10_000);
    await new Promise((r) => setTimeout(r, 500)); // the save's echo comes back through the listener
    assert.equal(session.settings.margin, 0.42, "the session kept the sidebar's margin");
    assert.equal(session.census?.settings.margin, 0.42);
  });

  it('a session opened now starts at the margin the sidebar chose, before that is written to the settings', async () => {
    const a = await api();
    const moving = a.controls.handleMessage({ type: 'setMargin', margin: 0.44 });
    assert.notEqual(cfg().get('margin'), 0.44, 'not written yet');
    assert.equal(a.inspector.settings.margin, 0.44, "a new session's margin");
    await moving;
    await censusAt(session, 0.44);
    await until(() => cfg().get('margin') === 0.44, 'margin 0.44 saved to the settings', 10_000);
    assert.equal(a.inspector.settings.margin, 0.44);
  });

  it('rebuilds the index when the distance changes', async () => {
    await cfg().update('distance', 'cosine', vscode.ConfigurationTarget.Workspace);
    try {
      const c = await until(() => session.census?.settings.distance === 'cosine' && session.census, 'a cosine census');
      const d = session.dataset;
      const truth = bruteCensus(d.embeddings, d.n, d.dim, d.labels, c.settings.margin, 'cosine', true);
      assert.deepEqual(c.pml, truth.pml);
    } finally {
      await cfg().update('distance', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

describe('bad input', () => {
  it('a truncated file is refused with an error and the extension keeps working', async () => {
    const a = await api();
    const bad = await a.inspector.open(ws('broken', 'embeddings.npy'));
    assert.equal(bad, undefined, 'no session for a truncated file');
    const good = await a.inspector.open(ws('projector'));
    assert.ok(good, 'the projector folder still opens');
    assert.equal(good.dataset.n, 40);
    await censusAt(good, good.settings.margin);
    assert.equal(path.basename(good.dataset.files.embeddings), 'tensors.tsv');
    await closeAll();
  });
});
