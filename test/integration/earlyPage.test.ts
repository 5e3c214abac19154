/**
 * The user's Inspect commands open the projection panel before the dataset has loaded (projectionPage.ts), so its page
 * loads meanwhile (real extension host): the panel, named after what the user chose, becomes the dataset's projection
 * (renamed, one tab throughout); a dataset that fails to load closes it; closing it while the dataset loads opens
 * nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeNpy } from '../helpers/npy';
import { api, closeAll, until, ws, sentToPanel } from './helpers';

const isProjection = (t: vscode.Tab) =>
  t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('embeddingInspector.projection');
const projectionTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(isProjection);

/** Labels of the projection tabs opened from now on, in order. */
function recordOpened(): { labels: string[]; dispose(): void } {
  const labels: string[] = [];
  const sub = vscode.window.tabGroups.onDidChangeTabs((e) => {
    for (const t of e.opened) if (isProjection(t)) labels.push(t.label);
  });
  return { labels, dispose: () => sub.dispose() };
}

/** 200 000 x 64 (51 MB) in a new temporary folder (`prefix`), values cycling with `period`: a load of a second. */
function writeSlowDataset(prefix: string, period: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const n = 200_000,
    dim = 64;
  const embeddings = new Float32Array(n * dim).map((_, i) => (i % period) / period);
  writeNpy(path.join(dir, 'embeddings.npy'), '<f4', [n, dim], embeddings);
  writeNpy(
    path.join(dir, 'labels.npy'),
    '<i4',
    [n],
    new Int32Array(n).map((_, i) => i % 50),
  );
  return dir;
}

describe('the Inspect commands open the projection before the dataset has loaded', function () {
  this.timeout(120_000);
  beforeEach(() => closeAll());
  after(() => closeAll());

  it('the panel is named after the folder chosen, then becomes the projection of the dataset in it', async () => {
    const a = await api();
    const opened = recordOpened();
    try {
      const s = await a.inspector.open(ws('runs'), { early: true, embeddingsKey: 'embeddings' });
      assert.ok(s, 'the log dir opened');
      assert.equal(s.dataset.name, 'runs · embeddings');
      const panel = a.inspector.panelOf(s)!;
      await panel.whenReady;
      await until(() => sentToPanel(panel).some((m) => m.type === 'dataset'), 'the dataset posted to the page', 60_000);
      assert.deepEqual(opened.labels, ['Embeddings: runs'], 'one panel opened, named after the folder the user chose');
      assert.equal(panel.panel.title, 'Embeddings: runs · embeddings', 'renamed after the dataset once loaded');
      const tabs = projectionTabs();
      assert.deepEqual(
        tabs.map((t) => t.label),
        ['Embeddings: runs · embeddings'],
      );
    } finally {
      opened.dispose();
    }
  });

  it('a dataset that does not load closes its panel and opens nothing', async () => {
    const a = await api();
    const opened = recordOpened();
    try {
      const before = a.inspector.openSessions.length;
      const s = await a.inspector.open(ws('broken', 'embeddings.npy'), { early: true });
      assert.equal(s, undefined, 'no session for a truncated file');
      await until(() => opened.labels.length > 0, 'the panel opened while it loaded', 10_000);
      assert.deepEqual(opened.labels, ['Embeddings: embeddings.npy']);
      await until(() => projectionTabs().length === 0, 'the panel closed', 10_000);
      assert.equal(a.inspector.openSessions.length, before);
    } finally {
      opened.dispose();
    }
  });

  it('a panel opened before a 51 MB load gets its dataset, whichever of the two finished first', async () => {
    const a = await api();
    // Its load usually outlasts the page's once a panel has opened in this host, and the page, which says ready only
    // once, gets the dataset on adoption. Not always: run alone, the first page is slower (then it gets it when it
    // says ready). Either way it must arrive.
    const dir = writeSlowDataset('ei-early-ready-', 991);
    try {
      const s = await a.inspector.open(path.join(dir, 'embeddings.npy'), { early: true });
      assert.ok(s, 'the dataset opened');
      const panel = a.inspector.panelOf(s)!;
      await until(() => sentToPanel(panel).some((m) => m.type === 'dataset'), 'the dataset posted to the page', 30_000);
      assert.equal(panel.page.replacements, 0, 'the page that loaded first was kept');
    } finally {
      await closeAll();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closing the panel while the dataset loads opens nothing', async () => {
    const a = await api();
    const before = a.inspector.openSessions.length;
    // Its load outlasts the round trips of closing the tab as soon as it shows.
    const dir = writeSlowDataset('ei-early-', 997);
    let closedAt = 0;
    const sub = vscode.window.tabGroups.onDidChangeTabs((e) => {
      const t = e.opened.find(isProjection);
      if (t) void vscode.window.tabGroups.close(t).then(() => (closedAt = Date.now()));
    });
    try {
      const s = await a.inspector.open(path.join(dir, 'embeddings.npy'), { early: true });
      assert.ok(closedAt > 0, 'the tab was closed before the dataset had loaded');
      assert.equal(s, undefined, 'nothing opened');
      assert.equal(a.inspector.openSessions.length, before);
      assert.equal(projectionTabs().length, 0);
    } finally {
      sub.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
