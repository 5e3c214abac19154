/**
 * WebGL2 point renderer: one `gl.POINTS` draw of every sample, indexed so the draw order (from
 * pointLook's drawOrder) puts hard, emphasised and selected points on top. The shader styles each
 * point (pointShaders.ts) from inputs uploaded as they arrive: positions (the host's layout
 * Float32Array as-is, stride 2 or 3, possibly still arriving in chunks), labels (once per dataset),
 * categories (1 byte per point per census), losses or changes (loss and change modes) and the
 * selection; the colour mode, emphasis and theme are uniforms and two small tables. Discs are
 * antialiased; hard points get a ring, selected points a focus-coloured ring. Draws only when asked.
 */
import { clipTransform, type Camera, type Viewport } from './camera';
import type { PointLook } from './pointLook';
import type { PointRenderer, SceneColors } from './pointRenderer';
import { POINT_FRAGMENT, POINT_UNIFORMS, POINT_VERTEX, TABLE_WIDTH } from './pointShaders';
import { FrameCache } from './frameCache';

type BufferName = 'pos' | 'label' | 'cat' | 'value' | 'sel' | 'index';

/** The WebGL2 scatter plot on one canvas. `ok` is false when WebGL2 is unavailable. */
export class ScatterRenderer implements PointRenderer {
  readonly kind = 'webgl2';
  private gl: WebGL2RenderingContext | null;
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private buffers: Record<BufferName, WebGLBuffer | null> = {
    pos: null,
    label: null,
    cat: null,
    value: null,
    sel: null,
    index: null,
  };
  private textures: { colours: WebGLTexture | null; emphasis: WebGLTexture | null } = { colours: null, emphasis: null };
  private uniforms: Record<string, WebGLUniformLocation | null> = {};
  private positions: { data: Float32Array; n: number; stride: number; loaded: number } | null = null;
  private labels: Int32Array | null = null;
  private category: Uint8Array | null = null;
  private values: Float32Array | null = null;
  private selected: Uint8Array | null = null;
  private order: Uint32Array | null = null;
  private look: PointLook | null = null;
  private maxPointSize = 64;
  private cache: FrameCache | null = null;
  /** Number of points on screen after the last draw call (those of the layout that have arrived). */
  pointsDrawn = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onError: (message: string) => void,
  ) {
    this.gl = canvas.getContext('webgl2', {
      alpha: false,
      antialias: false,
      depth: false,
      stencil: false,
      premultipliedAlpha: false,
    });
    canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      this.program = null;
      this.cache = null;
      this.pointsDrawn = 0;
    });
    canvas.addEventListener('webglcontextrestored', () => {
      this.init();
      this.uploadAll();
    });
    this.init();
  }

  /** True when WebGL2 is available and the shaders compiled. */
  get ok(): boolean {
    return this.gl !== null && this.program !== null;
  }

  /**
   * Uses `data` as positions: point i at data[i*stride], data[i*stride+1]. Points from `loaded` on
   * have not arrived yet and are not drawn (see positionsArrived).
   */
  setPositions(data: Float32Array, n: number, stride: number, loaded = n): void {
    this.positions = { data, n, stride, loaded };
    this.cache?.invalidate();
    this.uploadPositions();
  }

  /** Points [from, to) of the positions' array were filled in: uploads that range only. */
  positionsArrived(from: number, to: number): void {
    const gl = this.gl,
      p = this.positions;
    if (!p) return;
    p.loaded = Math.max(p.loaded, to);
    this.cache?.invalidate();
    if (!gl || !this.program) return;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.pos);
    gl.bufferSubData(gl.ARRAY_BUFFER, from * p.stride * 4, p.data, from * p.stride, (to - from) * p.stride);
  }

  /** Class id per point (once per dataset). */
  setLabels(labels: Int32Array): void {
    if (labels !== this.labels) {
      this.labels = labels;
      this.uploadAttribute('label');
    }
  }
  /** Triplet category per point, or null before the census (every point None). */
  setCategory(category: Uint8Array | null): void {
    if (category !== this.category) {
      this.category = category;
      this.uploadAttribute('cat');
    }
  }
  /** Loss (loss mode) or change of loss (change mode) per point, or null (all 0). */
  setValues(values: Float32Array | null): void {
    if (values !== this.values) {
      this.values = values;
      this.uploadAttribute('value');
    }
  }
  /** 1 where selected, or null. */
  setSelected(selected: Uint8Array | null): void {
    if (selected !== this.selected) {
      this.selected = selected;
      this.uploadAttribute('sel');
    }
  }
  /** The draw order (indices, low priority first). */
  setOrder(order: Uint32Array): void {
    this.order = order;
    this.uploadOrder();
  }
  /** The colour mode's tables, sizes, emphasis and isolate. */
  setLook(look: PointLook): void {
    this.look = look;
    this.uploadLook();
  }
  /** Forget the cached drawing (the styling changed). */
  invalidateCache(): void {
    this.cache?.invalidate();
  }

  /**
   * Draws everything for this camera (point sizes times `growth`, which rises as one zooms in;
   * ordinary points' alpha times `alphaScale`); returns the number of points drawn. With `cache`,
   * the points go through a texture kept for `drawMoved`.
   */
  draw(cam: Camera, vp: Viewport, dpr: number, colors: SceneColors, growth = 1, alphaScale = 1, cache = false): number {
    const gl = this.gl;
    if (!gl || !this.program) return (this.pointsDrawn = 0);
    const cached = cache && this.cache !== null && this.cache.begin(this.canvas.width, this.canvas.height);
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    const bg = colors.background;
    gl.clearColor(bg[0] / 255, bg[1] / 255, bg[2] / 255, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    const p = this.positions,
      look = this.look;
    const n = p && look && this.labels?.length === p.n && this.order?.length === p.n ? p.n : 0;
    if (n > 0 && p && look) {
      gl.useProgram(this.program);
      const t = clipTransform(cam, vp);
      const u = this.uniforms;
      gl.uniform2f(u.u_center, t.center[0], t.center[1]);
      gl.uniform2f(u.u_scale, t.scale[0], t.scale[1]);
      gl.uniform1f(u.u_sizeScale, dpr * growth);
      gl.uniform1f(u.u_maxSize, this.maxPointSize);
      gl.uniform1f(u.u_ringWidth, Math.max(1, 1.5 * dpr));
      gl.uniform1f(u.u_alphaScale, alphaScale);
      gl.uniform3f(u.u_ringColor, colors.ring[0] / 255, colors.ring[1] / 255, colors.ring[2] / 255);
      gl.uniform3f(u.u_selectColor, colors.select[0] / 255, colors.select[1] / 255, colors.select[2] / 255);
      gl.uniform1i(u.u_loaded, p.loaded);
      gl.uniform1i(u.u_mode, look.mode);
      gl.uniform1i(u.u_classCount, look.classCount);
      gl.uniform1i(u.u_emphasising, look.emphasis ? 1 : 0);
      gl.uniform1i(u.u_selecting, this.selected?.length === n ? 1 : 0);
      gl.uniform1i(u.u_isolate, look.isolate ? 1 : 0);
      gl.uniform1i(u.u_ringOnHard, look.ringOnHard ? 1 : 0);
      gl.uniform1fv(u.u_alphas, look.alphas);
      gl.uniform1f(u.u_baseSize, look.baseSize);
      gl.uniform1fv(u.u_catSize, look.catSize);
      const { ref, max } = look.lossScale;
      gl.uniform2f(u.u_loss, ref > 0 && max > 0 ? ref : 0, ref > 0 && max > 0 ? Math.log1p(max / ref) : 0);
      gl.uniform1i(u.u_colours, 0);
      gl.uniform1i(u.u_emphasis, 1);
      gl.activeTexture(gl.TEXTURE1);
      gl.bindTexture(gl.TEXTURE_2D, this.textures.emphasis);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, this.textures.colours);
      this.constantAttributes(n);
      gl.enable(gl.BLEND);
      gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      gl.bindVertexArray(this.vao);
      gl.drawElements(gl.POINTS, n, gl.UNSIGNED_INT, 0);
      gl.bindVertexArray(null);
    }
    if (cached) this.cache!.end(cam, vp);
    // A layout still arriving: only its first points are on screen.
    return (this.pointsDrawn = p ? Math.min(n, p.loaded) : 0);
  }

  /**
   * While the camera moves: the last cached drawing moved and scaled to this camera (one quad),
   * false when there is none for this canvas size (then draw the points).
   */
  drawMoved(cam: Camera, vp: Viewport, colors: SceneColors): boolean {
    const gl = this.gl;
    if (!gl || !this.program || !this.cache || !this.cache.has(this.canvas.width, this.canvas.height)) return false;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    const bg = colors.background;
    gl.clearColor(bg[0] / 255, bg[1] / 255, bg[2] / 255, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    this.cache.blit(cam, vp);
    return true;
  }

  private init(): void {
    const gl = this.gl;
    if (!gl) {
      this.onError('WebGL2 is not available in this webview.');
      return;
    }
    const program = link(gl, POINT_VERTEX, POINT_FRAGMENT, this.onError);
    if (!program) return;
    this.program = program;
    for (const name of POINT_UNIFORMS) this.uniforms[name] = gl.getUniformLocation(program, name);
    this.cache = new FrameCache(gl, (vs, fs) => link(gl, vs, fs, this.onError));
    const range = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE) as Float32Array;
    this.maxPointSize = range && range[1] > 0 ? range[1] : 64;
    this.vao = gl.createVertexArray();
    for (const k of Object.keys(this.buffers) as BufferName[]) this.buffers[k] = gl.createBuffer();
    this.textures = { colours: gl.createTexture(), emphasis: gl.createTexture() };
  }

  private uploadAll(): void {
    this.uploadPositions();
    for (const k of ['label', 'cat', 'value', 'sel'] as const) this.uploadAttribute(k);
    this.uploadOrder();
    this.uploadLook();
  }

  private uploadPositions(): void {
    const gl = this.gl,
      p = this.program;
    if (!gl || !p || !this.positions) return;
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.pos);
    gl.bufferData(gl.ARRAY_BUFFER, this.positions.data, gl.STATIC_DRAW);
    attrib(gl, p, 'a_pos', 2, gl.FLOAT, this.positions.stride * 4);
    gl.bindVertexArray(null);
  }

  /** One per-point input: its array as it is, or (null) a constant 0 for every point. */
  private uploadAttribute(name: 'label' | 'cat' | 'value' | 'sel'): void {
    const gl = this.gl,
      p = this.program;
    if (!gl || !p) return;
    const data = { label: this.labels, cat: this.category, value: this.values, sel: this.selected }[name];
    const loc = gl.getAttribLocation(p, `a_${name}`);
    if (loc < 0) return;
    gl.bindVertexArray(this.vao);
    if (data) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers[name]);
      gl.bufferData(gl.ARRAY_BUFFER, data, name === 'label' ? gl.STATIC_DRAW : gl.DYNAMIC_DRAW);
      gl.enableVertexAttribArray(loc);
      if (name === 'value') gl.vertexAttribPointer(loc, 1, gl.FLOAT, false, 0, 0);
      else gl.vertexAttribIPointer(loc, 1, name === 'label' ? gl.INT : gl.UNSIGNED_BYTE, 0, 0);
    } else gl.disableVertexAttribArray(loc);
    gl.bindVertexArray(null);
    this.cache?.invalidate();
  }

  /** Arrays that are absent or of another length than n read as a constant 0 (current vertex attribute values are
   * global state). */
  private constantAttributes(n: number): void {
    const gl = this.gl!,
      p = this.program!;
    gl.bindVertexArray(this.vao);
    for (const [name, data] of [
      ['cat', this.category],
      ['value', this.values],
      ['sel', this.selected],
    ] as const) {
      const loc = gl.getAttribLocation(p, `a_${name}`);
      if (loc < 0) continue;
      if (data && data.length === n) {
        gl.enableVertexAttribArray(loc);
        continue;
      }
      gl.disableVertexAttribArray(loc);
      if (name === 'value') gl.vertexAttrib1f(loc, 0);
      else gl.vertexAttribI4ui(loc, 0, 0, 0, 0);
    }
    gl.bindVertexArray(null);
  }

  private uploadOrder(): void {
    const gl = this.gl;
    if (!gl || !this.program || !this.order) return;
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.buffers.index);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, this.order, gl.DYNAMIC_DRAW);
    gl.bindVertexArray(null);
    this.cache?.invalidate();
  }

  private uploadLook(): void {
    const gl = this.gl,
      look = this.look;
    if (!gl || !this.program || !look) return;
    table(gl, this.textures.colours, look.colours, look.entries, 4);
    table(gl, this.textures.emphasis, look.emphasis ?? new Uint8Array(1), look.emphasis?.length ?? 1, 1);
    this.cache?.invalidate();
  }
}

/** A table of `entries` texels (RGBA8 or R8), TABLE_WIDTH per row, for texelFetch. */
function table(
  gl: WebGL2RenderingContext,
  tex: WebGLTexture | null,
  data: Uint8Array,
  entries: number,
  channels: 1 | 4,
): void {
  const width = Math.max(1, Math.min(TABLE_WIDTH, entries)),
    height = Math.max(1, Math.ceil(entries / TABLE_WIDTH));
  const padded = new Uint8Array(width * height * channels);
  padded.set(data.subarray(0, entries * channels));
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, tex);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
  gl.texImage2D(
    gl.TEXTURE_2D,
    0,
    channels === 4 ? gl.RGBA8 : gl.R8,
    width,
    height,
    0,
    channels === 4 ? gl.RGBA : gl.RED,
    gl.UNSIGNED_BYTE,
    padded,
  );
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
  gl.bindTexture(gl.TEXTURE_2D, null);
}

function attrib(
  gl: WebGL2RenderingContext,
  p: WebGLProgram,
  name: string,
  size: number,
  type: number,
  stride: number,
): void {
  const loc = gl.getAttribLocation(p, name);
  if (loc < 0) return;
  gl.enableVertexAttribArray(loc);
  gl.vertexAttribPointer(loc, size, type, false, stride, 0);
}

function link(gl: WebGL2RenderingContext, vs: string, fs: string, onError: (m: string) => void): WebGLProgram | null {
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) {
      onError(`shader: ${gl.getShaderInfoLog(s)}`);
      return null;
    }
    return s;
  };
  const v = compile(gl.VERTEX_SHADER, vs),
    f = compile(gl.FRAGMENT_SHADER, fs);
  if (!v || !f) return null;
  const p = gl.createProgram()!;
  gl.attachShader(p, v);
  gl.attachShader(p, f);
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS) && !gl.isContextLost()) {
    onError(`program: ${gl.getProgramInfoLog(p)}`);
    return null;
  }
  return p;
}
