/**
 * A test-side PNG reader for what the sample writes (8-bit grayscale, filter 0 or any of the five
 * filters), independent of the encoder: chunk walk, CRC check, node:zlib inflate, unfiltering.
 */
import * as zlib from 'node:zlib';

/** The standard CRC-32, bit by bit (no table), as an independent check of the encoder's. */
export function crc32Reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A decoded grayscale image. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Paeth predictor of the PNG spec. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an 8-bit grayscale, non-interlaced PNG; throws on anything else or a bad CRC. */
export function decodeGrayPng(file: Buffer): GrayImage {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => file[i] === b)) throw new Error('bad PNG signature');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  let ended = false;
  while (off < file.length) {
    const len = file.readUInt32BE(off);
    const type = file.toString('latin1', off + 4, off + 8);
    const data = file.subarray(off + 8, off + 8 + len);
    const crc = file.readUInt32BE(off + 8 + len);
    if (crc !== crc32Reference(file.subarray(off + 4, off + 8 + len))) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 0 || data[12] !== 0) throw new Error('not 8-bit grayscale non-interlaced');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    off += 12 + len;
  }
  if (!ended) throw new Error('no IEND');
  const raw = zlib.inflateSync(Buffer.concat(idat));
  if (raw.length !== (width + 1) * height) throw new Error('wrong data length');
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    for (let x = 0; x < width; x++) {
      const v = raw[y * (width + 1) + 1 + x];
      const a = x > 0 ? px[y * width + x - 1] : 0;
      const b = y > 0 ? px[(y - 1) * width + x] : 0;
      const c = x > 0 && y > 0 ? px[(y - 1) * width + x - 1] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (pred === undefined) throw new Error(`unknown filter ${filter}`);
      px[y * width + x] = (v + pred) & 0xff;
    }
  }
  return { width, height, pixels: px };
}

/** Reads a .npy written by the generator: header dict fields and the raw data bytes. */
export function readNpy(file: Buffer): { descr: string; shape: number[]; data: Buffer; headerEnd: number } {
  if (file.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('bad npy magic');
  const headerLen = file.readUInt16LE(8);
  const header = file.toString('latin1', 10, 10 + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (!/'fortran_order':\s*False/.test(header)) throw new Error('expected C order');
  const headerEnd = 10 + headerLen;
  return { descr, shape, data: file.subarray(headerEnd), headerEnd };
}
