import * as assert from './assert';
import { LayoutAssembly, LayoutReceiver } from '../../../webview/projection/layoutChunks';
import { validateLayoutChunk, type LayoutChunk } from '../../../webview/projection/validate';
import { layoutMessages } from '../../../src/views/layoutMessages';

const layoutOf = (n: number, dims: 2 | 3) => Float32Array.from({ length: n * dims }, (_, i) => i * 0.5 - 7);
const chunks = (ms: ReturnType<typeof layoutMessages>) => ms.filter((m): m is LayoutChunk => m.type === 'layoutChunk');

describe('layouts in chunks', () => {
  it('sends one layout message up to the chunk size, else copies of consecutive slices that reassemble exactly', () => {
    const small = layoutMessages('d', 1, 'umap', layoutOf(10, 2), 2, 10);
    assert.equal(small.length, 1);
    assert.equal(small[0].type, 'layout');
    for (const dims of [2, 3] as const) {
      const n = 25,
        layout = layoutOf(n, dims);
      const cs = chunks(layoutMessages('d', 4, 'pca', layout, dims, 10));
      assert.deepEqual(
        cs.map((c) => [c.offset, c.data.length / dims, c.n, c.layoutId, c.kind]),
        [
          [0, 10, 25, 4, 'pca'],
          [10, 10, 25, 4, 'pca'],
          [20, 5, 25, 4, 'pca'],
        ],
      );
      // Own buffers, not views of the whole layout (VS Code would post the whole buffer with each).
      for (const c of cs) assert.equal(c.data.buffer.byteLength, c.data.byteLength);
      const a = new LayoutAssembly(cs[0], n);
      for (const c of cs.slice(1)) assert.equal(a.accept(c), null);
      assert.ok(a.complete);
      assert.deepEqual(Array.from(a.data), Array.from(layout));
    }
  });

  it('rejects a chunk out of order, of another size, type or layout, or running past n', () => {
    const cs = chunks(layoutMessages('d', 1, 'umap', layoutOf(25, 2), 2, 10));
    assert.equal(validateLayoutChunk(cs[0], 25, 0), null);
    assert.match(validateLayoutChunk(cs[1], 25, 0)!, /expected 0/);
    assert.match(validateLayoutChunk(cs[0], 24, 0)!, /dataset has 24/);
    assert.match(
      validateLayoutChunk({ ...cs[0], data: new Float64Array(20) as unknown as Float32Array }, 25, 0)!,
      /Float32Array/,
    );
    assert.match(validateLayoutChunk({ ...cs[0], data: new Float32Array(3) }, 25, 0)!, /whole number/);
    assert.match(validateLayoutChunk({ ...cs[2], n: 22 }, 22, 20)!, /past n/);
    assert.match(validateLayoutChunk({ ...cs[0], dims: 4 as 2 }, 25, 0)!, /dims/);
    const a = new LayoutAssembly(cs[0], 25);
    assert.match(a.accept({ ...cs[1], layoutId: 2 })!, /layout 2/);
    assert.equal(a.received, 10, 'nothing taken from a rejected chunk');
  });

  it('draws the first layout as it arrives and shows a replacement only once whole', () => {
    const log: string[] = [];
    let has = false;
    const r = new LayoutReceiver({
      hasLayout: () => has,
      show: (data, _dims, kind, loaded) => {
        has = true;
        log.push(`show ${kind} ${loaded}/${data.length / 2}`);
      },
      arrived: (from, to) => log.push(`arrived ${from}-${to}`),
      finished: () => log.push('finished'),
    });
    for (const c of chunks(layoutMessages('d', 1, 'pca', layoutOf(25, 2), 2, 10))) {
      assert.equal(r.receive(c, 25), null);
      if (c.offset === 0) assert.ok(r.partial && r.incoming !== null && Math.abs(r.incoming.fraction - 0.4) < 1e-12);
    }
    assert.deepEqual(log, ['show pca 10/25', 'arrived 10-20', 'arrived 20-25', 'finished']);
    assert.ok(!r.partial && r.incoming === null);
    log.length = 0;
    const umap = chunks(layoutMessages('d', 2, 'umap', layoutOf(25, 2), 2, 10));
    r.receive(umap[0], 25);
    r.receive(umap[1], 25);
    assert.deepEqual(log, [], 'the PCA stays on screen while UMAP arrives');
    r.receive(umap[2], 25);
    assert.deepEqual(log, ['show umap 25/25']);
    log.length = 0;
    assert.match(r.receive(umap[1], 25)!, /start did not arrive/);
    r.receive(umap[0], 25);
    assert.match(r.receive(umap[2], 25)!, /expected 10/);
    assert.equal(r.incoming, null, 'a bad chunk drops the layout being received');
  });
});
