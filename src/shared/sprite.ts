/**
 * Sprite sheets as TensorBoard's projector defines them (and PyTorch's `make_sprite` and TF's
 * `projector.visualize_embeddings` users write them): one image holding every sample's picture in
 * a square grid of ceil(sqrt(n)) cells a side, row-major from the top-left, each cell
 * `single_image_dim` = [width, height] pixels; the last rows may be empty. Pure: no `vscode`, no DOM.
 */

/** TensorBoard refuses sprites larger than this on either side (MAX_SPRITE_IMAGE_SIZE_PX). */
export const MAX_SPRITE_PX = 8192;

/** A sprite sheet's geometry (pixels). */
export interface SpriteGeometry {
  /** The whole image. */
  width: number;
  height: number;
  /** One cell (`single_image_dim`). */
  cellWidth: number;
  cellHeight: number;
  /** Cells per row: ceil(sqrt(n)). */
  columns: number;
}

/** Cells a side of the grid for n samples. */
export function spriteColumns(n: number): number {
  let g = Math.ceil(Math.sqrt(n));
  // Math.sqrt is exact on perfect squares, but guard the neighbours of huge n against rounding.
  while (g > 0 && (g - 1) * (g - 1) >= n) g--;
  while (g * g < n) g++;
  return g;
}

/** Sample i's cell: its top-left corner and size in sheet pixels. */
export function spriteCell(s: SpriteGeometry, i: number): { x: number; y: number; w: number; h: number } {
  return {
    x: (i % s.columns) * s.cellWidth,
    y: Math.floor(i / s.columns) * s.cellHeight,
    w: s.cellWidth,
    h: s.cellHeight,
  };
}

/**
 * Why a sprite of `width` x `height` px cannot hold n cells of `cellWidth` x `cellHeight`, or ''
 * when it can. The grid must fill the sheet's width exactly and its height too, except that
 * PyTorch's make_sprite pads the sheet to a square of the grid's width (so a sheet of cells wider
 * than tall is as tall as it is wide, the rows below the grid empty).
 */
export function spriteProblem(n: number, width: number, height: number, cellWidth: number, cellHeight: number): string {
  if (width > MAX_SPRITE_PX || height > MAX_SPRITE_PX) {
    return `the sprite image is ${width} x ${height} px, larger than the ${MAX_SPRITE_PX} x ${MAX_SPRITE_PX} px TensorBoard's projector accepts`;
  }
  const g = spriteColumns(n);
  const w = g * cellWidth,
    h = g * cellHeight;
  if (width === w && (height === h || (cellHeight < cellWidth && height === w))) return '';
  return `the sprite image is ${width} x ${height} px, but ${n} images of ${cellWidth} x ${cellHeight} px (single_image_dim) in a square grid of ${g} x ${g} need ${w} x ${h} px`;
}
