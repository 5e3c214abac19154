/**
 * Every sample's source (`SampleSource | undefined` per row) in a few typed arrays instead of a
 * million small objects: the paths as one UTF-8 byte buffer with offsets, the lines as an
 * Int32Array (0: none), the kinds as a Uint8Array (0: no source). Posted from the load worker its
 * buffers are transferred, not cloned: the million objects took the host thread 2 s to rebuild
 * and twice the memory. `at(i)` builds sample i's object when asked. Pure: no `vscode`, no DOM.
 *
 * A source the arrays cannot hold exactly (a path that is not valid UTF-16, such as a lone
 * surrogate in a Windows file name, a line beyond Int32, extra or `undefined` fields) is kept as
 * its own object in `odd`, so every value reads back as it was given.
 */

/** Where one sample came from, so the UI can show and open it. */
export interface SampleSource {
  /** Absolute filesystem path of the image or text file (already checked to be inside the workspace). */
  path: string;
  /** 1-based line for text samples (`file.txt#L12`), undefined for images. */
  line?: number;
  /** `image` for png/jpg/jpeg/webp/gif/bmp, `text` otherwise. */
  kind: 'image' | 'text';
}

/** What crosses a thread (structured clone keeps the fields, not the class): see `revive`. */
export interface SampleSourcesParts {
  /** Number of samples. */
  length: number;
  /** Every path's UTF-8 bytes, one after another. */
  bytes: Uint8Array;
  /** Sample i's path is bytes[start[i], start[i + 1]); length + 1 entries. */
  start: Uint32Array;
  /** 1-based line, 0 for none. */
  line: Int32Array;
  /** 0: no source, 1: image, 2: text, 3: kept whole in `odd`. */
  kind: Uint8Array;
  /** Sample index and source, for the values the arrays cannot hold exactly. */
  odd: [number, SampleSource][];
  /** True when every byte is ASCII (paths decode one byte per character). */
  ascii: boolean;
}

const NONE = 0,
  IMAGE = 1,
  TEXT = 2,
  ODD = 3;
const MAX_LINE = 0x7fffffff;
// One for every instance: an instance's own fields must stay cloneable (they cross threads).
const encoder = new TextEncoder(),
  decoder = new TextDecoder();

/** True when the arrays can hold s as it is: the canonical `{ path, kind }` / `{ path, line, kind }`. */
function plain(s: SampleSource): boolean {
  if (typeof s.path !== 'string' || (s.kind !== 'image' && s.kind !== 'text')) return false;
  let keys = 0;
  for (const _ in s) keys++;
  if (s.line === undefined) return keys === 2;
  return keys === 3 && Number.isInteger(s.line) && s.line >= 1 && s.line <= MAX_LINE;
}

/** s's length in UTF-8, or -1 when UTF-8 cannot hold it (a lone surrogate). */
function utf8Length(s: string): number {
  let len = s.length;
  for (let j = 0; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x80) continue;
    if (c < 0x800) len += 1;
    else if (c < 0xd800 || c > 0xdfff) len += 2;
    else if (c <= 0xdbff && j + 1 < s.length && (s.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
      j++; // a pair: 4 bytes for 2 units
      len += 2;
    } else return -1;
  }
  return len;
}

export class SampleSources implements SampleSourcesParts {
  readonly length: number;
  readonly bytes: Uint8Array;
  readonly start: Uint32Array;
  readonly line: Int32Array;
  readonly kind: Uint8Array;
  readonly odd: [number, SampleSource][];
  readonly ascii: boolean;

  private constructor(p: SampleSourcesParts) {
    this.length = p.length;
    this.bytes = p.bytes;
    this.start = p.start;
    this.line = p.line;
    this.kind = p.kind;
    this.odd = p.odd;
    this.ascii = p.ascii;
  }

  /** The compact form of `sources` (holes and `undefined` entries alike read back as undefined). */
  static fromArray(sources: readonly (SampleSource | undefined)[]): SampleSources {
    const n = sources.length;
    const start = new Uint32Array(n + 1),
      line = new Int32Array(n),
      kind = new Uint8Array(n);
    const odd: [number, SampleSource][] = [];
    // First the kinds, lines and byte counts (start[i + 1] holds sample i's length for now), then
    // the bytes into a buffer of the exact size.
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = sources[i];
      if (s === undefined) continue;
      const len = plain(s) ? utf8Length(s.path) : -1;
      if (len < 0) {
        kind[i] = ODD;
        odd.push([i, s]);
        continue;
      }
      kind[i] = s.kind === 'image' ? IMAGE : TEXT;
      if (s.line !== undefined) line[i] = s.line;
      start[i + 1] = len;
      total += len;
    }
    if (total > 0xffffffff) throw new RangeError('sample paths exceed 4 GB');
    const bytes = new Uint8Array(total);
    let end = 0,
      ascii = true;
    for (let i = 0; i < n; i++) {
      const len = start[i + 1];
      start[i] = end;
      if (len === 0) continue;
      const p = sources[i]!.path;
      if (len === p.length) for (let j = 0; j < len; j++) bytes[end + j] = p.charCodeAt(j);
      else {
        encoder.encodeInto(p, bytes.subarray(end, end + len));
        ascii = false;
      }
      end += len;
    }
    start[n] = end;
    return new SampleSources({ length: n, bytes, start, line, kind, odd, ascii });
  }

  /** The class again around parts that crossed a thread (their arrays are used, not copied). */
  static revive(p: SampleSourcesParts): SampleSources {
    return p instanceof SampleSources ? p : new SampleSources(p);
  }

  /** Sample i's path, or undefined when it has no source (any i but 0..length-1 has none, as with `array[i]`). */
  pathAt(i: number): string | undefined {
    if (!this.has(i)) return undefined;
    const k = this.kind[i];
    if (k === NONE) return undefined;
    if (k === ODD) return this.oddSource(i).path;
    return this.decode(this.start[i], this.start[i + 1]);
  }

  private decode(a: number, b: number): string {
    if (this.ascii && b - a < 4096)
      return String.fromCharCode.apply(null, this.bytes.subarray(a, b) as unknown as number[]);
    return decoder.decode(this.bytes.subarray(a, b));
  }

  /**
   * The last part of sample i's path (after its last / or \, as `path.split(/[\\/]/).pop()`), or
   * undefined when it has no source: a title decodes only these bytes.
   */
  nameAt(i: number): string | undefined {
    if (!this.has(i)) return undefined;
    const k = this.kind[i];
    if (k === NONE) return undefined;
    if (k === ODD) return this.oddSource(i).path.split(/[\\/]/).pop();
    const a = this.start[i],
      b = this.start[i + 1];
    let cut = b;
    // A separator's byte never occurs inside another character's UTF-8 bytes.
    while (cut > a && this.bytes[cut - 1] !== 0x2f && this.bytes[cut - 1] !== 0x5c) cut--;
    return this.decode(cut, b);
  }

  /** Sample i's line (undefined for none, as in its SampleSource). */
  lineAt(i: number): number | undefined {
    if (!this.has(i)) return undefined;
    if (this.kind[i] === ODD) return this.oddSource(i).line;
    return this.line[i] || undefined;
  }

  /** Sample i's source, a new object each time (any i but 0..length-1 has none, as with `array[i]`). */
  at(i: number): SampleSource | undefined {
    if (!this.has(i)) return undefined;
    const k = this.kind[i];
    if (k === NONE) return undefined;
    if (k === ODD) return this.oddSource(i);
    const path = this.pathAt(i)!;
    const kind = k === IMAGE ? 'image' : 'text';
    const line = this.line[i];
    return line !== 0 ? { path, line, kind } : { path, kind };
  }

  /** True when some sample's source satisfies pred (as Array.some). */
  some(pred: (s: SampleSource | undefined, i: number) => unknown): boolean {
    return this.findIndex(pred) >= 0;
  }

  /** The first index whose source satisfies pred, or -1 (as Array.findIndex). */
  findIndex(pred: (s: SampleSource | undefined, i: number) => unknown): number {
    for (let i = 0; i < this.length; i++) if (pred(this.at(i), i)) return i;
    return -1;
  }

  /** fn over every sample's source, into a plain array (as Array.map). */
  map<T>(fn: (s: SampleSource | undefined, i: number) => T): T[] {
    const out = new Array<T>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = fn(this.at(i), i);
    return out;
  }

  /** The plain array this replaces. */
  toArray(): (SampleSource | undefined)[] {
    return this.map((s) => s);
  }

  /**
   * True when i is a sample's index. Not Array.at's rule: a negative or fractional index (a malformed
   * message from a webview) is no sample, as with `sources[i]` before.
   */
  private has(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.length;
  }

  /** Sample i's entry in `odd` (in index order: a binary search). */
  private oddSource(i: number): SampleSource {
    let lo = 0,
      hi = this.odd.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.odd[mid][0] < i) lo = mid + 1;
      else hi = mid;
    }
    return this.odd[lo][1];
  }
}
