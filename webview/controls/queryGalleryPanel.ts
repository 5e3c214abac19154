/**
 * The sidebar's query / gallery retrieval block (metadata with a split column): CMC rank-1 / 5 / 10
 * and mAP under the Market-1501 protocol, the valid queries, the distance, the protocol in one
 * line. Hidden when the host sends null (no split column). `describeQueryGallery` is pure (tested).
 * Test ids: `qg-section`, `qg-rank1`, `qg-rank5`, `qg-rank10`, `qg-map`, `qg-valid`, `qg-protocol`,
 * `qg-message`.
 */
import type { QueryGalleryView } from '../../src/shared/protocol';
import { h, setText } from '../common/dom';
import { formatCount, formatShare, MISSING } from '../common/format';

/** What the block shows, as text. */
export interface QueryGalleryText {
  rank1: string;
  rank5: string;
  rank10: string;
  map: string;
  valid: string;
  protocol: string;
  message: string;
}

/** 0.8525 -> "85.3%" (torchreid prints percentages too); "—" when not a share in [0, 1]. */
function pct(x: number | undefined): string {
  return typeof x === 'number' && x >= 0 && x <= 1 ? formatShare(x) : MISSING;
}

/** The texts for a view from the host; undefined for a view that is not well-formed (ignored). */
export function describeQueryGallery(v: QueryGalleryView): QueryGalleryText | undefined {
  if (
    !v ||
    !['computing', 'ready', 'error'].includes(v.state) ||
    !Number.isInteger(v.queries) ||
    !Number.isInteger(v.gallery)
  )
    return undefined;
  const m = v.state === 'ready' ? v.metrics : undefined;
  if (v.state === 'ready' && (!m || !Number.isInteger(m.validQueries))) return undefined;
  const cams = v.cameraColumn ? `, cameras from '${v.cameraColumn}'` : ', no camera column';
  return {
    rank1: pct(m?.rank1),
    rank5: pct(m?.rank5),
    rank10: pct(m?.rank10),
    map: pct(m?.mAP),
    valid: m
      ? `${formatCount(m.validQueries)} of ${formatCount(v.queries)} queries · gallery ${formatCount(v.gallery)}`
      : v.state === 'computing'
        ? 'computing…'
        : MISSING,
    protocol: `${String(v.protocol)}; ${String(v.distance)} distance; split from '${String(v.splitColumn)}'${cams}. Queries with no match left are skipped.`,
    message: v.state === 'error' ? String(v.message ?? 'failed') : '',
  };
}

/** The block: a list of the four metrics, the valid queries, the protocol line and an error line. */
export class QueryGalleryPanel {
  readonly element: HTMLElement;
  private readonly cells: Record<'rank1' | 'rank5' | 'rank10' | 'map' | 'valid', HTMLElement>;
  private readonly protocol = h('div', { class: 'hint', 'data-testid': 'qg-protocol' });
  private readonly message = h('div', { class: 'status error', 'data-testid': 'qg-message', hidden: true });

  constructor(wrap: (body: HTMLElement) => HTMLElement) {
    const list = h('dl', { class: 'metrics' });
    const cell = (key: string, label: string) => {
      const dd = h('dd', { 'data-testid': `qg-${key}` }, MISSING);
      list.append(h('dt', {}, label), dd);
      return dd;
    };
    this.cells = {
      rank1: cell('rank1', 'CMC rank-1'),
      rank5: cell('rank5', 'CMC rank-5'),
      rank10: cell('rank10', 'CMC rank-10'),
      map: cell('map', 'mAP'),
      valid: cell('valid', 'valid queries'),
    };
    this.element = wrap(h('div', {}, list, this.protocol, this.message));
    this.element.setAttribute('data-testid', 'qg-section');
    this.element.hidden = true;
  }

  /** Shows a view (null or malformed: hides the block). */
  show(v: QueryGalleryView | null): void {
    const t = v ? describeQueryGallery(v) : undefined;
    this.element.hidden = !t;
    if (!t) return;
    for (const k of ['rank1', 'rank5', 'rank10', 'map', 'valid'] as const) setText(this.cells[k], t[k]);
    setText(this.protocol, t.protocol);
    setText(this.message, t.message);
    this.message.hidden = !t.message;
  }
}
