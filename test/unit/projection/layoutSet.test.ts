import * as assert from 'node:assert/strict';
import { LayoutSet, layoutFromColumns as fromCompact } from '../../../src/projection/layoutSet';
import { toStringColumns } from '../../../src/shared/stringColumn';

const arr = (v: number) => new Float32Array(4).fill(v);

describe('LayoutSet (which layout is shown)', () => {
  it('PCA first, UMAP replaces it, the caption says what is on screen and what is coming', () => {
    const s = new LayoutSet();
    assert.equal(s.state().shown, null);
    assert.deepEqual(s.state(), {
      shown: null,
      caption: '',
      choices: [{ kind: 'umap', label: 'UMAP', ready: false, note: 'waiting' }],
    });
    const pca = arr(1);
    assert.equal(s.add('pca', pca, '31 % of the variance'), true);
    assert.equal(s.shown?.layout, pca);
    s.umap = { state: 'running', fraction: 0.345 };
    assert.equal(s.state().caption, 'PCA (31 % of the variance) — UMAP 34 %');
    const umap = arr(2);
    assert.equal(s.add('umap', umap), true);
    assert.deepEqual([s.shown?.kind, s.shown?.layout], ['umap', umap]);
    assert.equal(s.state().caption, '', 'the picker already says UMAP');
    assert.deepEqual(
      s.state().choices.map((c) => [c.kind, c.ready]),
      [
        ['umap', true],
        ['pca', true],
      ],
    );
  });

  it("a layout ranked lower never replaces the one shown; the user's own beats PCA", () => {
    const s = new LayoutSet();
    s.add('umap', arr(2));
    assert.equal(s.add('pca', arr(1)), false);
    assert.equal(s.shown?.kind, 'umap');
    const t = new LayoutSet();
    t.add('pca', arr(1));
    assert.equal(t.add('own', arr(3)), true);
    assert.equal(t.shown?.kind, 'own');
  });

  it('a pick is kept when UMAP arrives; a kind not ready cannot be picked', () => {
    const s = new LayoutSet();
    s.add('pca', arr(1));
    s.add('own', arr(3));
    assert.equal(s.choose('umap'), false);
    assert.equal(s.choose('pca'), true);
    assert.equal(s.add('umap', arr(2)), false);
    assert.equal(s.shown?.kind, 'pca');
    assert.equal(s.choose('umap'), true);
    assert.equal(s.shown?.kind, 'umap');
  });

  it('a layout only offered (metadata x, y) is listed but not drawn over PCA; alone, it is drawn', () => {
    const s = new LayoutSet();
    s.add('pca', arr(1));
    assert.equal(s.add('own', arr(3), 'metadata columns x, y', true), false);
    assert.equal(s.shown?.kind, 'pca');
    assert.deepEqual(
      s.state().choices.map((c) => c.kind),
      ['umap', 'pca', 'own'],
    );
    const t = new LayoutSet();
    assert.equal(t.add('own', arr(3), '', true), true, 'nothing else to show');
  });

  it('UMAP on approximate neighbours states their recall in the caption; on exact ones it needs none', () => {
    const s = new LayoutSet();
    s.add('umap', arr(2), 'approximate neighbours (NN-descent), recall 0.981 on 200 sampled rows');
    assert.equal(s.state().caption, 'UMAP (approximate neighbours (NN-descent), recall 0.981 on 200 sampled rows)');
    s.add('umap', arr(2), 'exact neighbours');
    assert.equal(s.state().caption, '');
  });

  it('tells its owner: a layout set or picked, UMAP failing, and UMAP progress every 2 %', () => {
    const events: string[] = [];
    const s = new LayoutSet((e) => events.push(e));
    s.set('pca', arr(1), '31 % of the variance');
    s.pick('pca');
    for (const f of [0.001, 0.005, 0.019, 0.02, 0.021, 0.5, 1]) s.progress(f);
    s.failed('cancelled');
    assert.deepEqual(
      events,
      ['layout', 'status', 'status', 'status', 'status', 'layout'],
      'the pick of the layout already shown is silent',
    );
    assert.equal(s.state().caption, 'PCA (31 % of the variance) — UMAP cancelled');
  });

  it('a failed UMAP is said in the picker and the caption', () => {
    const s = new LayoutSet();
    s.add('pca', arr(1));
    s.umap = { state: 'failed', message: 'cancelled' };
    assert.equal(s.state().caption, 'PCA — UMAP cancelled');
    assert.deepEqual(s.state().choices[0], { kind: 'umap', label: 'UMAP', ready: false, note: 'cancelled' });
  });
});

describe("layoutFromColumns (the user's own x, y)", () => {
  // The columns compact, as the loader leaves them (shared/stringColumn.ts).
  const layoutFromColumns = (c: Record<string, string[]> | undefined, n: number) =>
    fromCompact(c && toStringColumns(c), n);
  it('reads columns x and y in any case', () => {
    const r = layoutFromColumns({ X: ['1', '-2.5'], y: ['3e2', '.5'], label: ['a', 'b'] }, 2);
    assert.deepEqual(Array.from(r.layout!), [1, 300, -2.5, 0.5]);
  });
  it('no columns: nothing, and no problem to report', () => {
    assert.deepEqual(layoutFromColumns({ label: ['a'] }, 1), {});
    assert.deepEqual(layoutFromColumns(undefined, 1), {});
  });
  it('a value that is not a plain finite float32 number names the column and row', () => {
    for (const bad of ['', 'nan', 'Infinity', '0x10', '1e39', 'abc']) {
      const r = layoutFromColumns({ x: ['1', bad], y: ['2', '3'] }, 2);
      assert.equal(r.layout, undefined, bad);
      assert.match(r.problem!, /column 'x' row 2/, bad);
      assert.ok(r.problem!.includes(`'${bad}' is not`), bad);
    }
  });
});
