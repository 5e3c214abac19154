/**
 * Which samples are queries and which the gallery, from the metadata's split column, and each
 * sample's camera from the camera column (query / gallery retrieval, engine/queryGallery.ts).
 * Pure: no `vscode`. Column names match case-insensitively (as the label column); values are
 * compared after trimming, case-insensitively.
 *
 * - no split column: undefined (no query / gallery evaluation; nothing is shown);
 * - a split value other than the query and gallery values, an empty one, no query or no gallery
 *   row, or an empty camera value: an InputError naming the file and the column;
 * - the same value for query and gallery: every such row is both (leave-one-out; a query is never
 *   matched against its own row);
 * - no camera column: no cameras (nothing is removed but the query itself).
 */
import { InputError, type Dataset } from '../shared/dataset';
import type { StringColumn } from '../shared/stringColumn';

/** Column names and values (settings `embeddingInspector.queryGallery.*`, CLI flags). */
export interface QueryGalleryColumns {
  splitColumn: string;
  queryValue: string;
  galleryValue: string;
  cameraColumn: string;
}

export const DEFAULT_QUERY_GALLERY_COLUMNS: QueryGalleryColumns = {
  splitColumn: 'split',
  queryValue: 'query',
  galleryValue: 'gallery',
  cameraColumn: 'camera',
};

/** The split: rows ascending, camera ids per row (0..cameraCount-1) when a camera column exists. */
export interface QuerySplit {
  queries: Int32Array;
  gallery: Int32Array;
  cameras?: Int32Array;
  cameraCount: number;
  /** The columns as found in the file, and the file they came from (for messages). */
  splitColumn: string;
  cameraColumn?: string;
  file: string;
}

function columnNamed(columns: Record<string, StringColumn>, name: string): string | undefined {
  if (name in columns) return name;
  return Object.keys(columns).find((c) => c.toLowerCase() === name.toLowerCase());
}

/** The file a dataset's metadata columns came from. */
export function metadataFileOf(d: Pick<Dataset, 'files'>): string {
  return d.files.metadata ?? d.files.embeddings;
}

/** The query / gallery split of a dataset (see the file comment); undefined without a split column. */
export function querySplitOf(
  d: Pick<Dataset, 'n' | 'metadata' | 'files'>,
  cols: QueryGalleryColumns = DEFAULT_QUERY_GALLERY_COLUMNS,
): QuerySplit | undefined {
  const meta = d.metadata ?? {},
    file = metadataFileOf(d);
  const splitColumn = columnNamed(meta, cols.splitColumn);
  if (!splitColumn) return undefined;
  const values = meta[splitColumn];
  if (values.length !== d.n)
    throw new InputError(file, `column '${splitColumn}' has ${values.length} values for ${d.n} samples`);
  const qv = cols.queryValue.trim().toLowerCase(),
    gv = cols.galleryValue.trim().toLowerCase();
  const queries: number[] = [],
    gallery: number[] = [];
  for (let i = 0; i < d.n; i++) {
    const value = values.at(i)!;
    const v = value.trim().toLowerCase();
    const isQ = v === qv,
      isG = v === gv;
    if (!isQ && !isG) {
      throw new InputError(
        file,
        `column '${splitColumn}' of sample ${i} (0-based) is ${JSON.stringify(value)}: every value must be '${cols.queryValue}' or '${cols.galleryValue}' ` +
          '(settings embeddingInspector.queryGallery.queryValue / galleryValue, CLI --query-value / --gallery-value)',
      );
    }
    if (isQ) queries.push(i);
    if (isG) gallery.push(i);
  }
  if (!queries.length)
    throw new InputError(
      file,
      `column '${splitColumn}' has no '${cols.queryValue}' row: query / gallery retrieval needs queries`,
    );
  if (!gallery.length)
    throw new InputError(
      file,
      `column '${splitColumn}' has no '${cols.galleryValue}' row: query / gallery retrieval needs a gallery`,
    );
  const split: QuerySplit = {
    queries: Int32Array.from(queries),
    gallery: Int32Array.from(gallery),
    cameraCount: 0,
    splitColumn,
    file,
  };
  const cameraColumn = columnNamed(meta, cols.cameraColumn);
  if (cameraColumn) {
    const cams = meta[cameraColumn],
      ids = new Map<string, number>(),
      cameras = new Int32Array(d.n);
    if (cams.length !== d.n)
      throw new InputError(file, `column '${cameraColumn}' has ${cams.length} values for ${d.n} samples`);
    for (let i = 0; i < d.n; i++) {
      const v = cams.at(i)!.trim();
      if (!v)
        throw new InputError(
          file,
          `column '${cameraColumn}' of sample ${i} (0-based) is empty: every sample needs a camera (or remove the column)`,
        );
      let id = ids.get(v);
      if (id === undefined) {
        id = ids.size;
        ids.set(v, id);
      }
      cameras[i] = id;
    }
    Object.assign(split, { cameras, cameraCount: ids.size, cameraColumn });
  }
  return split;
}
