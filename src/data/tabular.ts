/**
 * Tables of embeddings: CSV/TSV with a header (numbered embedding columns such as `e0, e1, …` or
 * one column holding the whole vector), header-less numeric TSV (TensorBoard's tensors.tsv) and
 * JSON Lines (`{"embedding": [...], "label": ..., "path": ...}`).
 */
import { AmbiguousChoiceError, fail } from './errors';
import { MAX_ROWS, checkFinite } from './arrays';
import { fastNumericRows } from './fastTsv';
import { DelimitedReader, badNumber, parseVectorCell } from './text';

/** Embeddings plus every other column as strings (labels, sample paths, tooltip metadata). */
export interface TableData {
  n: number;
  dim: number;
  embeddings: Float32Array;
  columns: Record<string, string[]>;
}

/** Largest text decoded as one JS string (V8's limit is ~512 M characters). */
const MAX_TEXT_BYTES = 480 * 1024 * 1024;

/** Column names that hold a whole vector, tried in order. */
export const VECTOR_COLUMNS = ['embedding', 'embeddings', 'vector', 'emb', 'features', 'feature'];

/**
 * Rows are at most (newlines + 1), and each row takes at least `minRowBytes`; counting newlines
 * with memchr-speed indexOf sizes the output once, and the second bound keeps a damaged file
 * (one very wide line, then millions of empty ones) from asking for an impossible allocation.
 */
function maxRows(bytes: Uint8Array, minRowBytes: number, file: string): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 1;
  for (let p = buf.indexOf(10); p >= 0; p = buf.indexOf(10, p + 1)) count++;
  const rows = Math.min(count, Math.floor(bytes.length / Math.max(1, minRowBytes)) + 1);
  if (rows > MAX_ROWS) fail(file, `more than ${MAX_ROWS} rows`);
  return rows;
}

/** Trims a preallocated row-major buffer to the rows actually read (own buffer, no slack). */
function trimRows(out: Float32Array, rows: number, dim: number): Float32Array {
  return out.length === rows * dim ? out : out.slice(0, rows * dim);
}

/** Header-less numeric TSV (TensorBoard `tensors.tsv`): every line one vector. */
export function parseNumericTsv(
  bytes: Uint8Array,
  file: string,
  delim = 9,
): { n: number; dim: number; embeddings: Float32Array } {
  if (bytes.length === 0) fail(file, 'empty file');
  const r = new DelimitedReader(bytes, delim, file);
  if (!r.next()) fail(file, 'empty file: no vectors');
  const dim = r.count;
  let out: Float32Array = new Float32Array(maxRows(bytes, 2 * dim, file) * dim);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const fast = fastNumericRows(bytes, bom, delim, dim, out);
  if (fast > 0) {
    out = trimRows(out, fast, dim);
    checkFinite(out, dim, file, 0, out.length, 'finite'); // values finite as doubles can still overflow float32
    return { n: fast, dim, embeddings: out };
  }
  let row = 0;
  do {
    if (r.count !== dim) fail(file, `line ${r.lineNo} has ${r.count} values, expected ${dim}`);
    if ((row + 1) * dim > out.length)
      fail(file, `line ${r.lineNo}: more rows than the file size allows (damaged file?)`); // never write past the estimate
    const base = row * dim;
    for (let j = 0; j < dim; j++) {
      const v = r.number(j);
      if (v - v !== 0) badNumber(r, j, row, j, v);
      out[base + j] = v;
    }
    row++;
  } while (r.next());
  out = trimRows(out, row, dim);
  checkFinite(out, dim, file, 0, out.length, 'finite'); // non-finite numbers were refused above: only overflows are left
  return { n: row, dim, embeddings: out };
}

/** Finds the embedding columns of a header: a named vector column or numbered scalar columns. */
function pickEmbeddingColumns(header: string[], file: string, key?: string): { vector?: number; scalars?: number[] } {
  if (key !== undefined) {
    const i = header.indexOf(key);
    if (i >= 0) return { vector: i };
    const numbered = header
      .map((h, j) => (new RegExp(`^${key.replace(/[^\w]/g, '\\$&')}[_-]?\\d+$`).test(h) ? j : -1))
      .filter((j) => j >= 0);
    if (numbered.length > 0) return { scalars: numbered };
    fail(file, `no column '${key}' (columns: ${header.join(', ')})`);
  }
  const lower = header.map((h) => h.toLowerCase());
  for (const name of VECTOR_COLUMNS) {
    const i = lower.indexOf(name);
    if (i >= 0) return { vector: i };
  }
  // Numbered columns grouped by prefix (e0 e1 …, dim_0 …, 0 1 2 …); the largest group wins.
  const groups = new Map<string, number[]>();
  header.forEach((h, j) => {
    const m = /^(.*?)[_-]?(\d+)$/.exec(h);
    if (m) groups.set(m[1], [...(groups.get(m[1]) ?? []), j]);
  });
  const best = [...groups.entries()].filter(([, v]) => v.length >= 2).sort((a, b) => b[1].length - a[1].length);
  if (best.length > 1 && best[0][1].length === best[1][1].length) {
    throw new AmbiguousChoiceError(
      file,
      'embeddingsKey',
      best.map(([p]) => p),
    );
  }
  if (best.length > 0) return { scalars: best[0][1] };
  return {};
}

/** CSV/TSV with a header row. `embeddingsKey` names a vector column or a numbered-column prefix. */
export function parseDelimitedTable(bytes: Uint8Array, file: string, delim: number, embeddingsKey?: string): TableData {
  if (bytes.length === 0) fail(file, 'empty file');
  const r = new DelimitedReader(bytes, delim, file);
  if (!r.next()) fail(file, 'empty file: no header');
  const header = Array.from({ length: r.count }, (_, i) => r.text(i).trim());
  const width = header.length;
  let pick = pickEmbeddingColumns(header, file, embeddingsKey);
  if (!r.next()) fail(file, 'no data rows after the header');
  if (pick.vector === undefined && pick.scalars === undefined) {
    // No telling names: look for one cell that holds a list of numbers in the first row.
    const lists = header
      .map((_, j) => (r.count === width && (parseVectorCell(bytes, ...r.range(j))?.length ?? 0) >= 2 ? j : -1))
      .filter((j) => j >= 0);
    if (lists.length > 1)
      throw new AmbiguousChoiceError(
        file,
        'embeddingsKey',
        lists.map((j) => header[j]),
      );
    if (lists.length === 0)
      fail(
        file,
        `no embedding columns found (columns: ${header.join(', ')}); name them e0, e1, … or put the vector in a column named 'embedding'`,
      );
    pick = { vector: lists[0] };
  }
  const embCols = new Set(pick.scalars ?? [pick.vector!]);
  const other = header.map((_, j) => j).filter((j) => !embCols.has(j));
  const columns: Record<string, string[]> = {};
  for (const j of other) columns[header[j]] = [];
  let dim = pick.scalars?.length ?? 0;
  let cap = maxRows(bytes, Math.max(width, 2 * dim), file);
  let out: Float32Array = new Float32Array(dim > 0 ? cap * dim : 0);
  let row = 0;
  do {
    if (r.count !== width) fail(file, `line ${r.lineNo} has ${r.count} values, expected ${width}`);
    if (pick.scalars) {
      if ((row + 1) * dim > out.length)
        fail(file, `line ${r.lineNo}: more rows than the file size allows (damaged file?)`); // never write past the estimate
      const base = row * dim;
      for (let c = 0; c < dim; c++) {
        const v = r.number(pick.scalars[c]);
        if (v - v !== 0) badNumber(r, pick.scalars[c], row, c, v);
        out[base + c] = v;
      }
    } else {
      const vec =
        parseVectorCell(bytes, ...r.range(pick.vector!)) ??
        fail(file, `line ${r.lineNo}: column '${header[pick.vector!]}' holds no vector`);
      if (row === 0) {
        dim = vec.length;
        cap = maxRows(bytes, 2 * dim, file);
        out = new Float32Array(cap * dim);
      }
      if (vec.length !== dim) fail(file, `line ${r.lineNo} has ${vec.length} values, expected ${dim}`);
      if ((row + 1) * dim > out.length)
        fail(file, `line ${r.lineNo}: more rows than the file size allows (damaged file?)`); // never write past the estimate
      for (let c = 0; c < dim; c++) {
        if (vec[c] - vec[c] !== 0)
          fail(
            file,
            `row ${row + 1}, column ${c + 1} is ${Number.isNaN(vec[c]) ? 'NaN or not a number' : 'infinite'} (line ${r.lineNo})`,
          );
        out[row * dim + c] = vec[c];
      }
    }
    for (const j of other) columns[header[j]].push(r.text(j));
    row++;
  } while (r.next());
  const embeddings = trimRows(out, row, dim);
  checkFinite(embeddings, dim, file, 0, embeddings.length, 'finite');
  return { n: row, dim, embeddings, columns };
}

/** JSON Lines: one object per line with a vector field plus scalar fields (label, path, …). */
export function parseJsonl(bytes: Uint8Array, file: string, embeddingsKey?: string): TableData {
  if (bytes.length === 0) fail(file, 'empty file');
  if (bytes.length > MAX_TEXT_BYTES)
    fail(
      file,
      `JSON Lines files over ${MAX_TEXT_BYTES >> 20} MB are not supported (JavaScript's string limit); use .npy or Parquet`,
    );
  maxRows(bytes, 1, file);
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').split('\n');
  let key = embeddingsKey;
  let dim = 0;
  let out: Float32Array = new Float32Array(0);
  const columns: Record<string, string[]> = {};
  let row = 0;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].trim();
    if (line === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (err) {
      fail(file, `line ${li + 1} is not valid JSON (${(err as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      fail(file, `line ${li + 1} is not a JSON object`);
    const rec = obj as Record<string, unknown>;
    if (key === undefined) {
      key = VECTOR_COLUMNS.find((k) => Array.isArray(rec[k]));
      if (key === undefined) {
        const arrays = Object.keys(rec).filter((k) => Array.isArray(rec[k]));
        if (arrays.length > 1) throw new AmbiguousChoiceError(file, 'embeddingsKey', arrays);
        key =
          arrays[0] ??
          fail(
            file,
            `line ${li + 1} has no array field to use as the embedding (fields: ${Object.keys(rec).join(', ')})`,
          );
      }
    }
    const vec = rec[key];
    if (!Array.isArray(vec)) fail(file, `line ${li + 1} has no array '${key}'`);
    if (row === 0) {
      dim = vec.length;
      if (dim === 0) fail(file, `line ${li + 1}: '${key}' is empty`);
      // a value takes >= 2 bytes
      out = new Float32Array(Math.min(lines.length, Math.floor(bytes.length / (2 * dim)) + 1) * dim);
    }
    if (vec.length !== dim) fail(file, `line ${li + 1} has ${vec.length} values, expected ${dim}`);
    if ((row + 1) * dim > out.length) fail(file, `line ${li + 1}: more rows than the file size allows (damaged file?)`); // never write past the estimate
    for (let c = 0; c < dim; c++) {
      const v = vec[c];
      if (typeof v !== 'number' || !Number.isFinite(v))
        fail(
          file,
          `row ${row + 1}, column ${c + 1} is ${typeof v === 'number' ? 'not finite' : `not a number (${JSON.stringify(v)})`} (line ${li + 1})`,
        );
      out[row * dim + c] = v;
    }
    for (const [k, v] of Object.entries(rec)) {
      if (k === key) continue;
      if (!columns[k]) columns[k] = new Array(row).fill('');
      columns[k].push(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    row++;
    for (const c of Object.values(columns)) if (c.length < row) c.push('');
  }
  if (row === 0) fail(file, 'empty file: no JSON lines');
  const embeddings = trimRows(out, row, dim);
  checkFinite(embeddings, dim, file, 0, embeddings.length, 'finite');
  return { n: row, dim, embeddings, columns };
}
