/**
 * The numbers: violating / hard / semi-hard / easy counts with percentages of the valid triplets,
 * the margin and convention they were computed with, the other convention's counts, the losses and
 * the retrieval metrics. Every count names its margin ("margin 0.20 · pml"): libraries disagree on
 * both (definitions.md), and users compare with their training code.
 */
import type { CensusView, CategoryCounts, Convention, MiningView } from '../../src/shared/protocol';
import { h, setText } from '../common/dom';
import { formatCount, formatPercent, formatShare, formatValue, formatMargin, MISSING } from '../common/format';

/** The census fields the sidebar receives (no per-sample arrays). */
export type ControlsCensus = Omit<
  CensusView,
  'category' | 'lossAsAnchor' | 'violAsAnchor' | 'violAsPositive' | 'violAsNegative' | 'nearestImpostor'
>;

/** How each convention draws its lines, for the caption and the comparison line. */
const RULES: Record<Convention, { violating: string; hard: string; semihard: string; easy: string }> = {
  pml: { violating: 't ≤ m', hard: 't ≤ 0', semihard: '0 < t ≤ m', easy: 't > m' },
  facenet: { violating: 't < m', hard: 't < 0', semihard: '0 ≤ t < m', easy: 't ≥ m' },
};

interface CountRow {
  row: HTMLElement;
  count: HTMLElement;
  pct: HTMLElement;
  rule?: HTMLElement;
}

/** One count line. Only the headline shows its rule inline; the others share one rules line below
 *  (a 300 px sidebar has no room for "semi-hard 0 < t ≤ m" beside a 10-digit count). */
function countRow(label: string, key: string, big = false): [HTMLElement, CountRow] {
  const count = h('span', { class: 'count', 'data-testid': `count-${key}`, id: `count-${key}` });
  const pct = h('span', { class: 'pct', 'data-testid': `pct-${key}` });
  const rule = big ? h('span', { class: 'rule' }) : undefined;
  const row = h(
    'div',
    { class: `count-row ${key}${big ? ' big' : ''}` },
    h('span', { class: 'count-label' }, h('span', { class: 'swatch' }), label, rule ? ' ' : null, rule),
    count,
    pct,
  );
  return [row, { row, count, pct, rule }];
}

/** The counts block (always visible) and the metrics list (in a section). */
export class Summary {
  readonly counts: HTMLElement;
  readonly metrics: HTMLElement;
  private readonly rows: Record<'violating' | 'hard' | 'semihard' | 'easy', CountRow>;
  private readonly caption: HTMLElement;
  private readonly other: HTMLElement;
  private readonly rules = h('div', { class: 'rules', 'data-testid': 'convention-rules' });
  private readonly cells = new Map<string, HTMLElement>();
  private readonly metricRows = new Map<string, HTMLElement>();

  constructor() {
    const [vRow, v] = countRow('violating', 'violating', true);
    const [hRow, hd] = countRow('hard', 'hard');
    const [sRow, s] = countRow('semi-hard', 'semihard');
    const [eRow, e] = countRow('easy', 'easy');
    this.rows = { violating: v, hard: hd, semihard: s, easy: e };
    this.caption = h('div', { class: 'caption', 'data-testid': 'census-caption' });
    this.other = h('div', { class: 'other-convention', 'data-testid': 'other-convention' });
    this.counts = h(
      'div',
      { class: 'counts', 'aria-live': 'off' },
      vRow,
      this.caption,
      hRow,
      sRow,
      eRow,
      this.rules,
      this.other,
    );
    const list = h('dl', { class: 'metrics' });
    const add = (key: string, label: string) => {
      const dd = h('dd', { 'data-testid': `metric-${key}` }, MISSING);
      const dt = h('dt', {}, label);
      this.cells.set(key, dd);
      this.metricRows.set(key, dt);
      list.append(dt, dd);
    };
    add('shape', 'N · D · classes');
    add('triplets', 'valid triplets');
    add('meanLoss', 'mean loss, all');
    add('meanLossNonZero', 'mean loss, non-zero');
    add('batchHard', 'batch-hard loss');
    add('semihard', 'semi-hard loss');
    add('ntXent', 'NT-Xent loss');
    add('p1', 'precision@1');
    add('rPrecision', 'R-precision');
    add('mapAtR', 'MAP@R');
    add('elapsed', 'recount time');
    this.metrics = list;
  }

  /** Dataset shape (from `state`). */
  setShape(n: number, dim: number, classes: number): void {
    setText(this.cell('shape'), `${formatCount(n)} · ${formatCount(dim)} · ${formatCount(classes)}`);
  }

  /** Shows a census; `step` sets the margin's decimals. */
  update(c: ControlsCensus, step: number, mining: MiningView): void {
    const total = c.triplets;
    const conv: Convention = c.settings.convention === 'facenet' ? 'facenet' : 'pml';
    const est = c.estimate;
    // A stated estimate: every count marked "≈" with its 95 % interval; never shown as if exact.
    this.counts.classList.toggle('estimate', !!est);
    this.counts.title = est ? est.method : '';
    for (const key of ['violating', 'hard', 'semihard', 'easy'] as const) {
      const r = this.rows[key];
      setText(r.count, est ? `≈ ${formatCount(c.counts[key])}` : formatCount(c.counts[key]));
      setText(
        r.pct,
        est
          ? `${formatPercent(c.counts[key], total)} ± ${formatShare(est.halfWidth[key] / Math.max(1, total))}`
          : formatPercent(c.counts[key], total),
      );
      if (r.rule) setText(r.rule, RULES[conv][key]);
      else if (r.row.title !== `${conv}: ${RULES[conv][key]}`) r.row.title = `${conv}: ${RULES[conv][key]}`;
    }
    setText(this.rules, `hard ${RULES[conv].hard} · semi-hard ${RULES[conv].semihard} · easy ${RULES[conv].easy}`);
    const where =
      c.shownMargin !== undefined
        ? `margin ${formatMargin(c.shownMargin, step)} (nearest slider position to ${c.settings.margin}; exact recount running)`
        : `margin ${formatMargin(c.settings.margin, step)}`;
    setText(
      this.caption,
      est
        ? `≈ estimate from ${formatCount(est.sampledAnchors)} of ${formatCount(est.populationAnchors)} anchors (95 % intervals) · ${where} · ${conv} · exact census running`
        : `${where} · ${conv} · of ${formatCount(total)} valid triplets`,
    );
    const otherName: Convention = conv === 'pml' ? 'facenet' : 'pml';
    setText(this.other, otherLine(otherName, otherName === 'pml' ? c.pml : c.facenet, total));
    setText(this.cell('triplets'), formatCount(total));
    setText(this.cell('meanLoss'), formatValue(c.meanLoss));
    setText(this.cell('meanLossNonZero'), formatValue(c.meanLossNonZero));
    setText(this.cell('batchHard'), c.batchHard ? formatValue(c.batchHard.meanLoss) : MISSING);
    this.cell('batchHard').title = c.batchHard
      ? `${formatCount(c.batchHard.violatingAnchors)} anchors with a non-zero batch-hard loss`
      : '';
    setText(this.cell('semihard'), c.semihard ? formatValue(c.semihard.meanLoss) : MISSING);
    this.cell('semihard').title = c.semihard
      ? `averaged over ${formatCount(c.semihard.pairs)} (anchor, positive) pairs`
      : '';
    setText(
      this.cell('ntXent'),
      c.ntXent ? `${formatValue(c.ntXent.meanLoss)} (τ = ${c.ntXent.temperature})` : MISSING,
    );
    setText(this.cell('p1'), formatValue(c.retrieval?.precisionAt1));
    setText(this.cell('rPrecision'), formatValue(c.retrieval?.rPrecision));
    setText(this.cell('mapAtR'), formatValue(c.retrieval?.mapAtR));
    setText(this.cell('elapsed'), `${c.elapsedMs < 10 ? c.elapsedMs.toFixed(1) : formatCount(c.elapsedMs)} ms`);
    // The loss of the chosen mining view is the one to compare with training logs: mark it.
    const active =
      mining === 'batch-all' ? ['meanLoss', 'meanLossNonZero'] : mining === 'batch-hard' ? ['batchHard'] : ['semihard'];
    for (const key of ['meanLoss', 'meanLossNonZero', 'batchHard', 'semihard']) {
      const on = active.includes(key);
      this.metricRows.get(key)?.classList.toggle('active', on);
      this.cells.get(key)?.classList.toggle('active', on);
    }
  }

  /** Dims the counts while they belong to another margin than the one shown on the slider. */
  setStale(stale: boolean): void {
    this.counts.classList.toggle('stale', stale);
  }

  /** The exact text shown for the violating count (test hook). */
  get violatingText(): string {
    return this.rows.violating.count.textContent ?? '';
  }

  /** Clears every number (no dataset or a new one). */
  clear(): void {
    for (const r of Object.values(this.rows)) {
      setText(r.count, MISSING);
      setText(r.pct, '');
    }
    setText(this.caption, '');
    setText(this.rules, '');
    setText(this.other, '');
    for (const [k, dd] of this.cells) if (k !== 'shape') setText(dd, MISSING);
  }

  private cell(key: string): HTMLElement {
    return this.cells.get(key)!;
  }
}

function otherLine(name: Convention, c: CategoryCounts, total: number): string {
  const r = RULES[name];
  return `${name}: violating (${r.violating}) ${formatCount(c.violating)} (${formatPercent(c.violating, total)}) · hard ${formatCount(c.hard)} · semi-hard ${formatCount(c.semihard)}`;
}
