/** The snapshot comparison as the panel keeps it (the 'change' message, counted). Pure. */

/** Per-sample Δ loss as anchor against another snapshot, and what the legend says about it. */
export interface ChangeSummary {
  against: string;
  dLoss: Float32Array;
  worse: number;
  better: number;
  same: number;
  worsened: { index: number; title: string }[];
}

/** Counts the samples that got worse / better and names the first ten worsened ones (indices out of range dropped). */
export function changeSummary(
  against: unknown,
  dLoss: Float32Array,
  worsenedIn: unknown,
  sampleTitles: string[],
): ChangeSummary {
  const n = dLoss.length;
  let worse = 0,
    better = 0;
  for (let i = 0; i < n; i++) {
    const d = dLoss[i];
    if (d > 0) worse++;
    else if (d < 0) better++;
  }
  const worsened = (Array.isArray(worsenedIn) ? worsenedIn : [])
    .filter((i): i is number => Number.isInteger(i) && i >= 0 && i < n)
    .slice(0, 10)
    .map((i) => ({ index: i, title: `#${i}${sampleTitles[i] ? ` ${sampleTitles[i]}` : ''}` }));
  return { against: String(against), dLoss, worse, better, same: n - worse - better, worsened };
}
