import { equal, close, same, ok } from './check';
import { localCensus, sameAnswer } from '../../../webview/controls/localCensus';
import type { MarginTableView } from '../../../src/shared/marginTableView';
import type { AnalysisSettings, TripletRow } from '../../../src/shared/protocol';
import type { ControlsCensus } from '../../../webview/controls/summary';

const settings: AnalysisSettings = {
  margin: 0.1,
  distance: 'euclidean',
  normalize: true,
  convention: 'pml',
  mining: 'batch-all',
  temperature: 0.07,
};
const row = (anchor: number, dap: number, dan: number): TripletRow => ({
  anchor,
  positive: 9,
  negative: 8,
  loss: dap - dan,
  dap,
  dan,
});

/** 3 positions, 2 classes, 100 triplets; t values of the smallest triplets: -0.5, -0.25, 0.05, 0.5. */
function view(): MarginTableView {
  return {
    distance: 'euclidean',
    normalize: true,
    margins: Float64Array.from([0, 0.1, 0.2]),
    triplets: 100,
    hard: 10,
    hardStrict: 8,
    violating: Float64Array.from([10, 30, 50]),
    violatingStrict: Float64Array.from([8, 29, 50]),
    lossSum: Float64Array.from([0, 1.5, 4]),
    batchHardLoss: Float64Array.from([0.3, 0.35, 0.4]),
    batchHardViolating: Float64Array.from([5, 6, 7]),
    classViolationRate: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
    classes: 2,
    smallest: [row(0, 1, 0.5), row(1, 1, 0.75), row(2, 1, 1.05), row(3, 1, 1.5)],
    complete: false,
    limit: 0.2,
    topK: 2,
  };
}

/** The host's last census (at margin 0.1): what a local answer keeps and what it replaces. */
function prev(): ControlsCensus {
  return {
    settings,
    triplets: 100,
    counts: { easy: 0, semihard: 0, hard: 0, violating: 0 },
    pml: { easy: 0, semihard: 0, hard: 0, violating: 0 },
    facenet: { easy: 0, semihard: 0, hard: 0, violating: 0 },
    lossSum: 0,
    meanLoss: 0,
    meanLossNonZero: 0,
    worst: [],
    classViolationRate: new Float64Array(2),
    topPairs: [{ a: 0, b: 1, count: 7 }],
    retrieval: { precisionAt1: 0.9, rPrecision: 0.5, mapAtR: 0.4 },
    ntXent: { meanLoss: 2, temperature: 0.07 },
    elapsedMs: 12,
  };
}

describe('controls/localCensus', () => {
  it('answers a slider position from the table: counts, means, batch-hard, class rates and worst list', () => {
    const c = localCensus(view(), prev(), settings, 0.2, 2);
    ok(c, 'answered');
    same(c!.pml, { easy: 50, semihard: 40, hard: 10, violating: 50 });
    same(c!.facenet, { easy: 50, semihard: 42, hard: 8, violating: 50 });
    same(c!.counts, c!.pml, 'pml is the active convention');
    equal(c!.lossSum, 4);
    equal(c!.meanLoss, 4 / 100);
    equal(c!.meanLossNonZero, 4 / 50);
    same(c!.batchHard, { meanLoss: 0.4, violatingAnchors: 7 });
    same([...c!.classViolationRate], [0.5, 0.6]);
    // Losses at m = 0.2: 0.7, 0.45, 0.15 (t = 0.5 has none); the last (t = 0.5) bounds the rest.
    same(
      c!.worst.map((w) => w.anchor),
      [0, 1],
    );
    close(c!.worst[0].loss, 0.2 - (0.5 - 1));
    equal(c!.settings.margin, 0.2);
    ok(c!.partial && c!.fromTable, 'a quick census from the table');
    same(c!.topPairs, prev().topPairs, 'class pairs stay those of the last full census');
    same(c!.retrieval, prev().retrieval);
    same(c!.ntXent, prev().ntXent);
  });

  it('follows the active convention', () => {
    const c = localCensus(view(), prev(), { ...settings, convention: 'facenet' }, 0.1, 2);
    equal(c, undefined, 'the last census was pml: its margin-independent parts may differ');
    const f = localCensus(
      view(),
      { ...prev(), settings: { ...settings, convention: 'facenet' } },
      { ...settings, convention: 'facenet' },
      0.1,
      2,
    );
    same(f!.counts, { easy: 71, semihard: 21, hard: 8, violating: 29 });
    equal(f!.meanLossNonZero, 1.5 / 29);
  });

  it('declines what the table cannot answer', () => {
    equal(localCensus(view(), prev(), settings, 0.15, 2), undefined, 'a margin off the slider grid (typed)');
    equal(localCensus(view(), prev(), { ...settings, mining: 'semi-hard' }, 0.1, 2), undefined, 'semi-hard mining');
    equal(
      localCensus(view(), prev(), { ...settings, distance: 'cosine' }, 0.1, 2),
      undefined,
      'settings changed since the last census',
    );
    const cos = { ...settings, distance: 'cosine' as const };
    equal(
      localCensus(view(), { ...prev(), settings: cos }, cos, 0.1, 2),
      undefined,
      'a table counted on another distance',
    );
    equal(localCensus(undefined, prev(), settings, 0.1, 2), undefined, 'no table yet');
    equal(localCensus(view(), undefined, settings, 0.1, 2), undefined, 'no census yet');
    const tie = { ...view(), smallest: [row(0, 1, 0.5), row(1, 1, 0.75), row(2, 1, 0.75)] };
    equal(localCensus(tie, prev(), settings, 0.1, 2), undefined, 'a tie across the end of the smallest list');
    equal(localCensus(view(), prev(), settings, 0.2, 3), undefined, 'a longer worst list than the table decides');
    equal(localCensus(view(), prev(), settings, 0.2, undefined), undefined, 'no length from the host yet');
    same(
      localCensus(view(), prev(), settings, 0.2, 1)!.worst.map((w) => w.anchor),
      [0],
      'a shorter one is cut',
    );
  });

  it("recognises the host's identical answer, and only that", () => {
    const local = localCensus(view(), prev(), settings, 0.2, 2)!;
    const host = { ...local, elapsedMs: 0.4, worst: local.worst.map((w) => ({ ...w })) };
    ok(sameAnswer(host, local));
    ok(!sameAnswer({ ...host, lossSum: 4.000000000000001 }, local), 'another loss sum');
    ok(!sameAnswer({ ...host, fromTable: undefined }, local), 'a recount (it may carry class pairs)');
    ok(!sameAnswer({ ...host, settings: { ...host.settings, margin: 0.1 } }, local), 'another margin');
    ok(!sameAnswer({ ...host, worst: host.worst.slice(1) }, local), 'another worst list');
    ok(!sameAnswer(host, undefined));
  });
});
