/**
 * Reading a projector sprite's size from its header (PNG, JPEG, GIF, WebP), never decoding it: the
 * webview shows a cell of it by CSS, so the host only checks that the grid fits (shared/sprite.ts)
 * and names the file when it does not.
 */
import type { SpriteGeometry } from '../shared/sprite';
import { spriteColumns, spriteProblem } from '../shared/sprite';
import { fail } from './errors';
import { checkedSize, readPrefix } from './files';

/** A sprite sheet of a dataset: its file and geometry. */
export interface SpriteSheet extends SpriteGeometry {
  path: string;
}

const be16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const be32 = (b: Uint8Array, o: number): number => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const le16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const le24 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);

/** Width and height from an image file's header bytes; undefined when the format is not known. */
export function imageSize(b: Uint8Array): { width: number; height: number; format: string } | undefined {
  if (
    b.length >= 24 &&
    be32(b, 0) === 0x89504e47 &&
    be32(b, 4) === 0x0d0a1a0a &&
    String.fromCharCode(...b.subarray(12, 16)) === 'IHDR'
  ) {
    return { width: be32(b, 16), height: be32(b, 20), format: 'PNG' };
  }
  if (b.length >= 10 && /^GIF8[79]a$/.test(String.fromCharCode(...b.subarray(0, 6))))
    return { width: le16(b, 6), height: le16(b, 8), format: 'GIF' };
  if (
    b.length >= 30 &&
    String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' &&
    String.fromCharCode(...b.subarray(8, 12)) === 'WEBP'
  ) {
    const kind = String.fromCharCode(...b.subarray(12, 16));
    if (kind === 'VP8X') return { width: le24(b, 24) + 1, height: le24(b, 27) + 1, format: 'WebP' };
    if (kind === 'VP8L') {
      const v = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1, format: 'WebP' };
    }
    if (kind === 'VP8 ') return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff, format: 'WebP' };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: walk the segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
    let o = 2;
    while (o + 9 <= b.length) {
      if (b[o] !== 0xff) return undefined;
      const m = b[o + 1];
      if (m === 0xff) {
        o++;
        continue;
      }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
        return { width: be16(b, o + 7), height: be16(b, o + 5), format: 'JPEG' };
      if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
        o += 2;
        continue;
      }
      o += 2 + be16(b, o + 2);
    }
  }
  return undefined;
}

/**
 * The sprite of n samples, checked: a known image format, at most 8192 px a side, and a grid of
 * ceil(sqrt(n)) cells of `cell` = [width, height] px that fits it. Errors name `file` (the image),
 * or `config` for a bad `single_image_dim`.
 */
export async function readSprite(
  file: string,
  cell: number[] | undefined,
  n: number,
  config: string,
): Promise<SpriteSheet> {
  if (!cell || cell.length !== 2 || !cell.every((v) => Number.isInteger(v) && v > 0)) {
    fail(
      config,
      `sprite '${file}': single_image_dim must be two positive integers, width and height (found ${cell?.length ? cell.join(', ') : 'none'})`,
    );
  }
  const size = await checkedSize(file, Number.MAX_SAFE_INTEGER, 'sprite image');
  const head = await readPrefix(file, Math.min(size, 1024 * 1024));
  const dims =
    imageSize(head) ?? fail(file, 'the sprite image is not a PNG, JPEG, GIF or WebP file (its header says neither)');
  const problem = spriteProblem(n, dims.width, dims.height, cell[0], cell[1]);
  if (problem) fail(file, problem);
  return {
    path: file,
    width: dims.width,
    height: dims.height,
    cellWidth: cell[0],
    cellHeight: cell[1],
    columns: spriteColumns(n),
  };
}
