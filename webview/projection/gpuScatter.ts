/**
 * WebGPU point renderer: every sample one quad of two triangles (gpuShaders.ts), in the draw order, styled
 * on the GPU from the same inputs as the WebGL 2 renderer (scatter.ts) and drawing the same pixels.
 * Per-point inputs are storage buffers written as they arrive (positions by chunk, 1 byte per point
 * per census); the look is a uniform block and one small table. Large layouts draw through a cached
 * image while the camera moves, as frameCache.ts does for WebGL 2. Draws only when asked.
 */
import { clipTransform, type Camera, type Viewport } from './camera';
import { cachedQuad } from './frameCache';
import {
  BIT_EMPHASISING,
  BIT_HAS_CATEGORY,
  BIT_HAS_VALUES,
  BIT_ISOLATE,
  BIT_RING_ON_HARD,
  BIT_SELECTING,
  BLIT_WGSL,
  POINT_UNIFORM_BYTES,
  POINT_WGSL,
  U,
} from './gpuShaders';
import type { PointLook } from './pointLook';
import type { PointRenderer, SceneColors } from './pointRenderer';

/** The storage buffers (bound in this order, from binding 1; see groupFor). */
type Slot = 'order' | 'pos' | 'labels' | 'cats' | 'values' | 'sel' | 'look';
/** Largest sprite, device px (a point zoomed far in stays a disc of at most this). */
const MAX_SPRITE = 1024;

/** The WebGPU scatter plot on one canvas, given a device (gpuDevice.ts). */
export class GpuScatterRenderer implements PointRenderer {
  readonly kind = 'webgpu';
  pointsDrawn = 0;
  private readonly ctx: GPUCanvasContext | null;
  private readonly format: GPUTextureFormat;
  private pipeline: GPURenderPipeline | null = null;
  private blitPipeline: GPURenderPipeline | null = null;
  private readonly sampler: GPUSampler;
  private readonly uniform: GPUBuffer;
  private readonly uniformData = new ArrayBuffer(POINT_UNIFORM_BYTES);
  private readonly uf = new Float32Array(this.uniformData);
  private readonly uu = new Uint32Array(this.uniformData);
  private readonly blitUniform: GPUBuffer;
  /** Each slot's buffer (null until its data first arrives) and the 16-byte stand-in bound instead. */
  private readonly buffers: Record<Slot, GPUBuffer | null> = {
    order: null,
    pos: null,
    labels: null,
    cats: null,
    values: null,
    sel: null,
    look: null,
  };
  private readonly empty: GPUBuffer;
  private bindGroup: GPUBindGroup | null = null;
  /** Which buffer each binding of bindGroup holds. */
  private bound: (GPUBuffer | null)[] = [];
  private positions: { data: Float32Array; n: number; stride: number; loaded: number } | null = null;
  private labels: Int32Array | null = null;
  private category: Uint8Array | null = null;
  private values: Float32Array | null = null;
  private selected: Uint8Array | null = null;
  private order: Uint32Array | null = null;
  private look: PointLook | null = null;
  private emphasisAt = 0;
  private cache: { texture: GPUTexture; group: GPUBindGroup | null } | null = null;
  private drawnWith: { cam: Camera; vp: Viewport; width: number; height: number } | null = null;
  private lost = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly device: GPUDevice,
    private readonly onError: (message: string) => void,
  ) {
    this.ctx = canvas.getContext('webgpu');
    this.format = navigator.gpu.getPreferredCanvasFormat();
    const usage = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    this.uniform = device.createBuffer({ size: POINT_UNIFORM_BYTES, usage });
    this.blitUniform = device.createBuffer({ size: 16, usage });
    this.empty = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear' });
    void device.lost.then(() => {
      this.lost = true;
      this.pointsDrawn = 0;
    });
    if (!this.ctx) {
      onError('WebGPU could not draw on this canvas.');
      return;
    }
    this.ctx.configure({ device, format: this.format, alphaMode: 'opaque' });
    // Errors outside the pipelines' scope (a bind group, a draw, a write): said once, not per frame.
    let told = false;
    device.addEventListener('uncapturederror', (e) => {
      if (told) return;
      told = true;
      onError(`WebGPU: ${(e as GPUUncapturedErrorEvent).error.message}`);
    });
    device.pushErrorScope('validation');
    this.pipeline = this.makePipeline(POINT_WGSL, true);
    this.blitPipeline = this.makePipeline(BLIT_WGSL, false);
    void device.popErrorScope().then((e) => {
      if (!e) return;
      this.pipeline = null;
      onError(`WebGPU shader: ${e.message}`);
    });
  }

  /** True while the device lives and the pipelines were made. */
  get ok(): boolean {
    return !this.lost && this.pipeline !== null;
  }

  setPositions(data: Float32Array, n: number, stride: number, loaded = n): void {
    this.positions = { data, n, stride, loaded };
    this.drawnWith = null;
    this.put('pos', data);
  }

  positionsArrived(from: number, to: number): void {
    const p = this.positions;
    if (!p) return;
    p.loaded = Math.max(p.loaded, to);
    this.drawnWith = null;
    const b = this.buffers.pos;
    if (b && !this.lost && to > from)
      writeBytes(this.device.queue, b, from * p.stride * 4, p.data.subarray(from * p.stride, to * p.stride));
  }

  setLabels(labels: Int32Array): void {
    if (labels === this.labels) return;
    this.labels = labels;
    this.put('labels', labels);
  }
  setCategory(category: Uint8Array | null): void {
    if (category === this.category) return;
    this.category = category;
    if (category) this.put('cats', category);
    this.drawnWith = null;
  }
  setValues(values: Float32Array | null): void {
    if (values === this.values) return;
    this.values = values;
    if (values) this.put('values', values);
    this.drawnWith = null;
  }
  setSelected(selected: Uint8Array | null): void {
    if (selected === this.selected) return;
    this.selected = selected;
    if (selected) this.put('sel', selected);
    this.drawnWith = null;
  }
  setOrder(order: Uint32Array): void {
    this.order = order;
    this.put('order', order);
  }
  setLook(look: PointLook): void {
    this.look = look;
    // The colour table's words, then the emphasis bytes (four to a word).
    const emphasis = look.emphasis ?? new Uint8Array(0);
    const bytes = new Uint8Array(4 * look.entries + 4 * Math.ceil(emphasis.length / 4));
    bytes.set(look.colours.subarray(0, 4 * look.entries));
    bytes.set(emphasis, 4 * look.entries);
    this.emphasisAt = look.entries;
    this.put('look', bytes);
  }
  invalidateCache(): void {
    this.drawnWith = null;
  }

  draw(cam: Camera, vp: Viewport, dpr: number, colors: SceneColors, growth = 1, alphaScale = 1, cache = false): number {
    if (!this.ok || !this.ctx) return (this.pointsDrawn = 0);
    const { width, height } = this.canvas;
    const p = this.positions,
      look = this.look;
    const n = p && look && this.labels?.length === p.n && this.order?.length === p.n ? p.n : 0;
    const enc = this.device.createCommandEncoder();
    const target = cache ? this.cacheTexture(width, height) : null;
    const screen = this.ctx.getCurrentTexture().createView();
    const pass = enc.beginRenderPass({
      colorAttachments: [
        {
          view: target ? target.createView() : screen,
          clearValue: rgba(colors.background),
          loadOp: 'clear',
          storeOp: 'store',
        },
      ],
    });
    const group = n > 0 && p && look ? this.groupFor(n) : null;
    if (group && p && look) {
      this.writeUniforms(cam, vp, dpr, colors, growth, alphaScale, n, p.loaded, p.stride, look);
      pass.setPipeline(this.pipeline!);
      pass.setBindGroup(0, group);
      pass.draw(6 * n);
    }
    pass.end();
    if (target) {
      this.drawnWith = { cam: { ...cam }, vp: { ...vp }, width, height };
      this.blit(enc, screen, colors, { scale: [1, 1], offset: [0, 0] });
    }
    this.device.queue.submit([enc.finish()]);
    return (this.pointsDrawn = group && p ? Math.min(n, p.loaded) : 0);
  }

  drawMoved(cam: Camera, vp: Viewport, colors: SceneColors): boolean {
    const d = this.drawnWith;
    if (!this.ok || !this.ctx || !d || !this.cache || d.width !== this.canvas.width || d.height !== this.canvas.height)
      return false;
    const enc = this.device.createCommandEncoder();
    this.blit(enc, this.ctx.getCurrentTexture().createView(), colors, cachedQuad(d.cam, cam, vp));
    this.device.queue.submit([enc.finish()]);
    return true;
  }

  private makePipeline(code: string, points: boolean): GPURenderPipeline {
    const module = this.device.createShaderModule({ code });
    return this.device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: {
        module,
        entryPoint: 'fs',
        targets: [
          {
            format: this.format,
            // As the WebGL 2 renderer: blendFuncSeparate(SRC_ALPHA, ONE_MINUS_SRC_ALPHA, ONE, ONE_MINUS_SRC_ALPHA).
            blend: points
              ? {
                  color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha' },
                  alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha' },
                }
              : undefined,
          },
        ],
      },
      primitive: { topology: points ? 'triangle-list' : 'triangle-strip' },
    });
  }

  /** Writes `data` into its slot's buffer, a larger one when it does not fit. */
  private put(slot: Slot, data: Float32Array | Int32Array | Uint32Array | Uint8Array): void {
    if (this.lost) return;
    const bytes = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    let b = this.buffers[slot];
    // A larger buffer when it does not fit; a smaller one when a much smaller dataset follows a large one.
    if (!b || b.size < bytes || (b.size > 4 * bytes && b.size > 1 << 20)) {
      b?.destroy();
      const limit = this.device.limits.maxStorageBufferBindingSize;
      if (bytes > limit) {
        this.onError(`WebGPU: ${bytes} bytes of ${slot} exceed this device's storage limit of ${limit}.`);
        this.buffers[slot] = null;
        return;
      }
      b = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      this.buffers[slot] = b;
    }
    writeBytes(this.device.queue, b, 0, data);
    this.drawnWith = null;
  }

  /** The bind group of the current buffers (inputs absent or of another length than n bound as the stand-in). */
  private groupFor(n: number): GPUBindGroup | null {
    const use = (slot: Slot, ok: boolean) => (ok ? this.buffers[slot] : this.empty);
    const want = [
      use('order', true),
      use('pos', true),
      use('labels', true),
      use('cats', this.category?.length === n),
      use('values', this.values?.length === n),
      use('sel', this.selected?.length === n),
      use('look', true),
    ];
    if (want.some((b) => b === null)) return null;
    if (!this.bindGroup || want.some((b, k) => b !== this.bound[k])) {
      this.bound = want;
      this.bindGroup = this.device.createBindGroup({
        layout: this.pipeline!.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniform } },
          ...want.map((buffer, k) => ({ binding: k + 1, resource: { buffer: buffer! } })),
        ],
      });
    }
    return this.bindGroup;
  }

  private writeUniforms(
    cam: Camera,
    vp: Viewport,
    dpr: number,
    colors: SceneColors,
    growth: number,
    alphaScale: number,
    n: number,
    loaded: number,
    stride: number,
    look: PointLook,
  ): void {
    const f = this.uf,
      u = this.uu,
      t = clipTransform(cam, vp);
    f.set(t.center, U.center);
    f.set(t.scale, U.scale);
    f[U.viewport] = this.canvas.width;
    f[U.viewport + 1] = this.canvas.height;
    const { ref, max } = look.lossScale,
      ramp = ref > 0 && max > 0;
    f[U.loss] = ramp ? ref : 0;
    f[U.loss + 1] = ramp ? Math.log1p(max / ref) : 0;
    f[U.sizeScale] = dpr * growth;
    f[U.maxSize] = MAX_SPRITE;
    f[U.ringWidth] = Math.max(1, 1.5 * dpr);
    f[U.alphaScale] = alphaScale;
    u[U.loaded] = loaded;
    u[U.mode] = look.mode;
    u[U.classCount] = look.classCount;
    u[U.bits] =
      (look.emphasis ? BIT_EMPHASISING : 0) |
      (this.selected?.length === n ? BIT_SELECTING : 0) |
      (look.isolate ? BIT_ISOLATE : 0) |
      (look.ringOnHard ? BIT_RING_ON_HARD : 0) |
      (this.category?.length === n ? BIT_HAS_CATEGORY : 0) |
      (this.values?.length === n ? BIT_HAS_VALUES : 0);
    f.set(look.alphas.subarray(0, 4), U.alphas);
    f.set(look.catSize.subarray(0, 4), U.catSize);
    f.set(rgbUnit(colors.ring), U.ringColor);
    f.set(rgbUnit(colors.select), U.selectColor);
    f[U.baseSize] = look.baseSize;
    u[U.stride] = stride;
    u[U.emphasisAt] = this.emphasisAt;
    this.device.queue.writeBuffer(this.uniform, 0, this.uniformData);
  }

  /** The cached image's texture for this canvas size (a new one when the size changed). */
  private cacheTexture(width: number, height: number): GPUTexture | null {
    if (!this.cache || this.cache.texture.width !== width || this.cache.texture.height !== height) {
      this.cache?.texture.destroy();
      const texture = this.device.createTexture({
        size: [width, height],
        format: this.format,
        usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING,
      });
      this.cache = { texture, group: null };
    }
    return this.cache.texture;
  }

  /** Clears `view` to the background and draws the cached image as the quad `q`. */
  private blit(
    enc: GPUCommandEncoder,
    view: GPUTextureView,
    colors: SceneColors,
    q: { scale: [number, number]; offset: [number, number] },
  ): void {
    const c = this.cache!;
    this.device.queue.writeBuffer(this.blitUniform, 0, new Float32Array([...q.scale, ...q.offset]));
    c.group ??= this.device.createBindGroup({
      layout: this.blitPipeline!.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.blitUniform } },
        { binding: 1, resource: c.texture.createView() },
        { binding: 2, resource: this.sampler },
      ],
    });
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view, clearValue: rgba(colors.background), loadOp: 'clear', storeOp: 'store' }],
    });
    pass.setPipeline(this.blitPipeline!);
    pass.setBindGroup(0, c.group);
    pass.draw(4);
    pass.end();
  }
}

/** Writes a typed array's bytes at `offset` (a multiple of 4): WebGPU writes whole words, so a tail is padded. */
function writeBytes(queue: GPUQueue, buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const whole = bytes.byteLength & ~3;
  if (whole > 0) queue.writeBuffer(buffer, offset, bytes as Uint8Array<ArrayBuffer>, 0, whole);
  if (whole < bytes.byteLength) {
    const tail = new Uint8Array(4);
    tail.set(bytes.subarray(whole));
    queue.writeBuffer(buffer, offset + whole, tail);
  }
}

function rgba(c: readonly number[]): GPUColor {
  return { r: c[0] / 255, g: c[1] / 255, b: c[2] / 255, a: 1 };
}

function rgbUnit(c: readonly number[]): number[] {
  return [c[0] / 255, c[1] / 255, c[2] / 255, 1];
}
