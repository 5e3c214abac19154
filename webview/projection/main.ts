/**
 * Projection panel entry point: renders what the host sends (dataset, layout, census, detail,
 * highlight, reveal, status) and posts intents back (openSample, requestDetail, selection, log).
 * The page and its state: page.ts; the host's messages: messages.ts.
 *
 * Test hook: window.__embeddingInspector (testHook.ts).
 * Event `ei-census-shown` on `window` (detail `{ margin, partial }`) once a census's colours are
 * set (drawn on the next animation frame), for the latency bench.
 * Stable selectors: #plot / [data-testid=plot-canvas], [data-testid=tooltip], [data-testid=tooltip-image],
 * [data-testid=tooltip-sprite-cell], [data-testid=color-by], [data-testid=legend-classes], [data-testid=census-header],
 * [data-testid=worst-list] with [data-testid=worst-row] buttons, [data-testid=worst-toggle], [data-testid=status].
 */
import type { ToProjection } from '../../src/shared/protocol';
import { applyMessage } from './messages';
import { ProjectionPage } from './page';
import { installTestHook } from './testHook';

const page = new ProjectionPage(document.getElementById('app')!);

window.addEventListener('message', (e: MessageEvent) => {
  const m = e.data as ToProjection;
  if (m && typeof m === 'object' && typeof m.type === 'string') applyMessage(page, m);
});

installTestHook(page);

page.api.post({ type: 'ready' });
page.timeline.ready = Date.now();
