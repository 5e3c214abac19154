/**
 * A projection page that does not say `ready` in time is loaded again (real extension host): in
 * code-server on a loaded machine its resources sometimes time out (408) and the panel stayed
 * blank for good. Here the time limit is made shorter than a page load, so the reload path runs:
 * the panel is loaded again, then its page loads and gets its data.
 */
import * as assert from 'node:assert/strict';
import { api, closeAll, until, ws, sentToPanel } from './helpers';
import { ProjectionPanel } from '../../src/views/projectionPanel';

describe('a projection page that does not load in time', function () {
  this.timeout(120_000);
  after(() => closeAll());

  it('is loaded again, then loads and gets the dataset', async () => {
    const a = await api();
    // The panel class of the running extension (not this test bundle's copy).
    const first = a.inspector.openSessions[0] ?? (await a.inspector.open(ws('clusters', 'embeddings.npy')));
    assert.ok(first, 'a dataset opened');
    const Panel = a.inspector.panelOf(first)!.constructor as typeof ProjectionPanel;
    const saved = [Panel.READY_TIMEOUT_MS, Panel.READY_RETRIES];
    Panel.READY_TIMEOUT_MS = 40;
    Panel.READY_RETRIES = 2;
    try {
      const s = await a.inspector.open(ws('clusters', 'embeddings.npy'));
      const panel = a.inspector.panelOf(s!)!;
      await until(() => panel.reloads >= 1, 'the page loaded again', 10_000);
      await panel.whenReady;
      await until(
        () => sentToPanel(panel).some((m) => m.type === 'dataset'),
        'the dataset posted to the reloaded page',
        60_000,
      );
      assert.ok(panel.reloads <= 2, `at most READY_RETRIES reloads, got ${panel.reloads}`);
    } finally {
      [Panel.READY_TIMEOUT_MS, Panel.READY_RETRIES] = saved;
    }
  });
});
