/**
 * Query / gallery retrieval at Market-1501's shape in one thread: the distance rows against the
 * time of scoring them, so the cost is split between the GEMM and the protocol.
 * `node dist/bench/queryGallery.js <embeddings.npy> <queries> [limit]` (the first `queries` rows
 * are queries, the rest the gallery; identities and cameras drawn at random; `limit` queries timed).
 */
import * as fs from 'node:fs';
import { distanceRowsOf, initBackend } from '../src/engine/distances';
import { queryGalleryRows } from '../src/engine/queryGallery';

async function main(): Promise<void> {
  const [file, qArg, limitArg] = process.argv.slice(2);
  const buf = fs.readFileSync(file);
  const hl = buf.readUInt16LE(8),
    header = buf.toString('latin1', 10, 10 + hl);
  const [n, dim] = /\((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  const emb = new Float32Array(buf.buffer.slice(buf.byteOffset + 10 + hl, buf.byteOffset + 10 + hl + n * dim * 4));
  const Q = Number(qArg),
    limit = Number(limitArg ?? 256);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 750),
    cameras = Int32Array.from({ length: n }, (_, i) => (i * 7) % 6);
  const queries = Int32Array.from({ length: Q }, (_, i) => i),
    gallery = Int32Array.from({ length: n - Q }, (_, i) => Q + i);
  console.log(`backend ${await initBackend()}, n ${n}, dim ${dim}, ${Q} queries, timing ${limit}`);
  const input = { embeddings: emb, n, dim, labels, classes: 750 };
  let t = performance.now();
  await queryGalleryRows(
    input,
    { queries, gallery, cameras },
    { distance: 'euclidean', normalize: false },
    { start: 0, end: limit },
  );
  const whole = performance.now() - t;
  t = performance.now();
  const ids = Int32Array.from({ length: limit }, (_, i) => i),
    out = new Float32Array(217 * n);
  for (let r = 0; r < limit; r += 217)
    distanceRowsOf(emb, n, dim, ids.subarray(r, Math.min(limit, r + 217)), 'euclidean', out);
  const gemm = performance.now() - t;
  console.log(
    `${limit} queries: ${whole.toFixed(0)} ms in all, distance rows alone ${gemm.toFixed(0)} ms (${((2 * limit * n * dim) / gemm / 1e6).toFixed(1)} GFLOP/s)`,
  );
}
void main();
