/**
 * A layout arriving in chunks ('layoutChunk' messages, see src/shared/protocol.ts): the points are
 * copied into one array as they come, in order, so the plot can draw what has arrived and the
 * banner can say how much. Pure.
 */
import type { LayoutKind } from '../../src/shared/protocol';
import { validateLayoutChunk, type LayoutChunk } from './validate';

/** One layout being received. */
export class LayoutAssembly {
  /** n x dims values; points from `received` on are still zero. */
  readonly data: Float32Array;
  /** Points received so far (a prefix: chunks come in order). */
  received = 0;
  readonly id: number;
  readonly kind: LayoutKind;
  readonly dims: 2 | 3;
  readonly n: number;

  /** Starts with the first chunk (offset 0); throws with the reason when it is not usable. */
  constructor(first: LayoutChunk, n: number) {
    const problem = validateLayoutChunk(first, n, 0);
    if (problem) throw new Error(problem);
    this.id = first.layoutId;
    this.kind = first.kind;
    this.dims = first.dims;
    this.n = n;
    this.data = new Float32Array(n * first.dims);
    this.take(first);
  }

  /** Adds the next chunk of the same layout; the reason when it is not usable (nothing is taken then). */
  accept(chunk: LayoutChunk): string | null {
    if (chunk.layoutId !== this.id || chunk.kind !== this.kind || chunk.dims !== this.dims)
      return `chunk of layout ${chunk.layoutId} (${chunk.kind}) while receiving layout ${this.id} (${this.kind})`;
    const problem = validateLayoutChunk(chunk, this.n, this.received);
    if (problem) return problem;
    this.take(chunk);
    return null;
  }

  get complete(): boolean {
    return this.received >= this.n;
  }
  /** Share of the points received, 0..1. */
  get fraction(): number {
    return this.n > 0 ? this.received / this.n : 1;
  }

  private take(chunk: LayoutChunk): void {
    this.data.set(chunk.data, chunk.offset * this.dims);
    this.received = chunk.offset + chunk.data.length / this.dims;
  }
}

/** What the receiver asks of the panel. */
export interface LayoutSink {
  /** Whether some layout is on screen already (then a new one is shown only once whole). */
  hasLayout(): boolean;
  /** Show this layout, its first `loaded` points arrived. */
  show(data: Float32Array, dims: 2 | 3, kind: LayoutKind, loaded: number): void;
  /** Points [from, to) of the layout being shown arrived. */
  arrived(from: number, to: number): void;
  /** The layout being shown is whole. */
  finished(): void;
}

/**
 * Chunks in, layouts out: the first layout of a dataset is drawn as its chunks arrive; one that
 * replaces a layout on screen is shown once whole (the old one stays until then).
 */
export class LayoutReceiver {
  /** The layout being received, until it is whole. */
  incoming: LayoutAssembly | null = null;
  /** The layout on screen while it is still arriving. */
  private drawing: LayoutAssembly | null = null;

  constructor(private readonly sink: LayoutSink) {}

  /** True while the layout on screen is not whole. */
  get partial(): boolean {
    return this.drawing !== null;
  }

  /** Forget what was being received (another dataset, or a whole layout arrived in one message). */
  reset(): void {
    this.incoming = null;
    this.drawing = null;
  }

  /** Takes one chunk of a dataset of n points; the reason when it is not usable (what was being received is dropped).
   */
  receive(m: LayoutChunk, n: number): string | null {
    const problem = this.take(m, n);
    if (problem) this.incoming = null;
    return problem;
  }

  private take(m: LayoutChunk, n: number): string | null {
    let from = 0;
    if (m.offset === 0) {
      try {
        this.incoming = new LayoutAssembly(m, n);
      } catch (e) {
        return (e as Error).message;
      }
    } else {
      if (!this.incoming) return `chunk at point ${m.offset} of a layout whose start did not arrive`;
      from = this.incoming.received;
      const problem = this.incoming.accept(m);
      if (problem) return problem;
    }
    const a = this.incoming;
    if (m.offset === 0 && !this.sink.hasLayout() && !a.complete) {
      this.drawing = a;
      this.sink.show(a.data, a.dims, a.kind, a.received);
    } else if (this.drawing === a) this.sink.arrived(from, a.received);
    if (a.complete) {
      this.incoming = null;
      if (this.drawing === a) {
        this.drawing = null;
        this.sink.finished();
      } else this.sink.show(a.data, a.dims, a.kind, a.n);
    }
    return null;
  }
}
