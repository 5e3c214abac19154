/**
 * The search box under the legend's pickers: a substring or a /regex/ over labels, file names and
 * metadata (the host matches), the number of matches, "isolate" (dim everything else), and the
 * census of the selection (a search's matches or a box / lasso) beside the whole dataset's.
 */
import { h } from '../common/dom';
import { formatCount } from './format';

/** The selection's share of violating triplets as anchor beside the dataset's, or null without a census. */
export interface SelectionCensus {
  samples: number;
  violating: number;
  triplets: number;
  datasetViolating: number;
  datasetTriplets: number;
}

/**
 * Violating and valid triplets with the selected samples as anchors: an anchor of class c has
 * (size_c - 1) positives and (n - size_c) negatives.
 */
export function selectionCensus(
  selected: Int32Array,
  labels: Int32Array,
  classSizes: Uint32Array,
  violAsAnchor: Float32Array,
  n: number,
): { violating: number; triplets: number } {
  let violating = 0,
    triplets = 0;
  for (const i of selected) {
    const size = classSizes[labels[i]] ?? 0;
    violating += violAsAnchor[i];
    triplets += Math.max(0, size - 1) * (n - size);
  }
  return { violating, triplets };
}

/** The box; `onQuery` gets the query after typing pauses, `onIsolate` the checkbox. */
export class SearchBox {
  private readonly input: HTMLInputElement;
  private readonly isolateBox: HTMLInputElement;
  private readonly status: HTMLElement;
  private timer = 0;

  constructor(parent: HTMLElement, onQuery: (q: string) => void, onIsolate: (on: boolean) => void) {
    this.input = h('input', {
      type: 'search',
      placeholder: 'Search labels, files, metadata (or /regex/)',
      'aria-label': 'Search samples',
      'data-testid': 'search',
      spellcheck: 'false',
    });
    this.input.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => onQuery(this.input.value), 200);
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        window.clearTimeout(this.timer);
        onQuery(this.input.value);
      }
    });
    this.isolateBox = h('input', { type: 'checkbox', 'data-testid': 'search-isolate' });
    this.isolateBox.addEventListener('change', () => onIsolate(this.isolateBox.checked));
    this.status = h('div', { class: 'search-status', 'data-testid': 'search-status', 'aria-live': 'polite' });
    parent.append(
      h(
        'div',
        { class: 'search' },
        this.input,
        h('label', { class: 'isolate', title: 'Dim every sample outside the selection' }, this.isolateBox, ' isolate'),
      ),
      this.status,
    );
  }

  get query(): string {
    return this.input.value;
  }

  /** Shows the matches (or the query's problem) and the selection's census. */
  render(matchText: string, census: SelectionCensus | null): void {
    const parts = [matchText];
    if (census && census.samples > 0) {
      const pct = (v: number, t: number) => (t > 0 ? `${((100 * v) / t).toFixed(2)} %` : '—');
      parts.push(
        `${formatCount(census.samples)} selected: ${pct(census.violating, census.triplets)} of their triplets as anchor violate (dataset ${pct(census.datasetViolating, census.datasetTriplets)})`,
      );
    }
    this.status.textContent = parts.filter((p) => p).join(' · ');
  }
}
