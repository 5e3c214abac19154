import * as assert from 'node:assert/strict';
import { RecountScheduler } from '../../../src/analysis/recountScheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake engine: records (full, state at start) and how many runs overlap. */
function fakeEngine(quickMs: number, fullMs: number) {
  const runs: { full: boolean; state: number }[] = [];
  let state = 0,
    active = 0,
    maxActive = 0,
    fullStarted = false;
  const run = async (full: boolean) => {
    active++;
    maxActive = Math.max(maxActive, active);
    runs.push({ full, state });
    if (full) fullStarted = true;
    await sleep(full ? fullMs : quickMs);
    active--;
  };
  return {
    runs,
    run,
    set: (v: number) => {
      state = v;
    },
    get maxActive() {
      return maxActive;
    },
    get fullStarted() {
      return fullStarted;
    },
  };
}

async function idle(e: { runs: unknown[] }): Promise<void> {
  // Idle = no new run for a while (longer than settle + a full run).
  let n = -1;
  while (n !== e.runs.length) {
    n = e.runs.length;
    await sleep(250);
  }
}

describe('RecountScheduler', () => {
  it('serves a request that arrives during the full recount (never drops it)', async () => {
    const e = fakeEngine(5, 80);
    const s = new RecountScheduler(e.run, 20);
    e.set(1);
    void s.request();
    while (!e.fullStarted) await sleep(2);
    e.set(2); // the user moves the slider while the full recount of 1 runs
    void s.request();
    await idle(e);
    const last = e.runs[e.runs.length - 1];
    assert.deepEqual(last, { full: true, state: 2 }, JSON.stringify(e.runs));
    assert.ok(
      e.runs.some((r) => !r.full && r.state === 2),
      'a quick recount answered 2 first',
    );
  });

  it('while dragging: quick recounts at the latest value only, then exactly one full one', async () => {
    const e = fakeEngine(15, 40);
    const s = new RecountScheduler(e.run, 30);
    for (let v = 1; v <= 20; v++) {
      e.set(v);
      void s.request();
      await sleep(3);
    }
    await idle(e);
    assert.equal(e.maxActive, 1, 'never two recounts at once');
    const quick = e.runs.filter((r) => !r.full),
      full = e.runs.filter((r) => r.full);
    assert.ok(quick.length < 20, `coalesced: ${quick.length} quick recounts for 20 requests`);
    assert.equal(quick[quick.length - 1].state, 20);
    assert.deepEqual(full, [{ full: true, state: 20 }]);
  });

  it('a request during the full recount preempts it and is answered by a quick recount at once', async () => {
    const runs: { full: boolean; state: number; outcome?: string }[] = [];
    let state = 1,
      stopFull: (() => void) | undefined,
      preempts = 0;
    const run = async (full: boolean) => {
      const r: { full: boolean; state: number; outcome?: string } = { full, state };
      runs.push(r);
      if (!full) {
        await sleep(5);
        r.outcome = 'done';
        return;
      }
      // A full recount that would take far longer than the test's timeout unless preempted.
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 60_000);
        stopFull = () => {
          clearTimeout(t);
          const e = new Error('preempted');
          e.name = 'AbortError';
          reject(e);
        };
      }).finally(() => {
        stopFull = undefined;
      });
      r.outcome = 'done';
    };
    const s = new RecountScheduler(run, 20, () => {
      preempts++;
      stopFull?.();
    });
    const first = s.request();
    while (!runs.some((r) => r.full)) await sleep(2);
    state = 2;
    void s.request(); // the user moves on while the full recount of 1 runs
    while (runs.filter((r) => r.full).length < 2) await sleep(2);
    assert.equal(preempts, 1);
    assert.deepEqual(
      runs.slice(0, 4).map((r) => [r.full, r.state, r.outcome]),
      [
        [false, 1, 'done'],
        [true, 1, undefined],
        [false, 2, 'done'],
        [true, 2, undefined],
      ],
    );
    s.stop();
    stopFull?.(); // ends the last full recount (not preempted by a request: the caller sees the AbortError)
    await assert.rejects(first, (e: Error) => e.name === 'AbortError');
  });

  it('a request during the settle wait is served at once, not when the wait ends', async () => {
    const e = fakeEngine(5, 5);
    // A settle wait far longer than the test's timeout: only a woken wait lets the test finish.
    const s = new RecountScheduler(e.run, 60_000);
    e.set(1);
    void s.request();
    while (e.runs.length < 1) await sleep(2);
    await sleep(20); // now in the settle wait
    e.set(2);
    void s.request();
    while (e.runs.length < 2) await sleep(2);
    assert.deepEqual(e.runs, [
      { full: false, state: 1 },
      { full: false, state: 2 },
    ]);
    s.stop();
  });

  it('a full recount that fails for another reason still rejects', async () => {
    const s = new RecountScheduler(
      async (full) => {
        if (full) throw new Error('engine broke');
      },
      5,
      () => undefined,
    );
    await assert.rejects(s.request(), /engine broke/);
  });

  it('stops after the run in progress', async () => {
    const e = fakeEngine(10, 10);
    const s = new RecountScheduler(e.run, 50);
    void s.request();
    await sleep(2);
    s.stop();
    await sleep(120);
    assert.deepEqual(e.runs, [{ full: false, state: 0 }]);
  });
});
