/**
 * `.safetensors` reader: an 8-byte little-endian header length, a JSON header mapping tensor
 * names to `{dtype, shape, data_offsets}`, then raw little-endian data. No code runs on load.
 */
import { NumericData, NumericKind, typedFromBytes } from './arrays';
import { fail } from './errors';

/** One tensor's header entry. */
export interface SafetensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const DTYPES: Record<string, [NumericKind, number]> = {
  F16: ['f', 2],
  BF16: ['bf', 2],
  F32: ['f', 4],
  F64: ['f', 8],
  I8: ['i', 1],
  I16: ['i', 2],
  I32: ['i', 4],
  I64: ['i', 8],
  U8: ['u', 1],
  U16: ['u', 2],
  U32: ['u', 4],
  U64: ['u', 8],
  BOOL: ['b', 1],
};

/**
 * Element sizes in bits of every dtype the reference (huggingface/safetensors) knows, including
 * ones read nowhere here: validating a file's layout needs the size of each of its tensors.
 */
const DTYPE_BITS: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** The reference parser's limit on the JSON header. */
const MAX_HEADER_BYTES = 100_000_000;

const LAYOUT_RULE = 'the tensors of a safetensors file must follow each other in its data without gaps or overlaps';

/**
 * The reference parser's layout rule (`Metadata::validate` in huggingface/safetensors): sorted by
 * offsets, each tensor starts where the previous one ended (the first at 0), ends at or after its
 * start, holds exactly shape x dtype bytes, and the last ends at the end of the file. A file that
 * breaks it is refused whole: overlapping tensors would read one tensor's bytes as another's.
 */
function validateLayout(tensors: SafetensorInfo[], dataBytes: number, file: string): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let start = 0;
  let prev: SafetensorInfo | undefined;
  for (const t of sorted) {
    const where = `tensor '${t.name}': data_offsets [${t.begin}, ${t.end}]`;
    if (t.end < t.begin) fail(file, `${where} end before they begin`);
    if (t.begin < start)
      fail(file, `${where} overlap tensor '${prev!.name}' [${prev!.begin}, ${prev!.end}]; ${LAYOUT_RULE}`);
    if (t.begin > start)
      fail(
        file,
        `${where} leave ${t.begin - start} bytes unused ${prev ? `after tensor '${prev.name}'` : 'at the start of the data'}; ${LAYOUT_RULE}`,
      );
    const bits = DTYPE_BITS[t.dtype] ?? fail(file, `tensor '${t.name}': unknown dtype '${t.dtype}'`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    const nbits = count * bits;
    if (!Number.isSafeInteger(nbits)) fail(file, `tensor '${t.name}': shape (${t.shape.join(', ')}) is too large`);
    if (nbits % 8 !== 0)
      fail(file, `tensor '${t.name}': shape (${t.shape.join(', ')}) of ${t.dtype} does not fill whole bytes`);
    if (t.end - t.begin !== nbits / 8)
      fail(
        file,
        `${where} hold ${t.end - t.begin} bytes, but shape (${t.shape.join(', ')}) of ${t.dtype} needs ${nbits / 8}`,
      );
    start = t.end;
    prev = t;
  }
  if (start > dataBytes) fail(file, `truncated: the tensors need ${start} bytes of data, the file holds ${dataBytes}`);
  if (start < dataBytes)
    fail(
      file,
      `the data ends ${dataBytes - start} bytes before the end of the file; ${LAYOUT_RULE}, up to its last byte`,
    );
}

/**
 * Lists the tensors in a safetensors file (header only) and where its data starts, after checking
 * the layout as the reference parser does (validateLayout).
 */
export function listSafetensors(bytes: Uint8Array, file: string): { tensors: SafetensorInfo[]; dataStart: number } {
  if (bytes.length === 0) fail(file, 'empty file');
  if (bytes.length < 8) fail(file, 'truncated safetensors header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = dv.getBigUint64(0, true);
  if (hlen > BigInt(bytes.length - 8))
    fail(file, `truncated or not a safetensors file (header length ${hlen} > file size)`);
  if (hlen > BigInt(MAX_HEADER_BYTES))
    fail(file, `safetensors header of ${hlen} bytes is larger than the format allows (${MAX_HEADER_BYTES})`);
  const dataStart = 8 + Number(hlen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    fail(file, `bad safetensors header: ${(err as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail(file, 'bad safetensors header: not a JSON object');
  const tensors: SafetensorInfo[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const ok =
      typeof t === 'object' &&
      t !== null &&
      typeof t.dtype === 'string' &&
      Array.isArray(t.shape) &&
      t.shape.every((s) => Number.isSafeInteger(s) && s >= 0) &&
      Array.isArray(t.data_offsets) &&
      t.data_offsets.length === 2 &&
      t.data_offsets.every((s) => Number.isSafeInteger(s) && s >= 0);
    if (!ok) fail(file, `bad safetensors header entry '${name}'`);
    const [begin, end] = t.data_offsets as number[];
    tensors.push({ name, dtype: t.dtype as string, shape: t.shape as number[], begin, end });
  }
  validateLayout(tensors, bytes.length - dataStart, file);
  return { tensors, dataStart };
}

/** Reads one tensor's data as a native typed array (float16 / bfloat16 as Float32Array). */
export function readSafetensor(bytes: Uint8Array, info: SafetensorInfo, dataStart: number, file: string): NumericData {
  const dt = DTYPES[info.dtype] ?? fail(file, `tensor '${info.name}': unsupported dtype ${info.dtype}`);
  const count = info.shape.reduce((a, b) => a * b, 1);
  if (info.end - info.begin !== count * dt[1] || info.end < info.begin) {
    fail(
      file,
      `tensor '${info.name}': data_offsets [${info.begin}, ${info.end}] do not match shape (${info.shape.join(', ')}) of ${info.dtype}`,
    );
  }
  if (dataStart + info.end > bytes.length) fail(file, `truncated: tensor '${info.name}' ends past the end of the file`);
  return typedFromBytes(bytes, dataStart + info.begin, count, dt[0], dt[1], true, file);
}

/** True for dtypes that can hold embeddings (floats) or labels (integers). */
export function isFloatDtype(dtype: string): boolean {
  return dtype === 'F16' || dtype === 'BF16' || dtype === 'F32' || dtype === 'F64';
}
