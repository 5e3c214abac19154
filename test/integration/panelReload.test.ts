/**
 * A projection page that does not say `ready` in time gets a new panel (real extension host): in code-server on a
 * loaded machine a webview's resources sometimes never arrive (408) and the panel stayed blank for good, whether or
 * not its page was set again. Here the time limit is made shorter than a page load, so the replacing path runs: the
 * blank panel closes, a new one opens in its column, its page loads and gets the data, and the session lives on.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, until, ws, sentToPanel } from './helpers';
import type { WatchedPanel } from '../../src/views/watchedPanel';

const projectionTabs = () =>
  vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter(
      (t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('embeddingInspector.projection'),
    );

describe('a projection page that does not load in time', function () {
  this.timeout(120_000);
  after(() => closeAll());

  it('gets a new panel, whose page loads and gets the dataset; the session is kept', async () => {
    const a = await api();
    await closeAll();
    // The panel class of the running extension (not this test bundle's copy).
    const first = await a.inspector.open(ws('clusters', 'embeddings.npy'));
    assert.ok(first, 'a dataset opened');
    // Loaded before the limit is shortened: only the next panel is watched with it.
    await a.inspector.panelOf(first)!.whenReady;
    const Watched = a.inspector.panelOf(first)!.page.constructor as typeof WatchedPanel;
    const saved = [Watched.READY_TIMEOUT_MS, Watched.READY_RETRIES];
    Watched.READY_TIMEOUT_MS = 40;
    Watched.READY_RETRIES = 2;
    try {
      const s = await a.inspector.open(ws('clusters', 'embeddings.npy'));
      const panel = a.inspector.panelOf(s!)!;
      const firstWebviewPanel = panel.panel;
      let disposedFirst = false;
      firstWebviewPanel.onDidDispose(() => (disposedFirst = true));
      await until(() => panel.page.replacements >= 1, 'a new panel opened', 10_000);
      await panel.whenReady;
      await until(
        () => sentToPanel(panel).some((m) => m.type === 'dataset'),
        'the dataset posted to the new page',
        60_000,
      );
      assert.ok(panel.page.replacements <= 2, `at most READY_RETRIES new panels, got ${panel.page.replacements}`);
      assert.notEqual(panel.panel, firstWebviewPanel, 'the blank panel was replaced');
      assert.ok(disposedFirst, 'the blank panel was closed');
      assert.ok(a.inspector.openSessions.includes(s!), 'the session outlives the panel it started in');
      assert.equal(a.inspector.panelOf(s!), panel, 'the same projection owns the new panel');
      assert.equal(projectionTabs().length, 2, 'one tab per open dataset (the blank one closed)');
    } finally {
      [Watched.READY_TIMEOUT_MS, Watched.READY_RETRIES] = saved;
    }
  });
});
