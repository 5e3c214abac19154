/**
 * The layouts of one session and which one is shown: PCA (drawn at once), the user's own (the
 * manifest's `layout` file or the metadata's x / y columns) and UMAP (when its epochs end). Until the user picks one,
 * the best ready layout is shown (UMAP, then the user's, then PCA), so UMAP replaces the first paint. A pick
 * is kept. Pure state: no `vscode`, no DOM; the session owns one and tells the views.
 */
import type { LayoutChoice, LayoutKind, LayoutState } from '../shared/protocol';
import type { StringColumn } from '../shared/stringColumn';

export type { LayoutKind } from '../shared/protocol';

const NAMES: Record<LayoutKind, string> = { umap: 'UMAP', pca: 'PCA', own: 'Your layout' };
const RANK: Record<LayoutKind, number> = { pca: 1, own: 2, umap: 3 };
const ORDER: LayoutKind[] = ['umap', 'pca', 'own'];
/** A plain decimal (no hex, no Infinity, no empty cell). */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** UMAP's progress as the picker shows it. */
export type UmapState =
  | { state: 'waiting' }
  | { state: 'running'; fraction: number }
  | { state: 'ready' }
  | { state: 'failed'; message: string };

/** See the file comment. */
export class LayoutSet {
  /** `changed`: the shown layout or the picker changed ('layout'), or UMAP's progress did ('status'). */
  constructor(private readonly changed: (e: 'layout' | 'status') => void = () => undefined) {}

  private readonly layouts = new Map<LayoutKind, { layout: Float32Array; note: string }>();
  private shownKind: LayoutKind | undefined;
  private pinned = false;
  umap: UmapState = { state: 'waiting' };

  /** The layout shown now, or undefined before the first. */
  get shown(): { kind: LayoutKind; layout: Float32Array } | undefined {
    const k = this.shownKind;
    return k ? { kind: k, layout: this.layouts.get(k)!.layout } : undefined;
  }

  get(kind: LayoutKind): Float32Array | undefined {
    return this.layouts.get(kind)?.layout;
  }

  /**
   * Stores a layout (`note` says how it was made, e.g. the variance PCA keeps). Returns true when
   * the shown layout changed: the first one, one ranked higher while the user has not picked
   * (unless `offerOnly`: then only listed), or a new array of the kind shown.
   */
  add(kind: LayoutKind, layout: Float32Array, note = '', offerOnly = false): boolean {
    this.layouts.set(kind, { layout, note });
    if (kind === 'umap') this.umap = { state: 'ready' };
    const cur = this.shownKind;
    if (cur === kind || cur === undefined || (!this.pinned && !offerOnly && RANK[kind] > RANK[cur])) {
      this.shownKind = kind;
      return true;
    }
    return false;
  }

  /** The user picked `kind`: shown from now on, whatever arrives later. False when it is not ready. */
  choose(kind: LayoutKind): boolean {
    if (!this.layouts.has(kind)) return false;
    this.pinned = true;
    if (this.shownKind === kind) return false;
    this.shownKind = kind;
    return true;
  }

  /** A layout is ready (see `add`); tells the owner. */
  set(kind: LayoutKind, layout: Float32Array, note = '', offerOnly = false): void {
    this.add(kind, layout, note, offerOnly);
    this.changed('layout');
  }

  /** The user picked a layout in the projection's picker; tells the owner when the shown one changed. */
  pick(kind: LayoutKind): void {
    if (this.choose(kind)) this.changed('layout');
  }

  /** UMAP's progress (0..1); the owner hears of it every 2 % (views need a few steps, not every epoch). */
  progress(fraction: number): void {
    const before = this.umap.state === 'running' ? this.umap.fraction : -1;
    this.umap = { state: 'running', fraction };
    if (Math.floor(fraction * 50) !== Math.floor(before * 50) || fraction >= 1) this.changed('status');
  }

  /** UMAP stopped without a layout (cancelled or failed): the picker says so. */
  failed(message: string): void {
    this.umap = { state: 'failed', message };
    this.changed('layout');
  }

  /** What the picker lists and the caption over the plot. */
  state(): LayoutState {
    const choices: LayoutChoice[] = [];
    for (const kind of ORDER) {
      const have = this.layouts.get(kind);
      if (have) choices.push({ kind, label: NAMES[kind], ready: true, note: have.note });
      else if (kind === 'umap') choices.push({ kind, label: NAMES.umap, ready: false, note: this.umapNote() });
    }
    const shown = this.shownKind;
    // UMAP on screen needs no caption beyond the picker, unless its neighbours were approximate
    // (then their measured recall is stated); the others say what they are and what is coming.
    const note = shown ? this.layouts.get(shown)!.note : '';
    let caption =
      shown && (shown !== 'umap' || note.startsWith('approximate')) ? NAMES[shown] + (note ? ` (${note})` : '') : '';
    if (caption && this.umap.state !== 'ready') caption += ` — UMAP ${this.umapNote()}`;
    return { shown: shown ?? null, caption, choices };
  }

  private umapNote(): string {
    const u = this.umap;
    switch (u.state) {
      case 'waiting':
        return 'waiting';
      case 'running':
        return `${Math.floor(100 * Math.min(1, Math.max(0, u.fraction)))} %`;
      case 'ready':
        return '';
      case 'failed':
        return u.message;
    }
  }
}

/**
 * The user's own layout from metadata columns `x` and `y` (any case), when both exist and every
 * value is a finite number; undefined otherwise (with the reason, for a warning, when the columns
 * exist but cannot be used).
 */
export function layoutFromColumns(
  columns: Record<string, StringColumn> | undefined,
  n: number,
): { layout?: Float32Array; problem?: string } {
  if (!columns) return {};
  const find = (name: string) => Object.keys(columns).find((c) => c.toLowerCase() === name);
  const cx = find('x'),
    cy = find('y');
  if (!cx || !cy) return {};
  const xs = columns[cx],
    ys = columns[cy];
  if (xs.length !== n || ys.length !== n)
    return { problem: `columns '${cx}' and '${cy}' have ${xs.length} and ${ys.length} values for ${n} samples` };
  const layout = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (const [col, values, o] of [
      [cx, xs, 0],
      [cy, ys, 1],
    ] as const) {
      const raw = values.at(i)!;
      const v = raw.trim();
      const f = DECIMAL.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(f) || !Number.isFinite(Math.fround(f)))
        return {
          problem: `column '${col}' row ${i + 1}: '${raw}' is not a finite float32 number, so the x / y layout is not offered`,
        };
      layout[2 * i + o] = f;
    }
  }
  return { layout };
}
