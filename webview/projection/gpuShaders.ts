/**
 * The WebGPU renderer's shaders (gpuScatter.ts): the WGSL port of pointShaders.ts, line for line in
 * what it computes, so both APIs draw the same pixels. WebGPU has no point sprites: each point is a
 * quad sized as the sprite would be, two triangles, six vertices of one non-instanced draw (vertex
 * v draws point v / 6; SwiftShader's WebGPU took 3 times as long per frame with an instanced quad a
 * point, and hardware does not mind either way), and the fragment shader gets its offset from the
 * centre in device pixels (GL's gl_PointCoord * size). The per-point inputs are storage buffers
 * read through the draw order (`order[v / 6]`), so hard, emphasised and selected points end on top
 * as in the WebGL 2 renderer's indexed draw. Bytes (categories, selection, emphasis) are packed four
 * to a u32.
 */

/** Byte size of the points' uniform block (the WGSL struct Uniforms, words at U). */
export const POINT_UNIFORM_BYTES = 144;

/** Bits of the uniform `bits`. */
export const BIT_EMPHASISING = 1,
  BIT_SELECTING = 2,
  BIT_ISOLATE = 4,
  BIT_RING_ON_HARD = 8,
  BIT_HAS_CATEGORY = 16,
  BIT_HAS_VALUES = 32;

/** Float offsets (4-byte words) of the uniform block's fields, as the WGSL struct lays them out. */
export const U = {
  center: 0,
  scale: 2,
  viewport: 4,
  loss: 6,
  sizeScale: 8,
  maxSize: 9,
  ringWidth: 10,
  alphaScale: 11,
  loaded: 12,
  mode: 13,
  classCount: 14,
  bits: 15,
  alphas: 16,
  catSize: 20,
  ringColor: 24,
  selectColor: 28,
  baseSize: 32,
  stride: 33,
  emphasisAt: 34,
} as const;

export const POINT_WGSL = /* wgsl */ `
struct Uniforms {
  center: vec2f,
  scale: vec2f,
  viewport: vec2f,   // device pixels
  loss: vec2f,       // x the median positive loss, y log1p(99th percentile / x); x 0 when no loss is positive
  sizeScale: f32,
  maxSize: f32,
  ringWidth: f32,
  alphaScale: f32,
  loaded: u32,       // points at index >= loaded have not arrived
  mode: u32,         // 0 label, 1 category, 2 loss, 3 change
  classCount: u32,
  bits: u32,
  alphas: vec4f,
  catSize: vec4f,
  ringColor: vec4f,
  selectColor: vec4f,
  baseSize: f32,
  stride: u32,
  emphasisAt: u32,   // the emphasis bytes' first word in look[]
  pad: u32,
}

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read> pos: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<i32>;
@group(0) @binding(4) var<storage, read> cats: array<u32>;
@group(0) @binding(5) var<storage, read> values: array<f32>;
@group(0) @binding(6) var<storage, read> sel: array<u32>;
// The colour table (one RGBA8 word per entry), then the emphasis bytes from emphasisAt.
@group(0) @binding(7) var<storage, read> look: array<u32>;

struct VOut {
  @builtin(position) position: vec4f,
  @location(0) color: vec4f,
  @location(1) local: vec2f,   // device pixels from the point's centre
  @location(2) fade: f32,
  @location(3) disc: f32,
  @location(4) @interpolate(flat) flags: u32,
}

fn byteAt(word: u32, i: u32) -> u32 { return (word >> ((i & 3u) * 8u)) & 255u; }

@vertex
fn vs(@builtin(vertex_index) vi: u32) -> VOut {
  var out: VOut;
  // Six vertices a point, two triangles: corners 0 1 2 and 2 1 3 of the quad.
  let k = vi / 6u;
  let v = (0x312210u >> ((vi % 6u) * 4u)) & 3u;
  let i = order[k];
  if (i >= u.loaded) {
    out.position = vec4f(2.0, 2.0, 2.0, 1.0);
    return out;
  }
  let label = labels[i];
  var catByte = 0u;
  if ((u.bits & ${BIT_HAS_CATEGORY}u) != 0u) { catByte = byteAt(cats[i >> 2u], i); }
  var value = 0.0;
  if ((u.bits & ${BIT_HAS_VALUES}u) != 0u) { value = values[i]; }
  let cat = select(0u, catByte, catByte <= 3u);
  let known = label >= 0 && label < i32(u.classCount);
  var entry: u32;
  var slot: u32;
  if (u.mode == 0u) {
    entry = select(u.classCount, u32(label), known);
    slot = 0u;
  } else if (u.mode == 1u) {
    entry = cat;
    slot = cat;
  } else if (u.mode == 2u) {
    var t = 0.0;
    if (value > 0.0 && u.loss.x > 0.0 && u.loss.y > 0.0) { t = min(1.0, log(1.0 + value / u.loss.x) / u.loss.y); }
    slot = select(0u, 1u, value > 0.0);
    entry = u32(floor(255.0 * t + 0.5)) + 256u * slot;
  } else {
    entry = select(select(2u, 1u, value < 0.0), 0u, value > 0.0);
    slot = entry;
  }
  let rgb = unpack4x8unorm(look[entry]).rgb;
  var alpha = u.alphas[slot];
  var size = u.baseSize * u.catSize[cat];
  var flags = select(0u, 1u, cat == 3u && (u.bits & ${BIT_RING_ON_HARD}u) != 0u);
  if ((u.bits & ${BIT_EMPHASISING}u) != 0u) {
    var emphasised = false;
    if (known) {
      let l = u32(label);
      emphasised = byteAt(look[u.emphasisAt + (l >> 2u)], l) > 127u;
    }
    if (emphasised) { size *= 1.25; alpha = max(alpha, 0.9); }
    else { size *= 0.8; alpha *= 0.15; flags = 0u; }
  }
  let selected = (u.bits & ${BIT_SELECTING}u) != 0u && byteAt(sel[i >> 2u], i) != 0u;
  if (selected) { flags |= 2u; }
  else if ((u.bits & ${BIT_ISOLATE}u) != 0u) { alpha *= 0.12; flags = 0u; }
  // As the CPU reference stores it: one byte.
  alpha = floor(alpha * 255.0 + 0.5) / 255.0;

  let p = vec2f(pos[i * u.stride], pos[i * u.stride + 1u]);
  let disc = size * u.sizeScale;
  let extra = select(1.0, u.ringWidth + 1.5, (flags & 3u) != 0u);
  let sprite = min(u.maxSize, disc + 2.0 * extra);
  // Corners 0..3: (-1,-1) (1,-1) (-1,1) (1,1).
  let corner = vec2f(f32(v & 1u), f32(v >> 1u)) * 2.0 - 1.0;
  out.position = vec4f((p - u.center) * u.scale + corner * sprite / u.viewport, 0.0, 1.0);
  out.local = corner * sprite * 0.5;
  out.disc = disc;
  let fade = select(select(u.alphaScale, max(0.35, min(1.0, 1.5 * u.alphaScale)), (flags & 1u) != 0u), 1.0, (flags & 2u) != 0u);
  out.color = vec4f(rgb, alpha * fade);
  out.fade = fade;
  out.flags = flags;
  return out;
}

@fragment
fn fs(in: VOut) -> @location(0) vec4f {
  let r = length(in.local);
  let rd = in.disc * 0.5;
  let disc = 1.0 - smoothstep(rd - 0.75, rd + 0.25, r);
  var c = vec4f(in.color.rgb, in.color.a * disc);
  if ((in.flags & 3u) != 0u) {
    let rc = select(u.ringColor.rgb, u.selectColor.rgb, (in.flags & 2u) != 0u);
    let inner = rd + 0.5;
    let outer = rd + 0.5 + u.ringWidth;
    let ring = smoothstep(inner - 0.75, inner + 0.25, r) * (1.0 - smoothstep(outer - 0.5, outer + 0.5, r));
    c = mix(c, vec4f(rc, in.fade), ring);
  }
  if (c.a <= 0.003) { discard; }
  return c;
}
`;

/** The cached image as one quad moved and scaled (frameCache.ts's cachedQuad gives scale and offset). */
export const BLIT_WGSL = /* wgsl */ `
struct Quad { scale: vec2f, offset: vec2f }
@group(0) @binding(0) var<uniform> q: Quad;
@group(0) @binding(1) var image: texture_2d<f32>;
@group(0) @binding(2) var smp: sampler;
struct VOut { @builtin(position) position: vec4f, @location(0) uv: vec2f }
@vertex
fn vs(@builtin(vertex_index) v: u32) -> VOut {
  let corner = vec2f(f32(v & 1u), f32(v >> 1u)) * 2.0 - 1.0;
  var out: VOut;
  out.position = vec4f(corner * q.scale + q.offset, 0.0, 1.0);
  out.uv = vec2f(corner.x * 0.5 + 0.5, 0.5 - corner.y * 0.5);
  return out;
}
@fragment
fn fs(in: VOut) -> @location(0) vec4f { return textureSample(image, smp, in.uv); }
`;
