/**
 * Coalesces margin requests while the slider is dragged. Pure (timers and clock injected), so it is
 * unit-tested in Node with a fake clock.
 *
 * A drag fires `input` far faster than the engine recounts (≤ 50 ms at N = 10 000, more with few
 * classes). Sending every value would queue stale recounts on the host and the screen would lag
 * behind the hand. So: at most one `setMargin` in flight; newer values overwrite a single pending
 * slot; the pending value goes out when the host's `census` answer arrives (but never sooner than
 * `minIntervalMs` after the previous send: one per frame). If no answer comes within
 * `answerTimeoutMs` (the host dropped it) or the host reports an error ({@link MarginCoalescer.release}),
 * the slot is released anyway, so the slider can never get stuck.
 */

import type { Clock } from '../../src/shared/clock';

/** Options of {@link MarginCoalescer}. */
export interface CoalescerOptions {
  /** Sends one `setMargin` to the host. */
  send(margin: number): void;
  clock: Clock;
  /** Minimum time between two sends (default 16 ms, one frame). */
  minIntervalMs?: number;
  /** Release the in-flight slot when no answer came after this long (default 3000 ms: a recount
   *  with few classes at N = 10 000 can take 2.6 s, and a second request would only queue behind it). */
  answerTimeoutMs?: number;
}

/** Latest-value-wins sender with at most one request in flight. */
export class MarginCoalescer {
  private inFlight = false;
  private pending: number | undefined;
  private lastSentAt = -Infinity;
  private lastSent: number | undefined;
  /** The margin the host last confirmed (from a census), so an unchanged value is not re-sent. */
  private confirmed: number | undefined;
  private intervalTimer: unknown;
  private answerTimer: unknown;
  private readonly minIntervalMs: number;
  private readonly answerTimeoutMs: number;

  constructor(private readonly options: CoalescerOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 16;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 3000;
  }

  /** True while a request is in flight or waiting: the UI keeps its local margin until idle. */
  get busy(): boolean {
    return this.inFlight || this.pending !== undefined;
  }

  /** The last margin sent to the host (undefined before the first send). */
  get lastSentMargin(): number | undefined {
    return this.lastSent;
  }

  /** The user moved to `margin`: send it now or keep it as the pending value. */
  request(margin: number): void {
    this.pending = margin;
    this.pump();
  }

  /**
   * A census arrived computed at `margin`. It answers the in-flight request only if it is at the
   * margin that request asked for: a census at another margin is something else (a settings.json
   * edit, or the host re-applying a margin it persisted earlier) and the answer is still to come.
   */
  answered(margin: number): void {
    this.confirmed = margin;
    if (this.inFlight && margin !== this.lastSent) return;
    this.inFlight = false;
    this.clear('answer');
    this.pump();
  }

  /** The in-flight request will not be answered (the host reported an error): free the slot. */
  release(): void {
    this.inFlight = false;
    this.clear('answer');
    this.pump();
  }

  /** Forget everything (a new dataset): nothing pending, nothing in flight. */
  reset(confirmed?: number): void {
    this.clear('answer');
    this.clear('interval');
    this.inFlight = false;
    this.pending = undefined;
    this.confirmed = confirmed;
  }

  private pump(): void {
    if (this.pending === undefined || this.inFlight) return;
    const { clock } = this.options;
    if (this.pending === this.confirmed) {
      // The host's latest census is already at exactly this margin and nothing is on the way.
      this.pending = undefined;
      return;
    }
    const wait = this.lastSentAt + this.minIntervalMs - clock.now();
    if (wait > 0) {
      if (this.intervalTimer === undefined) {
        this.intervalTimer = clock.setTimeout(() => {
          this.intervalTimer = undefined;
          this.pump();
        }, wait);
      }
      return;
    }
    const margin = this.pending;
    this.pending = undefined;
    this.inFlight = true;
    this.lastSent = margin;
    this.lastSentAt = clock.now();
    this.answerTimer = clock.setTimeout(() => {
      this.answerTimer = undefined;
      this.inFlight = false;
      this.pump();
    }, this.answerTimeoutMs);
    this.options.send(margin);
  }

  private clear(which: 'answer' | 'interval'): void {
    const key = which === 'answer' ? 'answerTimer' : 'intervalTimer';
    if (this[key] !== undefined) this.options.clock.clearTimeout(this[key]);
    this[key] = undefined;
  }
}
