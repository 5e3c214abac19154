/**
 * Throttled, latest-wins requests (hover -> `requestDetail`): at most one request per interval,
 * the most recent wish is the one sent, and only the answer to the newest request is accepted.
 * Pure: the clock and timer are injected so tests drive them.
 */

import type { Clock } from '../../src/shared/clock';

/** Sends `send(requestId, index)` for the latest requested index, at most once per `intervalMs`. */
export class LatestWinsRequester {
  private seq = 0;
  private latestId = 0;
  private lastSentAt = -Infinity;
  private lastSentIndex = -1;
  private pending = -1;
  private timer: unknown = undefined;

  constructor(
    private readonly send: (requestId: number, index: number) => void,
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Wants the detail of `index` (a negative index cancels whatever is waiting). */
  request(index: number): void {
    if (index < 0) {
      this.cancel();
      return;
    }
    if (index === this.lastSentIndex && this.pending < 0) return;
    this.pending = index;
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else if (this.timer === undefined)
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
  }

  /** True when `requestId` answers the newest request sent (older answers are stale). */
  accept(requestId: number): boolean {
    return requestId === this.latestId && requestId > 0;
  }

  /** Drops the waiting request and makes every answer in flight stale. */
  cancel(): void {
    this.pending = -1;
    this.lastSentIndex = -1;
    this.latestId = 0;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private flush(): void {
    if (this.pending < 0) return;
    const index = this.pending;
    this.pending = -1;
    this.latestId = ++this.seq;
    this.lastSentAt = this.clock.now();
    this.lastSentIndex = index;
    this.send(this.latestId, index);
  }
}
