/**
 * The scatter plot's shaders. The vertex shader styles each point itself from its per-point inputs
 * (label, triplet category, loss or change, selected) and the look's uniforms and tables
 * (pointLook.ts) — the same mapping as computePointStyles (pointStyle.ts), the CPU reference — so a
 * new census, colour mode, emphasis or selection uploads a few bytes per point at most.
 */

/** Texels per row of the colour and emphasis tables (a table of more entries wraps onto more rows). */
export const TABLE_WIDTH = 1024;

export const POINT_VERTEX = `#version 300 es
precision highp float;
precision highp int;
in vec2 a_pos;
in int a_label;
in uint a_cat;
in float a_value;
in uint a_sel;
uniform vec2 u_center;
uniform vec2 u_scale;
uniform float u_sizeScale;
uniform float u_maxSize;
uniform float u_ringWidth;
uniform float u_alphaScale;
// Points at index >= u_loaded have not arrived yet (a layout sent in chunks).
uniform int u_loaded;
// 0 label, 1 category, 2 loss, 3 change (MODE_INDEX).
uniform int u_mode;
uniform int u_classCount;
uniform highp sampler2D u_colours;
uniform highp sampler2D u_emphasis;
uniform bool u_emphasising;
uniform bool u_selecting;
uniform bool u_isolate;
uniform bool u_ringOnHard;
uniform float u_alphas[4];
uniform float u_baseSize;
uniform float u_catSize[4];
// Loss ramp: x = the median positive loss, y = log1p(99th percentile / x); x 0 when no loss is positive.
uniform vec2 u_loss;
out vec4 v_color;
out float v_fade;
out float v_disc;
out float v_sprite;
flat out uint v_flags;

vec4 tableAt(highp sampler2D t, int i) { return texelFetch(t, ivec2(i % ${TABLE_WIDTH}, i / ${TABLE_WIDTH}), 0); }

void main() {
  if (gl_VertexID >= u_loaded) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    gl_PointSize = 1.0;
    v_color = vec4(0.0); v_fade = 0.0; v_disc = 0.0; v_sprite = 1.0; v_flags = 0u;
    return;
  }
  int cat = a_cat <= 3u ? int(a_cat) : 0;
  bool known = a_label >= 0 && a_label < u_classCount;
  int entry;
  int slot;
  if (u_mode == 0) { entry = known ? a_label : u_classCount; slot = 0; }
  else if (u_mode == 1) { entry = cat; slot = cat; }
  else if (u_mode == 2) {
    float t = 0.0;
    if (a_value > 0.0 && u_loss.x > 0.0 && u_loss.y > 0.0) t = min(1.0, log(1.0 + a_value / u_loss.x) / u_loss.y);
    slot = a_value > 0.0 ? 1 : 0;
    entry = int(floor(255.0 * t + 0.5)) + 256 * slot;
  } else { entry = a_value > 0.0 ? 0 : a_value < 0.0 ? 1 : 2; slot = entry; }
  vec3 rgb = tableAt(u_colours, entry).rgb;
  float alpha = u_alphas[slot];
  float size = u_baseSize * u_catSize[cat];
  uint flags = cat == 3 && u_ringOnHard ? 1u : 0u;
  if (u_emphasising) {
    if (known && tableAt(u_emphasis, a_label).r > 0.5) { size *= 1.25; alpha = max(alpha, 0.9); }
    else { size *= 0.8; alpha *= 0.15; flags = 0u; }
  }
  if (u_selecting && a_sel != 0u) flags |= 2u;
  else if (u_isolate) { alpha *= 0.12; flags = 0u; }
  // As the CPU reference stores it: one byte.
  alpha = floor(alpha * 255.0 + 0.5) / 255.0;

  gl_Position = vec4((a_pos - u_center) * u_scale, 0.0, 1.0);
  float disc = size * u_sizeScale;
  // Room for the ring (and one pixel of antialiasing) around the disc.
  float extra = (flags & 3u) != 0u ? u_ringWidth + 1.5 : 1.0;
  v_sprite = min(u_maxSize, disc + 2.0 * extra);
  gl_PointSize = v_sprite;
  v_disc = disc;
  // Points fade where many overlap (u_alphaScale < 1), so a million points are not one blob;
  // hard samples' rings fade less, selected points not at all.
  float fade = (flags & 2u) != 0u ? 1.0 : (flags & 1u) != 0u ? max(0.35, min(1.0, 1.5 * u_alphaScale)) : u_alphaScale;
  v_color = vec4(rgb, alpha * fade);
  v_fade = fade;
  v_flags = flags;
}`;

export const POINT_FRAGMENT = `#version 300 es
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

/** Uniform names of the point program. */
export const POINT_UNIFORMS = [
  'u_center',
  'u_scale',
  'u_sizeScale',
  'u_maxSize',
  'u_ringWidth',
  'u_alphaScale',
  'u_loaded',
  'u_mode',
  'u_classCount',
  'u_colours',
  'u_emphasis',
  'u_emphasising',
  'u_selecting',
  'u_isolate',
  'u_ringOnHard',
  'u_alphas',
  'u_baseSize',
  'u_catSize',
  'u_loss',
  'u_ringColor',
  'u_selectColor',
] as const;
