/**
 * Paces a stream of values, latest wins: each value is delivered `delayMs` after it is pushed at
 * the earliest, and deliveries are at least `intervalMs` apart; a value pushed while one is waiting
 * replaces it. Pure: the clock is injected so tests drive time by hand.
 */

/** Timer functions (Node's in the extension, fakes in tests). */
export interface PacerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: PacerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Latest-wins pacer; see the file comment. */
export class Pacer<T> {
  private pending: { value: T } | undefined;
  private timer: unknown;
  private lastAt = -Infinity;

  constructor(private readonly deliver: (value: T) => void, private readonly delayMs: number, private readonly intervalMs: number, private readonly clock: PacerClock = realClock) {}

  /** Queues `value` (replacing any value still waiting). */
  push(value: T): void {
    this.pending = { value };
    if (this.timer !== undefined) return; // the waiting delivery will take the newest value
    const now = this.clock.now();
    const at = Math.max(now + this.delayMs, this.lastAt + this.intervalMs);
    this.timer = this.clock.setTimeout(() => this.fire(), at - now);
  }

  /** Drops the waiting value, if any (something newer was sent another way). */
  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    this.lastAt = this.clock.now();
    this.deliver(p.value);
  }
}
