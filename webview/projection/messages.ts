/**
 * The host's messages (ToProjection) applied to the projection page, each checked first: a message
 * for another dataset is dropped, a malformed one is logged to the host and ignored.
 */
import type { CensusView, ToProjection } from '../../src/shared/protocol';
import { changeSummary } from './changeSummary';
import { formatCount } from './format';
import type { ProjectionPage } from './page';
import { classCounts } from './pointStyle';
import { validateCensus, validateDataset, validateLayout } from './validate';

/** Applies one message from the host. */
export function applyMessage(p: ProjectionPage, m: ToProjection): void {
  const ds = p.ds;
  const log = (message: string) => p.api.post({ type: 'log', level: 'error', message });
  switch (m.type) {
    case 'dataset': {
      const problem = validateDataset(m.dataset);
      if (problem) return log(`dataset ignored: ${problem}`);
      if (ds?.id !== m.dataset.id) p.resetForDataset();
      p.ds = m.dataset;
      p.pictures.show(m.dataset);
      p.timeline.dataset ||= Date.now();
      p.counts = classCounts(m.dataset.labels, m.dataset.classNames.length);
      p.renderStatus();
      p.worst.render(p.census, m.dataset);
      p.restyle();
      return;
    }
    case 'layout': {
      if (!ds || m.datasetId !== ds.id) return;
      const problem = validateLayout(m.layout, m.dims, ds.n);
      if (problem) return log(`layout ignored: ${problem}`);
      p.layouts.reset();
      p.showLayout(m.layout, m.dims, m.kind, ds.n);
      return;
    }
    case 'layoutChunk': {
      if (!ds || m.datasetId !== ds.id) return;
      const problem = p.layouts.receive(m, ds.n);
      p.renderStatus();
      if (problem) log(`layout chunk ignored: ${problem}`);
      return;
    }
    case 'layoutState':
      if (!ds || m.datasetId !== ds.id || !m.state || !Array.isArray(m.state.choices)) return;
      p.picker.render(m.state);
      p.layoutCaption = typeof m.state.caption === 'string' ? m.state.caption : '';
      p.renderStatus();
      return;
    case 'census': {
      if (!ds || m.datasetId !== ds.id) return;
      const problem = validateCensus(m.census, ds.n);
      if (problem) return log(`census ignored: ${problem}`);
      p.showCensus(m.census);
      return;
    }
    case 'censusUpdate': {
      // A quick recount: needs the last full census for the arrays it leaves out.
      if (!ds || m.datasetId !== ds.id || !p.census) return;
      const merged: CensusView = { ...p.census, ...m.census };
      const problem = validateCensus(merged, ds.n);
      if (problem) return log(`census update ignored: ${problem}`);
      p.showCensus(merged);
      return;
    }
    case 'detail':
      if (!ds || !p.requester.accept(m.requestId) || m.index !== p.hoverIndex) return;
      p.plot.scene.detail = { index: m.index, hardestPositive: m.hardestPositive, negatives: m.negatives.slice(0, 20) };
      p.showTooltip(m.index, m.stats ?? null, m.hardestPositive);
      p.plot.invalidate(true);
      return;
    case 'searchResult': {
      if (!ds || m.requestId !== p.searchRequest || !(m.indices instanceof Int32Array)) return;
      const found = m.indices.filter((i) => i >= 0 && i < ds.n);
      p.searchText = m.error
        ? `“${m.query}”: ${m.error}`
        : `${formatCount(found.length)} match${found.length === 1 ? '' : 'es'}`;
      if (found.length > 0 || p.selectionSize > 0) p.setSelection(found);
      p.renderSearch();
      return;
    }
    case 'labelErrors':
      if (!ds || !Array.isArray(m.items)) return;
      p.labelErrors.render(
        { ...m, items: m.items.filter((x) => Number.isInteger(x.index) && x.index >= 0 && x.index < ds.n) },
        ds,
      );
      return;
    case 'neighbours': {
      if (!ds || m.requestId !== p.neighbourRequest || !Array.isArray(m.items)) return;
      const items = m.items.filter((x) => Number.isInteger(x.index) && x.index >= 0 && x.index < ds.n);
      p.neighbours.render({ ...m, items }, ds);
      p.plot.scene.neighbours = { index: m.index, items };
      p.plot.invalidate(true);
      return;
    }
    case 'highlight':
      p.emphasis = new Set([...m.classes, ...(m.pair ?? [])].filter((k) => Number.isInteger(k) && k >= 0));
      p.restyle();
      return;
    case 'reveal':
      if (!ds || !Number.isInteger(m.index) || m.index < 0 || m.index >= ds.n) return;
      if (p.hasLayout && !p.layouts.partial) p.plot.reveal(m.index);
      else p.pendingReveal = m.index;
      return;
    case 'change': {
      if (!ds || m.datasetId !== ds.id || !(m.dLoss instanceof Float32Array)) return;
      if (m.dLoss.length === 0) {
        p.change = null;
        p.restyle();
        return;
      }
      if (m.dLoss.length !== ds.n) return log('change ignored: wrong length');
      p.change = changeSummary(m.against, m.dLoss, m.worsened, ds.sampleTitles);
      p.setColorBy('change');
      return;
    }
    case 'status':
      p.hostStatus = { state: m.state, message: typeof m.message === 'string' ? m.message : '' };
      p.renderStatus();
      return;
    default:
      p.api.post({ type: 'log', level: 'info', message: `unknown message ${(m as { type?: unknown }).type}` });
  }
}
