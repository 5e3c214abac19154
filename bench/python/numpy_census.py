"""The baseline of bench/scale.ts: the census a user writes by hand in NumPy, blockwise (as the
issue's PyTorch reference: distances of a block of anchors to every sample, the negatives sorted,
a search per positive for d(a,p) + m, prefix sums for the loss). Counts the given anchors only and
prints JSON {anchors, seconds, violating, lossSum}; the bench scales the time to every anchor
(each anchor costs the same N distances and one sort of its negatives).

Usage: python3 numpy_census.py emb.npy labels.npy margin anchors [block]
"""
import json
import sys
import time

import numpy as np


def main():
    emb, labels, margin, anchors = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    block = int(sys.argv[5]) if len(sys.argv) > 5 else 64
    x = np.load(emb).astype(np.float32)
    y = np.load(labels)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # PML's default: normalised
    sq = (x * x).sum(axis=1)
    t0 = time.perf_counter()
    violating = 0
    loss = 0.0
    for b0 in range(0, anchors, block):
        a = np.arange(b0, min(anchors, b0 + block))
        d2 = sq[a, None] + sq[None, :] - 2.0 * (x[a] @ x.T)
        d = np.sqrt(np.maximum(d2, 0.0))
        for r, i in enumerate(a):
            row = d[r]
            same = y == y[i]
            neg = np.sort(row[~same])
            pos = row[same]
            pos = pos[np.arange(len(pos)) != np.searchsorted(np.flatnonzero(same), i)]
            k = np.searchsorted(neg, pos + margin, side='right')  # t <= m: d(a,n) <= d(a,p) + m
            prefix = np.concatenate(([0.0], np.cumsum(neg, dtype=np.float64)))
            violating += int(k.sum())
            loss += float((k * (pos.astype(np.float64) + margin) - prefix[k]).sum())
    print(json.dumps({"anchors": anchors, "seconds": time.perf_counter() - t0, "violating": violating, "lossSum": loss}))


if __name__ == "__main__":
    main()
