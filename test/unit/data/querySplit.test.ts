/**
 * The query / gallery split read from metadata columns: rows, cameras, case-insensitive names and
 * values, and the messages (file and column named) for a split that cannot be used.
 */
import * as assert from 'node:assert/strict';
import { querySplitOf, DEFAULT_QUERY_GALLERY_COLUMNS as DEF } from '../../../src/data/querySplit';
import { InputError } from '../../../src/shared/dataset';
import { toStringColumns } from '../../../src/shared/stringColumn';

const files = { embeddings: '/ws/reid/embeddings.npy', metadata: '/ws/reid/metadata.tsv' };
// Compact, as the loader leaves them (shared/stringColumn.ts).
const ds = (metadata: Record<string, string[]> | undefined, n = 5) => ({
  n,
  metadata: metadata && toStringColumns(metadata),
  files,
});

describe('query / gallery split from metadata', () => {
  it('reads queries, gallery and cameras (names and values case-insensitive, trimmed)', () => {
    const s = querySplitOf(
      ds({ Split: ['query', ' Gallery', 'gallery', 'QUERY', 'gallery'], CAMERA: ['c1', 'c2', 'c1', 'c3', 'c2'] }),
    )!;
    assert.deepEqual([...s.queries], [0, 3]);
    assert.deepEqual([...s.gallery], [1, 2, 4]);
    assert.deepEqual([...s.cameras!], [0, 1, 0, 2, 1]);
    assert.equal(s.cameraCount, 3);
    assert.equal(s.splitColumn, 'Split');
    assert.equal(s.file, files.metadata);
  });

  it('is undefined without a split column; no camera column means no cameras', () => {
    assert.equal(querySplitOf(ds({ label: ['a', 'b', 'c', 'd', 'e'] })), undefined);
    assert.equal(querySplitOf(ds(undefined)), undefined);
    const s = querySplitOf(ds({ split: ['query', 'gallery', 'gallery', 'gallery', 'gallery'] }))!;
    assert.equal(s.cameras, undefined);
  });

  it('uses the configured names; the same value for both is leave-one-out', () => {
    const s = querySplitOf(ds({ role: ['probe', 'gal', 'gal', 'probe', 'gal'], cam: ['1', '1', '2', '2', '1'] }), {
      splitColumn: 'role',
      queryValue: 'probe',
      galleryValue: 'gal',
      cameraColumn: 'cam',
    })!;
    assert.deepEqual([...s.queries], [0, 3]);
    assert.equal(s.cameraCount, 2);
    const both = querySplitOf(ds({ split: ['test', 'test', 'test', 'test', 'test'] }), {
      ...DEF,
      queryValue: 'test',
      galleryValue: 'test',
    })!;
    assert.equal(both.queries.length, 5);
    assert.equal(both.gallery.length, 5);
  });

  const refused: [string, Record<string, string[]>, RegExp][] = [
    [
      'another value',
      { split: ['query', 'gallery', 'train', 'gallery', 'query'] },
      /column 'split' of sample 2 \(0-based\) is "train": every value must be 'query' or 'gallery'/,
    ],
    [
      'no query row',
      { split: ['gallery', 'gallery', 'gallery', 'gallery', 'gallery'] },
      /column 'split' has no 'query' row/,
    ],
    ['no gallery row', { split: ['query', 'query', 'query', 'query', 'query'] }, /column 'split' has no 'gallery' row/],
    [
      'an empty camera',
      { split: ['query', 'gallery', 'gallery', 'gallery', 'gallery'], camera: ['1', '2', '', '1', '1'] },
      /column 'camera' of sample 2 \(0-based\) is empty/,
    ],
  ];
  for (const [what, meta, message] of refused) {
    it(`refuses ${what}, naming the file and the column`, () => {
      assert.throws(
        () => querySplitOf(ds(meta)),
        (e: unknown) =>
          e instanceof InputError &&
          e.file === files.metadata &&
          message.test(e.message) &&
          e.message.startsWith(files.metadata),
      );
    });
  }
});
