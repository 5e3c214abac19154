/**
 * A session's margin table: the census at every slider position for the current index facts,
 * built in the background after each index build (the workers serve every recount first), or
 * handed over by a streaming pass. Skipped when it would be too large or too slow; a failure only
 * logs (the slider then keeps recounting). Pure: no `vscode`.
 */
import type { MarginTableResult, MarginTableOptions } from '../worker/marginTableJob';
import type { MarginAnswers, MarginTableView } from '../shared/marginTableView';
import { sliderMargins } from '../shared/sliderScale';
import { tableAnswers, tableView, type IndexFacts, type ViewContext } from './censusViews';
import type { TableSource } from './streaming';

/** The table a session keeps, with the facts it was counted for. */
export type KeptTable = (MarginTableResult | TableSource) & {
  facts: IndexFacts;
  ms: number;
  /** What answers any slider position (the host's answers and the sidebar's are these). */
  answers: MarginAnswers;
  /** What the sidebar gets (undefined when its class rates are too large to send). */
  view?: MarginTableView;
  classViolating?: Float64Array;
};

export class MarginTables {
  /** Largest margin table built (slider positions x samples, 8 bytes each: 128 MB). */
  static MAX_CELLS = 16_000_000;
  /** Largest margin table work ((anchor, positive) pairs x positions: about 20 ns each per worker). */
  static MAX_WORK = 2e9;
  private kept: KeptTable | undefined;
  private job: AbortController | undefined;

  /**
   * `build` counts a table (AnalysisClient.marginTable); `onBuilt` tells the owner one is ready;
   * `topK` is the worst list's length wanted.
   */
  constructor(
    private readonly build: (
      margins: Float64Array,
      topK: number,
      opts: MarginTableOptions,
    ) => Promise<MarginTableResult>,
    private readonly ctx: ViewContext,
    private readonly sizes: Float64Array,
    private readonly onBuilt: () => void,
    private readonly topK: () => number,
  ) {}

  /** The table kept (whatever facts it was counted for). */
  get table(): KeptTable | undefined {
    return this.kept;
  }

  /** Whether the table holds `facts` (the index the session counts with now). */
  readyFor(facts: IndexFacts | undefined): boolean {
    return !!this.kept && this.kept.facts === facts;
  }

  /** Keeps a table a streaming pass counted, with its view for the sidebar. */
  keep(table: TableSource, facts: IndexFacts, ms: number): void {
    const answers = tableAnswers(table, facts);
    this.kept = { ...table, facts, ms, answers, view: tableView(this.ctx, table, facts, answers) };
  }

  /** Starts building the table for `facts` in the background, unless `stillCurrent()` turns false meanwhile. */
  start(facts: IndexFacts, stillCurrent: () => boolean): void {
    this.job?.abort();
    const margins = sliderMargins(facts.marginRange),
      K = margins.length,
      n = this.ctx.n;
    let pairs = 0;
    for (const c of this.sizes) pairs += c * (c - 1);
    if (K * n > MarginTables.MAX_CELLS || K * pairs > MarginTables.MAX_WORK) {
      console.log(`[ei] margin table skipped: ${K} positions x ${n} samples is beyond its budget`);
      return;
    }
    const job = new AbortController();
    this.job = job;
    const t0 = Date.now();
    this.build(margins, Math.max(20, this.topK()), { signal: job.signal }).then(
      (r) => {
        if (job.signal.aborted || !stillCurrent()) return;
        this.keep(r, facts, Date.now() - t0);
        this.job = undefined;
        console.log(`[ei] margin table: ${K} positions x ${n} samples in ${this.kept!.ms} ms`);
        this.onBuilt();
      },
      (e: unknown) => {
        if ((e as Error)?.name !== 'AbortError' && stillCurrent())
          console.warn('[ei] margin table failed; the slider recounts instead', e);
      },
    );
  }

  /** Stops the build and forgets the table (the index is being rebuilt). */
  drop(): void {
    this.job?.abort();
    this.job = undefined;
    this.kept = undefined;
  }
}
