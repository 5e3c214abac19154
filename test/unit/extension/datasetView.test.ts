import * as assert from 'node:assert/strict';
import { datasetView } from '../../../src/views/datasetView';
import type { Dataset } from '../../../src/shared/dataset';

const base = (over: Partial<Dataset> = {}): Dataset => ({
  name: 'd', n: 3, dim: 2, embeddings: new Float32Array(6), labels: new Int32Array([0, 1, 0]), classNames: ['a', 'b'],
  files: { embeddings: '/w/e.npy' }, warnings: [], ...over,
});

describe('the dataset as the projection webview gets it', () => {
  it('images as webview URIs, titles with the line for text samples, nothing for samples without a file', () => {
    const v = datasetView('s1', base({ sources: [{ path: '/w/img/0.png', kind: 'image' }, undefined, { path: '/w/t/notes.txt', line: 12, kind: 'text' }] }), (p) => `uri:${p}`);
    assert.deepEqual(v.imageUris, ['uri:/w/img/0.png', '', '']);
    assert.deepEqual(v.sampleTitles, ['0.png', '', 'notes.txt:12']);
    assert.equal(v.n, 3);
  });
  it('a dataset without sample files sends empty lists, not n empty strings each', () => {
    for (const sources of [undefined, [undefined, undefined, undefined]]) {
      const v = datasetView('s1', base({ sources }), () => { throw new Error('no URI is made'); });
      assert.deepEqual([v.imageUris, v.sampleTitles], [[], []]);
    }
  });
  it('labels travel in a buffer of their own: a view into a larger buffer is copied, an array of its own is sent as it is', () => {
    const file = new Int32Array([9, 9, 0, 1, 0, 9]);
    const v = datasetView('s1', base({ labels: file.subarray(2, 5) }), () => '');
    assert.deepEqual(Array.from(v.labels), [0, 1, 0]);
    assert.equal(v.labels.buffer.byteLength, 12, 'not the 24-byte buffer under the view');
    const own = new Int32Array([0, 1, 0]);
    assert.equal(datasetView('s1', base({ labels: own }), () => '').labels, own);
  });
});

describe('a sprite sheet as the projection webview gets it', () => {
  it('its webview URI and grid, beside the image files of the samples that have one', () => {
    const sprite = { path: '/w/00010/embeddings/sprite.png', width: 16, height: 16, cellWidth: 8, cellHeight: 8, columns: 2 };
    const v = datasetView('s1', base({ sprite }), (p) => `uri:${p}`);
    assert.deepEqual(v.sprite, { uri: 'uri:/w/00010/embeddings/sprite.png', width: 16, height: 16, cellWidth: 8, cellHeight: 8, columns: 2 });
    assert.deepEqual(v.imageUris, []);
    assert.equal(datasetView('s1', base(), (p) => p).sprite, undefined);
  });
});
