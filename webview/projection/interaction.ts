/**
 * Mouse, wheel and keyboard gestures on the plot, turned into intents: drag pans, wheel zooms
 * around the cursor, shift-drag draws a box, alt-drag a lasso, a click without drag picks.
 * Coordinates are CSS pixels relative to the element.
 */

/** What the gestures mean; PlotView implements these. */
export interface GestureHandlers {
  pan(dx: number, dy: number): void;
  zoom(x: number, y: number, deltaY: number, deltaMode: number): void;
  hover(x: number, y: number): void;
  leave(): void;
  click(x: number, y: number): void;
  /** Outline while dragging (null when it ends). */
  shape(kind: 'box' | 'lasso', points: number[] | null): void;
  /** Finished box [x0, y0, x1, y1] or lasso polygon. */
  select(kind: 'box' | 'lasso', points: number[]): void;
  key(action: 'zoomIn' | 'zoomOut' | 'reset' | 'clear' | 'left' | 'right' | 'up' | 'down'): void;
}

/** Movement (CSS px) below which a press-release is a click, not a drag. */
const CLICK_SLOP = 4;

const KEYS: Record<string, Parameters<GestureHandlers['key']>[0]> = {
  '+': 'zoomIn',
  '=': 'zoomIn',
  '-': 'zoomOut',
  _: 'zoomOut',
  '0': 'reset',
  Escape: 'clear',
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};

/** Wires the gestures on `el`; returns a function that removes the listeners. */
export function attachGestures(el: HTMLElement, h: GestureHandlers): () => void {
  let drag: {
    id: number;
    kind: 'pan' | 'box' | 'lasso';
    x0: number;
    y0: number;
    x: number;
    y: number;
    moved: boolean;
    pts: number[];
  } | null = null;
  const local = (e: MouseEvent): [number, number] => {
    const r = el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };

  const down = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const [x, y] = local(e);
    const kind = e.shiftKey ? 'box' : e.altKey ? 'lasso' : 'pan';
    drag = { id: e.pointerId, kind, x0: x, y0: y, x, y, moved: false, pts: [x, y] };
    el.setPointerCapture(e.pointerId);
    el.focus({ preventScroll: true });
    e.preventDefault();
  };
  const move = (e: PointerEvent) => {
    const [x, y] = local(e);
    if (!drag || drag.id !== e.pointerId) {
      h.hover(x, y);
      return;
    }
    if (!drag.moved && Math.hypot(x - drag.x0, y - drag.y0) < CLICK_SLOP) return;
    if (!drag.moved) {
      drag.moved = true;
      h.leave();
      el.classList.add(drag.kind === 'pan' ? 'panning' : 'selecting');
    }
    if (drag.kind === 'pan') h.pan(x - drag.x, y - drag.y);
    else if (drag.kind === 'box') h.shape('box', [drag.x0, drag.y0, x, y]);
    else {
      const n = drag.pts.length;
      if (Math.hypot(x - drag.pts[n - 2], y - drag.pts[n - 1]) >= 2) drag.pts.push(x, y);
      h.shape('lasso', drag.pts);
    }
    drag.x = x;
    drag.y = y;
  };
  const up = (e: PointerEvent) => {
    if (!drag || drag.id !== e.pointerId) return;
    const d = drag;
    drag = null;
    el.classList.remove('panning', 'selecting');
    if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    const [x, y] = local(e);
    if (!d.moved) {
      h.click(x, y);
      return;
    }
    if (d.kind === 'box') {
      h.shape('box', null);
      h.select('box', [d.x0, d.y0, x, y]);
    } else if (d.kind === 'lasso') {
      h.shape('lasso', null);
      if (d.pts.length >= 6) h.select('lasso', d.pts);
    }
    h.hover(x, y);
  };
  const cancel = (e: PointerEvent) => {
    if (!drag || drag.id !== e.pointerId) return;
    if (drag.kind !== 'pan') h.shape(drag.kind, null);
    drag = null;
    el.classList.remove('panning', 'selecting');
  };
  const wheel = (e: WheelEvent) => {
    e.preventDefault();
    const [x, y] = local(e);
    h.zoom(x, y, e.deltaY, e.deltaMode);
  };
  const key = (e: KeyboardEvent) => {
    const action = KEYS[e.key];
    if (!action || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    h.key(action);
  };
  const leave = () => {
    if (!drag) h.leave();
  };

  el.addEventListener('pointerdown', down);
  el.addEventListener('pointermove', move);
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', cancel);
  el.addEventListener('pointerleave', leave);
  el.addEventListener('wheel', wheel, { passive: false });
  el.addEventListener('keydown', key);
  return () => {
    el.removeEventListener('pointerdown', down);
    el.removeEventListener('pointermove', move);
    el.removeEventListener('pointerup', up);
    el.removeEventListener('pointercancel', cancel);
    el.removeEventListener('pointerleave', leave);
    el.removeEventListener('wheel', wheel);
    el.removeEventListener('keydown', key);
  };
}
