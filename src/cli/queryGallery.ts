/**
 * The census command's query / gallery retrieval (Market-1501 protocol, engine/queryGallery.ts):
 * the flags naming the split and camera columns, the split read from the dataset's metadata, and
 * the block it adds to the JSON and the text output when the metadata has a split column.
 */
import { DEFAULT_QUERY_GALLERY_COLUMNS as DEF, querySplitOf, type QuerySplit } from '../data/querySplit';
import { queryGalleryProtocol, type QueryGalleryResult } from '../engine/queryGallery';
import type { Dataset } from '../shared/dataset';
import type { FlagSpecs, FlagValues } from './args';

/** `--split-column`, `--query-value`, `--gallery-value`, `--camera-column` (the extension's settings
 * embeddingInspector.queryGallery.*). */
export const queryGalleryFlags: FlagSpecs = {
  'split-column': {
    kind: 'string',
    placeholder: 'name',
    help: 'metadata column marking queries and gallery (default split): when present, query / gallery retrieval (CMC, mAP; Market-1501 protocol) is added',
  },
  'query-value': { kind: 'string', placeholder: 'value', help: 'split value of the queries (default query)' },
  'gallery-value': {
    kind: 'string',
    placeholder: 'value',
    help: 'split value of the gallery (default gallery; the query value too: leave-one-out)',
  },
  'camera-column': {
    kind: 'string',
    placeholder: 'name',
    help: "metadata column of cameras (default camera): gallery samples with the query's identity and camera are left out",
  },
};

/** The split from the flags; undefined without a split column. Throws InputError (exit 2) for a split that cannot be
 * used. */
export function splitFromFlags(d: Dataset, flags: FlagValues): QuerySplit | undefined {
  const str = (k: string, dflt: string) =>
    flags[k] === undefined || String(flags[k]).trim() === '' ? dflt : String(flags[k]).trim();
  return querySplitOf(d, {
    splitColumn: str('split-column', DEF.splitColumn),
    queryValue: str('query-value', DEF.queryValue),
    galleryValue: str('gallery-value', DEF.galleryValue),
    cameraColumn: str('camera-column', DEF.cameraColumn),
  });
}

/** The JSON block. */
export interface QueryGalleryReport {
  protocol: string;
  splitColumn: string;
  /** The camera column used; null when the metadata has none (nothing removed but the query itself). */
  cameraColumn: string | null;
  queries: number;
  gallery: number;
  /** Queries with a match left after removing same-identity same-camera gallery items (the ones averaged). */
  validQueries: number;
  /** CMC at ranks 1, 5, 10 and mAP, shares in [0, 1]. */
  rank1: number;
  rank5: number;
  rank10: number;
  mAP: number;
}

export function queryGalleryReport(split: QuerySplit, r: QueryGalleryResult): QueryGalleryReport {
  return {
    protocol: queryGalleryProtocol(r.cameras),
    splitColumn: split.splitColumn,
    cameraColumn: split.cameraColumn ?? null,
    queries: r.queries,
    gallery: r.gallery,
    validQueries: r.validQueries,
    rank1: r.rank1,
    rank5: r.rank5,
    rank10: r.rank10,
    mAP: r.mAP,
  };
}

/** The text block (percentages with two decimals, as torchreid prints them). */
export function formatQueryGallery(q: QueryGalleryReport): string {
  const p = (x: number) => `${(100 * x).toFixed(2)}%`;
  return (
    `Query / gallery retrieval (split column '${q.splitColumn}'${q.cameraColumn ? `, cameras '${q.cameraColumn}'` : ', no camera column'}):\n` +
    `  ${q.protocol}\n` +
    `  ${q.validQueries} valid of ${q.queries} queries, gallery ${q.gallery}\n` +
    `  CMC rank-1 ${p(q.rank1)}  rank-5 ${p(q.rank5)}  rank-10 ${p(q.rank10)}  mAP ${p(q.mAP)}\n`
  );
}
