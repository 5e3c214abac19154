/**
 * One entry point per file format: reads a file named by a path into embeddings (N x D row-major
 * Float32Array) plus whatever labels / metadata columns the same file carries.
 */
import * as path from 'path';
import { checkFinite, float64Origin, toRowMajorFloat32, typedFromBytes } from './arrays';
import { AmbiguousChoiceError, fail, overBudget } from './errors';
import { DEFAULT_MAX_BYTES, readChecked, readNpyFile } from './files';
import { labelStrings } from './labels';
import { NpyHeader, npyToEmbeddings } from './npy';
import { NpzArchive, withNpzFile } from './npz';
import { parseParquet } from './parquet';
import { parseMetadataTsv } from './projector';
import { isFloatDtype, listSafetensors, readSafetensor } from './safetensors';
import { parseDelimitedTable, parseJsonl, parseNumericTsv } from './tabular';
import { dtypeName, listCheckpointTensors, readCheckpointTensor } from './tfCheckpoint';
import { DelimitedReader } from './text';

/** What reading one embeddings file yields. */
export interface EmbeddingRead {
  n: number;
  dim: number;
  embeddings: Float32Array;
  /** Non-embedding columns of a table (labels, paths, metadata). */
  columns?: Record<string, string[]>;
  /** Labels stored in the same container (.npz / .safetensors), with the array name. */
  labelValues?: string[];
  labelsKey?: string;
}

/** Array names that hold labels, tried in order. */
export const LABEL_NAMES = ['labels', 'label', 'y', 'targets', 'target', 'classes', 'class', 'ids'];
/** Array names that hold embeddings, tried in order. */
const EMB_NAMES = ['embeddings', 'embedding', 'emb', 'features', 'feats', 'x', 'vectors', 'z'];

/** Picks the embeddings array among named arrays: explicit key, a telling name, or the only 2-D one. */
function chooseKey(
  file: string,
  which: 'embeddingsKey' | 'labelsKey',
  names: string[],
  fit: (n: string) => boolean,
  key?: string,
): string | undefined {
  if (key !== undefined) {
    if (!names.includes(key)) fail(file, `no array '${key}' (arrays: ${names.join(', ')})`);
    return key;
  }
  const fitting = names.filter(fit);
  const preferred = which === 'embeddingsKey' ? EMB_NAMES : LABEL_NAMES;
  const named = preferred.find((p) => fitting.includes(p));
  if (named) return named;
  if (fitting.length === 1) return fitting[0];
  if (fitting.length > 1) throw new AmbiguousChoiceError(file, which, fitting);
  return undefined;
}

/** Refuses arrays whose decompressed size exceeds the budget, before any of them is inflated. */
function checkNpzBudget(npz: NpzArchive, keys: string[], maxBytes: number): void {
  const total = npz.decompressedBytes(keys);
  if (total <= maxBytes) return;
  const names = keys.map((k) => `'${k}'`).join(' and ');
  fail(
    npz.file,
    overBudget(
      keys.length > 1 ? `arrays ${names} decompressed are` : `array ${names} decompressed is`,
      total,
      maxBytes,
    ),
  );
}

/** True for a numeric (not string) dtype such as `<f4`. */
const numericDtype = (dtype: string): boolean => !/^[<>|=]?[US]/.test(dtype);

/**
 * .npz: the embeddings array (2-D numeric) and, when present, a labels array (1-D), chosen from
 * the members' headers; only those two are inflated, after their size passed the budget.
 */
function readNpz(file: string, maxBytes: number, key?: string, labelsKey?: string): Promise<EmbeddingRead> {
  return withNpzFile(file, async (npz) => {
    const header = (n: string): NpyHeader => npz.members.get(n)!.header;
    const is2d = (n: string): boolean => numericDtype(header(n).dtype) && header(n).shape.length === 2;
    const ek =
      chooseKey(file, 'embeddingsKey', npz.keys, is2d, key) ??
      fail(file, `no 2-D numeric array to use as embeddings (arrays: ${describe(npz)})`);
    const lk = chooseKey(
      file,
      'labelsKey',
      npz.keys.filter((n) => n !== ek),
      (n) => header(n).shape.length === 1,
      labelsKey,
    );
    checkNpzBudget(npz, lk ? [ek, lk] : [ek], maxBytes);
    const emb = npyToEmbeddings(await npz.read(ek), file);
    if (!lk) return { n: emb.n, dim: emb.dim, embeddings: emb.data };
    return {
      n: emb.n,
      dim: emb.dim,
      embeddings: emb.data,
      labelValues: labelStrings(await npz.read(lk), file, lk),
      labelsKey: lk,
    };
  });
}

function describe(npz: NpzArchive): string {
  return [...npz.members.values()].map((m) => `${m.key} (${m.header.shape.join(' x ')} ${m.header.dtype})`).join(', ');
}

/** .safetensors: a 2-D float tensor for embeddings, a 1-D integer tensor for labels. */
async function readSafetensorsFile(
  file: string,
  maxBytes: number,
  key?: string,
  labelsKey?: string,
): Promise<EmbeddingRead> {
  const bytes = await readChecked(file, maxBytes);
  const { tensors, dataStart } = listSafetensors(bytes, file);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const names = tensors.map((t) => t.name);
  const ek =
    chooseKey(
      file,
      'embeddingsKey',
      names,
      (n) => byName.get(n)!.shape.length === 2 && isFloatDtype(byName.get(n)!.dtype),
      key,
    ) ??
    fail(
      file,
      `no 2-D float tensor to use as embeddings (tensors: ${tensors.map((t) => `${t.name} (${t.shape.join(' x ')} ${t.dtype})`).join(', ') || 'none'})`,
    );
  const t = byName.get(ek)!;
  const [n, dim] = t.shape;
  if (t.shape.length !== 2) fail(file, `tensor '${ek}' has shape (${t.shape.join(', ')}), expected 2-D`);
  if (n === 0 || dim === 0) fail(file, `tensor '${ek}' is empty: shape (${n}, ${dim})`);
  const raw = readSafetensor(bytes, t, dataStart, file);
  const embeddings = toRowMajorFloat32(raw, n, dim, false);
  checkFinite(
    embeddings,
    dim,
    file,
    0,
    embeddings.length,
    raw instanceof Float64Array ? float64Origin(raw, n, dim, false) : undefined,
  );
  const lk = chooseKey(
    file,
    'labelsKey',
    names.filter((x) => x !== ek),
    (x) => byName.get(x)!.shape.length === 1 && !isFloatDtype(byName.get(x)!.dtype),
    labelsKey,
  );
  if (!lk) return { n, dim, embeddings };
  const lt = byName.get(lk)!;
  const data = readSafetensor(bytes, lt, dataStart, file);
  return {
    n,
    dim,
    embeddings,
    labelValues: labelStrings(
      { dtype: lt.dtype === 'BOOL' ? '|b1' : lt.dtype, shape: lt.shape, fortranOrder: false, data },
      file,
      lk,
    ),
    labelsKey: lk,
  };
}

/**
 * Labels stored in an .npz / .safetensors that may hold no embeddings: the array `key`, or the
 * one with a labels-like name, or the only 1-D array.
 */
export async function readLabelsArray(
  file: string,
  key: string | undefined,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<string[]> {
  if (/\.npz$/i.test(file)) {
    return withNpzFile(file, async (npz) => {
      const k =
        chooseKey(file, 'labelsKey', npz.keys, (n) => npz.members.get(n)!.header.shape.length === 1, key) ??
        fail(file, `no 1-D labels array (arrays: ${describe(npz)})`);
      checkNpzBudget(npz, [k], maxBytes);
      return labelStrings(await npz.read(k), file, k);
    });
  }
  const bytes = await readChecked(file, maxBytes);
  const { tensors, dataStart } = listSafetensors(bytes, file);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const k =
    chooseKey(
      file,
      'labelsKey',
      [...byName.keys()],
      (n) => byName.get(n)!.shape.length === 1 && !isFloatDtype(byName.get(n)!.dtype),
      key,
    ) ?? fail(file, 'no 1-D integer labels tensor');
  const t = byName.get(k)!;
  return labelStrings(
    {
      dtype: t.dtype === 'BOOL' ? '|b1' : t.dtype,
      shape: t.shape,
      fortranOrder: false,
      data: readSafetensor(bytes, t, dataStart, file),
    },
    file,
    k,
  );
}

/** True when the first line of a delimited file holds only numbers (TensorBoard tensors.tsv). */
export function firstLineNumeric(bytes: Uint8Array, delim: number, file: string): boolean {
  const r = new DelimitedReader(bytes, delim, file);
  if (!r.next()) return false;
  for (let i = 0; i < r.count; i++) if (Number.isNaN(r.number(i))) return false;
  return true;
}

/** Options that reach a single-file reader. */
export interface ReadOptions {
  maxBytes?: number;
  embeddingsKey?: string;
  labelsKey?: string;
  /** For raw `.bytes` tensors (TensorBoard), the shape from the projector config. */
  tensorShape?: number[];
}

/**
 * A TensorFlow checkpoint named by its `.index`: the tensor `key` (a projector's tensor_name), or
 * one with a telling name (`embedding/.ATTRIBUTES/VARIABLE_VALUE`), or the only 2-D float tensor.
 */
async function readCheckpointFile(file: string, maxBytes: number, key?: string): Promise<EmbeddingRead> {
  const prefix = file.slice(0, -'.index'.length);
  let name = key;
  if (name === undefined) {
    const tensors = await listCheckpointTensors(prefix);
    const short = (n: string): string => n.replace(/\/\.ATTRIBUTES\/VARIABLE_VALUE$/, '');
    const fit = tensors.filter((t) => t.shape.length === 2 && /float/.test(dtypeName(t.dtype)) && !t.sliced);
    name = EMB_NAMES.map((p) => fit.find((t) => short(t.name) === p)).find((t) => t)?.name;
    if (name === undefined && fit.length > 1)
      throw new AmbiguousChoiceError(
        file,
        'embeddingsKey',
        fit.map((t) => t.name),
      );
    name =
      name ??
      fit[0]?.name ??
      fail(
        file,
        `no 2-D float tensor to use as embeddings (tensors: ${tensors.map((t) => `${t.name} (${t.shape.join(' x ') || 'scalar'} ${dtypeName(t.dtype)})`).join(', ') || 'none'})`,
      );
  }
  const { shape, data, origin } = await readCheckpointTensor(prefix, name, maxBytes);
  if (shape.length !== 2)
    fail(file, `tensor '${name}' has shape (${shape.join(', ')}), expected 2-D (samples x dimensions)`);
  const [n, dim] = shape;
  if (n === 0 || dim === 0) fail(file, `tensor '${name}' is empty: shape (${n}, ${dim})`);
  checkFinite(data, dim, file, 0, data.length, origin);
  return { n, dim, embeddings: data };
}

/** Reads the embeddings (and what else the file holds) from one file, by its extension. */
export async function readEmbeddingsFile(file: string, opts: ReadOptions = {}): Promise<EmbeddingRead> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.npy': {
      const a = await readNpyFile(file, maxBytes);
      if (a.shape.length === 1)
        fail(file, `holds a 1-D array of ${a.shape[0]} values (labels?), expected a 2-D array (samples x dimensions)`);
      const e = npyToEmbeddings(a, file);
      return { n: e.n, dim: e.dim, embeddings: e.data };
    }
    case '.npz':
      return readNpz(file, maxBytes, opts.embeddingsKey, opts.labelsKey);
    case '.safetensors':
      return readSafetensorsFile(file, maxBytes, opts.embeddingsKey, opts.labelsKey);
    case '.tsv':
    case '.csv':
    case '.txt': {
      const bytes = await readChecked(file, maxBytes);
      const delim = ext === '.csv' ? 44 : 9;
      if (bytes.length === 0) fail(file, 'empty file');
      if (opts.embeddingsKey === undefined && firstLineNumeric(bytes, delim, file))
        return parseNumericTsv(bytes, file, delim);
      return parseDelimitedTable(bytes, file, delim, opts.embeddingsKey);
    }
    case '.jsonl':
    case '.ndjson':
      return parseJsonl(await readChecked(file, maxBytes), file, opts.embeddingsKey);
    case '.parquet':
      return parseParquet(await readChecked(file, maxBytes), file, opts.embeddingsKey);
    case '.bytes': {
      const shape = opts.tensorShape;
      if (!shape || shape.length !== 2)
        fail(file, 'raw .bytes tensors need tensor_shape: [N, D] in the projector config');
      const bytes = await readChecked(file, maxBytes);
      if (bytes.length !== shape[0] * shape[1] * 4)
        fail(
          file,
          `holds ${bytes.length} bytes, tensor_shape (${shape.join(', ')}) of float32 needs ${shape[0] * shape[1] * 4}`,
        );
      const embeddings = toRowMajorFloat32(
        typedFromBytes(bytes, 0, shape[0] * shape[1], 'f', 4, true, file),
        shape[0],
        shape[1],
        false,
      );
      checkFinite(embeddings, shape[1], file);
      return { n: shape[0], dim: shape[1], embeddings };
    }
    case '.index':
      return readCheckpointFile(file, maxBytes, opts.embeddingsKey);
    default:
      fail(
        file,
        `unsupported file type '${ext || path.basename(file)}' (expected .npy, .npz, .tsv, .csv, .jsonl, .parquet or .safetensors)`,
      );
  }
}

/** Reads a metadata table: TensorBoard TSV rules for .tsv, a header row for .csv. */
export async function readMetadataFile(
  file: string,
  expectedRows: number,
  labelColumn: string,
  maxBytes?: number,
): Promise<Record<string, string[]>> {
  const bytes = await readChecked(file, maxBytes);
  if (path.extname(file).toLowerCase() !== '.csv') return parseMetadataTsv(bytes, file, expectedRows, labelColumn);
  if (bytes.length === 0) fail(file, 'empty file');
  const r = new DelimitedReader(bytes, 44, file);
  if (!r.next()) fail(file, 'empty file');
  const header = Array.from({ length: r.count }, (_, i) => r.text(i).trim());
  const columns: Record<string, string[]> = Object.fromEntries(header.map((h) => [h, [] as string[]]));
  while (r.next()) {
    if (r.count !== header.length) fail(file, `line ${r.lineNo} has ${r.count} values, expected ${header.length}`);
    header.forEach((h, i) => columns[h].push(r.text(i)));
  }
  return columns;
}
