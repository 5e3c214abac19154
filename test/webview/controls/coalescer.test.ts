import { equal, same, ok } from './check';
import type { Clock } from '../../../src/shared/clock';
import { MarginCoalescer } from '../../../webview/controls/coalescer';

/** A hand-driven clock: timers fire only when the test advances time. */
class FakeClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}

function setup(opts: { minIntervalMs?: number; answerTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const sent: number[] = [];
  const c = new MarginCoalescer({ send: (m) => sent.push(m), clock, ...opts });
  return { clock, sent, c };
}

describe('controls/coalescer', () => {
  it('sends the first value at once and keeps only the latest while one is in flight', () => {
    const { clock, sent, c } = setup();
    c.request(0.1);
    same(sent, [0.1]);
    clock.advance(5);
    c.request(0.11);
    clock.advance(5);
    c.request(0.12);
    clock.advance(50);
    c.request(0.13); // long past the frame interval, still in flight
    same(sent, [0.1]);
    ok(c.busy);
    c.answered(0.1);
    same(sent, [0.1, 0.13]);
    c.answered(0.13);
    ok(!c.busy);
    same(sent, [0.1, 0.13]);
  });

  it('never has more than one request in flight over a long drag', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    let outstanding = 0;
    let maxOutstanding = 0;
    // A slow host: answers each setMargin 37 ms later with a census at that margin.
    const c: MarginCoalescer = new MarginCoalescer({
      clock,
      send: (m) => {
        sent.push(m);
        outstanding++;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        clock.setTimeout(() => {
          outstanding--;
          c.answered(m);
        }, 37);
      },
    });
    for (let step = 1; step <= 400; step++) {
      c.request(step / 1000);
      clock.advance(4);
    } // input every 4 ms
    clock.advance(200);
    equal(maxOutstanding, 1);
    ok(sent.length >= 35 && sent.length <= 45, `sent ${sent.length}`); // ~1600 ms / 37 ms
    equal(sent[sent.length - 1], 0.4);
    ok(!c.busy);
  });

  it('ends on the last value the user chose', () => {
    const { clock, sent, c } = setup();
    for (let i = 1; i <= 20; i++) {
      c.request(i / 100);
      clock.advance(3);
    }
    c.answered(sent[sent.length - 1]);
    clock.advance(100);
    c.answered(sent[sent.length - 1]);
    equal(sent[sent.length - 1], 0.2);
    ok(!c.busy);
  });

  it('paces sends to one per frame even when answers are instant', () => {
    const { clock, sent, c } = setup({ minIntervalMs: 16 });
    c.request(0.1);
    c.answered(0.1);
    clock.advance(4);
    c.request(0.2); // only 4 ms after the first send: waits for the frame
    same(sent, [0.1]);
    clock.advance(11);
    same(sent, [0.1]);
    clock.advance(1);
    same(sent, [0.1, 0.2]);
  });

  it('releases the slot when the host never answers', () => {
    const { clock, sent, c } = setup({ answerTimeoutMs: 200 });
    c.request(0.1);
    c.request(0.3);
    clock.advance(199);
    same(sent, [0.1]);
    clock.advance(1);
    same(sent, [0.1, 0.3]);
  });

  it('is not answered by a census at another margin', () => {
    const { clock, sent, c } = setup({ answerTimeoutMs: 10_000 });
    c.request(0.211);
    c.request(0.3);
    clock.advance(100);
    c.answered(0.21); // the host re-applied an older margin: not our answer
    c.answered(0.22);
    same(sent, [0.211]);
    ok(c.busy);
    c.answered(0.211);
    same(sent, [0.211, 0.3]);
  });

  it('frees the slot when the host reports an error', () => {
    const { clock, sent, c } = setup({ answerTimeoutMs: 10_000 });
    c.request(0.1);
    c.request(0.2);
    clock.advance(100);
    same(sent, [0.1]);
    c.release();
    same(sent, [0.1, 0.2]);
  });

  it('defaults to a long answer timeout (slow recounts must not double up)', () => {
    const { clock, sent, c } = setup();
    c.request(0.1);
    c.request(0.2);
    clock.advance(2999);
    same(sent, [0.1]);
    clock.advance(1);
    same(sent, [0.1, 0.2]);
  });

  it('does not resend the margin the host already has', () => {
    const { clock, sent, c } = setup();
    c.answered(0.2); // census at 0.2 from the initial state
    c.request(0.2);
    same(sent, []);
    ok(!c.busy);
    c.request(0.25);
    c.answered(0.25);
    clock.advance(20);
    c.request(0.2);
    same(sent, [0.25, 0.2]);
  });

  it('reset drops pending work and timers', () => {
    const { clock, sent, c } = setup();
    c.request(0.1);
    c.request(0.2);
    c.reset(0.5);
    ok(!c.busy);
    equal(clock.pending, 0);
    clock.advance(5000);
    same(sent, [0.1]);
  });
});
