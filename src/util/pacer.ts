/**
 * Paces a stream of values, latest wins: each value is delivered `delayMs` after it is pushed at
 * the earliest, and deliveries are at least `intervalMs` apart; a value pushed while one is waiting
 * replaces it. Pure: the clock is injected so tests drive time by hand.
 */

import type { Clock } from '../shared/clock';

/** Node's timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Latest-wins pacer; see the file comment. */
export class Pacer<T> {
  private pending: { value: T; at: number; delay: number } | undefined;
  private timer: unknown;
  private lastAt = -Infinity;
  /** When the armed timer fires. */
  private timerAt = Infinity;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly delayMs: number,
    private readonly intervalMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  /** Queues `value` (replacing any value still waiting), delivered `delayMs` (default: the pacer's) after now at the
   * earliest. */
  push(value: T, delayMs = this.delayMs): void {
    const now = this.clock.now();
    this.pending = { value, at: now, delay: delayMs };
    if (this.timer !== undefined) {
      // The waiting delivery takes the newest value (see fire), sooner if this one may go sooner.
      if (Math.max(now + delayMs, this.lastAt + this.intervalMs) >= this.timerAt) return;
      this.clock.clearTimeout(this.timer);
    }
    this.arm(now);
  }

  /** Drops the waiting value, if any (something newer was sent another way). */
  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private arm(now: number): void {
    const at = Math.max(this.pending!.at + this.pending!.delay, this.lastAt + this.intervalMs);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - now));
  }

  private fire(): void {
    this.timer = undefined;
    const p = this.pending;
    if (!p) return;
    const now = this.clock.now();
    // A value pushed while the timer ran still gets its full delay.
    if (now < p.at + p.delay) {
      this.arm(now);
      return;
    }
    this.pending = undefined;
    this.lastAt = now;
    this.deliver(p.value);
  }
}
