/**
 * The points' canvas and whichever renderer draws on it (pointRenderer.ts): WebGL 2 at once, or
 * WebGPU once its device is granted (asynchronous; a canvas takes one API for good, so nothing is
 * drawn until the choice is made, a few milliseconds). Keeps the last inputs so a renderer that
 * starts late, or a WebGPU device that is lost and granted again, gets all of them.
 */
import type { Camera, Viewport } from './camera';
import { GpuScatterRenderer } from './gpuScatter';
import { gpuDevice } from './gpuDevice';
import type { PointLook } from './pointLook';
import type { PointRenderer, RendererChoice, SceneColors } from './pointRenderer';
import { ScatterRenderer } from './scatter';

export interface PointLayerCallbacks {
  error(message: string): void;
  /** A renderer started (or started again): draw everything. */
  ready(kind: PointRenderer['kind'], why: string): void;
}

/** The inputs a renderer is given, kept to give them again. */
interface Inputs {
  positions: { data: Float32Array; n: number; stride: number; loaded: number } | null;
  labels: Int32Array | null;
  category: Uint8Array | null;
  values: Float32Array | null;
  selected: Uint8Array | null;
  order: Uint32Array | null;
  look: PointLook | null;
}

export class PointLayer {
  private r: PointRenderer | null = null;
  private reported = false;
  private readonly inputs: Inputs = {
    positions: null,
    labels: null,
    category: null,
    values: null,
    selected: null,
    order: null,
    look: null,
  };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    choice: RendererChoice,
    private readonly cb: PointLayerCallbacks,
  ) {
    const gpu = (navigator as Navigator & { gpu?: unknown }).gpu;
    if (choice === 'webgl2' || !gpu)
      this.start(
        new ScatterRenderer(canvas, cb.error),
        choice === 'webgl2' ? 'the setting asks for WebGL 2' : 'this webview has no WebGPU',
      );
    else void this.choose(choice);
  }

  /** 'webgl2' or 'webgpu' once chosen, '' before. */
  get kind(): PointRenderer['kind'] | '' {
    return this.r?.kind ?? '';
  }
  /** False when the renderer could not start (still choosing counts as fine). */
  get ok(): boolean {
    return this.r?.ok ?? true;
  }
  get pointsDrawn(): number {
    return this.r?.pointsDrawn ?? 0;
  }

  setPositions(data: Float32Array, n: number, stride: number, loaded = n): void {
    this.inputs.positions = { data, n, stride, loaded };
    this.r?.setPositions(data, n, stride, loaded);
  }
  positionsArrived(from: number, to: number): void {
    const p = this.inputs.positions;
    if (p) p.loaded = Math.max(p.loaded, to);
    this.r?.positionsArrived(from, to);
  }
  setLabels(labels: Int32Array): void {
    this.inputs.labels = labels;
    this.r?.setLabels(labels);
  }
  setCategory(category: Uint8Array | null): void {
    this.inputs.category = category;
    this.r?.setCategory(category);
  }
  setValues(values: Float32Array | null): void {
    this.inputs.values = values;
    this.r?.setValues(values);
  }
  setSelected(selected: Uint8Array | null): void {
    this.inputs.selected = selected;
    this.r?.setSelected(selected);
  }
  setOrder(order: Uint32Array): void {
    this.inputs.order = order;
    this.r?.setOrder(order);
  }
  setLook(look: PointLook): void {
    this.inputs.look = look;
    this.r?.setLook(look);
  }
  invalidateCache(): void {
    this.r?.invalidateCache();
  }
  draw(...a: Parameters<PointRenderer['draw']>): number {
    try {
      return this.r?.draw(...a) ?? 0;
    } catch (e) {
      this.failed(e);
      return 0;
    }
  }
  drawMoved(cam: Camera, vp: Viewport, colors: SceneColors): boolean {
    try {
      return this.r?.drawMoved(cam, vp, colors) ?? false;
    } catch (e) {
      this.failed(e);
      return false;
    }
  }

  /** A draw threw: said once (every frame would throw the same), the plot stays as it is. */
  private failed(e: unknown): void {
    if (this.reported) return;
    this.reported = true;
    this.cb.error(`drawing the points (${this.kind}) failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  private async choose(choice: RendererChoice): Promise<void> {
    const { device, why } = await gpuDevice(choice);
    if (!device) {
      this.start(new ScatterRenderer(this.canvas, this.cb.error), why);
      return;
    }
    this.startGpu(device, choice, '');
  }

  /** Draws with `device`; when it is lost (a GPU reset, a driver update), with a new one on the same canvas. */
  private startGpu(device: GPUDevice, choice: RendererChoice, why: string): void {
    try {
      this.start(new GpuScatterRenderer(this.canvas, device, this.cb.error), why);
    } catch (e) {
      this.cb.error(`WebGPU could not start drawing: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    void device.lost.then(async (info) => {
      if (info.reason === 'destroyed') return;
      const again = await gpuDevice(choice === 'auto' ? 'auto' : 'webgpu');
      if (again.device) this.startGpu(again.device, choice, 'the WebGPU device was lost and started again');
      else this.cb.error(`The WebGPU device was lost (${info.message}) and no new one started: reopen the panel.`);
    });
  }

  /** Gives renderer `r` every input and tells the owner to draw. */
  private start(r: PointRenderer, why: string): void {
    this.r = r;
    this.reported = false;
    const s = this.inputs;
    if (s.positions) r.setPositions(s.positions.data, s.positions.n, s.positions.stride, s.positions.loaded);
    if (s.labels) r.setLabels(s.labels);
    r.setCategory(s.category);
    r.setValues(s.values);
    r.setSelected(s.selected);
    if (s.order) r.setOrder(s.order);
    if (s.look) r.setLook(s.look);
    this.cb.ready(r.kind, why);
  }
}
