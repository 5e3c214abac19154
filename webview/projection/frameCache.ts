/**
 * The last full drawing of the points, kept in a texture, so that while the camera moves over a
 * large layout (the renderer decides when: hundreds of thousands of points) each frame is one
 * textured quad moved and scaled like the points would be, instead of every point again. Software
 * GL here draws 1 000 000 points in about a second; the quad takes a frame. When the camera rests,
 * the owner draws the points again (sharp, and the parts that were off screen).
 */
import { clipTransform, type Camera, type Viewport } from './camera';

const VERTEX = `#version 300 es
in vec2 a_corner;
uniform vec2 u_scale;
uniform vec2 u_offset;
out vec2 v_uv;
void main() {
  v_uv = a_corner * 0.5 + 0.5;
  gl_Position = vec4(a_corner * u_scale + u_offset, 0.0, 1.0);
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec2 v_uv;
uniform sampler2D u_tex;
out vec4 outColor;
void main() { outColor = texture(u_tex, v_uv); }`;

/** Where the cached image goes for camera `now`, given it was drawn with camera `then` (clip-space scale and offset of
 * its quad). */
export function cachedQuad(
  then: Camera,
  now: Camera,
  vp: Viewport,
): { scale: [number, number]; offset: [number, number] } {
  // clip_then = (p - C0) S0  =>  p = clip_then / S0 + C0  =>  clip_now = clip_then (S1 / S0) + (C0 - C1) S1.
  const a = clipTransform(then, vp),
    b = clipTransform(now, vp);
  return {
    scale: [b.scale[0] / a.scale[0], b.scale[1] / a.scale[1]],
    offset: [(a.center[0] - b.center[0]) * b.scale[0], (a.center[1] - b.center[1]) * b.scale[1]],
  };
}

/** A framebuffer the size of the canvas, its texture, and the quad program. */
export class FrameCache {
  private fbo: WebGLFramebuffer | null = null;
  private tex: WebGLTexture | null = null;
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private size = { width: 0, height: 0 };
  /** The camera and viewport of the cached image, or null when there is none (or it is stale). */
  private drawnWith: { cam: Camera; vp: Viewport; width: number; height: number } | null = null;

  constructor(
    private readonly gl: WebGL2RenderingContext,
    link: (vs: string, fs: string) => WebGLProgram | null,
  ) {
    this.program = link(VERTEX, FRAGMENT);
    if (!this.program) return;
    this.vao = gl.createVertexArray();
    gl.bindVertexArray(this.vao);
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    const loc = gl.getAttribLocation(this.program, 'a_corner');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
    gl.bindVertexArray(null);
  }

  get ok(): boolean {
    return this.program !== null;
  }

  /** Forget the image (styles, positions, palette or size changed). */
  invalidate(): void {
    this.drawnWith = null;
  }

  /** Whether an image for this canvas size exists. */
  has(width: number, height: number): boolean {
    return this.drawnWith !== null && this.drawnWith.width === width && this.drawnWith.height === height;
  }

  /** Binds the framebuffer to draw the points into (sized to the canvas); false when it cannot. */
  begin(width: number, height: number): boolean {
    const gl = this.gl;
    if (!this.program) return false;
    if (!this.fbo || this.size.width !== width || this.size.height !== height) {
      if (this.tex) gl.deleteTexture(this.tex);
      if (this.fbo) gl.deleteFramebuffer(this.fbo);
      this.tex = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, this.tex);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      this.fbo = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.tex, 0);
      const complete = gl.checkFramebufferStatus(gl.FRAMEBUFFER) === gl.FRAMEBUFFER_COMPLETE;
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      if (!complete) {
        gl.deleteFramebuffer(this.fbo);
        this.fbo = null;
        return false;
      }
      this.size = { width, height };
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fbo);
    return true;
  }

  /** The points are in the texture: remember the camera and copy the image to the canvas (cleared to the clear colour
   * first). */
  end(cam: Camera, vp: Viewport): void {
    this.gl.bindFramebuffer(this.gl.FRAMEBUFFER, null);
    this.gl.clear(this.gl.COLOR_BUFFER_BIT);
    this.drawnWith = { cam: { ...cam }, vp: { ...vp }, width: this.size.width, height: this.size.height };
    this.blit(cam, vp);
  }

  /** Draws the cached image where camera `cam` puts it (the canvas is already cleared). */
  blit(cam: Camera, vp: Viewport): void {
    const gl = this.gl,
      d = this.drawnWith;
    if (!d || !this.program) return;
    const q = cachedQuad(d.cam, cam, vp);
    gl.useProgram(this.program);
    gl.uniform2f(gl.getUniformLocation(this.program, 'u_scale'), q.scale[0], q.scale[1]);
    gl.uniform2f(gl.getUniformLocation(this.program, 'u_offset'), q.offset[0], q.offset[1]);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.tex);
    gl.uniform1i(gl.getUniformLocation(this.program, 'u_tex'), 0);
    gl.disable(gl.BLEND);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindVertexArray(null);
  }
}
