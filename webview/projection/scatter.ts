/**
 * WebGL2 point renderer: one `gl.POINTS` draw of every sample, indexed so the draw order (from
 * pointStyle) puts hard, emphasised and selected points on top. Positions are the host's layout
 * Float32Array uploaded as-is (stride 2 or 3 floats). Discs are antialiased in the fragment shader;
 * hard points get a ring, selected points a focus-coloured ring. Draws only when asked.
 */
import type { Rgb } from './colors';
import { clipTransform, type Camera, type Viewport } from './layout';
import type { PointStyles } from './pointStyle';
import { FrameCache } from './frameCache';

const VERTEX = `#version 300 es
in vec2 a_pos;
in vec4 a_color;
in float a_size;
in uint a_flags;
uniform vec2 u_center;
uniform vec2 u_scale;
uniform float u_sizeScale;
uniform float u_maxSize;
uniform float u_ringWidth;
uniform float u_alphaScale;
out vec4 v_color;
out float v_fade;
out float v_disc;
out float v_sprite;
flat out uint v_flags;
void main() {
  gl_Position = vec4((a_pos - u_center) * u_scale, 0.0, 1.0);
  float disc = a_size * u_sizeScale;
  // Room for the ring (and one pixel of antialiasing) around the disc.
  float extra = (a_flags & 3u) != 0u ? u_ringWidth + 1.5 : 1.0;
  v_sprite = min(u_maxSize, disc + 2.0 * extra);
  gl_PointSize = v_sprite;
  v_disc = disc;
  // Points fade where many overlap (u_alphaScale < 1), so a million points are not one blob;
  // hard samples' rings fade less, selected points not at all.
  float fade = (a_flags & 2u) != 0u ? 1.0 : (a_flags & 1u) != 0u ? max(0.35, min(1.0, 1.5 * u_alphaScale)) : u_alphaScale;
  v_color = vec4(a_color.rgb, a_color.a * fade);
  v_fade = fade;
  v_flags = a_flags;
}`;

const FRAGMENT = `#version 300 es
precision highp float;
in vec4 v_color;
in float v_fade;
in float v_disc;
in float v_sprite;
flat in uint v_flags;
uniform vec3 u_ringColor;
uniform vec3 u_selectColor;
uniform float u_ringWidth;
out vec4 outColor;
void main() {
  float r = length(gl_PointCoord - 0.5) * v_sprite;  // device pixels from the centre
  float rd = v_disc * 0.5;
  float disc = 1.0 - smoothstep(rd - 0.75, rd + 0.25, r);
  vec4 c = vec4(v_color.rgb, v_color.a * disc);
  if ((v_flags & 3u) != 0u) {
    vec3 rc = (v_flags & 2u) != 0u ? u_selectColor : u_ringColor;
    float inner = rd + 0.5, outer = rd + 0.5 + u_ringWidth;
    float ring = smoothstep(inner - 0.75, inner + 0.25, r) * (1.0 - smoothstep(outer - 0.5, outer + 0.5, r));
    c = mix(c, vec4(rc, v_fade), ring);
  }
  if (c.a <= 0.003) discard;
  outColor = c;
}`;

/** Colours the renderer needs besides the per-point ones. */
export interface SceneColors { background: Rgb; ring: Rgb; select: Rgb }

/** The WebGL2 scatter plot on one canvas. `ok` is false when WebGL2 is unavailable. */
export class ScatterRenderer {
  private gl: WebGL2RenderingContext | null;
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private buffers: Record<'pos' | 'color' | 'size' | 'flags' | 'index', WebGLBuffer | null> = { pos: null, color: null, size: null, flags: null, index: null };
  private uniforms: Record<string, WebGLUniformLocation | null> = {};
  private positions: { data: Float32Array; n: number; stride: number } | null = null;
  private styles: PointStyles | null = null;
  private maxPointSize = 64;
  private cache: FrameCache | null = null;
  /** Number of points in the last draw call. */
  pointsDrawn = 0;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly onError: (message: string) => void) {
    this.gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false, premultipliedAlpha: false });
    canvas.addEventListener('webglcontextlost', (e) => { e.preventDefault(); this.program = null; this.cache = null; this.pointsDrawn = 0; });
    canvas.addEventListener('webglcontextrestored', () => { this.init(); this.upload(); });
    this.init();
  }

  /** True when WebGL2 is available and the shaders compiled. */
  get ok(): boolean { return this.gl !== null && this.program !== null; }

  /** Uses `data` as positions: point i at data[i*stride], data[i*stride+1]. */
  setPositions(data: Float32Array, n: number, stride: number): void {
    this.positions = { data, n, stride };
    this.cache?.invalidate();
    this.upload();
  }

  /** Uses new colours, sizes, flags and draw order (arrays of the same n as the positions). */
  setStyles(styles: PointStyles): void {
    this.styles = styles;
    this.cache?.invalidate();
    this.upload();
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
    const n = this.positions && this.styles && this.styles.order.length === this.positions.n ? this.positions.n : 0;
    if (n > 0) {
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
      gl.enable(gl.BLEND);
      gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      gl.bindVertexArray(this.vao);
      gl.drawElements(gl.POINTS, n, gl.UNSIGNED_INT, 0);
      gl.bindVertexArray(null);
    }
    if (cached) this.cache!.end(cam, vp);
    return (this.pointsDrawn = n);
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

  /** Forget the cached drawing (e.g. the palette changed). */
  invalidateCache(): void { this.cache?.invalidate(); }

  private init(): void {
    const gl = this.gl;
    if (!gl) { this.onError('WebGL2 is not available in this webview.'); return; }
    const program = link(gl, VERTEX, FRAGMENT, this.onError);
    if (!program) return;
    this.program = program;
    for (const name of ['u_center', 'u_scale', 'u_sizeScale', 'u_maxSize', 'u_ringColor', 'u_selectColor', 'u_ringWidth', 'u_alphaScale']) this.uniforms[name] = gl.getUniformLocation(program, name);
    this.cache = new FrameCache(gl, (vs, fs) => link(gl, vs, fs, this.onError));
    const range = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE) as Float32Array;
    this.maxPointSize = range && range[1] > 0 ? range[1] : 64;
    this.vao = gl.createVertexArray();
    for (const k of Object.keys(this.buffers) as (keyof ScatterRenderer['buffers'])[]) this.buffers[k] = gl.createBuffer();
  }

  /** Uploads whatever arrays are known and wires them to the shader inputs. */
  private upload(): void {
    const gl = this.gl, p = this.program;
    if (!gl || !p) return;
    gl.bindVertexArray(this.vao);
    if (this.positions) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.pos);
      gl.bufferData(gl.ARRAY_BUFFER, this.positions.data, gl.STATIC_DRAW);
      attrib(gl, p, 'a_pos', 2, gl.FLOAT, false, this.positions.stride * 4);
    }
    if (this.styles) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.color);
      gl.bufferData(gl.ARRAY_BUFFER, this.styles.rgba, gl.DYNAMIC_DRAW);
      attrib(gl, p, 'a_color', 4, gl.UNSIGNED_BYTE, true, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.size);
      gl.bufferData(gl.ARRAY_BUFFER, this.styles.size, gl.DYNAMIC_DRAW);
      attrib(gl, p, 'a_size', 1, gl.FLOAT, false, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.flags);
      gl.bufferData(gl.ARRAY_BUFFER, this.styles.flags, gl.DYNAMIC_DRAW);
      const loc = gl.getAttribLocation(p, 'a_flags');
      if (loc >= 0) { gl.enableVertexAttribArray(loc); gl.vertexAttribIPointer(loc, 1, gl.UNSIGNED_BYTE, 0, 0); }
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.buffers.index);
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, this.styles.order, gl.DYNAMIC_DRAW);
    }
    gl.bindVertexArray(null);
  }
}

function attrib(gl: WebGL2RenderingContext, p: WebGLProgram, name: string, size: number, type: number, normalized: boolean, stride: number): void {
  const loc = gl.getAttribLocation(p, name);
  if (loc < 0) return;
  gl.enableVertexAttribArray(loc);
  gl.vertexAttribPointer(loc, size, type, normalized, stride, 0);
}

function link(gl: WebGL2RenderingContext, vs: string, fs: string, onError: (m: string) => void): WebGLProgram | null {
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) { onError(`shader: ${gl.getShaderInfoLog(s)}`); return null; }
    return s;
  };
  const v = compile(gl.VERTEX_SHADER, vs), f = compile(gl.FRAGMENT_SHADER, fs);
  if (!v || !f) return null;
  const p = gl.createProgram()!;
  gl.attachShader(p, v);
  gl.attachShader(p, f);
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS) && !gl.isContextLost()) { onError(`program: ${gl.getProgramInfoLog(p)}`); return null; }
  return p;
}
