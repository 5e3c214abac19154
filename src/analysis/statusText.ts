/**
 * What the session's status says: an analysis starting, a pass's progress with the time left, an
 * analysis stopped or failed. Pure text; the session shows it (the sidebar, the status bar, the
 * progress notification).
 */
import type { DistanceOptions } from '../engine/types';
import { timeLeft } from '../shared/duration';

/** A running pass's progress as the status shows it. */
export interface PassProgress {
  what: string;
  fraction: number;
  message: string;
}

/** "Computing euclidean distances (normalised)…" */
export function computingText(o: DistanceOptions): string {
  return `Computing ${o.distance} distances${o.normalize ? ' (normalised)' : ''}…`;
}

/** A pass of `total` anchors at `done`, started `elapsedMs` ago: "what: 1,234 of 100,000 anchors (2 min left)". */
export function passProgress(what: string, done: number, total: number, elapsedMs: number): PassProgress {
  const fraction = total > 0 ? done / total : 1,
    left = timeLeft(elapsedMs, fraction);
  const message = `${what}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} anchors${left ? ` (${left})` : ''}`;
  return { what, fraction, message };
}

/** Least time between two status updates of a pass's progress (its last is always shown). */
export const PASS_STATUS_MS = 500;

/** Why an analysis ended without a census: cancelled (with or without the sample's estimate shown) or failed. */
export function analysisEndedText(e: unknown, estimateShown: boolean): string {
  if ((e as Error)?.name === 'AbortError')
    return estimateShown
      ? 'Exact census cancelled: the numbers shown are the sample’s estimate. Change a setting or run “Inspect Embeddings” again to count every anchor.'
      : 'Analysis cancelled. Change a setting or run “Inspect Embeddings” again to restart it.';
  return `Analysis failed: ${(e as Error)?.message ?? e}`;
}
