/**
 * Hit-testing over data coordinates with a uniform grid: nearest point within a radius, points in
 * a rectangle, points in a polygon (lasso). Built once per layout (O(N), counting sort into cells);
 * a query visits only the cells its search area overlaps, so a mouse move costs O(1)-ish at
 * 100 000 points. Pure.
 */

/** Uniform grid of point indices over the bounds of the finite points. */
export class PointGrid {
  private readonly xs: Float32Array;
  private readonly ys: Float32Array;
  private readonly cellStart: Int32Array;
  private readonly items: Int32Array;
  private readonly minX: number;
  private readonly minY: number;
  private readonly maxX: number;
  private readonly maxY: number;
  private readonly cell: number;
  private readonly cols: number;
  private readonly rows: number;

  /**
   * @param pos point i at (pos[i*stride], pos[i*stride+1]); non-finite points are never hit
   * @param perCell average number of points per cell to aim for
   */
  constructor(
    pos: ArrayLike<number>,
    readonly n: number,
    stride: number,
    perCell = 4,
  ) {
    this.xs = new Float32Array(n);
    this.ys = new Float32Array(n);
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity,
      finite = 0;
    for (let i = 0; i < n; i++) {
      const x = pos[i * stride],
        y = pos[i * stride + 1];
      this.xs[i] = x;
      this.ys[i] = y;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      finite++;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    if (finite === 0) {
      minX = minY = 0;
      maxX = maxY = 1;
    }
    const w = maxX - minX,
      h = maxY - minY;
    const cells = Math.max(1, Math.ceil(finite / perCell));
    // Square cells; a degenerate (line-shaped) extent divides its long side only.
    let cell = w > 0 && h > 0 ? Math.sqrt((w * h) / cells) : Math.max(w, h) / cells;
    // At most 2048 cells a side (memory); colOf/rowOf clamp, so any cell size stays correct.
    cell = Math.max(cell, w / 2048, h / 2048);
    if (!(cell > 0)) cell = 1;
    const cols = Math.floor(w / cell) + 1,
      rows = Math.floor(h / cell) + 1;
    this.minX = minX;
    this.minY = minY;
    this.maxX = maxX;
    this.maxY = maxY;
    this.cell = cell;
    this.cols = cols;
    this.rows = rows;

    const cellOf = new Int32Array(n).fill(-1);
    const start = new Int32Array(cols * rows + 1);
    for (let i = 0; i < n; i++) {
      const x = this.xs[i],
        y = this.ys[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const c = this.cellIndex(this.colOf(x), this.rowOf(y));
      cellOf[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
    const fill = start.slice(0, cols * rows);
    const items = new Int32Array(finite);
    for (let i = 0; i < n; i++) if (cellOf[i] >= 0) items[fill[cellOf[i]]++] = i;
    this.cellStart = start;
    this.items = items;
  }

  private colOf(x: number): number {
    return Math.min(this.cols - 1, Math.max(0, Math.floor((x - this.minX) / this.cell)));
  }
  private rowOf(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cell)));
  }
  private cellIndex(col: number, row: number): number {
    return row * this.cols + col;
  }

  /**
   * Index of the point nearest to (x, y) within `radius` (data units, inclusive), or -1.
   * Ties go to the smaller index.
   */
  nearest(x: number, y: number, radius: number): number {
    if (!Number.isFinite(x) || !Number.isFinite(y) || !(radius >= 0)) return -1;
    let best = -1,
      bestD = radius * radius;
    this.visit(x - radius, y - radius, x + radius, y + radius, (i) => {
      const dx = this.xs[i] - x,
        dy = this.ys[i] - y,
        d = dx * dx + dy * dy;
      if (d < bestD || (d === bestD && (best < 0 || i < best))) {
        best = i;
        bestD = d;
      }
    });
    return best;
  }

  /** Indices (ascending) of the points with x0 <= x <= x1 and y0 <= y <= y1 (corners in any order). */
  inRect(x0: number, y0: number, x1: number, y1: number): Int32Array {
    const lx = Math.min(x0, x1),
      hx = Math.max(x0, x1),
      ly = Math.min(y0, y1),
      hy = Math.max(y0, y1);
    const out: number[] = [];
    this.visit(lx, ly, hx, hy, (i) => {
      const px = this.xs[i],
        py = this.ys[i];
      if (px >= lx && px <= hx && py >= ly && py <= hy) out.push(i);
    });
    return Int32Array.from(out).sort();
  }

  /** Indices (ascending) of the points inside the polygon (x0, y0, x1, y1, ...), even-odd rule. */
  inPolygon(poly: ArrayLike<number>): Int32Array {
    if (poly.length < 6) return new Int32Array(0);
    let lx = Infinity,
      hx = -Infinity,
      ly = Infinity,
      hy = -Infinity;
    for (let k = 0; k < poly.length; k += 2) {
      lx = Math.min(lx, poly[k]);
      hx = Math.max(hx, poly[k]);
      ly = Math.min(ly, poly[k + 1]);
      hy = Math.max(hy, poly[k + 1]);
    }
    const out: number[] = [];
    this.visit(lx, ly, hx, hy, (i) => {
      if (pointInPolygon(this.xs[i], this.ys[i], poly)) out.push(i);
    });
    return Int32Array.from(out).sort();
  }

  /**
   * inRect's answer when it holds at most `limit` points, else null: it stops at the (limit + 1)-th, so asking
   * whether a zoomed-in view holds few points costs O(limit) however many points the layout has.
   */
  inRectAtMost(x0: number, y0: number, x1: number, y1: number, limit: number): Int32Array | null {
    const lx = Math.min(x0, x1),
      hx = Math.max(x0, x1),
      ly = Math.min(y0, y1),
      hy = Math.max(y0, y1);
    const out: number[] = [];
    const whole = this.visit(lx, ly, hx, hy, (i) => {
      const px = this.xs[i],
        py = this.ys[i];
      if (px >= lx && px <= hx && py >= ly && py <= hy) out.push(i);
      return out.length <= limit;
    });
    return whole ? Int32Array.from(out).sort() : null;
  }

  /** Calls f for every point in the cells overlapping [lx, hx] x [ly, hy]; stops (false) when f returns false. */
  private visit(lx: number, ly: number, hx: number, hy: number, f: (i: number) => boolean | void): boolean {
    // Entirely outside the points' bounds: nothing to visit (the clamped cells would only be filtered out).
    if (hx < this.minX || lx > this.maxX || hy < this.minY || ly > this.maxY) return true;
    const c0 = this.colOf(lx),
      c1 = this.colOf(hx),
      r0 = this.rowOf(ly),
      r1 = this.rowOf(hy);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = this.cellIndex(c, r);
        for (let k = this.cellStart[cell]; k < this.cellStart[cell + 1]; k++)
          if (f(this.items[k]) === false) return false;
      }
    }
    return true;
  }
}

/** Even-odd point-in-polygon test; poly = (x0, y0, x1, y1, ...), implicitly closed. */
export function pointInPolygon(x: number, y: number, poly: ArrayLike<number>): boolean {
  let inside = false;
  const m = poly.length >> 1;
  for (let i = 0, j = m - 1; i < m; j = i++) {
    const xi = poly[2 * i],
      yi = poly[2 * i + 1],
      xj = poly[2 * j],
      yj = poly[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
