/**
 * A streaming session's recounts at a new margin. Once the slider rests, a pass over every anchor
 * recounts the margin exactly in the background (per-sample counts as positive / negative,
 * colliding class pairs, a typed margin between positions), with its progress; a new margin stops
 * it. The last exact census is kept, and shown again at once when the settings count what it
 * counted (only the convention or the temperature changed, or the slider came back to its margin).
 * Pure: the session owns the census and publishes what this gives it.
 */
import type { Dataset } from '../shared/dataset';
import type { AnalysisSettings, CensusView } from '../shared/protocol';
import type { PassSpec } from '../engine/passTypes';
import { chunkAnchorsFor } from '../engine/passPlan';
import { planSessionPass } from './streaming';
import { fullView, sameCount, type IndexFacts } from './censusViews';
import type { RecountContext } from './recounts';

/** What the recounts need of their session. */
export interface StreamingSession {
  readonly dataset: Dataset;
  readonly budgetBytes: number;
  /** The session's facts, settings and census now; whether it closed. */
  current(): { facts: IndexFacts | undefined; settings: AnalysisSettings; census: CensusView | undefined };
  closed(): boolean;
  context(facts: IndexFacts): RecountContext;
  /** Publishes an exact census of `facts` (the session's census now). */
  publish(view: CensusView, facts: IndexFacts): void;
  /** A pass's progress, and its end (its progress is gone). */
  progress(what: string, done: number, total: number, t0: number): void;
  ended(): void;
}

export class StreamingRecounts {
  /** The background pass recounting a new margin. */
  private job: AbortController | undefined;
  /** The last exact census. */
  private exact: ExactCensus | undefined;

  constructor(private readonly session: StreamingSession) {}

  /** Publishes an exact census (the analysis's or a recount's) and keeps it to be shown again. */
  publishExact(view: CensusView, facts: IndexFacts): void {
    this.exact = { at: view.settings, view, facts };
    this.session.publish(view, facts);
  }

  /** Shows the last exact census again when the settings now count what it counted (stopping a recount); whether it
   * did. */
  showAgain(ntXent: CensusView['ntXent']): boolean {
    const { facts, settings } = this.session.current();
    const e = this.exact,
      view = exactAgain(e, facts, settings, ntXent);
    if (!view || !e) return false;
    this.stop();
    this.session.publish(view, e.facts);
    return true;
  }

  /** Recounts the current margin exactly by a pass, unless the census shown is already that exact one. */
  async recount(): Promise<void> {
    const { facts, settings: s, census } = this.session.current();
    if (!facts) return;
    if (this.exact && sameCount(this.exact.at, s) && census && !census.partial && !census.shownMargin) return;
    this.stop();
    const job = new AbortController();
    this.job = job;
    const t0 = Date.now(),
      what = `Exact recount at margin ${s.margin}`;
    const stale = () => {
      const now = this.session.current();
      return job.signal.aborted || now.facts !== facts || now.settings !== s || this.session.closed();
    };
    try {
      const view = await streamingRecount(
        this.session.context(facts),
        this.session.dataset,
        this.session.budgetBytes,
        s,
        job.signal,
        (done, total) => this.session.progress(what, done, total, t0),
      );
      if (!stale()) this.publishExact(view, facts);
    } catch (e) {
      // Stopped by a newer margin, another analysis or closing: not a failure.
      if (job.signal.aborted && (e as Error)?.name === 'AbortError') return;
      throw e;
    } finally {
      if (this.job === job) {
        this.job = undefined;
        this.session.ended();
      }
    }
  }

  /** Stops the running recount (a new margin): its progress ends with it. */
  stop(): void {
    this.job?.abort();
  }

  /** Stops the running recount and lets it go (another analysis, closing): the progress shown is the analysis's now. */
  drop(): void {
    this.job?.abort();
    this.job = undefined;
  }

  /** Forgets the last exact census (a new analysis: its facts are gone). */
  forget(): void {
    this.exact = undefined;
  }
}

/**
 * Streaming: the exact census at settings `s` by a pass over every anchor (per-sample counts as
 * positive / negative and class pairs included), with its progress; stopped by `signal`.
 */
async function streamingRecount(
  r: RecountContext,
  dataset: Dataset,
  budgetBytes: number,
  s: AnalysisSettings,
  signal: AbortSignal,
  onProgress: (done: number, total: number) => void,
): Promise<CensusView> {
  const t0 = Date.now();
  const plan = planSessionPass(dataset, r.facts.options, r.client.workers, budgetBytes, 0, true);
  const spec: PassSpec = {
    distance: r.facts.options,
    margin: s.margin,
    topK: Math.max(20, r.topK),
    perSample: true,
    retrieval: false,
    semihard: s.mining === 'semi-hard',
    blockAnchors: plan.blockAnchors,
    indexAnchors: plan.indexAnchors,
  };
  const p = await r.client.pass(spec, {
    signal,
    workers: plan.workers,
    chunkAnchors: chunkAnchorsFor(plan, dataset.n),
    onProgress,
  });
  const semihard = p.semihard ? { meanLoss: p.semihard.meanLoss, pairs: p.semihard.pairs } : undefined;
  return fullView(r.ctx, s, p.census, r.facts, semihard, r.ntXent.at(s.temperature), Date.now() - t0);
}

/** The last exact streaming census: the settings it was counted at and their facts. */
interface ExactCensus {
  at: AnalysisSettings;
  view: CensusView;
  facts: IndexFacts;
}

/**
 * Streaming: the last exact census shown again under settings `s` when they count what it counted
 * (only the convention or the temperature changed, or the slider came back to its margin), else undefined.
 */
function exactAgain(
  e: ExactCensus | undefined,
  facts: IndexFacts | undefined,
  s: AnalysisSettings,
  ntXent: CensusView['ntXent'],
): CensusView | undefined {
  if (!e || e.facts !== facts || !sameCount(e.at, s)) return undefined;
  return { ...e.view, settings: s, counts: s.convention === 'pml' ? e.view.pml : e.view.facenet, ntXent };
}
