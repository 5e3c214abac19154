/**
 * Schedules recounts for a slider that may be dragged faster than the engine answers: while
 * requests keep coming, only quick recounts run (each for the latest margin, never a queue of
 * stale ones); once requests pause for `settleMs`, one full recount runs. A request that arrives
 * during any recount — the full one included — is served after it: none is ever dropped.
 * Pure (no `vscode`): unit-tested with fake recounts.
 */
export class RecountScheduler {
  private running = false;
  private wanted = false;
  private stopped = false;

  /** `run(full)` recounts at the latest requested state; `settleMs` is the quiet time before a full recount. */
  constructor(private readonly run: (full: boolean) => Promise<void>, private readonly settleMs: number) {}

  /** Asks for a recount of the latest state. Resolves when the caller's request has been served. */
  async request(): Promise<void> {
    if (this.running) { this.wanted = true; return; }
    this.running = true;
    try {
      for (;;) {
        do {
          this.wanted = false;
          await this.run(false);
        } while (this.wanted && !this.stopped);
        await new Promise((r) => setTimeout(r, this.settleMs));
        if (this.stopped) break;
        if (this.wanted) continue;
        await this.run(true);
        if (!this.wanted || this.stopped) break;
      }
    } finally {
      this.running = false;
    }
  }

  /** Stops after the recount in progress (the session was closed). */
  stop(): void {
    this.stopped = true;
  }
}
