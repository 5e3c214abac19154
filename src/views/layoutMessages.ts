import { LAYOUT_CHUNK_POINTS, type LayoutKind, type ToProjection } from '../shared/protocol';

/**
 * The messages that carry a layout of n points to the projection panel: one 'layout' message up to
 * `chunkPoints` points, else 'layoutChunk's of `chunkPoints` points each, in order, so the panel
 * draws as they arrive and shows the progress. Each chunk's data is a copy of its slice: VS Code's
 * webview.postMessage sends the whole ArrayBuffer under a typed array (the view's offset and length
 * travel beside it), so a subarray would carry the full layout every time. Pure (no `vscode`).
 */
export function layoutMessages(
  datasetId: string,
  layoutId: number,
  kind: LayoutKind,
  layout: Float32Array,
  dims: 2 | 3,
  chunkPoints = LAYOUT_CHUNK_POINTS,
): ToProjection[] {
  const n = layout.length / dims;
  if (n <= chunkPoints) return [{ type: 'layout', datasetId, layout, dims, kind }];
  const out: ToProjection[] = [];
  for (let offset = 0; offset < n; offset += chunkPoints) {
    const data = layout.slice(offset * dims, Math.min(n, offset + chunkPoints) * dims);
    out.push({ type: 'layoutChunk', datasetId, layoutId, kind, dims, n, offset, data });
  }
  return out;
}
