/**
 * The measuring probe the UI latency bench installs in the controls webview's frame. Every time is
 * that frame's `performance.now()`:
 *   - inputs: a bubbling `keydown` listener on `window` runs after the slider's own handler, so it
 *     sees the margin the key produced (`__embeddingInspector.margin`); `t` is the event's
 *     `timeStamp` (creation time: the OS input time for a real key, the dispatch time for ours).
 *   - renders: the controls fire `ei-census-rendered` once a census is in the DOM; "on screen" is
 *     the first `requestAnimationFrame` callback after it (`tScreen`); `renderMs` is the controls'
 *     own time to render that census (`lastUpdateMs`: message in → DOM and canvases updated).
 * No main: importing it starts nothing.
 */
import type { Frame } from 'playwright-core';

/** One slider input: when it happened and the margin it produced. */
export interface InputRecord {
  t: number;
  margin: number;
}
/** One rendered census: its margin, whether it was a quick (partial) recount, host+engine time, times. */
export interface RenderRecord {
  margin: number;
  partial: boolean;
  fromTable: boolean;
  local: boolean;
  elapsedMs: number;
  renderMs?: number;
  tRendered: number;
  tScreen?: number;
}
/** Everything the probe recorded since it was installed or last cleared; `origin` is the frame's
 * performance.timeOrigin. */
export interface ProbeLog {
  inputs: InputRecord[];
  renders: RenderRecord[];
  now: number;
  origin: number;
}
/** A census whose colours the projection drew: times in the controls frame's clock (converted through timeOrigin). */
export interface ShownRecord {
  margin: number;
  partial: boolean;
  tShown: number;
  tScreen?: number;
}

/**
 * Browser-side source (a string: this project's Node tsconfig has no DOM types). `run(count, ms)`
 * presses ArrowRight on the slider `count` times, `ms` apart on an absolute schedule (no drift),
 * by dispatching the same `keydown` a real key sends; the slider's handler moves one step and
 * reports the margin. Resolves after the last press.
 */
const PROBE_SOURCE = `(() => {
  if (window.__eiBench) return true;
  const slider = document.querySelector('[data-testid=margin-slider]');
  if (!slider) return false;
  const log = { inputs: [], renders: [] };
  window.addEventListener('keydown', (e) => {
    if (e.target !== slider) return;
    log.inputs.push({ t: e.timeStamp, margin: window.__embeddingInspector.margin });
  });
  window.addEventListener('ei-census-rendered', (e) => {
    const d = e.detail || {};
    const r = { margin: d.margin, partial: !!d.partial, fromTable: !!d.fromTable, local: !!d.local, elapsedMs: d.elapsedMs, renderMs: window.__embeddingInspector.lastUpdateMs, tRendered: performance.now() };
    log.renders.push(r);
    requestAnimationFrame(() => { r.tScreen = performance.now(); });
  });
  const key = (k) => slider.dispatchEvent(new KeyboardEvent('keydown', { key: k, code: k, bubbles: true, cancelable: true }));
  const press = () => key('ArrowRight');
  window.__eiBench = {
    read: () => ({ inputs: log.inputs.slice(), renders: log.renders.map((r) => ({ ...r })), now: performance.now(), origin: performance.timeOrigin }),
    clear: () => { log.inputs.length = 0; log.renders.length = 0; },
    run: (count, ms) => new Promise((resolve) => {
      const t0 = performance.now();
      let i = 0;
      const tick = () => {
        press();
        if (++i >= count) { resolve(performance.now() - t0); return; }
        setTimeout(tick, Math.max(0, t0 + i * ms - performance.now()));
      };
      tick();
    }),
    key,
    slider: () => ({ position: Number(slider.value), max: Number(slider.max), margin: window.__embeddingInspector.margin }),
  };
  return true;
})()`;

/** Installs the probe in the controls frame (idempotent). */
export async function installProbe(controls: Frame): Promise<void> {
  if (!(await controls.evaluate(PROBE_SOURCE)))
    throw new Error('the controls webview has no [data-testid=margin-slider]');
}

/** Forgets what the probe recorded so far. */
export function clearProbe(controls: Frame): Promise<void> {
  return controls.evaluate('window.__eiBench.clear()') as Promise<void>;
}

/** What the probe recorded (copies). */
export function readProbe(controls: Frame): Promise<ProbeLog> {
  return controls.evaluate('window.__eiBench.read()') as Promise<ProbeLog>;
}

/** Dispatches one key on the slider (ArrowLeft, ArrowRight, ...) without recording an input. */
export function pressKey(controls: Frame, key: string): Promise<void> {
  return controls.evaluate(`window.__eiBench.key(${JSON.stringify(key)})`) as Promise<void>;
}

/** The slider's integer position, its last position and the margin it shows. */
export function sliderState(controls: Frame): Promise<{ position: number; max: number; margin: number }> {
  return controls.evaluate('window.__eiBench.slider()') as Promise<{ position: number; max: number; margin: number }>;
}

/** Presses ArrowRight `count` times, `intervalMs` apart, inside the frame (precise timing). */
export function pressInFrame(controls: Frame, count: number, intervalMs: number): Promise<number> {
  return controls.evaluate(`window.__eiBench.run(${count}, ${intervalMs})`) as Promise<number>;
}

/** The projection's probe: when each census's colours were set and drawn, in absolute ms (timeOrigin + now). */
const PROJECTION_PROBE_SOURCE = `(() => {
  if (window.__eiBenchProjection) return true;
  const log = [];
  const abs = () => performance.timeOrigin + performance.now();
  window.addEventListener('ei-census-shown', (e) => {
    const r = { margin: e.detail.margin, partial: !!e.detail.partial, tShown: abs() };
    log.push(r);
    // Registered after the plot's own frame callback, so it runs once that frame is drawn.
    requestAnimationFrame(() => { r.tScreen = abs(); });
  });
  window.__eiBenchProjection = { read: () => log.map((r) => ({ ...r })), clear: () => { log.length = 0; } };
  return true;
})()`;

/** Installs the projection probe (idempotent). */
export async function installProjectionProbe(projection: Frame): Promise<void> {
  await projection.evaluate(PROJECTION_PROBE_SOURCE);
}

export function clearProjectionProbe(projection: Frame): Promise<void> {
  return projection.evaluate('window.__eiBenchProjection.clear()') as Promise<void>;
}

/** What the projection probe recorded, in the controls frame's clock (`controlsOrigin`: its timeOrigin). */
export async function readProjectionProbe(projection: Frame, controlsOrigin: number): Promise<ShownRecord[]> {
  const raw = (await projection.evaluate('window.__eiBenchProjection.read()')) as ShownRecord[];
  return raw.map((r) => ({
    ...r,
    tShown: r.tShown - controlsOrigin,
    tScreen: r.tScreen === undefined ? undefined : r.tScreen - controlsOrigin,
  }));
}
