/**
 * Messages between the extension host and its two webviews (projection panel, controls sidebar).
 * One union per direction, keyed on `type`, one line of comment per member. Bulk numbers travel
 * as typed arrays (structured clone), never as JSON arrays. Pure types: no `vscode`, no DOM.
 *
 * The host owns the truth (dataset, settings, results); webviews render what it sends and send back
 * intents, which the host validates (indices in range, values finite and in range).
 */

import type { MarginTableView } from './marginTableView';
import type { CategoryCounts, Convention, DistanceKind, TripletRow } from './model';
import type { SpriteGeometry } from './sprite';

/** A sprite sheet as the webview gets it: its webview URI and grid (pixels). */
export interface SpriteView extends SpriteGeometry {
  uri: string;
}

export type { CategoryCounts, Convention, DistanceKind, TripletRow } from './model';
export type MiningView = 'batch-all' | 'batch-hard' | 'semi-hard';

/** Analysis settings the user controls (mirrors the `embeddingInspector.*` settings). */
export interface AnalysisSettings {
  margin: number;
  distance: DistanceKind;
  normalize: boolean;
  convention: Convention;
  mining: MiningView;
  temperature: number;
}

/** Per-sample triplet category as anchor: the worst category among its triplets under the current margin/convention. */
export const enum SampleCategory {
  None = 0,
  Easy = 1,
  Semihard = 2,
  Hard = 3,
}

/** What the projection panel needs to know about the dataset (sent once per dataset/snapshot). */
export interface DatasetView {
  /** Session id: messages about an older dataset are ignored. */
  id: string;
  name: string;
  n: number;
  dim: number;
  classNames: string[];
  /** Class id per sample. */
  labels: Int32Array;
  /**
   * Where sample i's image is (see sampleImageUri): in folder imageDirs[imageDir[i]] (a webview URI
   * ending in '/') under its title's name, when imageDir[i] >= 0; -1 when not so (no image, or a
   * name that needs escaping: then imageUris). Empty when no sample has a file. At 1 000 000 samples
   * this is 4 MB and a few folder URIs instead of a million URIs of ~150 characters.
   */
  imageDirs: string[];
  imageDir: Int32Array;
  /** Webview URIs of the images not addressed through imageDir ('' elsewhere); empty when there are none. */
  imageUris: string[];
  /** Short text shown for each sample: its file name (and line, for text samples), '' when none; empty when no sample
   * has a file. */
  sampleTitles: string[];
  /** A sprite sheet holding sample i's picture in cell i (shared/sprite.ts), for samples without an image in imageUris.
   * */
  sprite?: SpriteView;
  snapshotName?: string;
}

/** Webview URI of sample i's image, '' when it has none (DatasetView.imageDir). */
export function sampleImageUri(
  v: Pick<DatasetView, 'imageDirs' | 'imageDir' | 'imageUris' | 'sampleTitles'>,
  i: number,
): string {
  const k = v.imageDir[i];
  if (k !== undefined && k >= 0) return v.imageDirs[k] + v.sampleTitles[i];
  return v.imageUris[i] ?? '';
}

/** The space distances are measured in, as the views name it: "cosine", "euclidean, normalised". */
export function distanceLabel(s: { distance: string; normalize: boolean }): string {
  return `${s.distance}${s.normalize && s.distance !== 'cosine' ? ', normalised' : ''}`;
}

/** Which 2-D layout: UMAP, PCA (drawn at once) or the user's own (metadata columns x, y). */
export type LayoutKind = 'umap' | 'pca' | 'own';

/** One entry of the layout picker; `note` says how it was made, or UMAP's progress when not ready. */
export interface LayoutChoice {
  kind: LayoutKind;
  label: string;
  ready: boolean;
  note: string;
}

/** The picker and the caption over the plot ("PCA (31 % of the variance) — UMAP 34 %"). */
export interface LayoutState {
  shown: LayoutKind | null;
  caption: string;
  choices: LayoutChoice[];
}

/**
 * A census estimated from a uniform random sample of anchors (the exact pass is still running):
 * the counts beside it are the estimates; these are their 95 % half-widths and how they were made.
 */
export interface CensusEstimate {
  sampledAnchors: number;
  populationAnchors: number;
  seed: number;
  /** In words, to show with the numbers. */
  method: string;
  halfWidth: {
    triplets: number;
    easy: number;
    semihard: number;
    hard: number;
    violating: number;
    lossSum: number;
    meanLoss: number;
    meanLossNonZero: number;
  };
  /** Violating share of the valid triplets (active convention), 0..1, with its half-width. */
  violatingShare: { value: number; halfWidth95: number };
}

/** Results under the current margin (sent after every recount). */
export interface CensusView {
  settings: AnalysisSettings;
  triplets: number;
  /** Counts under the active convention. */
  counts: CategoryCounts;
  /** Counts under both conventions, for the sidebar. */
  pml: CategoryCounts;
  facenet: CategoryCounts;
  lossSum: number;
  meanLoss: number;
  meanLossNonZero: number;
  /** Per sample (length n). */
  category: Uint8Array;
  lossAsAnchor: Float32Array;
  violAsAnchor: Float32Array;
  violAsPositive: Float32Array;
  violAsNegative: Float32Array;
  nearestImpostor: Int32Array;
  worst: TripletRow[];
  /** Violation rate per class (violating triplets / valid triplets with that anchor class). */
  classViolationRate: Float64Array;
  /** The class pairs (anchor class a, negative class b) with the most violating triplets, most first. */
  topPairs: { a: number; b: number; count: number }[];
  batchHard?: { meanLoss: number; violatingAnchors: number };
  semihard?: { meanLoss: number; pairs: number };
  retrieval?: { precisionAt1: number; rPrecision: number; mapAtR: number };
  ntXent?: { meanLoss: number; temperature: number };
  /** Milliseconds the engine took for this recount. */
  elapsedMs: number;
  /** True for the quick recount sent while the margin is being dragged: counts, losses, worst list,
   *  category, lossAsAnchor, violAsAnchor and classViolationRate are exact for this margin; violAsPositive,
   *  violAsNegative and topPairs are still those of the previous full recount. */
  partial?: boolean;
  /** A quick census answered from the margin table (a slider position; no recount ran). */
  fromTable?: boolean;
  /** Set while the numbers are a stated estimate from a sample of anchors (never a silent approximation). */
  estimate?: CensusEstimate;
  /**
   * Set when the counts are those of this slider position, the nearest to the margin asked, while
   * the exact recount at the margin asked runs (large datasets): show both margins.
   */
  shownMargin?: number;
}

/**
 * Query / gallery retrieval (metadata with a split column; Market-1501 protocol) as the sidebar shows
 * it: computing (after the census), the metrics, or why it cannot be computed.
 */
export interface QueryGalleryView {
  state: 'computing' | 'ready' | 'error';
  /** The space the gallery was ranked in (distanceLabel). */
  distance: string;
  /** The protocol in one line. */
  protocol: string;
  /** The split column and values, and the camera column when one was used. */
  splitColumn: string;
  cameraColumn?: string;
  queries: number;
  gallery: number;
  /** Set when ready: queries with a match left (the ones averaged), CMC at ranks 1, 5, 10 and mAP (0..1). */
  metrics?: { validQueries: number; rank1: number; rank5: number; rank10: number; mAP: number };
  /** Why it failed (names the file and the column). */
  message?: string;
}

/** A quick recount for the projection: the census without the arrays a quick recount leaves unchanged. */
export type CensusUpdate = Omit<CensusView, 'violAsPositive' | 'violAsNegative' | 'nearestImpostor'>;

/** Points per 'layoutChunk' message: layouts of more points are sent in pieces (2 MB each), so the panel draws as they
 * arrive and shows the progress. */
export const LAYOUT_CHUNK_POINTS = 262_144;

/** Host -> projection panel. */
export type ToProjection =
  | { type: 'dataset'; dataset: DatasetView } // a dataset (or snapshot) is now shown; layout and census follow
  | { type: 'layout'; datasetId: string; layout: Float32Array; dims: 2 | 3; kind: LayoutKind } // N x 2 positions (dims 3: first two used) of the layout now shown
  // a large layout in pieces, in order: points [offset, offset + data.length / dims) of layout layoutId (n points);
  // drawn as they arrive, whole when the last arrives
  | {
      type: 'layoutChunk';
      datasetId: string;
      layoutId: number;
      kind: LayoutKind;
      dims: 2 | 3;
      n: number;
      offset: number;
      data: Float32Array;
    }
  | { type: 'layoutState'; datasetId: string; state: LayoutState } // the layout picker's entries and the caption
  | { type: 'layoutProgress'; datasetId: string; fraction: number } // UMAP epochs done / total
  | { type: 'census'; datasetId: string; census: CensusView } // results under the current margin
  | { type: 'censusUpdate'; datasetId: string; census: CensusUpdate } // a quick recount: replaces these fields of the last census
  | {
      type: 'detail';
      requestId: number;
      index: number;
      hardestPositive: number;
      negatives: number[];
      stats?: SampleStats;
    } // answer to requestDetail
  | {
      type: 'labelErrors';
      state: 'computing' | 'ready' | 'error';
      fraction?: number;
      method: string;
      total: number;
      items: { index: number; label: number; suggested: number; score: number }[];
      message?: string;
    } // suspected label errors: the top of the ranking (total = all suspects), how the score is made
  | { type: 'searchResult'; requestId: number; query: string; indices: Int32Array; error?: string } // answer to search: the matching samples, ascending
  // answer to requestNeighbours: nearest first in the original space; firstSameRank 1-based, -1 when the class has no
  // other sample
  | {
      type: 'neighbours';
      requestId: number;
      index: number;
      distance: string;
      items: { index: number; distance: number; sameClass: boolean }[];
      firstSameRank: number;
    }
  | { type: 'highlight'; classes: number[]; pair?: [number, number] } // emphasise classes (from the sidebar table); empty = none
  | { type: 'reveal'; index: number } // centre on a sample and pulse it (Show in Embedding Inspector)
  | { type: 'status'; state: 'loading' | 'computing' | 'ready' | 'error'; message: string } // what is happening
  // snapshot comparison: per sample B - A of loss / violating triplets as anchor (A the earlier snapshot), the worsened
  // samples worst first; empty arrays clear it
  | {
      type: 'change';
      datasetId: string;
      against: string;
      dLoss: Float32Array;
      dViolating: Float32Array;
      worsened: number[];
    };

/** Per-sample numbers for the tooltip. */
export interface SampleStats {
  violAsAnchor: number;
  violAsPositive: number;
  violAsNegative: number;
  lossAsAnchor: number;
  nearestImpostor: number;
  category: SampleCategory;
  /** From a quick recount: violAsPositive / violAsNegative are still those of the previous margin (shown as updating).
   * */
  partial?: boolean;
}

/** Projection panel -> host. */
export type FromProjection =
  | { type: 'ready' } // the page loaded: send everything
  | { type: 'openSample'; index: number } // the user clicked a point: open its source
  | { type: 'requestDetail'; requestId: number; index: number } // hover: hardest positive and violating negatives (capped)
  | { type: 'selection'; indices: Int32Array } // box/lasso selection changed
  | { type: 'chooseLayout'; kind: LayoutKind } // the user picked a layout in the picker
  | { type: 'requestNeighbours'; requestId: number; index: number; k: number } // the k (1..100) nearest neighbours of a sample, in the original space
  | { type: 'findLabelErrors' } // find (or resend) the suspected label errors
  | { type: 'exportLabelErrors' } // save every suspect as CSV where the user chooses
  | { type: 'search'; requestId: number; query: string } // samples whose label, file name or a metadata value contains the query (or matches /regex/flags)
  | { type: 'log'; level: 'info' | 'error'; message: string }; // webview-side diagnostics

/** Host -> controls sidebar. `datasetId` (optional, the session id as in DatasetView.id): when set, the sidebar ignores
 * census/histogram messages whose id differs from the last `state`'s. */
export type ToControls =
  | {
      type: 'state';
      datasetId?: string;
      hasDataset: boolean;
      datasetName: string;
      n: number;
      dim: number;
      classes: number;
      snapshots: string[];
      activeSnapshot: number;
      settings: AnalysisSettings;
      marginRange: { min: number; max: number; step: number };
      classNames: string[];
      worstTriplets?: number;
    } // dataset + settings (+ the worst list's length, embeddingInspector.worstTriplets)
  | {
      type: 'census';
      datasetId?: string;
      census: Omit<
        CensusView,
        'category' | 'lossAsAnchor' | 'violAsAnchor' | 'violAsPositive' | 'violAsNegative' | 'nearestImpostor'
      >;
    } // results under the current margin (no per-sample arrays)
  | { type: 'histogram'; datasetId?: string; edges: Float64Array; counts: Float64Array; triplets: number } // t = d(a,n) - d(a,p) over all valid triplets
  | { type: 'table'; datasetId?: string; table: MarginTableView } // the census at every slider position (after the histogram of the same index): answered locally while the slider moves; the exact sweep
  | { type: 'status'; state: 'idle' | 'loading' | 'computing' | 'ready' | 'error'; message: string } // what is happening
  | { type: 'queryGallery'; datasetId?: string; view: QueryGalleryView | null } // query / gallery retrieval (null: the metadata has no split column, nothing is shown)
  | { type: 'follow'; on: boolean; available: boolean; reason: string }; // "Follow latest snapshot": the setting, and whether the open dataset is a numbered series (else why not)

/** Controls sidebar -> host. */
export type FromControls =
  | { type: 'ready' } // the view loaded: send the state
  | { type: 'setMargin'; margin: number } // slider moved (sent while dragging)
  | {
      type: 'setSetting';
      key: 'distance' | 'normalize' | 'convention' | 'mining' | 'temperature';
      value: string | number | boolean;
    } // a picker changed
  | { type: 'setSnapshot'; index: number } // pick an epoch
  | { type: 'highlightClass'; classId: number } // class row clicked (-1 clears)
  | { type: 'highlightPair'; a: number; b: number } // class-pair row clicked
  | { type: 'inspect' } // "Inspect Embeddings" button when no dataset is open
  | { type: 'setFollow'; on: boolean } // "Follow latest snapshot" checkbox
  | { type: 'compareWith'; index: number }; // "Compare with" snapshot picker: diff against that snapshot (-1: none)
