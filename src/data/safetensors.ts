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
  F16: ['f', 2], BF16: ['bf', 2], F32: ['f', 4], F64: ['f', 8],
  I8: ['i', 1], I16: ['i', 2], I32: ['i', 4], I64: ['i', 8],
  U8: ['u', 1], U16: ['u', 2], U32: ['u', 4], U64: ['u', 8], BOOL: ['b', 1],
};

/** Lists the tensors in a safetensors file (header only) and where its data starts. */
export function listSafetensors(bytes: Uint8Array, file: string): { tensors: SafetensorInfo[]; dataStart: number } {
  if (bytes.length === 0) fail(file, 'empty file');
  if (bytes.length < 8) fail(file, 'truncated safetensors header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = dv.getBigUint64(0, true);
  if (hlen > BigInt(bytes.length - 8)) fail(file, `truncated or not a safetensors file (header length ${hlen} > file size)`);
  const dataStart = 8 + Number(hlen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    fail(file, `bad safetensors header: ${(err as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(file, 'bad safetensors header: not a JSON object');
  const tensors: SafetensorInfo[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const ok = typeof t === 'object' && t !== null && typeof t.dtype === 'string' && Array.isArray(t.shape) &&
      t.shape.every((s) => Number.isSafeInteger(s) && s >= 0) && Array.isArray(t.data_offsets) && t.data_offsets.length === 2 &&
      t.data_offsets.every((s) => Number.isSafeInteger(s) && s >= 0);
    if (!ok) fail(file, `bad safetensors header entry '${name}'`);
    const [begin, end] = t.data_offsets as number[];
    tensors.push({ name, dtype: t.dtype as string, shape: t.shape as number[], begin, end });
  }
  return { tensors, dataStart };
}

/** Reads one tensor's data as a native typed array (float16 / bfloat16 as Float32Array). */
export function readSafetensor(bytes: Uint8Array, info: SafetensorInfo, dataStart: number, file: string): NumericData {
  const dt = DTYPES[info.dtype] ?? fail(file, `tensor '${info.name}': unsupported dtype ${info.dtype}`);
  const count = info.shape.reduce((a, b) => a * b, 1);
  if (info.end - info.begin !== count * dt[1] || info.end < info.begin) {
    fail(file, `tensor '${info.name}': data_offsets [${info.begin}, ${info.end}] do not match shape (${info.shape.join(', ')}) of ${info.dtype}`);
  }
  if (dataStart + info.end > bytes.length) fail(file, `truncated: tensor '${info.name}' ends past the end of the file`);
  return typedFromBytes(bytes, dataStart + info.begin, count, dt[0], dt[1], true, file);
}

/** True for dtypes that can hold embeddings (floats) or labels (integers). */
export function isFloatDtype(dtype: string): boolean {
  return dtype === 'F16' || dtype === 'BF16' || dtype === 'F32' || dtype === 'F64';
}
