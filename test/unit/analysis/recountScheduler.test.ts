import * as assert from 'node:assert/strict';
import { RecountScheduler } from '../../../src/analysis/recountScheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake engine: records (full, state at start) and how many runs overlap. */
function fakeEngine(quickMs: number, fullMs: number) {
  const runs: { full: boolean; state: number }[] = [];
  let state = 0, active = 0, maxActive = 0, fullStarted = false;
  const run = async (full: boolean) => {
    active++; maxActive = Math.max(maxActive, active);
    runs.push({ full, state });
    if (full) fullStarted = true;
    await sleep(full ? fullMs : quickMs);
    active--;
  };
  return { runs, run, set: (v: number) => { state = v; }, get maxActive() { return maxActive; }, get fullStarted() { return fullStarted; } };
}

async function idle(e: { runs: unknown[] }): Promise<void> {
  // Idle = no new run for a while (longer than settle + a full run).
  let n = -1;
  while (n !== e.runs.length) { n = e.runs.length; await sleep(250); }
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
    assert.ok(e.runs.some((r) => !r.full && r.state === 2), 'a quick recount answered 2 first');
  });

  it('while dragging: quick recounts at the latest value only, then exactly one full one', async () => {
    const e = fakeEngine(15, 40);
    const s = new RecountScheduler(e.run, 30);
    for (let v = 1; v <= 20; v++) { e.set(v); void s.request(); await sleep(3); }
    await idle(e);
    assert.equal(e.maxActive, 1, 'never two recounts at once');
    const quick = e.runs.filter((r) => !r.full), full = e.runs.filter((r) => r.full);
    assert.ok(quick.length < 20, `coalesced: ${quick.length} quick recounts for 20 requests`);
    assert.equal(quick[quick.length - 1].state, 20);
    assert.deepEqual(full, [{ full: true, state: 20 }]);
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
