import * as assert from './assert';
import type { CensusView, DatasetView } from '../../../src/shared/protocol';
import { categoryName, censusHeader, formatCount, formatMargin, formatValue } from '../../../webview/projection/format';
import { LatestWinsRequester } from '../../../webview/projection/throttle';
import { validateCensus, validateDataset, validateLayout } from '../../../webview/projection/validate';
import { sameTriplets } from '../../../webview/projection/worstList';

/** A fake clock whose timers run when the test advances time. */
function fakeClock() {
  let now = 0,
    nextId = 1;
  const timers = new Map<number, { at: number; f: () => void }>();
  return {
    now: () => now,
    setTimeout: (f: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, f });
      return id;
    },
    clearTimeout: (h: unknown) => {
      timers.delete(h as number);
    },
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at))
        if (t.at <= now) {
          timers.delete(id);
          t.f();
        }
    },
  };
}

describe('projection panel logic', () => {
  it('keeps the worst rows only when they hold the same triplets in the same order', () => {
    const row = (anchor: number, positive: number, negative: number, loss: number) => ({
      anchor,
      positive,
      negative,
      loss,
      dap: 0.1,
      dan: 0.2,
    });
    const a = [row(1, 2, 3, 0.5), row(4, 5, 6, 0.4)];
    assert.equal(sameTriplets(a, [row(1, 2, 3, 0.7), row(4, 5, 6, 0.6)]), true); // losses moved with the margin
    assert.equal(sameTriplets(a, [row(4, 5, 6, 0.4), row(1, 2, 3, 0.5)]), false); // order changed
    assert.equal(sameTriplets(a, [row(1, 2, 3, 0.5), row(4, 5, 7, 0.4)]), false); // another negative
    assert.equal(sameTriplets(a, a.slice(0, 1)), false);
    assert.equal(sameTriplets([], []), true);
  });

  it('formats counts, margins, values and the census header', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    // One count format in both webviews (common/format.ts): thin-space thousands.
    assert.equal(formatCount(1234), '1\u2009234');
    assert.equal(formatCount(9876543210), '9\u2009876\u2009543\u2009210');
    assert.equal(formatCount(-1234567), '-1\u2009234\u2009567');
    assert.equal(formatMargin(0.2), '0.20');
    assert.equal(formatMargin(1), '1.00');
    assert.equal(formatMargin(0.05), '0.05');
    assert.equal(formatMargin(0.125), '0.125');
    assert.equal(formatValue(0.123456), '0.1235');
    assert.equal(formatValue(0), '0');
    assert.equal(formatValue(123456), '1.23e+5');
    const header = censusHeader({
      counts: { hard: 1234, semihard: 567, easy: 1, violating: 1801 },
      settings: {
        margin: 0.2,
        convention: 'pml',
        distance: 'euclidean',
        normalize: true,
        mining: 'batch-all',
        temperature: 0.07,
      },
    });
    assert.equal(header, 'hard 1\u2009234 · semi-hard 567 · margin 0.20 · pml');
    assert.deepEqual([0, 1, 2, 3].map(categoryName), ['no triplets', 'easy', 'semi-hard', 'hard']);
  });

  it('throttles detail requests, sends the latest wish, accepts only the newest answer', () => {
    const clock = fakeClock();
    const sent: [number, number][] = [];
    const r = new LatestWinsRequester((id, i) => sent.push([id, i]), 100, clock);
    r.request(5);
    assert.deepEqual(sent, [[1, 5]], 'the first request goes at once');
    r.request(5);
    assert.equal(sent.length, 1, 'same index again: nothing new');
    clock.advance(10);
    r.request(6);
    clock.advance(10);
    r.request(7);
    clock.advance(10);
    r.request(8);
    assert.equal(sent.length, 1, 'inside the interval: waiting');
    clock.advance(70);
    assert.deepEqual(
      sent,
      [
        [1, 5],
        [2, 8],
      ],
      'after the interval: only the latest (8)',
    );
    assert.equal(r.accept(1), false, 'the answer for 5 is stale');
    assert.equal(r.accept(2), true);
    clock.advance(200);
    r.request(9);
    assert.deepEqual(sent.at(-1), [3, 9]);
    r.request(-1);
    assert.equal(r.accept(3), false, 'leaving the point makes answers in flight stale');
    clock.advance(10);
    r.request(10);
    clock.advance(50);
    r.request(-1);
    clock.advance(500);
    assert.deepEqual(sent.at(-1), [3, 9], 'a cancelled wish is never sent');
  });

  const ds = (over: Partial<DatasetView> = {}): DatasetView => ({
    id: 'a',
    name: 'x',
    n: 2,
    dim: 4,
    classNames: ['p', 'q'],
    labels: new Int32Array([0, 1]),
    imageDirs: [],
    imageDir: new Int32Array([-1, -1]),
    imageUris: ['', ''],
    sampleTitles: ['', ''],
    ...over,
  });

  it('accepts well-formed messages and rejects arrays of the wrong type or length', () => {
    assert.equal(validateDataset(ds()), null);
    assert.match(validateDataset(ds({ labels: new Int32Array(3) }))!, /labels/);
    assert.match(validateDataset(ds({ labels: [0, 1] as unknown as Int32Array }))!, /labels/);
    assert.match(validateDataset(ds({ imageUris: [''] }))!, /imageUris/);
    assert.equal(
      validateDataset(ds({ imageUris: [], imageDir: new Int32Array(0), sampleTitles: [] })),
      null,
      'no sample files: empty lists',
    );
    assert.equal(
      validateDataset(ds({ imageDirs: ['u/'], imageDir: new Int32Array([0, -1]), imageUris: [] })),
      null,
      'images through a folder URI',
    );
    assert.match(
      validateDataset(ds({ imageDirs: ['u/'], imageDir: new Int32Array([1, -1]) }))!,
      /imageDir points past/,
    );
    assert.match(validateDataset(ds({ imageDir: new Int32Array(3) }))!, /imageDir must be/);
    assert.match(validateDataset(ds({ sampleTitles: ['', '', ''] }))!, /sampleTitles/);
    assert.equal(validateLayout(new Float32Array(6), 3, 2), null);
    assert.match(validateLayout(new Float32Array(5), 2, 2)!, /expected 4/);
    assert.match(validateLayout(new Float64Array(4) as unknown as Float32Array, 2, 2)!, /Float32Array/);
    assert.match(validateLayout(new Float32Array(8), 4 as 2, 2)!, /dims/);
    const census = {
      settings: { margin: 0.2 },
      counts: {},
      category: new Uint8Array(2),
      lossAsAnchor: new Float32Array(2),
      violAsAnchor: new Float32Array(2),
      violAsPositive: new Float32Array(2),
      violAsNegative: new Float32Array(2),
      nearestImpostor: new Int32Array(2),
      worst: [{ anchor: 0, positive: 1, negative: 1, loss: 1, dap: 1, dan: 0 }],
    } as unknown as CensusView;
    assert.equal(validateCensus(census, 2), null);
    assert.match(validateCensus(census, 3)!, /category/);
    assert.match(
      validateCensus({ ...census, lossAsAnchor: new Float64Array(2) } as unknown as CensusView, 2)!,
      /lossAsAnchor/,
    );
    assert.match(
      validateCensus({ ...census, worst: [{ anchor: 0, positive: 2, negative: 1, loss: 1, dap: 1, dan: 0 }] }, 2)!,
      /out of range/,
    );
  });
});
