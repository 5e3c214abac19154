/** The query / gallery block's texts: the metrics as percentages, computing, errors, malformed views ignored. */
import { describeQueryGallery } from '../../../webview/controls/queryGalleryPanel';
import type { QueryGalleryView } from '../../../src/shared/protocol';
import { equal, ok } from './check';

const base: QueryGalleryView = {
  state: 'ready',
  distance: 'euclidean, normalised',
  protocol: 'Market-1501 protocol',
  splitColumn: 'split',
  cameraColumn: 'camera',
  queries: 3368,
  gallery: 15913,
};

describe('query / gallery sidebar block', () => {
  it('shows the metrics as percentages with the valid queries and the protocol', () => {
    const t = describeQueryGallery({
      ...base,
      metrics: { validQueries: 3368, rank1: 0.9412, rank5: 0.98, rank10: 1, mAP: 0.8525 },
    })!;
    equal(t.rank1, '94.1%');
    equal(t.rank10, '100%');
    equal(t.map, '85.3%');
    equal(t.valid, '3\u2009368 of 3\u2009368 queries · gallery 15\u2009913');
    ok(
      t.protocol.includes('Market-1501') &&
        t.protocol.includes("cameras from 'camera'") &&
        t.protocol.includes('euclidean, normalised'),
      t.protocol,
    );
    equal(t.message, '');
  });

  it('shows computing and errors; ignores malformed views', () => {
    equal(describeQueryGallery({ ...base, state: 'computing' })!.valid, 'computing…');
    equal(
      describeQueryGallery({ ...base, state: 'error', message: "/ws/metadata.tsv: column 'split' has no 'query' row" })!
        .message,
      "/ws/metadata.tsv: column 'split' has no 'query' row",
    );
    equal(describeQueryGallery({ ...base }), undefined, 'ready without metrics');
    equal(describeQueryGallery({ ...base, state: 'bogus' as 'ready' }), undefined, 'unknown state');
    equal(
      describeQueryGallery({ ...base, metrics: { validQueries: 1, rank1: 2, rank5: 0, rank10: 0, mAP: 0 } })!.rank1,
      '—',
      'a share above 1',
    );
  });
});
