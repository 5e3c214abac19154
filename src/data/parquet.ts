/**
 * Parquet tables (Embedding Atlas, Hugging Face datasets) through hyparquet, a pure-JS reader:
 * a list column of floats holds the embeddings, scalar columns the labels, paths and metadata.
 */
import * as zlib from 'zlib';
import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import type { Compressors, FileMetaData, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { checkFinite } from './arrays';
import { AmbiguousChoiceError, InputError, fail } from './errors';
import { TableData, VECTOR_COLUMNS } from './tabular';

/**
 * Snappy is built into hyparquet; gzip and brotli come from Node's zlib. They never throw: a
 * failure is recorded in `state` and reported after the read, because an exception inside one
 * of hyparquet's column tasks can surface as an unhandled rejection once another has failed.
 */
function makeCompressors(state: { corrupt?: string }): Compressors {
  const safe =
    (f: (b: Uint8Array, n: number) => Uint8Array) =>
    (input: Uint8Array, outputLength: number): Uint8Array => {
      try {
        return f(input, outputLength);
      } catch (err) {
        state.corrupt ??= (err as Error).message;
        return new Uint8Array(outputLength);
      }
    };
  return {
    GZIP: safe((b, n) => zlib.gunzipSync(b, { maxOutputLength: Math.max(1, n) })),
    BROTLI: safe((b, n) => zlib.brotliDecompressSync(b, { maxOutputLength: Math.max(1, n) })),
  };
}

/** Dotted paths of every leaf of the schema (what column chunks may name). */
function leafPaths(node: SchemaTree, out = new Set<string>()): Set<string> {
  if (node.children.length === 0) out.add(node.path.join('.'));
  for (const c of node.children) leafPaths(c, out);
  return out;
}

/**
 * hyparquet sizes JS arrays from page headers; a damaged header announcing ~2^28 values makes V8
 * abort the whole process (not an exception). Pages are therefore checked first, and a page or
 * a file past these limits is refused with a message.
 */
const MAX_PAGE_VALUES = 1 << 26;
const MAX_PAGE_BYTES = 1 << 30;

/** Checks row counts and every page header against the file before hyparquet decodes anything. */
function checkPages(ab: ArrayBuffer, meta: FileMetaData, schema: SchemaTree, file: string): number {
  const rows = Number(meta.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0) fail(file, `damaged Parquet metadata: ${meta.num_rows} rows`);
  const sum = meta.row_groups.reduce((s, g) => s + Number(g.num_rows), 0);
  if (sum !== rows) fail(file, `damaged Parquet metadata: row groups hold ${sum} rows, the footer says ${rows}`);
  if (rows > MAX_PAGE_VALUES)
    fail(file, `${rows} rows is more than this reader handles (${MAX_PAGE_VALUES}); use .npy for data this large`);
  const view = new DataView(ab);
  const leaves = leafPaths(schema);
  for (const g of meta.row_groups) {
    for (const c of g.columns) {
      const md = c.meta_data ?? fail(file, 'damaged Parquet metadata: a column chunk has no metadata');
      // hyparquet throws on an unknown path after it has started reading other columns, and
      // those reads then reject unhandled: refuse such a file before reading.
      if (!leaves.has(md.path_in_schema.join('.')))
        fail(file, `damaged Parquet metadata: column ${md.path_in_schema.join('.')} is not in the schema`);
      const dict = md.dictionary_page_offset === undefined ? undefined : Number(md.dictionary_page_offset);
      const start =
        dict !== undefined && dict > 0 ? Math.min(dict, Number(md.data_page_offset)) : Number(md.data_page_offset);
      const end = start + Number(md.total_compressed_size);
      if (!(start >= 4 && end <= ab.byteLength - 8 && end > start))
        fail(file, `damaged Parquet metadata: column ${md.path_in_schema.join('.')} lies outside the file`);
      const reader = { view, offset: start };
      while (reader.offset < end) {
        const h = parquetHeader(reader);
        const values =
          h.data_page_header?.num_values ??
          h.data_page_header_v2?.num_values ??
          h.dictionary_page_header?.num_values ??
          0;
        const ok = [values, h.compressed_page_size, h.uncompressed_page_size].every(
          (x) => Number.isSafeInteger(x) && x >= 0,
        );
        if (!ok || values > MAX_PAGE_VALUES || h.uncompressed_page_size > MAX_PAGE_BYTES) {
          fail(
            file,
            `damaged or oversized Parquet page in column ${md.path_in_schema.join('.')} (${values} values, ${h.uncompressed_page_size} bytes)`,
          );
        }
        reader.offset += h.compressed_page_size;
        if (reader.offset > ab.byteLength - 8)
          fail(file, `damaged Parquet page sizes in column ${md.path_in_schema.join('.')}`);
      }
    }
  }
  return rows;
}

/** The bytes as an ArrayBuffer: the file's own buffer when it spans it exactly, else one copy. */
function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** True when a top-level schema node is a (possibly nested) list whose leaves are numbers. */
function isNumericList(node: SchemaTree): boolean {
  if (node.children.length === 0) return false;
  let repeated = false;
  let n: SchemaTree = node;
  while (n.children.length === 1) {
    n = n.children[0];
    if (n.element.repetition_type === 'REPEATED') repeated = true;
  }
  if (n.children.length > 0 || !repeated) return false;
  return ['FLOAT', 'DOUBLE', 'INT32', 'INT64'].includes(n.element.type ?? '');
}

/**
 * Lists the columns that can hold embeddings (lists of numbers) and the scalar ones; with the
 * whole file (not `footerOnly`) also checks every page header (see MAX_PAGE_VALUES).
 */
export function parquetColumns(
  bytes: Uint8Array,
  file: string,
  footerOnly = false,
): { vectors: string[]; scalars: string[]; rows: number; meta: FileMetaData } {
  const ab = arrayBufferOf(bytes);
  try {
    // geoparquet off: not needed here, and hyparquet's geo pass loops forever on a negative
    // num_children in a damaged schema.
    const meta = parquetMetadata(ab, { geoparquet: false });
    const schema = parquetSchema(meta);
    const vectors = schema.children.filter(isNumericList).map((c) => c.element.name);
    const scalars = schema.children.filter((c) => c.children.length === 0).map((c) => c.element.name);
    // Only a whole file can be checked page by page (discovery passes just the footer).
    const rows = footerOnly ? Number(meta.num_rows) : checkPages(ab, meta, schema, file);
    return { vectors, scalars, rows, meta };
  } catch (err) {
    if (err instanceof InputError) throw err;
    fail(file, `not a readable Parquet file (${(err as Error).message})`);
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** Reads a Parquet file: embeddings from a list column (`embeddingsKey` or a telling name). */
export async function parseParquet(bytes: Uint8Array, file: string, embeddingsKey?: string): Promise<TableData> {
  if (bytes.length === 0) fail(file, 'empty file');
  const { vectors, scalars, rows, meta } = parquetColumns(bytes, file);
  let key = embeddingsKey;
  if (key !== undefined && !vectors.includes(key))
    fail(file, `no list-of-numbers column '${key}' (candidates: ${vectors.join(', ') || 'none'})`);
  key ??= VECTOR_COLUMNS.find((c) => vectors.includes(c)) ?? (vectors.length === 1 ? vectors[0] : undefined);
  if (key === undefined) {
    if (vectors.length > 1) throw new AmbiguousChoiceError(file, 'embeddingsKey', vectors);
    fail(file, `no column holds a list of numbers to use as embeddings (columns: ${scalars.join(', ')})`);
  }
  if (rows === 0) fail(file, 'the table has no rows');
  const ab = arrayBufferOf(bytes);
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
  const state: { corrupt?: string } = {};
  const compressors = makeCompressors(state);
  try {
    await parquetRead({
      file: ab,
      metadata: meta,
      columns: [key, ...scalars],
      compressors,
      geoparquet: false,
      onChunk: (c) => {
        const l = chunks.get(c.columnName) ?? [];
        l.push({ start: c.rowStart, data: c.columnData });
        chunks.set(c.columnName, l);
      },
    });
  } catch (err) {
    fail(file, `cannot read Parquet data (${(err as Error).message})`);
  }
  if (state.corrupt) fail(file, `corrupt compressed Parquet page (${state.corrupt})`);
  const column = (name: string): unknown[] => {
    const out: unknown[] = new Array(rows).fill(undefined);
    for (const { start, data } of chunks.get(name) ?? [])
      for (let i = 0; i < data.length && start + i < rows; i++) out[start + i] = data[i];
    return out;
  };
  const vecs = column(key);
  const first = vecs[0];
  const dim = first && typeof first === 'object' && 'length' in first ? (first as ArrayLike<unknown>).length : 0;
  if (dim === 0) fail(file, `row 1: column '${key}' is empty`);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const v = vecs[r] as ArrayLike<unknown> | null | undefined;
    if (!v || v.length !== dim) fail(file, `row ${r + 1} has ${v ? v.length : 0} values in '${key}', expected ${dim}`);
    for (let c = 0; c < dim; c++) {
      const x = Number(v[c] as number);
      if (!Number.isFinite(x))
        fail(file, `row ${r + 1}, column ${c + 1} is ${v[c] === null ? 'null' : Number.isNaN(x) ? 'NaN' : 'infinite'}`);
      out[r * dim + c] = x;
    }
  }
  checkFinite(out, dim, file, 0, out.length, 'finite'); // doubles past float32's range became Infinity
  const columns: Record<string, string[]> = {};
  for (const s of scalars) columns[s] = column(s).map(cellText);
  return { n: rows, dim, embeddings: out, columns };
}
