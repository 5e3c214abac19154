/**
 * Small statistics for the UI latency bench: median, p90 and max of a list of milliseconds, and
 * one summary row per scenario. No main: importing it starts nothing.
 */

/** The q-quantile (0..1) of `xs` by the nearest-rank method; NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** One printed row: how many latencies, their median / p90 / max, and the median host+engine time. */
export interface Summary {
  count: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
  /** Median of the censuses' `elapsedMs` (host + engine time of the recount). */
  medianElapsedMs: number;
  /** How many latencies were at or under the target. */
  withinTarget: number;
}

/** Summarises latencies and the censuses' own elapsed times against `targetMs`. */
export function summarize(latencies: readonly number[], elapsed: readonly number[], targetMs: number): Summary {
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    count: latencies.length,
    medianMs: r1(quantile(latencies, 0.5)),
    p90Ms: r1(quantile(latencies, 0.9)),
    maxMs: r1(latencies.length ? Math.max(...latencies) : NaN),
    medianElapsedMs: r1(quantile(elapsed, 0.5)),
    withinTarget: latencies.filter((x) => x <= targetMs).length,
  };
}

/** A fixed-width table row for a summary. */
export function formatRow(name: string, s: Summary): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—').padStart(8);
  return `${name.padEnd(26)}${String(s.count).padStart(6)}${f(s.medianMs)}${f(s.p90Ms)}${f(s.maxMs)}${f(s.medianElapsedMs)}${`${s.withinTarget}/${s.count}`.padStart(10)}`;
}

/** The header matching {@link formatRow}. */
export function headerRow(): string {
  return `${'scenario'.padEnd(26)}${'count'.padStart(6)}${'median'.padStart(8)}${'p90'.padStart(8)}${'max'.padStart(8)}${'engine'.padStart(8)}${'≤target'.padStart(10)}`;
}
