// Realistic fake host data for the projection harness: Gaussian clusters in 2-D, used both as the
// "embedding" and as the layout, with a real triplet census on it (Euclidean, pml convention),
// computed per anchor with sorted negatives and prefix sums as in notes/definitions.md.
import zlib from 'node:zlib';

const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n points in k clusters: { n, k, labels: Int32Array, xy: Float32Array (n x 2), classNames }. */
export function makeClusters(n, k, seed = 7, spread = 1.1) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: k }, (_, c) => [
    6 * Math.cos((2 * Math.PI * c) / k) + gauss(),
    6 * Math.sin((2 * Math.PI * c) / k) + gauss(),
  ]);
  const labels = new Int32Array(n),
    xy = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    xy[2 * i] = centres[c][0] + spread * gauss();
    xy[2 * i + 1] = centres[c][1] + spread * gauss();
  }
  const classNames = Array.from({ length: k }, (_, c) => CLASS_NAMES[c] ?? `class ${c}`);
  return { n, k, labels, xy, classNames };
}

/** Exact per-sample census on the 2-D points (pml: hard t <= 0, semi-hard 0 < t <= m). */
export function census(data, margin) {
  const { n, labels, xy } = data;
  const d = (i, j) => Math.hypot(xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]);
  const category = new Uint8Array(n),
    lossAsAnchor = new Float32Array(n),
    violAsAnchor = new Float32Array(n);
  const violAsPositive = new Float32Array(n),
    violAsNegative = new Float32Array(n),
    nearestImpostor = new Int32Array(n).fill(-1);
  const counts = { easy: 0, semihard: 0, hard: 0, violating: 0 };
  let triplets = 0,
    lossSum = 0,
    nonZero = 0;
  const worstPerAnchor = [];
  const upper = (arr, v) => {
    let lo = 0,
      hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let a = 0; a < n; a++) {
    const pos = [],
      neg = [];
    for (let j = 0; j < n; j++) if (j !== a) (labels[j] === labels[a] ? pos : neg).push(j);
    if (pos.length === 0 || neg.length === 0) continue;
    const negD = Float64Array.from(neg, (j) => d(a, j));
    const order = Array.from(neg.keys()).sort((x, y) => negD[x] - negD[y]);
    const sortedNeg = Float64Array.from(order, (k) => negD[k]);
    nearestImpostor[a] = neg[order[0]];
    const prefix = new Float64Array(sortedNeg.length + 1);
    for (let k = 0; k < sortedNeg.length; k++) prefix[k + 1] = prefix[k] + sortedNeg[k];
    const posD = Float64Array.from(pos, (j) => d(a, j)).sort();
    let hard = 0,
      viol = 0,
      loss = 0,
      worst = null;
    pos.forEach((p) => {
      const dap = d(a, p);
      const v = upper(sortedNeg, dap + margin),
        h = upper(sortedNeg, dap);
      viol += v;
      hard += h;
      loss += v * (dap + margin) - prefix[v];
      violAsPositive[p] += v;
      if (v > 0 && (!worst || dap + margin - sortedNeg[0] > worst.loss))
        worst = {
          anchor: a,
          positive: p,
          negative: neg[order[0]],
          loss: dap + margin - sortedNeg[0],
          dap,
          dan: sortedNeg[0],
        };
    });
    // As negative: positives p with d(a,p) + m >= d(a,n).
    neg.forEach((j, k) => {
      violAsNegative[j] += posD.length - upper(posD, negD[k] - margin - 1e-15);
    });
    const total = pos.length * neg.length;
    triplets += total;
    counts.hard += hard;
    counts.semihard += viol - hard;
    counts.easy += total - viol;
    counts.violating += viol;
    lossSum += loss;
    nonZero += viol;
    lossAsAnchor[a] = loss;
    violAsAnchor[a] = viol;
    category[a] = hard > 0 ? 3 : viol > 0 ? 2 : 1;
    if (worst) worstPerAnchor.push(worst);
  }
  worstPerAnchor.sort((x, y) => y.loss - x.loss);
  return {
    settings: {
      margin,
      distance: 'euclidean',
      normalize: false,
      convention: 'pml',
      mining: 'batch-all',
      temperature: 0.07,
    },
    triplets,
    counts,
    pml: counts,
    facenet: counts,
    lossSum,
    meanLoss: lossSum / triplets,
    meanLossNonZero: nonZero ? lossSum / nonZero : 0,
    category,
    lossAsAnchor,
    violAsAnchor,
    violAsPositive,
    violAsNegative,
    nearestImpostor,
    worst: worstPerAnchor.slice(0, 50),
    classViolationRate: new Float64Array(data.k),
    topPairs: [],
    elapsedMs: 0,
  };
}

/** The host's answer to requestDetail: farthest positive and violating negatives, worst first, capped. */
export function detail(data, index, margin, cap = 20) {
  const { n, labels, xy } = data;
  const d = (j) => Math.hypot(xy[2 * index] - xy[2 * j], xy[2 * index + 1] - xy[2 * j + 1]);
  let hardestPositive = -1,
    far = -1;
  for (let j = 0; j < n; j++)
    if (j !== index && labels[j] === labels[index] && d(j) > far) {
      far = d(j);
      hardestPositive = j;
    }
  const negatives = [];
  for (let j = 0; j < n; j++) if (labels[j] !== labels[index] && d(j) <= far + margin) negatives.push(j);
  negatives.sort((x, y) => d(x) - d(y));
  return { hardestPositive, negatives: negatives.slice(0, cap) };
}

/** A tiny PNG (size x size RGB), colour by class, a pattern by index, so each sample's image differs. */
export function samplePng(index, label, size = 16) {
  const hue = (label * 36) % 360,
    r = rng(index + 1);
  const base = [
    Math.round(128 + 100 * Math.cos((hue * Math.PI) / 180)),
    Math.round(128 + 100 * Math.cos(((hue - 120) * Math.PI) / 180)),
    Math.round(128 + 100 * Math.cos(((hue + 120) * Math.PI) / 180)),
  ];
  const raw = Buffer.alloc(size * (1 + 3 * size));
  for (let y = 0; y < size; y++) {
    raw[y * (1 + 3 * size)] = 0;
    for (let x = 0; x < size; x++) {
      const on = r() < 0.5 || x === y;
      for (let c = 0; c < 3; c++) raw[y * (1 + 3 * size) + 1 + 3 * x + c] = on ? base[c] : 255 - base[c];
    }
  }
  const chunk = (type, body) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(tb) >>> 0);
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
