/**
 * Schedules recounts for a slider that may be dragged faster than the engine answers: while
 * requests keep coming, only quick recounts run (each for the latest margin, never a queue of
 * stale ones); once requests pause for `settleMs`, one full recount runs. A request that arrives
 * during the full recount preempts it (`preempt`, when given: the full recount then rejects with
 * an AbortError) and is served at once by a quick recount; without `preempt` it is served after
 * the full recount. A request during the settle wait ends the wait: it is served at once by a quick
 * recount and the quiet time starts again after it. None is ever dropped.
 * Pure (no `vscode`): unit-tested with fake recounts.
 */
export class RecountScheduler {
  private running = false;
  private fullRunning = false;
  private wanted = false;
  private stopped = false;
  /** Ends the settle wait in progress early (a new request, or stop). */
  private wake: (() => void) | undefined;

  /**
   * `run(full)` recounts at the latest requested state; `settleMs` is the quiet time before a full
   * recount; `preempt` stops the full recount in progress (its `run(true)` rejects with an AbortError).
   */
  constructor(
    private readonly run: (full: boolean) => Promise<void>,
    private readonly settleMs: number,
    private readonly preempt?: () => void,
  ) {}

  /** Asks for a recount of the latest state. Resolves when the caller's request has been served. */
  async request(): Promise<void> {
    if (this.running) {
      this.wanted = true;
      if (this.fullRunning) this.preempt?.();
      this.wake?.();
      return;
    }
    this.running = true;
    try {
      for (;;) {
        do {
          this.wanted = false;
          await this.run(false);
        } while (this.wanted && !this.stopped);
        if (this.stopped) break;
        await this.settle();
        if (this.stopped) break;
        if (this.wanted) continue;
        this.fullRunning = true;
        try {
          await this.run(true);
        } catch (e) {
          // Preempted by a newer request: serve it (a quick recount, then a full one once it settles).
          if ((e as Error)?.name !== 'AbortError' || !this.wanted) throw e;
        } finally {
          this.fullRunning = false;
        }
        if (!this.wanted || this.stopped) break;
      }
    } finally {
      this.running = false;
    }
  }

  /** Stops after the recount in progress (the session was closed). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Waits `settleMs`, or less when woken. */
  private settle(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.settleMs);
      this.wake = done;
    });
  }
}
