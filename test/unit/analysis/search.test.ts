import * as assert from 'node:assert/strict';
import { searchSamples, withPlainColumns } from '../../../src/analysis/search';
import { toStringColumns } from '../../../src/shared/stringColumn';

const d = {
  n: 5,
  labels: Int32Array.from([0, 1, 0, 2, 1]),
  classNames: ['cat', 'dog', 'Catfish'],
  metadata: {
    path: ['img/a.png', 'img/b.png', 'img/cat_c.png', 'x/d.jpg', 'x/e.jpg'],
    split: ['query', 'gallery', 'gallery', 'query', 'gallery'],
  },
};
const hits = (q: string) => {
  const r = searchSamples(q, d);
  assert.ok('indices' in r, JSON.stringify(r));
  return Array.from(r.indices);
};

describe('searching the samples', () => {
  it('a substring, case-insensitive, over labels and every metadata column', () => {
    assert.deepEqual(hits('CAT'), [0, 2, 3], 'labels cat and Catfish; img/cat_c.png is sample 2 anyway');
    assert.deepEqual(hits('query'), [0, 3]);
    assert.deepEqual(hits('.jpg'), [3, 4], 'a dot is a plain character in a substring');
    assert.deepEqual(hits('  '), [], 'an empty query matches nothing');
    assert.deepEqual(hits('zebra'), []);
  });
  it('a /regex/ with flags; g and y ignored (no state between samples)', () => {
    assert.deepEqual(hits('/^cat$/'), [0, 2]);
    assert.deepEqual(hits('/^cat/i'), [0, 2, 3]);
    assert.deepEqual(hits('/\\.jpg$/g'), [3, 4]);
    assert.deepEqual(hits('/^(dog|catfish)$/i'), [1, 3, 4]);
  });
  it('a broken regex says why, and matches nothing', () => {
    const r = searchSamples('/(/', d);
    assert.ok('error' in r && /not a regular expression/.test(r.error));
  });
  it('file names (titles) are searched too', () => {
    const r = searchSamples('notes', { ...d, metadata: undefined, titles: ['', 'notes.txt:3', '', '', ''] });
    assert.ok('indices' in r);
    assert.deepEqual(Array.from(r.indices), [1]);
  });
  it('compact columns (as loaded), their cloned parts and the decoded ones match as the plain arrays do', () => {
    const compact = { ...d, metadata: toStringColumns(d.metadata) };
    const cloned = structuredClone(compact);
    for (const q of ['CAT', 'query', '.jpg', '/^x\\//', 'zebra']) {
      const want = searchSamples(q, d);
      assert.deepEqual(searchSamples(q, compact), want, q);
      assert.deepEqual(searchSamples(q, cloned), want, q);
      assert.deepEqual(searchSamples(q, withPlainColumns(cloned)), want, q);
    }
    assert.deepEqual(withPlainColumns(cloned).metadata, d.metadata);
  });
});
