import * as assert from 'node:assert/strict';
import { datasetView } from '../../../src/views/datasetView';
import { sampleImageUri } from '../../../src/shared/protocol';
import type { Dataset } from '../../../src/shared/dataset';
import { SampleSources } from '../../../src/shared/sampleSources';

const base = (over: Partial<Dataset> = {}): Dataset => ({
  name: 'd',
  n: 3,
  dim: 2,
  embeddings: new Float32Array(6),
  labels: new Int32Array([0, 1, 0]),
  classNames: ['a', 'b'],
  files: { embeddings: '/w/e.npy' },
  warnings: [],
  ...over,
});

describe('the dataset as the projection webview gets it', () => {
  it('images as webview URIs, titles with the line for text samples, nothing for samples without a file', () => {
    const v = datasetView(
      's1',
      base({
        sources: SampleSources.fromArray([
          { path: '/w/img/0.png', kind: 'image' },
          undefined,
          { path: '/w/t/notes.txt', line: 12, kind: 'text' },
        ]),
      }),
      (p) => `uri:${p}`,
    );
    assert.deepEqual(
      Array.from({ length: 3 }, (_, i) => sampleImageUri(v, i)),
      ['uri:/w/img/0.png', '', ''],
    );
    assert.deepEqual(v.sampleTitles, ['0.png', '', 'notes.txt:12']);
    assert.equal(v.n, 3);
  });
  it('images as folder URIs + names: one URI made per folder; names that need escaping, and folders whose URI does not end in the name, get their own', () => {
    const names = ['0.png', 'a b.png', 'img_7.jpg', 'ü.png', 'c.png'];
    const dirs = ['/w/img', '/w/img', '/w/other', '/w/img', '/w/odd'];
    const sources = names.map((nm, i) => ({ path: `${dirs[i]}/${nm}`, kind: 'image' as const }));
    const made: string[] = [];
    // A URI scheme like VS Code's (path segments escaped), except the folder /w/odd, whose URIs carry a query.
    const uri = (p: string): string => {
      made.push(p);
      return `https://res/${p.split('/').map(encodeURIComponent).join('/')}${p.startsWith('/w/odd') ? '?v=1' : ''}`;
    };
    const v = datasetView(
      's1',
      base({ n: 5, labels: new Int32Array(5), sources: SampleSources.fromArray(sources) }),
      uri,
    );
    assert.deepEqual(
      Array.from({ length: 5 }, (_, i) => sampleImageUri(v, i)),
      sources.map((s) => uri(s.path)),
      "every sample's URI as asWebviewUri makes it",
    );
    assert.deepEqual(v.imageDirs, ['https://res//w/img/', 'https://res//w/other/']);
    assert.deepEqual(Array.from(v.imageDir), [0, -1, 1, -1, -1]);
    assert.deepEqual(
      made.slice(0, 5),
      ['/w/img/0.png', '/w/img/a b.png', '/w/other/img_7.jpg', '/w/img/ü.png', '/w/odd/c.png'],
      'one URI per folder and per escaped name',
    );
  });
  it('at 100 000 images in 10 folders, 10 URIs are made and the message holds no URI per sample', () => {
    const n = 100_000;
    const sources = Array.from({ length: n }, (_, i) => ({ path: `/w/f${i % 10}/${i}.png`, kind: 'image' as const }));
    let made = 0;
    const v = datasetView(
      's1',
      base({ n, labels: new Int32Array(n), sources: SampleSources.fromArray(sources) }),
      (p) => {
        made++;
        return `https://res${p}`;
      },
    );
    assert.equal(made, 10);
    assert.deepEqual(v.imageUris, []);
    assert.equal(sampleImageUri(v, 12345), 'https://res/w/f5/12345.png');
  });
  it('a dataset without sample files sends empty lists, not n empty strings each', () => {
    for (const sources of [undefined, SampleSources.fromArray([undefined, undefined, undefined])]) {
      const v = datasetView('s1', base({ sources }), () => {
        throw new Error('no URI is made');
      });
      assert.deepEqual([v.imageUris, v.sampleTitles, v.imageDirs, v.imageDir.length], [[], [], [], 0]);
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
    const sprite = {
      path: '/w/00010/embeddings/sprite.png',
      width: 16,
      height: 16,
      cellWidth: 8,
      cellHeight: 8,
      columns: 2,
    };
    const v = datasetView('s1', base({ sprite }), (p) => `uri:${p}`);
    assert.deepEqual(v.sprite, {
      uri: 'uri:/w/00010/embeddings/sprite.png',
      width: 16,
      height: 16,
      cellWidth: 8,
      cellHeight: 8,
      columns: 2,
    });
    assert.deepEqual(v.imageUris, []);
    assert.equal(datasetView('s1', base(), (p) => p).sprite, undefined);
  });
});
