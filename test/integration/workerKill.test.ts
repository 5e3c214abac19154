/**
 * Analysis workers killed in the real extension host (issue 17, item 9; the load scenarios are in
 * load.test.ts): one killed with a census request in flight, one during the first analysis. Each
 * scenario asserts what the user sees afterwards; as in load.test.ts, the whole file asserts that
 * no promise rejection went unhandled in the host, and that worker threads and memory come back to
 * the baseline measured before the first scenario (HostWatch in loadFixtures.ts).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { api, censusAt, until, ws, sentToControls } from './helpers';
import { analysisSlots, assertMatchesBrute, blobs, HostWatch, type SlotLike, umap, writeDataset } from './loadFixtures';
import { tracked, within } from './hostProbes';

describe('analysis workers killed in the real extension host', function () {
  this.timeout(120_000);
  const root = ws('workerKill');
  const host = new HostWatch('workerKill.test');
  const { errorMessages, threads, threadsText } = host;
  // Per-run data: the first analysis of a dataset the host has not seen, big enough to be killed mid-way.
  const runSeed = Date.now() % 1_000_000;
  const files = { killed: '', firstAnalysis: '' };
  const DIM = 16;

  host.setUpBefore(root, runSeed, () => {
    // Datasets: N = 400 to be killed mid-census (brute force stays under a second), 1 500 during the first analysis.
    files.killed = writeDataset(path.join(root, 'killed'), blobs(5, 400, DIM, 4, 0.9), DIM);
    files.firstAnalysis = writeDataset(path.join(root, 'firstAnalysis'), blobs(runSeed + 11, 1500, DIM, 10, 0.8), DIM);
  });

  host.cleanUpAfter(root);

  it('an analysis worker killed mid-census: the session says what failed or recovers, never hangs, and the next margin is exact', async () => {
    const a = await api();
    const s = await a.inspector.open(files.killed);
    assert.ok(s);
    await censusAt(s, s.settings.margin);
    await until(() => s.tableReady, 'the margin table', 30_000); // built: no background job left to be hit instead
    await until(() => umap(s).done, 'the UMAP layout', 60_000);
    const own = analysisSlots(s).length;
    await until(
      () => tracked.size === host.baseline.tracked + own,
      () => `only the session's ${own} analysis workers: ${threadsText()}`,
      20_000,
    );
    const before = threads();
    const slot = analysisSlots(s)[0];
    assert.ok(slot && !slot.isDead);
    // The worker dies (terminated from outside, as a crash or an OOM kill would end it) with a census request in
    // flight.
    let killedDuring: string | undefined;
    const request = slot.request;
    (slot as { request: SlotLike['request'] }).request = function (this: SlotLike, method: string, ...rest: unknown[]) {
      const p = request.call(this, method, ...rest);
      if (method === 'census' && !killedDuring) {
        killedDuring = method;
        void slot.worker.terminate();
      }
      return p;
    };
    const m = 0.27183; // between slider positions: a recount in the workers, not a table answer
    await within(
      a.controls.handleMessage({ type: 'setMargin', margin: m }),
      20_000,
      'the margin message to be handled',
    );
    assert.equal(killedDuring, 'census', 'the worker was killed with a census request in flight');
    const outcome = await until(
      () =>
        s.census?.settings.margin === m && !s.census.partial
          ? 'recovered'
          : s.status.state === 'error'
            ? 'error'
            : undefined,
      () =>
        `the session to recover or report the failure; status ${JSON.stringify(s.status)}, census at ${s.census?.settings.margin}`,
      30_000,
    );
    if (outcome === 'error') {
      assert.match(s.status.message, /worker/i, `the status names what failed: ${s.status.message}`);
      await until(
        () =>
          sentToControls(a).some((x) => x.type === 'status' && x.state === 'error' && x.message === s.status.message),
        'the sidebar to show the failure',
        5_000,
      );
    } else {
      assertMatchesBrute(s.census!, s, m, 'recovered with the census at the margin asked');
    }
    assert.ok(slot.isDead, 'the killed worker is gone');
    // The next margin: a fresh worker takes the dead one's place and the census is exact again.
    const m2 = 0.4142;
    await within(
      a.controls.handleMessage({ type: 'setMargin', margin: m2 }),
      30_000,
      'the next margin message to be handled',
    );
    const c2 = await censusAt(s, m2);
    assert.equal(s.status.state, 'ready', `status ${JSON.stringify(s.status)}`);
    assertMatchesBrute(c2, s, m2, 'the census after the recovery');
    await until(
      () => {
        const t = threads();
        return t.tracked === before.tracked && (t.os === undefined || t.os === before.os);
      },
      () => `as many worker threads as before the kill (${JSON.stringify(before)}): ${threadsText()}`,
      20_000,
    );
    assert.deepEqual(errorMessages, []);
  });

  it('an analysis worker killed during the first analysis: the session says what failed, never hangs', async () => {
    const a = await api();
    const s = await a.inspector.open(files.firstAnalysis);
    assert.ok(s);
    const slot = await until(
      () => analysisSlots(s).find((x) => x.pending.size > 0),
      'an analysis worker busy with the index',
      20_000,
    );
    void slot.worker.terminate();
    await within(s.idle(), 30_000, 'the analysis to end after its worker was killed');
    assert.equal(s.status.state, 'error', `status ${JSON.stringify(s.status)}`);
    assert.match(s.status.message, /^Analysis failed: .*worker/i, 'the status names what failed');
    await until(
      () => errorMessages.some((x) => x.includes(s.dataset.name) && /worker/i.test(x)),
      () => `an error notification naming the dataset and the worker (got ${JSON.stringify(errorMessages)})`,
      10_000,
    );
    errorMessages.length = 0;
    await until(
      () => sentToControls(a).some((x) => x.type === 'status' && x.state === 'error' && x.message === s.status.message),
      'the sidebar to show the failure',
      5_000,
    );
  });

  it('afterwards: no unhandled rejection, worker threads and memory back to the baseline, the extension still works', async () => {
    await host.assertBackToBaseline(await api());
  });
});
