/**
 * The file `census --anchors <start>:<end> --part <file>` writes and `merge` reads: a partial,
 * exactly mergeable census of one anchor range (counts, exact loss partials, per-anchor arrays,
 * worst candidates), with what it was computed on and how, so parts of different datasets or
 * options are refused instead of mixed. JSON; typed arrays as base64 of their little-endian bytes.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { InputError } from '../shared/dataset';
import { PassAccumulator, type PassState } from '../engine/passResult';
import type { PassSpec } from '../engine/passTypes';
import type { RunFacts } from './censusReport';

const FORMAT = 'embedding-inspector census part';
const VERSION = 1;

/** What identifies the dataset: its shape and a SHA-256 of its embeddings, labels and class names. */
export function fingerprint(embeddings: Float32Array, labels: Int32Array, classNames: string[]): string {
  const h = createHash('sha256');
  h.update(Buffer.from(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength));
  h.update(Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength));
  h.update(JSON.stringify(classNames));
  return h.digest('hex');
}

/** The settings a part shares with every other part it may be merged with. */
export interface PartKey extends RunFacts {
  top: number;
  fingerprint: string;
}

interface PartFile {
  format: string;
  version: number;
  key: PartKey;
  anchors: [number, number];
  state: Record<string, unknown>;
}

type Typed = Float64Array | Float32Array | Int32Array;
const ARRAYS = [
  'violAsAnchor',
  'lossAsAnchor',
  'hardAsAnchor',
  'nearestImpostor',
  'nearestImpostorDist',
  'hardestPositive',
  'hardestNegative',
  'dap',
  'dan',
] as const;

function encode(a: Typed): string {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new Error('part files are written on little-endian machines only');
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decode<T extends Typed>(
  Ctor: { new (len: number): T; BYTES_PER_ELEMENT: number },
  text: unknown,
  length: number,
  file: string,
  what: string,
): T {
  if (typeof text !== 'string') throw new InputError(file, `${what} is missing`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * Ctor.BYTES_PER_ELEMENT)
    throw new InputError(file, `${what} has ${bytes.length} bytes, expected ${length * Ctor.BYTES_PER_ELEMENT}`);
  const out = new Ctor(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Writes the accumulator of the anchors [start, end) as a part file. */
export function writePart(file: string, key: PartKey, start: number, end: number, acc: PassAccumulator): void {
  const s = acc.state;
  if (s.table || s.knn || s.histogram || s.semihard)
    throw new Error('a part file holds the census, batch-hard and retrieval only');
  const state: Record<string, unknown> = {
    anchors: s.anchors,
    triplets: s.triplets,
    pml: s.pml,
    facenet: s.facenet,
    nonZero: s.nonZero,
    lossSumPartials: s.lossSumPartials,
    worst: s.worst,
    bhPartials: s.bhPartials,
    bhSoftPartials: s.bhSoftPartials,
    bhValid: s.bhValid,
    bhViolating: s.bhViolating,
    violAsPositive: encode(s.violAsPositive),
    violAsNegative: encode(s.violAsNegative),
    classPairs: encode(s.classPairs),
  };
  for (const k of ARRAYS) state[k] = encode(s[k].subarray(start, end));
  if (s.retrieval)
    state.retrieval = {
      precisionAt1: encode(s.retrieval.precisionAt1.subarray(start, end)),
      rPrecision: encode(s.retrieval.rPrecision.subarray(start, end)),
      apAtR: encode(s.retrieval.apAtR.subarray(start, end)),
    };
  const part: PartFile = { format: FORMAT, version: VERSION, key, anchors: [start, end], state };
  fs.writeFileSync(file, JSON.stringify(part) + '\n');
}

/** A part read back: its key, range and accumulator (for `spec`). */
export interface Part {
  file: string;
  key: PartKey;
  start: number;
  end: number;
  acc: PassAccumulator;
}

/** Reads a part file; every problem is an InputError naming the file. */
export function readPart(file: string, spec: (key: PartKey) => PassSpec): Part {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      code === 'ENOENT'
        ? 'no such part file'
        : code === 'EISDIR'
          ? 'is a folder, not a part file'
          : `cannot be read (${(e as Error).message})`,
    );
  }
  let p: PartFile;
  try {
    p = JSON.parse(raw) as PartFile;
  } catch {
    throw new InputError(file, 'is not a census part file (not JSON)');
  }
  if (p?.format !== FORMAT)
    throw new InputError(
      file,
      `is not a census part file (written by \`census --anchors <start>:<end> --part <file>\`)`,
    );
  if (p.version !== VERSION)
    throw new InputError(file, `is a version ${p.version} part file; this version reads version ${VERSION}`);
  const key = p.key,
    [start, end] = p.anchors ?? [];
  if (!(
    Number.isInteger(key?.n) &&
    Number.isInteger(start) &&
    Number.isInteger(end) &&
    0 <= start &&
    start <= end &&
    end <= key.n
  ))
    throw new InputError(file, 'has a bad anchor range');
  // The labels only split the metrics by class, which the census report does not print: a part does not carry them.
  const sp = spec(key),
    st = p.state,
    len = end - start;
  const acc = new PassAccumulator(sp, new Int32Array(key.n), key.classes, false);
  const s = acc.state as PassState;
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number') throw new InputError(file, `${what} is missing`);
    return v;
  };
  const nums = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new InputError(file, `${what} is missing`);
    return v as number[];
  };
  s.anchors = num(st.anchors, 'the anchor count');
  s.triplets = num(st.triplets, 'the triplet count');
  s.nonZero = num(st.nonZero, 'the non-zero count');
  s.pml = nums(st.pml, 'the pml counts');
  s.facenet = nums(st.facenet, 'the facenet counts');
  s.lossSumPartials = nums(st.lossSumPartials, 'the loss partials');
  s.bhPartials = nums(st.bhPartials, 'the batch-hard partials');
  s.bhSoftPartials = nums(st.bhSoftPartials, 'the soft batch-hard partials');
  s.bhValid = num(st.bhValid, 'the batch-hard anchors');
  s.bhViolating = num(st.bhViolating, 'the batch-hard violating anchors');
  if (!Array.isArray(st.worst)) throw new InputError(file, 'the worst list is missing');
  s.worst = st.worst as PassState['worst'];
  s.violAsPositive = decode(Float64Array, st.violAsPositive, s.violAsPositive.length, file, 'violAsPositive');
  s.violAsNegative = decode(Float64Array, st.violAsNegative, s.violAsNegative.length, file, 'violAsNegative');
  s.classPairs = decode(Float64Array, st.classPairs, s.classPairs.length, file, 'classPairs');
  const ctor = {
    violAsAnchor: Float64Array,
    lossAsAnchor: Float64Array,
    hardAsAnchor: Float64Array,
    nearestImpostor: Int32Array,
    nearestImpostorDist: Float32Array,
    hardestPositive: Int32Array,
    hardestNegative: Int32Array,
    dap: Float32Array,
    dan: Float32Array,
  } as const;
  for (const k of ARRAYS) (s[k] as Typed).set(decode(ctor[k] as never, st[k], len, file, k) as Typed, start);
  if (s.retrieval) {
    const r = st.retrieval as Record<string, unknown> | undefined;
    if (!r) throw new InputError(file, 'the retrieval values are missing');
    s.retrieval.precisionAt1.set(decode(Float64Array, r.precisionAt1, len, file, 'precisionAt1'), start);
    s.retrieval.rPrecision.set(decode(Float64Array, r.rPrecision, len, file, 'rPrecision'), start);
    s.retrieval.apAtR.set(decode(Float64Array, r.apAtR, len, file, 'apAtR'), start);
  }
  s.covered.fill(1, start, end);
  if (s.anchors !== len)
    throw new InputError(file, `says it counted ${s.anchors} anchors, but its range [${start}, ${end}) holds ${len}`);
  return { file, key, start, end, acc };
}
