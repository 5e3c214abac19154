/**
 * Durations for progress messages (the CLI's stderr, the extension's notification and status):
 * how long is left of a run, and how to say it. Pure: no `vscode`, no DOM.
 */

/** 75 s -> "1 min 15 s", 4 h 2 min, 8 s. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/**
 * "about 2 min 10 s left" from the time spent and the share done, or '' while it would be a guess
 * (nothing done yet, all done, or less than `settle` ms spent).
 */
export function timeLeft(elapsedMs: number, fraction: number, settle = 1500): string {
  return fraction > 0 && fraction < 1 && elapsedMs > settle
    ? `about ${formatDuration((elapsedMs * (1 - fraction)) / fraction)} left`
    : '';
}
