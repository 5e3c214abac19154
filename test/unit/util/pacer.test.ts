import * as assert from 'node:assert/strict';
import type { Clock } from '../../../src/shared/clock';
import { Pacer } from '../../../src/util/pacer';

/** A hand-driven clock: `advance(ms)` runs the timers that fall due, in order. */
function fakeClock() {
  let now = 0,
    seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => {
      timers.delete(h as number);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = end;
  };
  return {
    clock,
    advance,
    get pending() {
      return timers.size;
    },
  };
}

describe('Pacer', () => {
  it('delivers a value delayMs after it is pushed', () => {
    const c = fakeClock(),
      got: [number, number][] = [];
    const p = new Pacer<number>((v) => got.push([v, c.clock.now()]), 16, 100, c.clock);
    p.push(1);
    c.advance(15);
    assert.deepEqual(got, []);
    c.advance(1);
    assert.deepEqual(got, [[1, 16]]);
  });

  it('keeps deliveries intervalMs apart and delivers only the latest of a burst', () => {
    const c = fakeClock(),
      got: [number, number][] = [];
    const p = new Pacer<number>((v) => got.push([v, c.clock.now()]), 16, 100, c.clock);
    p.push(1);
    c.advance(20); // 1 delivered at 16
    for (let v = 2; v <= 6; v++) {
      p.push(v);
      c.advance(10);
    } // pushes at 20..60
    c.advance(200);
    assert.deepEqual(got, [
      [1, 16],
      [6, 116],
    ]);
    p.push(7); // long after: only the delay applies
    c.advance(16);
    assert.deepEqual(got.at(-1), [7, 286]); // pushed at 270
  });

  it('a value pushed just before the waiting delivery still gets its full delay', () => {
    const c = fakeClock(),
      got: [number, number][] = [];
    const p = new Pacer<number>((v) => got.push([v, c.clock.now()]), 16, 100, c.clock);
    p.push(1);
    c.advance(20); // 1 at 16
    c.advance(95); // t = 115
    p.push(2); // the interval allows 116, the delay only 131
    c.advance(100);
    assert.deepEqual(got, [
      [1, 16],
      [2, 131],
    ]);
  });

  it('cancel drops the waiting value', () => {
    const c = fakeClock(),
      got: number[] = [];
    const p = new Pacer<number>((v) => got.push(v), 16, 100, c.clock);
    p.push(1);
    p.cancel();
    c.advance(500);
    assert.deepEqual(got, []);
    assert.equal(c.pending, 0);
    p.push(2);
    c.advance(16);
    assert.deepEqual(got, [2]);
  });

  it('a value can carry its own delay (0: at once, still intervalMs after the last delivery)', () => {
    const c = fakeClock(),
      got: [number, number][] = [];
    const p = new Pacer<number>((v) => got.push([v, c.clock.now()]), 16, 100, c.clock);
    p.push(1, 0);
    c.advance(0);
    assert.deepEqual(got, [[1, 0]]);
    c.advance(50);
    p.push(2, 0);
    c.advance(49);
    assert.deepEqual(got, [[1, 0]]);
    c.advance(1);
    assert.deepEqual(got, [
      [1, 0],
      [2, 100],
    ]);
    c.advance(300);
    p.push(3); // the default delay again, the interval long past
    c.advance(50);
    assert.deepEqual(got[2], [3, 416]);
  });

  it('a value that may go sooner than the waiting one moves the delivery earlier', () => {
    const c = fakeClock(),
      got: [number, number][] = [];
    const p = new Pacer<number>((v) => got.push([v, c.clock.now()]), 16, 100, c.clock);
    p.push(1); // due at 16
    c.advance(5);
    p.push(2, 0); // may go at once
    c.advance(0);
    assert.deepEqual(got, [[2, 5]]);
    c.advance(200);
    assert.deepEqual(got, [[2, 5]], 'delivered once');
    assert.equal(c.pending, 0);
  });
});
