/**
 * Every sample's source (`SampleSource | undefined` per row) in a few typed arrays instead of a
 * million small objects: the paths as one UTF-8 byte buffer with offsets (a StringColumn,
 * stringColumn.ts, as the metadata columns are kept), the lines as an
 * Int32Array (0: none), the kinds as a Uint8Array (0: no source). Posted from the load worker its
 * buffers are transferred, not cloned: the million objects took the host thread 2 s to rebuild
 * and twice the memory. `at(i)` builds sample i's object when asked. Pure: no `vscode`, no DOM.
 *
 * A source the arrays cannot hold exactly (a line beyond Int32, extra or `undefined` fields) is
 * kept as its own object in `odd`, and a path UTF-8 cannot hold (a lone surrogate in a Windows file
 * name) whole in the path column's own `odd`, so every value reads back as it was given.
 */

import { StringColumn, type StringColumnParts } from './stringColumn';

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
  /** Every sample's path ('' for no source or one kept in `odd`): bytes + offsets (stringColumn.ts). */
  paths: StringColumnParts;
  /** 1-based line, 0 for none. */
  line: Int32Array;
  /** 0: no source, 1: image, 2: text, 3: kept whole in `odd`. */
  kind: Uint8Array;
  /** Sample index and source, for the values the arrays cannot hold exactly. */
  odd: [number, SampleSource][];
}

const NONE = 0,
  IMAGE = 1,
  TEXT = 2,
  ODD = 3;
const MAX_LINE = 0x7fffffff;

/** True when the arrays can hold s as it is: the canonical `{ path, kind }` / `{ path, line, kind }`. */
function plain(s: SampleSource): boolean {
  if (typeof s.path !== 'string' || (s.kind !== 'image' && s.kind !== 'text')) return false;
  let keys = 0;
  for (const _ in s) keys++;
  if (s.line === undefined) return keys === 2;
  return keys === 3 && Number.isInteger(s.line) && s.line >= 1 && s.line <= MAX_LINE;
}

export class SampleSources implements SampleSourcesParts {
  readonly length: number;
  readonly paths: StringColumn;
  readonly line: Int32Array;
  readonly kind: Uint8Array;
  readonly odd: [number, SampleSource][];

  private constructor(p: SampleSourcesParts) {
    this.length = p.length;
    this.paths = StringColumn.revive(p.paths);
    this.line = p.line;
    this.kind = p.kind;
    this.odd = p.odd;
  }

  /** The compact form of `sources` (holes and `undefined` entries alike read back as undefined). */
  static fromArray(sources: readonly (SampleSource | undefined)[]): SampleSources {
    const n = sources.length;
    const line = new Int32Array(n),
      kind = new Uint8Array(n);
    const odd: [number, SampleSource][] = [];
    for (let i = 0; i < n; i++) {
      const s = sources[i];
      if (s === undefined) continue;
      if (!plain(s)) {
        kind[i] = ODD;
        odd.push([i, s]);
        continue;
      }
      kind[i] = s.kind === 'image' ? IMAGE : TEXT;
      if (s.line !== undefined) line[i] = s.line;
    }
    // A path UTF-8 cannot hold (a lone surrogate in a Windows file name) the column keeps whole.
    const paths = StringColumn.build(n, (i) => (kind[i] === IMAGE || kind[i] === TEXT ? sources[i]!.path : ''));
    return new SampleSources({ length: n, paths, line, kind, odd });
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
    return this.paths.at(i);
  }

  /**
   * The last part of sample i's path (after its last / or \, as `path.split(/[\\/]/).pop()`), or
   * undefined when it has no source: a title decodes only these bytes.
   */
  nameAt(i: number): string | undefined {
    if (!this.has(i)) return undefined;
    const k = this.kind[i];
    if (k === NONE) return undefined;
    if (k === ODD || this.paths.isOdd(i)) return this.pathAt(i)!.split(/[\\/]/).pop();
    const { bytes, start } = this.paths;
    const a = start[i],
      b = start[i + 1];
    let cut = b;
    // A separator's byte never occurs inside another character's UTF-8 bytes.
    while (cut > a && bytes[cut - 1] !== 0x2f && bytes[cut - 1] !== 0x5c) cut--;
    return this.paths.decodeRange(cut, b);
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
