/** What the log dir tests (unit and integration) read and write themselves, apart from the loader. */
import * as fs from 'node:fs';

/** tensors.tsv as PyTorch wrote it (str(float) per value, tab-separated rows), parsed here independently of the loader.
 */
export function tsvValues(file: string): number[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l)
    .flatMap((l) => l.split('\t').map((v) => Math.fround(Number(v))));
}

/** A PNG with only its signature, IHDR (RGB 8-bit) and IEND: enough for a header-only reader. */
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
  };
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
