// A small stand-in for the host + engine, for the controls harness only: clustered embeddings,
// exact per-anchor sorted negative distances, and census / histogram messages computed from them
// (the census by the sorted-negatives method of definitions.md, so the counts are real).
// startEngine() runs the census in a worker thread, so the fake host stays responsive while it
// counts, as the real host does with its analysis worker.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/** Seeded normal random numbers (Box-Muller on an LCG): the harness is reproducible. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Number of x in sorted a with x <= v (strict: x < v). */
function countLE(a, v, strict) {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? a[mid] < v : a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function prefixSums(sorted) {
  const p = new Float64Array(sorted.length + 1);
  for (let j = 0; j < sorted.length; j++) p[j + 1] = p[j] + sorted[j][0];
  return p;
}

/** Builds a dataset of n L2-normalised points in `classes` Gaussian clusters. */
export function makeDataset({ n = 2000, classes = 10, dim = 32, sigma = 0.9, seed = 7 } = {}) {
  const g = rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => g()));
  const labels = new Int32Array(n);
  const z = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const v = centres[c][k] + sigma * g();
      z[i * dim + k] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < dim; k++) z[i * dim + k] /= norm;
  }
  const dist = (a, b) => {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const d = z[a * dim + k] - z[b * dim + k];
      s += d * d;
    }
    return Math.sqrt(s);
  };
  // Per anchor: positive distances (sorted), negatives sorted by distance with their classes.
  const anchors = [];
  for (let a = 0; a < n; a++) {
    const pos = [],
      neg = [];
    for (let b = 0; b < n; b++) if (b !== a) (labels[b] === labels[a] ? pos : neg).push([dist(a, b), b]);
    pos.sort((x, y) => x[0] - y[0]);
    neg.sort((x, y) => x[0] - y[0]);
    anchors.push({
      pos: Float64Array.from(pos, (x) => x[0]),
      posIdx: pos.map((x) => x[1]),
      neg: Float64Array.from(neg, (x) => x[0]),
      prefix: prefixSums(neg),
      negCls: Int32Array.from(neg, (x) => labels[x[1]]),
      negIdx: neg.map((x) => x[1]),
    });
  }
  const classNames = Array.from({ length: classes }, (_, c) =>
    classes <= 10
      ? ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'][c]
      : `class_${c}`,
  );
  return { n, dim, classes, labels, anchors, classNames };
}

/** The host's `state` message. */
export function stateMessage(ds, settings, extra = {}) {
  return {
    type: 'state',
    datasetId: extra.datasetId ?? 'ds1',
    hasDataset: true,
    datasetName: extra.name ?? 'cifar10-embeddings.npy',
    n: ds.n,
    dim: ds.dim,
    classes: ds.classes,
    snapshots: extra.snapshots ?? ['epoch 1', 'epoch 5', 'epoch 10'],
    activeSnapshot: extra.activeSnapshot ?? 2,
    settings,
    marginRange: { min: 0, max: 1.2, step: 0.01 },
    classNames: ds.classNames,
  };
}

/** Histogram of t = d(a,n) - d(a,p) over all valid triplets, exact per bin. */
export function histogramMessage(ds, bins = 60) {
  let lo = Infinity,
    hi = -Infinity;
  for (const A of ds.anchors) {
    if (!A.pos.length || !A.neg.length) continue;
    lo = Math.min(lo, A.neg[0] - A.pos[A.pos.length - 1]);
    hi = Math.max(hi, A.neg[A.neg.length - 1] - A.pos[0]);
  }
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Float64Array(bins);
  let triplets = 0;
  for (const A of ds.anchors) {
    for (const dap of A.pos) {
      let prev = 0;
      for (let k = 1; k <= bins; k++) {
        const c = k === bins ? A.neg.length : countLE(A.neg, dap + edges[k], true);
        counts[k - 1] += c - prev;
        prev = c;
      }
      triplets += A.neg.length;
    }
  }
  return { type: 'histogram', datasetId: 'ds1', edges, counts, triplets };
}

/** The census at `settings.margin`, exact (sorted negatives + binary search / two pointers). */
export function censusMessage(ds, settings, datasetId = 'ds1') {
  const t0 = performance.now();
  const m = settings.margin;
  const conv = { pml: { violating: 0, hard: 0 }, facenet: { violating: 0, hard: 0 } };
  let triplets = 0,
    lossSum = 0,
    nonZero = 0;
  const perClassViol = new Float64Array(ds.classes),
    perClassAll = new Float64Array(ds.classes);
  const pairs = new Float64Array(ds.classes * ds.classes);
  let bhSum = 0,
    bhViol = 0,
    shSum = 0,
    shPairs = 0;
  for (let a = 0; a < ds.n; a++) {
    const A = ds.anchors[a],
      ca = ds.labels[a];
    if (!A.pos.length || !A.neg.length) continue;
    const prefix = A.prefix;
    for (const dap of A.pos) {
      const v = countLE(A.neg, dap + m, false);
      conv.pml.violating += v;
      conv.pml.hard += countLE(A.neg, dap, false);
      const vf = countLE(A.neg, dap + m, true);
      conv.facenet.violating += vf;
      conv.facenet.hard += countLE(A.neg, dap, true);
      lossSum += vf * (dap + m) - prefix[vf];
      nonZero += vf;
      perClassViol[ca] += v;
      perClassAll[ca] += A.neg.length;
      triplets += A.neg.length;
      const above = countLE(A.neg, dap, false); // semi-hard selection: nearest negative farther than dap
      const dan = above < A.neg.length ? A.neg[above] : A.neg[A.neg.length - 1];
      shSum += Math.max(0, dap - dan + m);
      shPairs++;
    }
    // Pair collisions: negative j violates for every positive with dap >= dan_j - m (pml).
    const pos = A.pos,
      neg = A.neg,
      negCls = A.negCls,
      np = pos.length,
      row = ca * ds.classes;
    let p = 0;
    for (let j = 0; j < neg.length; j++) {
      const limit = neg[j] - m;
      while (p < np && pos[p] < limit) p++;
      if (p === np) break; // farther negatives violate for no positive
      pairs[row + negCls[j]] += np - p;
    }
    const bh = Math.max(0, m + A.pos[A.pos.length - 1] - A.neg[0]);
    bhSum += bh;
    if (bh > 0) bhViol++;
  }
  const mk = (c) => ({
    violating: c.violating,
    hard: c.hard,
    semihard: c.violating - c.hard,
    easy: triplets - c.violating,
  });
  const pml = mk(conv.pml),
    facenet = mk(conv.facenet);
  const topPairs = [];
  for (let i = 0; i < pairs.length; i++)
    if (pairs[i] > 0) topPairs.push({ a: Math.floor(i / ds.classes), b: i % ds.classes, count: pairs[i] });
  topPairs.sort((x, y) => y.count - x.count);
  return {
    type: 'census',
    datasetId,
    census: {
      settings: { ...settings },
      triplets,
      counts: settings.convention === 'pml' ? pml : facenet,
      pml,
      facenet,
      lossSum,
      meanLoss: triplets ? lossSum / triplets : 0,
      meanLossNonZero: nonZero ? lossSum / nonZero : 0,
      worst: [],
      classViolationRate: Float64Array.from(perClassViol, (v, c) => (perClassAll[c] ? v / perClassAll[c] : 0)),
      topPairs: topPairs.slice(0, 8),
      batchHard: { meanLoss: bhSum / ds.n, violatingAnchors: bhViol },
      semihard: { meanLoss: shPairs ? shSum / shPairs : 0, pairs: shPairs },
      retrieval: retrieval(ds),
      ntXent: { meanLoss: 2.31, temperature: settings.temperature },
      elapsedMs: performance.now() - t0,
    },
  };
}

/** precision@1, R-precision and MAP@R (computed once per dataset). */
function retrieval(ds) {
  if (ds._retrieval) return ds._retrieval;
  let p1 = 0,
    rp = 0,
    map = 0,
    q = 0;
  for (let a = 0; a < ds.n; a++) {
    const A = ds.anchors[a];
    const R = A.pos.length;
    if (!R) continue;
    // Merge the sorted positives and negatives: rank order of all other samples.
    let i = 0,
      j = 0,
      hits = 0,
      ap = 0;
    for (let rank = 1; rank <= R; rank++) {
      const rel = j >= A.neg.length || (i < R && A.pos[i] <= A.neg[j]);
      if (rel) {
        i++;
        hits++;
        ap += hits / rank;
      } else j++;
      if (rank === 1 && rel) p1++;
    }
    rp += hits / R;
    map += ap / R;
    q++;
  }
  ds._retrieval = { precisionAt1: p1 / q, rPrecision: rp / q, mapAtR: map / q };
  return ds._retrieval;
}

/** JSON with typed arrays tagged so the page can revive them (see controls.html). */
export function toWire(msg) {
  return JSON.stringify(msg, (k, v) =>
    ArrayBuffer.isView(v) ? { __typed: v.constructor.name, data: Array.from(v) } : v,
  );
}

/** A census engine over makeDataset(options) in a worker thread: `census(settings)` resolves to wire JSON. */
export function startEngine(options) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { fakeEngine: options } });
  const waiting = new Map();
  let next = 0;
  worker.on('message', ({ id, wire }) => {
    waiting.get(id)?.(wire);
    waiting.delete(id);
  });
  return {
    census: (settings) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        worker.postMessage({ id, settings });
      }),
    stop: () => worker.terminate(),
  };
}

if (!isMainThread && workerData?.fakeEngine) {
  const ds = makeDataset(workerData.fakeEngine);
  parentPort.on('message', ({ id, settings }) =>
    parentPort.postMessage({ id, wire: toWire(censusMessage(ds, settings)) }),
  );
}
